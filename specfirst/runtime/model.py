"""The base class of generated reference models.

A generated model subclass keeps the spec's state in attributes with the
spec's names and has one method per operation. This base class contains what
every model shares: checking constants, requires, ensures and invariants,
reporting them to the coverage counters, snapshotting the pre-state, and
adopting an implementation's observed state for operations that have no
effect to compute it from.

Everything here is named ``_sf_...`` so that it never meets a spec's own
names; the generator rejects spec names with that prefix.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from specfirst.runtime.coverage import Coverage
from specfirst.runtime.errors import (
    ConstantsRejected,
    ContractViolation,
    ModelError,
    PreconditionViolated,
)
from specfirst.runtime.values import ValueType

_Model = TypeVar("_Model", bound="SpecModel")


@dataclass(frozen=True)
class Variable:
    """A state variable: its spec name, the model attribute and its type."""

    name: str
    attribute: str
    type: ValueType


@dataclass(frozen=True)
class Parameter:
    name: str
    type: ValueType


@dataclass(frozen=True)
class Signature:
    """The facts the runtime needs about one operation, query or action.

    ``modifies`` matters only without an effect: the variables the
    operation may change, or None for any.
    """

    name: str
    method: str
    kind: str  # "operation", "query" or "environment"
    params: tuple[Parameter, ...] = ()
    result: ValueType | None = None
    has_effect: bool = True
    modifies: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Requirement:
    """One evaluated ``requires`` clause; ``error`` is None for a caller obligation."""

    clause_id: str
    holds: bool
    error: str | None = None


class SpecModel:
    """Shared machinery of the generated ``<Component>Model`` classes."""

    _sf_component: ClassVar[str]
    _sf_spec: ClassVar[str]
    _sf_constants: ClassVar[tuple[Parameter, ...]]
    _sf_variables: ClassVar[tuple[Variable, ...]]
    _sf_errors: ClassVar[tuple[str, ...]]
    _sf_operations: ClassVar[tuple[Signature, ...]]

    _sf_checked: bool
    _sf_coverage: Coverage | None
    _sf_given: dict[str, int]
    _sf_operation: str
    _sf_call: str

    # --- construction -----------------------------------------------------------

    def __init__(
        self,
        constants: Mapping[str, int],
        checked: bool = True,
        *,
        coverage: Coverage | None = None,
    ) -> None:
        """Check that ``constants`` gives exactly the spec's constants, of their types.

        Integer constants are ints, Bool ones bools and enum ones member names.
        A generated model calls this first, then takes its constants, checks
        the ``where`` clauses and runs ``init``.

        Raises:
            ConstantsRejected: naming ``<Component>.constants``.
        """
        self._sf_checked = checked
        self._sf_coverage = coverage
        self._sf_given = dict(constants)
        self._sf_operation = self._sf_call = "init"
        clause = f"{self._sf_component}.constants"
        names = [c.name for c in self._sf_constants]
        missing = [name for name in names if name not in constants]
        if missing:
            raise ConstantsRejected(clause, f"missing {', '.join(missing)}")
        unknown = sorted(set(constants) - set(names))
        if unknown:
            expected = ", ".join(names) or "none"
            raise ConstantsRejected(
                clause, f"unknown {', '.join(unknown)} (the spec declares {expected})"
            )
        for constant in self._sf_constants:
            value = constants[constant.name]
            if not constant.type.conforms(value):
                raise ConstantsRejected(
                    clause,
                    f"{constant.name} must be a {constant.type.describe()}, got "
                    f"{value!r} ({type(value).__name__})",
                )

    def _sf_where(self, clause_id: str, holds: bool) -> None:
        self._sf_record(clause_id, holds)
        if not holds:
            raise ConstantsRejected(clause_id, f"does not hold for {self._sf_given}")

    # --- steps --------------------------------------------------------------------

    def _sf_enter(
        self: _Model,
        operation: str,
        args: tuple[object, ...],
        requirements: Iterable[Requirement] = (),
    ) -> _Model:
        """Check the requires in order and return the pre-state.

        Raises:
            ModelError: the first failing ``requires ... else E``.
            PreconditionViolated: a failing ``requires`` without ``else``.
        """
        call = f"{operation}({', '.join(map(repr, args))})"
        for requirement in requirements:
            self._sf_record(requirement.clause_id, requirement.holds)
            if requirement.holds:
                continue
            if requirement.error is not None:
                raise ModelError(requirement.error)
            raise PreconditionViolated(
                requirement.clause_id, f"{call} in {self._sf_state()}"
            )
        pre = copy.copy(self)
        self._sf_operation, self._sf_call = operation, call
        return pre

    def _sf_ensure(self, clause_id: str, holds: bool, *result: object) -> None:
        self._sf_record(clause_id, holds)
        if not holds:
            returned = f", returned {result[0]!r}" if result else ""
            raise ContractViolation(
                clause_id,
                f"after {self._sf_call}{returned}, the state is {self._sf_state()}",
            )

    def _sf_invariant(self, clause_id: str, holds: bool) -> None:
        self._sf_record(clause_id, holds)
        if not holds:
            raise ContractViolation(
                clause_id, f"after {self._sf_call}, the state is {self._sf_state()}"
            )

    def _sf_check_invariants(self) -> None:
        """Overridden by each model with one ``_sf_invariant`` per invariant."""

    def _sf_adopt(
        self,
        pre: SpecModel,
        observed: Mapping[str, object],
        may_change: tuple[str, ...] | None,
    ) -> None:
        """Take the observed post-state of an operation that has no effect.

        Variables outside ``may_change`` must be unchanged; those inside it must
        be observed, since the model has no other way to learn them.
        """
        self._sf_check_observed(observed)
        clause = f"{self._sf_component}.{self._sf_operation}.modifies"
        for variable in self._sf_variables:
            changes = may_change is None or variable.name in may_change
            if variable.name not in observed:
                if changes:
                    raise ContractViolation(
                        clause,
                        f"observe() does not report {variable.name!r}, which "
                        f"{self._sf_call} may change",
                    )
                continue
            value = observed[variable.name]
            before = getattr(pre, variable.attribute)
            if not changes and value != before:
                raise ContractViolation(
                    clause,
                    f"{self._sf_call} changed {variable.name} from {before!r} to "
                    f"{value!r}, which it may not modify",
                )
            setattr(self, variable.attribute, value)

    def _sf_check_result(self, value: object, result_type: ValueType) -> None:
        if not result_type.conforms(value):
            raise ContractViolation(
                f"{self._sf_component}.{self._sf_operation}.result",
                f"{self._sf_call} returned {value!r}, not a {result_type.describe()}",
            )

    # --- what the contract tests ask ---------------------------------------------

    def _sf_state(self) -> dict[str, object]:
        """The state variables by their spec names."""
        return {v.name: getattr(self, v.attribute) for v in self._sf_variables}

    def _sf_with_state(self: _Model, state: Mapping[str, object]) -> _Model:
        """A copy of the model whose state is ``state`` (spec names)."""
        self._sf_check_observed(state)
        other = copy.copy(self)
        for variable in self._sf_variables:
            if variable.name in state:
                setattr(other, variable.attribute, state[variable.name])
        return other

    def _sf_signature(self, operation: str) -> Signature:
        for signature in self._sf_operations:
            if signature.name == operation:
                return signature
        raise KeyError(f"{self._sf_component} has no operation {operation!r}")

    def _sf_requirements(
        self, operation: str, args: tuple[object, ...]
    ) -> Iterator[Requirement]:
        method = getattr(
            self, f"_sf_requires_{self._sf_signature(operation).method}", None
        )
        if method is None:
            return iter(())
        requirements: Iterator[Requirement] = method(*args)
        return requirements

    def _sf_obligations_hold(self, operation: str, args: tuple[object, ...]) -> bool:
        """Whether every caller obligation of ``operation(*args)`` holds now.

        An obligation that cannot be evaluated (a division by zero after an
        earlier requires failed) counts as not holding.
        """
        try:
            return all(
                r.holds
                for r in self._sf_requirements(operation, args)
                if r.error is None
            )
        except ArithmeticError:
            return False

    def _sf_enabled(self, operation: str) -> bool:
        """Whether the caller obligations that do not depend on arguments hold."""
        signature = self._sf_signature(operation)
        if not signature.params:
            return self._sf_obligations_hold(operation, ())
        method = getattr(self, f"_sf_enabled_{signature.method}", None)
        if method is None:
            return True
        try:
            return all(r.holds for r in method())
        except ArithmeticError:
            return False

    def _sf_expected_error(
        self, operation: str, args: tuple[object, ...]
    ) -> str | None:
        """The error ``operation(*args)`` returns now, or None; changes nothing."""
        for requirement in self._sf_requirements(operation, args):
            if not requirement.holds and requirement.error is not None:
                return requirement.error
        return None

    # --- helpers ------------------------------------------------------------------

    def _sf_record(self, clause_id: str, holds: bool) -> None:
        if self._sf_coverage is not None:
            self._sf_coverage.clause(clause_id, holds)

    def _sf_check_observed(self, state: Mapping[str, object]) -> None:
        known = {v.name: v for v in self._sf_variables}
        for name, value in state.items():
            variable = known.get(name)
            if variable is None:
                raise ContractViolation(
                    f"{self._sf_component}.state",
                    f"{name!r} is not a state variable (the spec declares "
                    f"{', '.join(known) or 'none'})",
                )
            if not variable.type.conforms(value):
                raise ContractViolation(
                    f"{self._sf_component}.state",
                    f"{name} = {value!r} is not a {variable.type.describe()}",
                )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._sf_state()})"
