import json
from pathlib import Path
from typing import Any

import pytest
from cli_support import run_specfirst
from gate_support import SWITCH_SPEC

from spec_lang import load_source
from specfirst.runtime.coverage import Coverage
from specfirst.traceability import (
    Matrix,
    Trace,
    clauses_of,
    obligations_by_clause,
    trace,
)

SWITCH = load_source(SWITCH_SPEC, "specs/switch.spec").components[0]


def exercise_everything(coverage: Coverage) -> None:
    """Counts as a run that took every path of Switch would record them."""
    for op in ("Switch.turn_on", "Switch.turn_off", "Switch.is_lit"):
        coverage.operation(op, None)
    coverage.operation("Switch.turn_on", "AlreadyOn")
    coverage.clause("Switch.turn_on.requires.is_off", True)
    coverage.clause("Switch.turn_on.requires.is_off", False)
    coverage.clause("Switch.turn_off.requires.is_on", True)
    for clause in (
        "Switch.invariant.flips_counted",
        "Switch.turn_on.ensures.lit",
        "Switch.turn_off.ensures.dark",
        "Switch.is_lit.ensures.1",
    ):
        coverage.clause(clause, True)


def matrix_of(coverage: Coverage) -> Matrix:
    return trace(
        SWITCH,
        "specs/switch.spec",
        coverage.as_json(),
        obligations_by_clause(SWITCH),
        ("test_switch",),
    )


def test_inventory_lists_every_clause_and_operation() -> None:
    ids = [clause.id for clause in clauses_of(SWITCH)]
    assert ids == [
        "Switch.invariant.flips_counted",
        "Switch.turn_on",
        "Switch.turn_on.requires.is_off",
        "Switch.turn_on.ensures.lit",
        "Switch.turn_off",
        "Switch.turn_off.requires.is_on",
        "Switch.turn_off.ensures.dark",
        "Switch.is_lit",
        "Switch.is_lit.ensures.1",
    ]


def test_fully_exercised_run_has_no_gaps() -> None:
    coverage = Coverage()
    exercise_everything(coverage)
    matrix = matrix_of(coverage)
    assert matrix.gaps() == []
    assert all(row.tests == ("test_switch",) for row in matrix.rows)


def test_rows_link_clauses_to_their_obligations() -> None:
    coverage = Coverage()
    exercise_everything(coverage)
    rows = {row.clause.id: row for row in matrix_of(coverage).rows}
    assert "Switch.turn_on.effect.lit" in rows["Switch.turn_on.ensures.lit"].obligations
    preserved = rows["Switch.invariant.flips_counted"].obligations
    assert "Switch.turn_off.preserve.flips_counted" in preserved


def test_error_path_never_taken_is_a_gap() -> None:
    coverage = Coverage()
    exercise_everything(coverage)
    coverage.clauses["Switch.turn_on.requires.is_off"]["failed"] = 0
    (gap,) = matrix_of(coverage).gaps()
    assert gap.clause.id == "Switch.turn_on.requires.is_off"
    assert "AlreadyOn error path was never taken" in gap.gap()


def test_caller_obligation_need_not_fail() -> None:
    coverage = Coverage()
    exercise_everything(coverage)
    rows = {row.clause.id: row for row in matrix_of(coverage).rows}
    assert rows["Switch.turn_off.requires.is_on"].failed == 0
    assert rows["Switch.turn_off.requires.is_on"].exercised


def test_unrun_operation_is_a_gap() -> None:
    coverage = Coverage()
    exercise_everything(coverage)
    del coverage.operations["Switch.is_lit"]
    del coverage.clauses["Switch.is_lit.ensures.1"]
    gaps = {row.clause.id: row.gap() for row in matrix_of(coverage).gaps()}
    assert gaps == {
        "Switch.is_lit": "Switch.is_lit never ran in the generated tests",
        "Switch.is_lit.ensures.1": (
            "Switch.is_lit.ensures.1 was never evaluated in the generated tests"
        ),
    }


