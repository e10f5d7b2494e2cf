"""Preconditions that never held during a contract test run are reported."""

from __future__ import annotations

import pytest

from specfirst.runtime.coverage import Coverage
from specfirst.runtime.preconditions import (
    UnmetPrecondition,
    snapshot,
    unmet_preconditions,
    warn_unmet,
)


def test_requires_that_only_failed_is_reported() -> None:
    clauses = {"C.take.requires.enough": {"held": 0, "failed": 4}}
    calls = {"C.take": {"calls": 4, "errors": {"Empty": 4}}}
    found = unmet_preconditions("C", ["take"], clauses, calls)
    assert found == ["C.take.requires.enough never held"]


def test_operation_that_never_ran_is_reported() -> None:
    found = unmet_preconditions("C", ["take"], {}, {})
    assert found == ["C.take never ran"]


def test_met_precondition_is_not_reported() -> None:
    clauses = {"C.take.requires.enough": {"held": 1, "failed": 4}}
    calls = {"C.take": {"calls": 5, "errors": {}}}
    assert unmet_preconditions("C", ["take"], clauses, calls) == []


def test_only_the_counts_of_this_run_count() -> None:
    coverage = Coverage()
    coverage.clause("C.take.requires.enough", True)
    coverage.operation("C.take", None)
    before = snapshot(coverage)
    coverage.clause("C.take.requires.enough", False)
    coverage.operation("C.take", "Empty")
    with pytest.warns(UnmetPrecondition, match="C.take.requires.enough never held"):
        warn_unmet("C", ["take"], coverage, before)
