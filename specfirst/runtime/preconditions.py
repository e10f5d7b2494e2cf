"""Report the preconditions that never held during a contract test run.

A run of random steps can go on for long without meeting a precondition,
and then the operation only ever returns its error (or is never called):
its success path is untested, though every test passes. After a passing
run, :func:`warn_unmet` compares the coverage counters with their values
before the run and warns, once per run, about each ``requires`` that was
evaluated but never held and each operation that never ran.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from specfirst.runtime.coverage import Coverage


class UnmetPrecondition(UserWarning):
    """A contract test run never met a precondition, or never ran an operation."""


Counts = tuple[dict[str, dict[str, Any]], dict[str, dict[str, int]]]


def snapshot(coverage: Coverage) -> Counts:
    """Copy the operation and clause counters, to compare with after a run."""
    return copy.deepcopy(coverage.operations), copy.deepcopy(coverage.clauses)


def warn_unmet(
    component: str, operations: Sequence[str], coverage: Coverage, before: Counts
) -> list[str]:
    """Warn about what the run since ``before`` never got past; return it."""
    calls = _since(coverage.operations, before[0], "calls")
    clauses = {
        clause_id: {
            "held": counts["held"] - before[1].get(clause_id, {}).get("held", 0),
        }
        for clause_id, counts in coverage.clauses.items()
        if clause_id not in before[1] or counts != before[1][clause_id]
    }
    found = unmet_preconditions(component, operations, clauses, calls)
    if found:
        warnings.warn(
            UnmetPrecondition(f"{component}: {'; '.join(found)}"), stacklevel=2
        )
    return found


def _since(
    now: Mapping[str, Mapping[str, Any]],
    before: Mapping[str, Mapping[str, Any]],
    key: str,
) -> dict[str, dict[str, int]]:
    return {
        name: {key: counts[key] - before.get(name, {}).get(key, 0)}
        for name, counts in now.items()
    }


def unmet_preconditions(
    component: str,
    operations: Sequence[str],
    clauses: Mapping[str, Mapping[str, int]],
    calls: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    """Describe each operation of ``component`` that a run never got past.

    Args:
        component: the component's name.
        operations: its operations, queries and environment actions.
        clauses: counts by clause id of the clauses evaluated in the run;
            ``held`` is how often each held.
        calls: counts by operation id; ``calls`` is how often each ran.

    Returns:
        One line per requires that was evaluated but never held, and per
        operation that never ran.
    """
    found: list[str] = []
    for operation in operations:
        prefix = f"{component}.{operation}.requires."
        never = sorted(
            clause_id
            for clause_id, counts in clauses.items()
            if clause_id.startswith(prefix) and counts.get("held", 0) == 0
        )
        found.extend(f"{clause_id} never held" for clause_id in never)
        ran = calls.get(f"{component}.{operation}", {}).get("calls", 0)
        if not never and ran == 0:
            found.append(f"{component}.{operation} never ran")
    return found