def test_unexercised_rows_name_no_tests() -> None:
    rows = matrix_of(Coverage()).rows
    assert all(row.tests == () for row in rows)
    assert len(matrix_of(Coverage()).gaps()) == len(rows)


# --- safety and liveness properties, failure modes --------------------------------

TANK_SPEC = """\
// A tank that fills one unit at a time and drains at once.
component Tank {
  const capacity: Int where capacity >= 1
  error Full

  var level: Int
  var drained: Int

  init {
    level := 0
    drained := 0
  }

  invariant bounded: 0 <= level and level <= capacity

  always never_above: level <= capacity
  fairness weak drain
  leadsto empties: level == capacity ~> level == 0 within 1

  failure crash {
    keeps drained
    ensures empty_after_crash: level == 0
    ensures drains_kept: drained == old(drained)
  }

  operation fill() {
    requires room: level < capacity else Full
    ensures level == old(level) + 1
    effect { level := level + 1 }
  }

  operation drain() {
    ensures level == 0
    effect {
      level := 0
      drained := drained + 1
    }
  }
}
"""
LIVENESS_LINES = (
    "  fairness weak drain\n"
    "  leadsto empties: level == capacity ~> level == 0 within 1\n"
)
TANK = load_source(TANK_SPEC, "specs/tank.spec").components[0]
TANK_PROJECT = """\
[tool.specfirst]
specs = ["specs"]
seed = 0

[tool.specfirst.components.Tank]
max_examples = 30
"""


def tank_matrix(coverage: Coverage) -> Matrix:
    tests = ("test_tank_contract", "test_tank_faults")
    return trace(
        TANK, "specs/tank.spec", coverage.as_json(), obligations_by_clause(TANK), tests
    )


def tank_rows(coverage: Coverage) -> dict[str, Trace]:
    return {row.clause.id: row for row in tank_matrix(coverage).rows}


def test_inventory_lists_properties_and_failures() -> None:
    kinds = {clause.id: clause.kind for clause in clauses_of(TANK)}
    assert kinds["Tank.always.never_above"] == "always"
    assert kinds["Tank.leadsto.empties"] == "leadsto"
    assert kinds["Tank.failure.crash"] == "failure"
    assert kinds["Tank.failure.crash.ensures.empty_after_crash"] == "failure-ensures"
    assert kinds["Tank.failure.crash.ensures.drains_kept"] == "failure-ensures"


def test_inventory_keeps_source_order() -> None:
    lines = [clause.span.line for clause in clauses_of(TANK)]
    assert lines == sorted(lines)


def test_property_rows_name_their_obligations() -> None:
    rows = tank_rows(Coverage())
    assert rows["Tank.always.never_above"].obligations == ("Tank.always.never_above",)
    assert rows["Tank.leadsto.empties"].obligations == (
        "Tank.leadsto.empties",
        "Tank.leadsto.empties.vacuity",
    )
    assert "Tank.fill.reach" in rows["Tank.fill"].obligations


def test_failure_rows_name_recover_obligations() -> None:
    rows = tank_rows(Coverage())
    assert rows["Tank.failure.crash"].obligations == (
        "Tank.failure.crash.recover.bounded",
        "Tank.failure.crash.recover.ensures.empty_after_crash",
        "Tank.failure.crash.recover.ensures.drains_kept",
    )
    ensures = rows["Tank.failure.crash.ensures.drains_kept"]
    assert ensures.obligations == ("Tank.failure.crash.recover.ensures.drains_kept",)


def test_unevaluated_property_and_failure_are_gaps() -> None:
    gaps = {row.clause.id: row.gap() for row in tank_matrix(Coverage()).gaps()}
    assert gaps["Tank.always.never_above"] == (
        "Tank.always.never_above was never evaluated in the generated tests"
    )
    assert gaps["Tank.failure.crash"] == (
        "Tank.failure.crash was never injected in the generated fault tests"
    )
    assert gaps["Tank.failure.crash.ensures.empty_after_crash"] == (
        "Tank.failure.crash.ensures.empty_after_crash was never evaluated after a "
        "recovery in the generated fault tests"
    )


