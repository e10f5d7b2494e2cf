from gate_support import SWITCH_SPEC

from spec_lang import load_source
from specfirst.runtime.coverage import Coverage
from specfirst.traceability import Matrix, clauses_of, obligations_by_clause, trace

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
