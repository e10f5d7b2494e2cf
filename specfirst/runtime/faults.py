"""The engine of generated fault tests: crashes and recoveries between contract steps.

A generated ``test_<component>_faults.py`` names the component's contract
test and its failure modes and calls :func:`run_faults`. That runs the
contract state machine with one more rule: crash the implementation
(``adapter.crash()``), bring it back (``adapter.recover()``), and move the
model to the state the failure mode allows. After it, as after every step,
the observed state must equal the model's and satisfy every invariant, and
every later result must be the model's. So a recovery that lost a
registration fails at the next ``observe()`` or at the first lookup that
misses it.

A failure mode says which state variables a crash keeps; the others come
back with their initial values. A spec that states no failure mode gets the
strictest: a crash keeps everything, and recovery must restore the whole
state. An operation cut short by a crash (``crash_during_operations`` on
the adapter) may or may not have taken effect: the recovered state must be
one or the other.

Adapters opt in by having both ``crash()`` and ``recover()``; without them
the fault test is skipped with that reason, which a gate does not count as
a pass. With ``SPECFIRST_TARGET=model`` the reference model stands in for
the implementation, and a crash moves it to the state the failure mode
defines. That run checks the spec against itself: each failure's ensures
is evaluated on the recovered state and counted in the coverage, as the
contract tests count the invariants.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NoReturn

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from specfirst.runtime.binding import Target, bind
from specfirst.runtime.concurrency import load_generated
from specfirst.runtime.contract import ContractMachine, load_model, run_contract
from specfirst.runtime.coverage import RECORDER
from specfirst.runtime.errors import BindingError, ContractViolation, ModelError
from specfirst.runtime.linearizability import clone_model
from specfirst.runtime.model import Requirement, SpecModel

log = logging.getLogger(__name__)

# How long an operation cut short by a crash may take to return or fail.
IN_FLIGHT_TIMEOUT = 10.0


@dataclass(frozen=True)
class FailureMode:
    """One way the implementation can fail, from a spec's failure clause.

    Attributes:
        name: the failure's name in the spec (``crash``).
        clause_id: the clause the fault test reports (``Registry.failure.crash``).
        keeps: the state variables a crash keeps; the others restart at their
            initial values. None keeps every variable.
        ensures: the failure's ensures clauses, evaluated on the state after
            recovery and the state before the crash (for ``old``), in order.
    """

    name: str
    clause_id: str
    keeps: tuple[str, ...] | None = None
    ensures: Callable[[SpecModel, SpecModel], Iterable[Requirement]] | None = field(
        default=None, compare=False
    )


def default_failure(component: str) -> FailureMode:
    """Return the failure mode of a spec that states none: a crash loses nothing."""
    return FailureMode("crash", f"{component}.failure.crash")


class FaultMachine(ContractMachine):
    """The contract state machine, with crashes and recoveries among its steps."""

    FAILURES: ClassVar[tuple[FailureMode, ...]]
    # A crash is not a call, so a replay of the calls alone would miss it.
    REPLAYABLE = False
    # The contract rules whose operation may be cut short by a crash.
    IN_FLIGHT: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        super().__init__()
        self._crash_next: FailureMode | None = None

    @precondition(lambda self: self._model is not None)
    @rule(data=st.data())
    def _sf_crash(self, data: st.DataObject) -> None:
        """Crash the implementation between two operations and recover it."""
        self.crash_and_recover(self._failure(data))

    @precondition(lambda self: self._model is not None and self.crashes_in_flight())
    @rule(data=st.data())
    def _sf_crash_during(self, data: st.DataObject) -> None:
        """Crash the implementation while an operation runs, and recover it."""
        mode = self._failure(data)
        name = data.draw(st.sampled_from(self.IN_FLIGHT), label="operation")
        self._crash_next = mode
        try:
            function = getattr(type(self), name)
            if "data" in inspect.signature(function).parameters:
                function(self, data)
            else:
                function(self)
        finally:
            self._crash_next = None

    def _failure(self, data: st.DataObject) -> FailureMode:
        if len(self.FAILURES) == 1:
            return self.FAILURES[0]
        mode: FailureMode = data.draw(st.sampled_from(self.FAILURES), label="failure")
        return mode

    def crashes_in_flight(self) -> bool:
        adapter = self._implementation
        return (
            bool(self.IN_FLIGHT)
            and getattr(adapter, "crash_during_operations", False) is True
            and callable(getattr(adapter, "observe", None))
        )

    # --- crashes between operations ---

    def crash_and_recover(self, mode: FailureMode) -> None:
        """Crash and recover the implementation; move the model as ``mode`` allows."""
        __tracebackhide__ = True  # pytest shows the failure, not the runtime
        if self.binding.target is Target.MODEL:
            self._restart_model(mode)
        else:
            self.trace.append(f"implementation.crash()  # {mode.clause_id}")
            self._call_adapter("crash")
            self.trace.append("implementation.recover()")
            self._call_adapter("recover")
        before = self.model
        self._model = self._crashed(before, mode)
        self._check_restored(before, mode)
        RECORDER.operation(mode.clause_id, None)

    def _restart_model(self, mode: FailureMode) -> None:
        """Apply ``mode`` to the model target. It has no process to crash, so its
        state after recovery is the one the failure mode defines."""
        self.trace.append(f"implementation._sf_restart(keeps={mode.keeps!r})")
        self._implementation._sf_restart(mode.keeps)

    def _check_restored(self, before: SpecModel, mode: FailureMode) -> None:
        """Evaluate the failure's ensures on the implementation's recovered state."""
        __tracebackhide__ = True
        if mode.ensures is None or not callable(
            getattr(self._implementation, "observe", None)
        ):
            return
        recovered = self.model._sf_with_state(self._observe())
        for requirement in mode.ensures(recovered, before):
            RECORDER.clause(requirement.clause_id, requirement.holds)
            if not requirement.holds:
                self._fail(
                    f"after recovery the implementation breaks "
                    f"{requirement.clause_id}: its state is {recovered._sf_state()}, "
                    f"before the crash it was {before._sf_state()}",
                    None,
                )

    def _call_adapter(self, method: str) -> None:
        __tracebackhide__ = True
        try:
            getattr(self._implementation, method)()
        except Exception as exc:
            self._fail(f"{method}() raised {type(exc).__name__}: {exc}", exc)

    def _crashed(self, model: SpecModel, mode: FailureMode) -> SpecModel:
        """Return the model after ``mode``: kept variables stay, the rest restart."""
        __tracebackhide__ = True
        if mode.keeps is None:
            return model
        fresh = type(model)(self.constants, checked=True, coverage=RECORDER)
        for variable in model._sf_variables:
            if variable.name in mode.keeps:
                setattr(fresh, variable.attribute, getattr(model, variable.attribute))
        try:
            fresh._sf_check_invariants()
        except ContractViolation as exc:
            self._fail(
                f"the spec's failure mode {mode.clause_id} does not re-establish "
                f"{exc.clause_id}: after the crash the model is {fresh._sf_state()}",
                None,
            )
        for requirement in mode.ensures(fresh, model) if mode.ensures else ():
            if not requirement.holds:
                self._fail(
                    f"the spec's failure mode {mode.clause_id} does not establish "
                    f"its own {requirement.clause_id}: after the crash the model is "
                    f"{fresh._sf_state()}",
                    None,
                )
        return fresh

    # --- crashes during an operation ---

    def step(self, operation: str, *args: object) -> None:
        mode = self._crash_next
        if mode is None:
            super().step(operation, *args)
            return
        self._crash_next = None
        self._step_cut_short(operation, args, mode)

    def _step_cut_short(
        self, operation: str, args: tuple[object, ...], mode: FailureMode
    ) -> None:
        __tracebackhide__ = True
        model = self.model
        if not model._sf_obligations_hold(operation, args):
            assume(False)
        signature = model._sf_signature(operation)
        call = f"{signature.method}({', '.join(map(repr, args))})"
        before = self._crashed(model, mode)
        after = self._crashed(_performed(model, signature.method, args), mode)

        method = getattr(self._implementation, signature.method)
        runner = threading.Thread(
            target=_swallow, args=(method, args), name="specfirst-in-flight"
        )
        self.trace.append(f"implementation.{call}  # cut short by a crash")
        runner.start()
        self.trace.append(f"implementation.crash()  # {mode.clause_id}, in flight")
        self._call_adapter("crash")
        runner.join(IN_FLIGHT_TIMEOUT)
        if runner.is_alive():
            self._fail(
                f"{call} did not return within {IN_FLIGHT_TIMEOUT:.0f} s of a crash",
                None,
            )
        self.trace.append("implementation.recover()")
        self._call_adapter("recover")
        observed = self._observe()
        for candidate in (after, before):
            state = candidate._sf_state()
            if all(state[name] == value for name, value in observed.items()):
                self._model = candidate
                RECORDER.operation(mode.clause_id, None)
                return
        self._fail(
            f"after a crash during {call}, the recovered state {observed} is neither "
            f"the state without it {before._sf_state()} nor the state with it "
            f"{after._sf_state()}",
            None,
        )


def _performed(model: SpecModel, method: str, args: tuple[object, ...]) -> SpecModel:
    """A copy of ``model`` after ``method(*args)``; unchanged if it returns an error."""
    other = clone_model(model)
    try:
        getattr(other, method)(*args)
    except ModelError:
        return model
    return other


def _swallow(method: Any, args: tuple[object, ...]) -> None:
    # An operation cut short may fail in any way: what counts is the state
    # the recovery leaves.
    try:
        method(*args)
    except Exception:
        log.debug("an operation cut short by a crash raised", exc_info=True)


# --- the test function ----------------------------------------------------------------


def run_faults(
    contract_reference: str,
    failures: Sequence[FailureMode],
    test_file: str,
    in_flight: Sequence[str] = (),
) -> None:
    """Run a generated fault test: the contract test with crashes among its steps.

    Args:
        contract_reference: ``module:Class`` of the generated contract test,
            in the test's folder.
        failures: the spec's failure modes; none gives :func:`default_failure`.
        test_file: the generated test's ``__file__``.
        in_flight: the contract rules whose operation may be cut short.
    """
    __tracebackhide__ = True
    folder = Path(test_file).resolve().parent
    try:
        contract = load_generated(contract_reference, folder)
        _require_crashes(contract, folder)
    except BindingError as exc:
        problem = str(exc)
    else:
        problem = ""
    if problem:
        _fail(problem)
    machine = fault_machine(contract, failures, in_flight)
    run_contract(machine)


def fault_machine(
    contract: type[ContractMachine],
    failures: Sequence[FailureMode],
    in_flight: Sequence[str] = (),
) -> type[FaultMachine]:
    """Build the fault state machine of ``contract``: its rules and the crash rules."""
    modes = tuple(failures) or (default_failure(contract.COMPONENT),)
    namespace: Mapping[str, Any] = {
        "FAILURES": modes,
        "IN_FLIGHT": tuple(in_flight),
        "__module__": contract.__module__,
    }
    name = contract.__name__.removesuffix("Contract") + "Faults"
    machine = type(name, (FaultMachine, contract), dict(namespace))
    machine.__qualname__ = name
    return machine


def _require_crashes(contract: type[ContractMachine], folder: Path) -> None:
    """Skip the test when the bound adapter cannot crash and recover.

    The model target always can: a crash applies the failure mode to it.
    """
    binding = bind(contract.COMPONENT, load_model(contract.MODEL, folder), folder)
    if binding.target is Target.MODEL:
        return
    adapter = binding.implementation
    missing = [
        m for m in ("crash", "recover") if not callable(getattr(adapter, m, None))
    ]
    if missing:
        name = getattr(adapter, "__name__", repr(adapter))
        methods = " and no ".join(f"{m}()" for m in missing)
        _skip(
            f"{contract.COMPONENT}: the adapter {name} has no {methods}, so no "
            "crash can be injected (see crash() and recover() in the adapter protocol)"
        )


def _fail(message: str) -> NoReturn:
    import pytest

    pytest.fail(message, pytrace=False)


def _skip(message: str) -> NoReturn:
    import pytest

    pytest.skip(message)
