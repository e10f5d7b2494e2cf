"""The engine of generated contract tests: a Hypothesis state machine base class.

A generated ``<Component>Contract`` subclasses :class:`ContractMachine` with
one ``@initialize`` that draws the constants, one ``@rule`` per operation,
query and environment action that draws the arguments and calls
:meth:`ContractMachine.step`, and one ``@invariant`` that calls
:meth:`ContractMachine.check_state`. The generated test function hands the
class to :func:`run_contract`, which binds the target before Hypothesis
starts, so a missing adapter is one clear failure and not a traceback.

Every step runs the operation on the reference model (checked: each
postcondition and invariant is evaluated) and on the implementation, and
compares the outcomes: the value, or the error name the adapter maps the
exception to. After every step the implementation's observed state, when the
adapter can observe it, must satisfy every invariant and equal the model's.
A failure message lists the calls so far; Hypothesis shrinks them first.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar, NoReturn

from hypothesis import assume, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from specfirst.runtime.binding import Binding, Target, bind
from specfirst.runtime.coverage import RECORDER
from specfirst.runtime.errors import (
    BindingError,
    ConstantsRejected,
    ContractMismatch,
    ContractViolation,
    ModelError,
)
from specfirst.runtime.examples import FailingExample, save_failing_example
from specfirst.runtime.model import Signature, SpecModel
from specfirst.runtime.preconditions import snapshot, warn_unmet
from specfirst.runtime.strategies import StructuredDraws

log = logging.getLogger(__name__)

# How far draws reach: a bound on one side gives a range this wide, and an
# error-returning bound is passed by MARGIN so that the error path runs too.
PARAM_SPAN = 16
CONSTANT_SPAN = 8
MARGIN = 2


@dataclass(frozen=True)
class Outcome:
    """The result of one call: it returned ``value`` or failed with ``error``."""

    value: object = None
    error: str | None = None

    def __str__(self) -> str:
        return f"error {self.error}" if self.error else f"returned {self.value!r}"


def int_range(
    low: Sequence[int],
    high: Sequence[int],
    error_low: Sequence[int] = (),
    error_high: Sequence[int] = (),
    span: int = PARAM_SPAN,
) -> tuple[int, int]:
    """Return the range to draw an integer from, given its bounds from the requires.

    ``low``/``high`` come from caller obligations and are kept exactly;
    ``error_low``/``error_high`` come from ``requires ... else E`` and are
    widened by ``MARGIN``. A missing side is ``span`` away from the other.

    >>> int_range([1], [])
    (1, 17)
    >>> int_range([], [], [1], [5])
    (-1, 7)
    """
    lows = [max(low)] if low else []
    highs = [min(high)] if high else []
    if error_low:
        lows.append(min(error_low) - MARGIN)
    if error_high:
        highs.append(max(error_high) + MARGIN)
    lo = max(lows) if lows else None
    hi = min(highs) if highs else None
    if lo is None and hi is None:
        return -span, span
    if lo is None:
        assert hi is not None
        return hi - span, hi
    if hi is None:
        return lo, lo + span
    return lo, hi


class ContractMachine(StructuredDraws, RuleBasedStateMachine):
    """Runs a reference model and an implementation side by side."""

    COMPONENT: ClassVar[str]
    MODEL: ClassVar[str]  # "module:Class", the generated model beside the test
    BINDING: ClassVar[Binding]  # set on the subclass that run_contract runs
    # Whether the calls of a failing run, replayed in order, repeat it: false
    # for machines with steps other than calls (crashes).
    REPLAYABLE: ClassVar[bool] = True
    # How a failure message introduces its list of calls.
    CALLS_NOTE: ClassVar[str] = "Hypothesis shrinks them"

    def __init__(self) -> None:
        super().__init__()
        self.binding = self.BINDING
        self.constants: dict[str, Any] = {}
        self.trace: list[str] = []
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self._drawn = False
        self._model: SpecModel | None = None
        self._implementation: Any = None

    @property
    def model(self) -> SpecModel:
        if self._model is None:
            raise RuntimeError("the contract test has not started")
        return self._model

    # --- drawing ------------------------------------------------------------------

    def constant(
        self,
        data: st.DataObject,
        name: str,
        low: Sequence[int] = (),
        high: Sequence[int] = (),
    ) -> int:
        """Return the constant pinned in the config, or draw one from its bounds."""
        if name in self.binding.pinned:
            value = self.binding.pinned[name]
        else:
            lo, hi = int_range(low, high, span=CONSTANT_SPAN)
            assume(lo <= hi)
            # Small constants (a threshold of 1 or 2) reach the interesting
            # states in few steps, so half the draws stay near the bound.
            near = st.integers(lo, min(hi, lo + 2))
            value = data.draw(near | st.integers(lo, hi), label=name)
            self._drawn = True
        self.constants[name] = value
        return value

    def constant_of(
        self, data: st.DataObject, name: str, values: Sequence[object]
    ) -> object:
        """Return the pinned Bool or enum constant, or draw one from ``values``."""
        value: object = self.binding.pinned.get(name)
        if value is None:
            value = data.draw(st.sampled_from(tuple(values)), label=name)
            self._drawn = True
        self.constants[name] = value
        return value

    def draw_int(
        self,
        data: st.DataObject,
        name: str,
        low: Sequence[int] = (),
        high: Sequence[int] = (),
        error_low: Sequence[int] = (),
        error_high: Sequence[int] = (),
    ) -> int:
        lo, hi = int_range(low, high, error_low, error_high)
        assume(lo <= hi)
        return data.draw(st.integers(lo, hi), label=name)

    def draw_bool(self, data: st.DataObject, name: str) -> bool:
        return data.draw(st.booleans(), label=name)

    def draw_member(
        self, data: st.DataObject, name: str, members: Sequence[str]
    ) -> str:
        return data.draw(st.sampled_from(tuple(members)), label=name)

    # --- running ------------------------------------------------------------------

    def begin(self) -> None:
        """Build the model and the implementation from the constants chosen so far."""
        binding = self.binding
        try:
            self._model = binding.model_class(
                self.constants, checked=True, coverage=RECORDER
            )
        except ConstantsRejected as exc:
            if not self._drawn:
                raise BindingError(
                    f"{self.COMPONENT}: the constants pinned in {binding.where} "
                    f"break {exc.clause_id}: {exc.details}"
                ) from None
            assume(False)
        self.trace = [f"implementation = {self._target_name()}({self.constants!r})"]
        try:
            self._implementation = binding.implementation(dict(self.constants))
        except Exception as exc:
            self._fail(f"creating the implementation raised {_describe(exc)}", exc)

    def enabled(self, operation: str) -> bool:
        """Return whether the rule for ``operation`` may run now (its precondition)."""
        if self._model is None:
            return False
        signature = self._model._sf_signature(operation)
        if self.binding.target is Target.MODEL and not signature.has_effect:
            return False
        return self._model._sf_enabled(operation)

    def step(self, operation: str, *args: object) -> None:
        """Perform ``operation(*args)`` on both sides and compare what they did."""
        __tracebackhide__ = True  # pytest shows the failure, not the runtime
        model = self.model
        if not model._sf_obligations_hold(operation, args):
            assume(False)
        signature = model._sf_signature(operation)
        call = f"{signature.method}({', '.join(map(repr, args))})"
        self.calls.append((operation, tuple(args)))
        actual = self._perform(signature, args, call)
        RECORDER.operation(f"{self.COMPONENT}.{operation}", actual.error)
        if signature.has_effect:
            expected = self._model_step(signature, args, {})
        elif actual.error is None:
            expected = self._model_step(
                signature, args, self._effectless(signature, actual)
            )
        elif model._sf_expected_error(operation, args) is None:
            expected = Outcome()
        else:
            expected = self._model_step(signature, args, {"observed": {}})
        self.trace.append(f"implementation.{call}  # {actual}")
        if not _same(signature, expected, actual):
            self._fail(
                f"{call}: the model {expected}, the implementation {actual}", None
            )

    def check_state(self) -> None:
        """Compare the observed state with the model's, after every step."""
        __tracebackhide__ = True  # pytest shows the failure, not the runtime
        if self._model is None:
            return
        observe = getattr(self._implementation, "observe", None)
        if observe is None:
            return
        observed = self._observe()
        try:
            self._model._sf_with_state(observed)._sf_check_invariants()
        except ContractViolation as exc:
            self._fail(
                f"the implementation's state breaks {exc.clause_id}: {observed}", None
            )
        state = self._model._sf_state()
        differences = [
            f"{name}: model {state[name]!r}, implementation {value!r}"
            for name, value in observed.items()
            if state[name] != value
        ]
        if differences:
            self._fail(f"the state differs: {'; '.join(differences)}", None)

    def teardown(self) -> None:
        close = getattr(self._implementation, "close", None)
        if close is not None:
            close()

    # --- helpers ------------------------------------------------------------------

    def _perform(
        self, signature: Signature, args: tuple[object, ...], call: str
    ) -> Outcome:
        method = getattr(self._implementation, signature.method)
        try:
            value = method(*args)
            if signature.result is not None:
                # Lists, dicts and the implementation's own records become the
                # spec's values before they are compared with the model's.
                value = signature.result.normalize(value)
        except Exception as exc:
            name = _error_name(self._implementation, exc)
            if name is None:
                self.trace.append(f"implementation.{call}  # raised {_describe(exc)}")
                self._fail(
                    f"{call} raised {_describe(exc)}, which the adapter's errors do "
                    "not map to a spec error",
                    exc,
                )
            return Outcome(error=name)
        return Outcome(value=value)

    def _effectless(self, signature: Signature, actual: Outcome) -> dict[str, object]:
        kwargs: dict[str, object] = {"observed": self._observe()}
        if signature.result is not None:
            kwargs["result"] = actual.value
        return kwargs

    def _model_step(
        self,
        signature: Signature,
        args: tuple[object, ...],
        kwargs: Mapping[str, object],
    ) -> Outcome:
        try:
            value = getattr(self.model, signature.method)(*args, **kwargs)
        except ModelError as exc:
            return Outcome(error=exc.error)
        except ContractViolation as exc:
            whose = "the implementation's" if not signature.has_effect else "the spec's"
            self._fail(f"{whose} step breaks {exc}", None)
        return Outcome(value=value)

    def _observe(self) -> dict[str, object]:
        try:
            observed = self._implementation.observe()
        except Exception as exc:
            self._fail(f"observe() raised {_describe(exc)}", exc)
        if not isinstance(observed, Mapping):
            self._fail(f"observe() returned {observed!r}, not a dict", None)
        types = {v.name: v.type for v in self.model._sf_variables}
        observed = {
            name: types[name].normalize(value) if name in types else value
            for name, value in observed.items()
        }
        try:
            self.model._sf_with_state(observed)
        except ContractViolation as exc:
            self._fail(f"observe() returned {observed}: {exc.details}", None)
        return dict(observed)

    def _target_name(self) -> str:
        if self.binding.target is Target.MODEL:
            return "ModelAdapter"
        return getattr(self.binding.implementation, "__name__", "adapter")

    def _fail(self, problem: str, cause: BaseException | None) -> NoReturn:
        __tracebackhide__ = True  # pytest shows the failure, not the runtime
        calls = "\n".join(f"    {line}" for line in self.trace)
        message = (
            f"{self.COMPONENT}: {problem}\n"
            f"  calls ({self.binding.target.value} target; {self.CALLS_NOTE}):\n"
            f"{calls}"
        )
        raise ContractMismatch(message, self._example(problem)) from cause

    def _example(self, problem: str) -> FailingExample | None:
        if not self.REPLAYABLE:
            return None
        first_line = problem.splitlines()[0] if problem else problem
        return FailingExample(
            self.COMPONENT, first_line, dict(self.constants), tuple(self.calls)
        )


