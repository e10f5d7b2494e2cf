"""Coverage counters and the JSON file that the traceability gate reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specfirst.runtime import coverage as coverage_module
from specfirst.runtime.coverage import Coverage, merge


def test_clause_counts_held_and_failed() -> None:
    counts = Coverage()
    counts.clause("C.op.requires.1", True)
    counts.clause("C.op.requires.1", False)
    counts.clause("C.op.requires.1", True)
    assert counts.clauses["C.op.requires.1"] == {"held": 2, "failed": 1}


def test_operation_counts_calls_and_errors() -> None:
    counts = Coverage()
    counts.operation("C.op", None)
    counts.operation("C.op", "Full")
    assert counts.operations["C.op"] == {"calls": 2, "errors": {"Full": 1}}


def test_counts_add_up_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "coverage.json"
    for _ in range(2):
        counts = Coverage()
        counts.clause("C.invariant.1", True)
        counts.operation("C.op", "Full")
        counts.add_to_file(path)
    data = json.loads(path.read_text())
    assert data["clauses"]["C.invariant.1"] == {"held": 2, "failed": 0}
    assert data["operations"]["C.op"] == {"calls": 2, "errors": {"Full": 2}}


def test_file_is_replaced_whole(tmp_path: Path) -> None:
    Coverage().add_to_file(tmp_path / "coverage.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "coverage.json",
        "coverage.json.lock",
    ]


def test_merge_keeps_counts_of_both_sides() -> None:
    total = {"operations": {"C.a": {"calls": 1, "errors": {}}}, "clauses": {}}
    merge(
        total, {"operations": {"C.b": {"calls": 2, "errors": {"E": 1}}}, "clauses": {}}
    )
    assert sorted(total["operations"]) == ["C.a", "C.b"]


def test_flush_writes_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(coverage_module.COVERAGE_ENV, raising=False)
    monkeypatch.setattr(coverage_module, "RECORDER", Coverage())
    coverage_module.RECORDER.clause("C.x", True)
    coverage_module.flush()
    assert coverage_module.RECORDER.clauses == {"C.x": {"held": 1, "failed": 0}}


def test_flush_adds_to_the_file_and_resets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out" / "coverage.json"
    monkeypatch.setenv(coverage_module.COVERAGE_ENV, str(path))
    monkeypatch.setattr(coverage_module, "RECORDER", Coverage())
    coverage_module.RECORDER.clause("C.x", False)
    coverage_module.flush()
    assert json.loads(path.read_text())["clauses"]["C.x"] == {"held": 0, "failed": 1}
    assert coverage_module.RECORDER.clauses == {}
