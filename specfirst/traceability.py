"""The traceability matrix: each clause, the obligations about it, and the tests
that exercised it, measured from the runtime's coverage counts.

A clause is exercised when a generated test made the model evaluate it:

- an operation ran at least once, and a failure mode was injected at least
  once (by the fault tests, which phase 1 runs for each component that
  states a failure mode);
- a ``requires`` held at least once, and one with ``else E`` also failed at
  least once, so that the error path was taken too (a caller obligation
  never fails in the tests: they never break it on purpose);
- an ``ensures``, an invariant, a ``where`` clause, an ``always`` property
  or a failure's ``ensures`` was evaluated.

No generated test evaluates an ``eventually`` or ``leadsto`` property, so
such a row is never exercised, and its gap reports that only its proof
obligations cover it.

The coverage file counts per clause, not per test, and only a component's
own test modules drive its model, so the tests named for a clause are the
component's test cases of the run that exercised it (its fault tests only,
for a failure mode and its ensures).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec_lang.ast import Component, PropertyKind, Span
from verifier import EncodingError, build_obligations
from verifier.temporal import antecedents

log = logging.getLogger(__name__)

WHERE, INVARIANT, REQUIRES, ENSURES, OPERATION = (
    "where",
    "invariant",
    "requires",
    "ensures",
    "operation",
)
FAILURE, FAILURE_ENSURES = "failure", "failure-ensures"
LIVENESS = (PropertyKind.EVENTUALLY.value, PropertyKind.LEADSTO.value)
# The name of a component's generated fault test ends with this.
FAULT_TEST_SUFFIX = "_faults"
# Rows counted from the coverage's operations (runs), not its clauses.
RUNS = (OPERATION, FAILURE)


@dataclass(frozen=True)
class Clause:
    """A clause, an operation or a failure mode that the tests must exercise."""

    id: str
    kind: str
    span: Span
    error: str | None = None  # for a requires: the error it returns when false


@dataclass(frozen=True)
class Trace:
    """One row of the matrix."""

    clause: Clause
    obligations: tuple[str, ...]
    held: int
    failed: int
    tests: tuple[str, ...]

    @property
    def exercised(self) -> bool:
        return not self.gap()

    def gap(self) -> str:
        """Why the clause is not exercised, or "" when it is."""
        clause = self.clause
        if clause.kind == OPERATION:
            return "" if self.held else f"{clause.id} never ran in the generated tests"
        if clause.kind == FAILURE:
            if self.held:
                return ""
            return f"{clause.id} was never injected in the generated fault tests"
        if clause.kind == REQUIRES:
            return self._requires_gap()
        if self.held + self.failed:
            return ""
        if clause.kind in LIVENESS:
            return self._liveness_gap()
        if clause.kind == FAILURE_ENSURES:
            return (
                f"{clause.id} was never evaluated after a recovery in the "
                "generated fault tests"
            )
        return f"{clause.id} was never evaluated in the generated tests"

    def _requires_gap(self) -> str:
        clause = self.clause
        if not self.held:
            return f"{clause.id} never held in the generated tests"
        if clause.error and not self.failed:
            return (
                f"{clause.id} never failed in the generated tests, so the "
                f"{clause.error} error path was never taken"
            )
        return ""

    def _liveness_gap(self) -> str:
        clause = self.clause
        proofs = ", ".join(self.obligations) or "none"
        return (
            f"{clause.id} is exercised by no generated test, because specfirst "
            f"generates no test of {clause.kind} properties yet, so only its proof "
            f"obligations cover it ({proofs}). `specfirst check` shows whether "
            "they are proved"
        )


@dataclass(frozen=True)
class Matrix:
    component: str
    spec: str
    rows: tuple[Trace, ...]

    def gaps(self) -> list[Trace]:
        return [row for row in self.rows if not row.exercised]


def clauses_of(component: Component) -> list[Clause]:
    """List every clause and operation of ``component``, in source order."""
    clauses = [
        Clause(w.id, WHERE, w.span) for const in component.consts for w in const.where
    ]
    clauses.extend(Clause(i.id, INVARIANT, i.span) for i in component.invariants)
    for op in component.operations:
        clauses.append(Clause(f"{component.name}.{op.name}", OPERATION, op.span))
        clauses.extend(Clause(r.id, REQUIRES, r.span, r.error) for r in op.requires)
        clauses.extend(Clause(e.id, ENSURES, e.span) for e in op.ensures)
    clauses.extend(Clause(p.id, p.kind.value, p.span) for p in component.properties)
    for failure in component.failures:
        clauses.append(Clause(failure.id, FAILURE, failure.span))
        clauses.extend(Clause(e.id, FAILURE_ENSURES, e.span) for e in failure.ensures)
    return sorted(clauses, key=lambda c: (c.span.line, c.span.column, c.kind))


def trace(
    component: Component,
    spec: str,
    coverage: Mapping[str, Any],
    obligations: Mapping[str, tuple[str, ...]],
    tests: tuple[str, ...],
) -> Matrix:
    """Build ``component``'s matrix from a coverage file's counts.

    Args:
        coverage: the parsed coverage file (``operations`` and ``clauses``).
        obligations: obligation ids by the clause id they trace to.
        tests: the component's test cases in the run that wrote ``coverage``.
    """
    operations = coverage.get("operations", {})
    counts = coverage.get("clauses", {})
    rows = []
    for clause in clauses_of(component):
        if clause.kind in RUNS:
            held, failed = operations.get(clause.id, {}).get("calls", 0), 0
        else:
            entry = counts.get(clause.id, {})
            held, failed = entry.get("held", 0), entry.get("failed", 0)
        ran = _tests_of(clause, tests) if held + failed else ()
        rows.append(Trace(clause, obligations.get(clause.id, ()), held, failed, ran))
    return Matrix(component.name, spec, tuple(rows))


def _tests_of(clause: Clause, tests: tuple[str, ...]) -> tuple[str, ...]:
    """Select the tests that can exercise ``clause``; only fault tests crash."""
    if clause.kind in (FAILURE, FAILURE_ENSURES):
        return tuple(test for test in tests if test.endswith(FAULT_TEST_SUFFIX))
    return tests


def read_coverage(path: Path) -> dict[str, Any] | None:
    """Parse a coverage file; None when the run wrote none or it is unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def obligations_by_clause(component: Component) -> dict[str, tuple[str, ...]]:
    """Obligation ids by the clause they trace to; building them solves nothing.

    The temporal obligations are not built, because their ids follow from
    the spec.
    A property's obligation has the property's id, each operation has a
    ``reach`` obligation, and each implication a ``vacuity`` one. A failure
    mode's row lists its ``recover`` obligations, which the catalog traces
    to the invariants and ensures they re-establish.
    """
    try:
        obligations = build_obligations(component)
    except EncodingError as exc:
        log.warning("cannot list the obligations of %s: %s", component.name, exc)
        return {}
    by_clause: dict[str, list[str]] = {}
    for obligation in obligations:
        by_clause.setdefault(obligation.clause_id, []).append(obligation.id)
    for op in component.operations:
        operation = f"{component.name}.{op.name}"
        by_clause.setdefault(operation, []).append(f"{operation}.reach")
    for prop in component.properties:
        by_clause.setdefault(prop.id, []).append(prop.id)
    for vacuity, (clause_id, _), _ in antecedents(component):
        by_clause.setdefault(clause_id, []).append(vacuity)
    for failure in component.failures:
        prefix = f"{failure.id}.recover."
        by_clause[failure.id] = [o.id for o in obligations if o.id.startswith(prefix)]
    return {clause: tuple(ids) for clause, ids in by_clause.items()}