def _same(signature: Signature, expected: Outcome, actual: Outcome) -> bool:
    if expected.error != actual.error:
        return False
    if expected.error is not None:
        return True
    if signature.result is None:
        return actual.value is None
    return signature.result.conforms(actual.value) and actual.value == expected.value


def _error_name(implementation: object, exc: BaseException) -> str | None:
    errors: Mapping[type[BaseException], str] = getattr(implementation, "errors", {})
    for cls in type(exc).__mro__:
        if cls in errors:
            return errors[cls]
    return None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


# --- the test function ---------------------------------------------------------------


def run_contract(machine: type[ContractMachine]) -> None:
    """Bind ``machine``'s component to the selected target and run its test.

    A binding problem (no config, no adapter, an adapter that does not fit)
    fails the test with one message and no traceback.
    """
    module = sys.modules[machine.__module__]
    here = Path(module.__file__ or ".").resolve().parent
    try:
        model_class = load_model(machine.MODEL, here)
        binding = bind(machine.COMPONENT, model_class, here)
    except BindingError as exc:
        _fail_test(str(exc))
    test_settings = contract_settings(binding)
    log.debug(
        "running %s against %s: %d examples of %d steps",
        machine.COMPONENT,
        binding.target.value,
        binding.max_examples,
        binding.step_count,
    )
    before = snapshot(RECORDER)
    try:
        run_state_machine_as_test(_bound(machine, binding), settings=test_settings)
    except BindingError as exc:
        _fail_test(str(exc))
    except (ContractMismatch, BaseExceptionGroup) as exc:
        # The exception is the one of the last run, the shrunk example.
        save_failing_example(exc)
        raise
    # The model target cannot run operations without an effect, by design.
    runnable = [
        s.name
        for s in model_class._sf_operations
        if s.has_effect or binding.target is not Target.MODEL
    ]
    warn_unmet(machine.COMPONENT, runnable, RECORDER, before)


