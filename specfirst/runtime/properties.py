"""Replay counterexample traces and failing examples as regression tests.

``specfirst check --export-tests DIR`` writes each counterexample trace as a
pytest file that calls :func:`replay_trace`, and ``specfirst test
--export-tests DIR`` writes the shrunk failing example of each contract test
the same way, without a property. The replay runs the trace's
calls, in order, on the implementation that the project config binds (or on
the reference model with ``SPECFIRST_TARGET=model``). It runs them on the
reference model of the current spec too, side by side as a contract test
does, so every result must match the model's and the observed state must
satisfy the invariants.
After every step it also evaluates the property the trace broke, if any,
on the observed state:

- a safety property must hold in every state (and on every step, for one
  that reads ``old``);
- a liveness property's response must come within its bound of the step
  where the trigger held.

So the test fails while the bug the trace shows is there, and passes once
the implementation (and the spec) are fixed. A call that the current spec no
longer allows, or constants it rejects, skip the test with the reason: the
scenario cannot happen any more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from hypothesis.stateful import rule

from specfirst.config import ConfigError, load_config
from specfirst.runtime.binding import bind, project_root
from specfirst.runtime.contract import ContractMachine, load_model
from specfirst.runtime.errors import BindingError, ConstantsRejected
from specfirst.runtime.model import SpecModel

log = logging.getLogger(__name__)

# A property evaluated on the state after a step and, for a step property,
# the state before it (None before the first step).
Check = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class Call:
    """One step of a trace: an operation, query or environment action."""

    action: str
    args: tuple[object, ...] = ()

    def __str__(self) -> str:
        return f"{self.action}({', '.join(map(repr, self.args))})"


@dataclass(frozen=True)
class Response:
    """The window of a liveness trace: the response must come within
    ``within`` steps of state ``start``, where ``trigger`` (when given, for a
    leads-to) holds."""

    start: int
    within: int
    trigger: Check | None = None


class _Replay(ContractMachine):
    """A contract machine driven by a trace instead of by Hypothesis."""

    CALLS_NOTE = "replayed in order"

    @rule()
    def _unused(self) -> None:
        """Hypothesis wants a rule; a replay calls ``step`` itself."""


def replay_trace(
    test_file: str,
    *,
    component: str,
    model: str,
    prop: str = "",
    constants: Mapping[str, int],
    calls: Sequence[Call],
    holds: Check | None = None,
    step_property: bool = False,
    response: Response | None = None,
) -> None:
    """Replay ``calls`` against the bound implementation and the model.

    Args:
        test_file: the exported test's ``__file__``; the project is found
            above it, and the model in the project's build folder.
        component: the spec component.
        model: the generated model, ``module:Class``.
        prop: the id of the property the trace broke, for messages.
        constants: the trace's constants.
        calls: the trace's steps.
        holds: the property (safety) or the response (liveness), evaluated
            on the observed state after a step and the one before it. None
            replays a contract test's example: the results and states are
            checked against the model, as the contract test checks them.
        step_property: ``holds`` reads the state before the step (``old``).
        response: for a liveness trace, where the response window starts.
    """
    __tracebackhide__ = True  # pytest shows the failure, not the runtime
    machine = _machine(test_file, component, model, constants)
    machine.check_state()
    states = [_observed(machine)]
    done: list[str] = []
    for number, call in enumerate(calls, start=1):
        if not machine.model._sf_obligations_hold(call.action, call.args):
            _skip(f"step {number}, {call}, is outside the contract of the spec now")
        machine.step(call.action, *call.args)
        machine.check_state()
        done.append(str(call))
        states.append(_observed(machine))
        if holds is None or response is not None:
            continue
        if not _safe(holds, states, step_property):
            _fail(f"{prop} fails after step {number}", done)
    if holds is not None and response is not None:
        _check_response(prop, response, holds, states, done)
    machine.teardown()


def _machine(
    test_file: str, component: str, model: str, constants: Mapping[str, int]
) -> ContractMachine:
    here = Path(test_file).resolve().parent
    try:
        model_class = _model_class(model, here)
        binding = bind(component, model_class, here)
    except (BindingError, ConfigError) as exc:
        _fail_test(str(exc))
    try:
        model_class(constants, checked=False)
    except ConstantsRejected as exc:
        _skip(f"the spec rejects the trace's constants now: {exc}")
    namespace = {"COMPONENT": component, "MODEL": model, "BINDING": binding}
    machine: ContractMachine = type(f"{component}Replay", (_Replay,), namespace)()
    machine.constants.update(constants)
    machine.begin()
    return machine


def _model_class(model: str, here: Path) -> type[SpecModel]:
    root = project_root(here)
    if root is None:
        raise BindingError(
            f"no project config (a pyproject.toml with [tool.specfirst]) above {here}"
        )
    return load_model(model, load_config(root).build_dir)


def _observed(machine: ContractMachine) -> SpecModel:
    """Return the model with the implementation's observed state, if any."""
    observe = getattr(machine._implementation, "observe", None)
    if observe is None:
        return machine.model
    return machine.model._sf_with_state(machine._observe())


def _safe(holds: Check, states: list[SpecModel], step_property: bool) -> bool:
    if step_property:
        return holds(states[-1], states[-2])
    return holds(states[-1], None)


def _check_response(
    prop: str,
    response: Response,
    holds: Check,
    states: list[SpecModel],
    done: list[str],
) -> None:
    __tracebackhide__ = True
    start = response.start
    if start >= len(states):
        log.info("%s: the replay ends before state %d", prop, start)
        return
    if response.trigger is not None and not response.trigger(states[start], None):
        log.info("%s: the trigger no longer holds at state %d", prop, start)
        return
    window = states[start : start + response.within + 1]
    if not any(holds(state, None) for state in window):
        _fail(
            f"the response of {prop} does not come within {response.within} "
            f"step{'' if response.within == 1 else 's'} of state {start}",
            done,
        )


def _fail(problem: str, done: list[str]) -> NoReturn:
    __tracebackhide__ = True
    shown = "\n".join(f"    {call}" for call in done)
    raise AssertionError(f"{problem}\n  calls:\n{shown}")


def _fail_test(message: str) -> NoReturn:
    import pytest

    pytest.fail(message, pytrace=False)


def _skip(reason: str) -> NoReturn:
    import pytest

    pytest.skip(reason)