def test_liveness_gap_says_only_proof_covers_it() -> None:
    gap = tank_rows(Coverage())["Tank.leadsto.empties"].gap()
    assert "exercised by no generated test" in gap
    assert "no test of leadsto properties" in gap
    assert "only its proof obligations cover it" in gap
    assert "(Tank.leadsto.empties, Tank.leadsto.empties.vacuity)" in gap


def test_failure_rows_name_only_fault_tests() -> None:
    coverage = Coverage()
    coverage.operation("Tank.failure.crash", None)
    coverage.clause("Tank.failure.crash.ensures.drains_kept", True)
    coverage.clause("Tank.always.never_above", True)
    rows = tank_rows(coverage)
    assert rows["Tank.failure.crash"].tests == ("test_tank_faults",)
    ensures = rows["Tank.failure.crash.ensures.drains_kept"]
    assert ensures.tests == ("test_tank_faults",)
    always = rows["Tank.always.never_above"]
    assert always.tests == ("test_tank_contract", "test_tank_faults")


def gate_contracts(root: Path, spec: str) -> tuple[int, dict[str, Any]]:
    """Run the real ``specfirst gate contracts`` on a project holding ``spec``."""
    (root / "specs").mkdir(parents=True)
    (root / "specs" / "tank.spec").write_text(spec, encoding="utf-8")
    (root / "pyproject.toml").write_text(TANK_PROJECT, encoding="utf-8")
    completed = run_specfirst("gate", "contracts", "--format", "json", cwd=root)
    assert "Traceback" not in completed.stderr, completed.stderr
    report: dict[str, Any] = json.loads(completed.stdout)
    return completed.returncode, report


@pytest.mark.slow
def test_gate_finds_only_the_liveness_gap(tmp_path: Path) -> None:
    returncode, report = gate_contracts(tmp_path, TANK_SPEC)
    (phase,) = report["phases"]
    outcomes = {t["name"]: t["outcome"] for t in phase["tests"]["tests"]}
    (matrix,) = phase["traceability"]
    rows = {row["clause"]: row for row in matrix["clauses"]}
    (finding,) = report["findings"]
    assert returncode == 1
    assert outcomes == {"test_tank_contract": "passed", "test_tank_faults": "passed"}
    assert finding["criterion"] == "contracts.clauses-exercised"
    assert finding["file"] == "specs/tank.spec"
    assert finding["line"] == 18
    assert finding["message"].startswith("Tank.leadsto.empties is exercised by no")
    assert "only its proof obligations cover it" in finding["message"]
    assert not rows["Tank.leadsto.empties"]["exercised"]
    assert rows["Tank.leadsto.empties"]["tests"] == []


@pytest.mark.slow
def test_gate_measures_properties_and_recovery(tmp_path: Path) -> None:
    spec = TANK_SPEC.replace(LIVENESS_LINES, "")
    returncode, report = gate_contracts(tmp_path, spec)
    (matrix,) = report["phases"][0]["traceability"]
    rows = {row["clause"]: row for row in matrix["clauses"]}
    assert report["findings"] == []
    assert returncode == 0
    assert rows["Tank.always.never_above"]["held"] > 0
    assert rows["Tank.always.never_above"]["failed"] == 0
    assert rows["Tank.failure.crash"]["held"] > 0
    assert rows["Tank.failure.crash"]["tests"] == ["test_tank_faults"]
    for ensures in ("empty_after_crash", "drains_kept"):
        row = rows[f"Tank.failure.crash.ensures.{ensures}"]
        assert row["held"] > 0
        assert row["failed"] == 0
        assert row["exercised"]