def contract_settings(binding: Binding) -> settings:
    """Hypothesis's settings for one run of a contract test under ``binding``.

    Hypothesis's CI profile derandomizes, which overrides --hypothesis-seed.
    A local example database replays earlier failures. A run with a fixed
    seed turns both off, so that it draws the same examples on every machine.
    """
    chosen = settings(
        max_examples=binding.max_examples,
        stateful_step_count=binding.step_count,
        deadline=None,
    )
    if binding.fixed_seed:
        chosen = settings(chosen, derandomize=False, database=None)
    return chosen


def _bound(machine: type[ContractMachine], binding: Binding) -> type[ContractMachine]:
    """Return a subclass carrying ``binding``, under the generated class's name.

    Hypothesis keys its example database on the class's source, which the
    subclass shares with the generated class, so failures replay per component.
    """
    namespace = {"BINDING": binding, "__module__": machine.__module__}
    bound = type(machine.__name__, (machine,), namespace)
    bound.__qualname__ = machine.__qualname__
    return bound


def load_model(reference: str, folder: Path) -> type[SpecModel]:
    """Import the generated model ``module:Class`` from ``folder``."""
    module_name, _, class_name = reference.partition(":")
    path = folder / f"{module_name}.py"
    module = _module_at(module_name, path)
    model = getattr(module, class_name, None)
    if not (isinstance(model, type) and issubclass(model, SpecModel)):
        raise BindingError(f"{path} has no reference model {class_name}; regenerate it")
    return model


def _module_at(name: str, path: Path) -> ModuleType:
    loaded = sys.modules.get(name)
    if loaded is not None and Path(loaded.__file__ or "").resolve() == path.resolve():
        return loaded
    if not path.is_file():
        raise BindingError(f"the generated model {path} is missing; run specfirst gen")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise BindingError(f"cannot load the generated model {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _fail_test(message: str) -> NoReturn:
    import pytest

    pytest.fail(message, pytrace=False)
