"""The traceability matrix: each clause, the obligations about it, and the tests
that exercised it, measured from the runtime's coverage counts.

A clause is exercised when a generated test made the model evaluate it:

- an operation ran at least once;
- a ``requires`` held at least once, and one with ``else E`` also failed at
  least once, so that the error path was taken too (a caller obligation
  never fails in the tests: they never break it on purpose);
- an ``ensures``, an invariant or a ``where`` clause was evaluated.

The coverage file counts per clause, not per test, and only a component's
own test modules drive its model, so the tests named for a clause are the
component's test cases of the run that exercised it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec_lang.ast import Component, Span
from verifier import EncodingError, build_obligations

log = logging.getLogger(__name__)

WHERE, INVARIANT, REQUIRES, ENSURES, OPERATION = (
    "where",
    "invariant",
    "requires",
    "ensures",
    "operation",
)


@dataclass(frozen=True)
class Clause:
    """A clause, or an operation, that the tests must exercise."""

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
        if clause.kind == REQUIRES:
            if not self.held:
                return f"{clause.id} never held in the generated tests"
            if clause.error and not self.failed:
                return (
                    f"{clause.id} never failed in the generated tests, so the "
                    f"{clause.error} error path was never taken"
                )
            return ""
        if not self.held + self.failed:
            return f"{clause.id} was never evaluated in the generated tests"
        return ""


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
        if clause.kind == OPERATION:
            held, failed = operations.get(clause.id, {}).get("calls", 0), 0
        else:
            entry = counts.get(clause.id, {})
            held, failed = entry.get("held", 0), entry.get("failed", 0)
        ran = tests if held + failed else ()
        rows.append(Trace(clause, obligations.get(clause.id, ()), held, failed, ran))
    return Matrix(component.name, spec, tuple(rows))


def read_coverage(path: Path) -> dict[str, Any] | None:
    """Parse a coverage file; None when the run wrote none or it is unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def obligations_by_clause(component: Component) -> dict[str, tuple[str, ...]]:
    """Obligation ids by the clause they trace to; building them solves nothing."""
    try:
        obligations = build_obligations(component)
    except EncodingError as exc:
        log.warning("cannot list the obligations of %s: %s", component.name, exc)
        return {}
    by_clause: dict[str, list[str]] = {}
    for obligation in obligations:
        by_clause.setdefault(obligation.clause_id, []).append(obligation.id)
    return {clause: tuple(ids) for clause, ids in by_clause.items()}
