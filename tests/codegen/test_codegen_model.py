"""Generated reference models follow the spec: arithmetic, effects, errors, checks."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from codegen_support import CORPUS, model_of

from specfirst.runtime import (
    ConstantsRejected,
    ContractViolation,
    Coverage,
    ModelError,
    PreconditionViolated,
)

ARITHMETIC = """
component Arithmetic {
  query quotient(a: Int, b: Int) -> Int {
    requires b != 0
    effect { result := a / b }
  }
  query remainder(a: Int, b: Int) -> Int {
    requires b != 0
    effect { result := a % b }
  }
}
"""

SEQUENTIAL = """
component Steps {
  var x: Int
  var y: Int
  init { x := 1  y := x + 1 }
  operation bump() -> Int {
    effect {
      x := x + 10
      y := x * 2
      let z = x + y
      x := z
      result := y
    }
  }
}
"""

GUARDED = """
component Guarded {
  const limit: Int where at_least_one: limit >= 1 where at_most_100: limit <= 100
  error TooSmall, TooBig
  var total: Int
  init { total := 0 }
  invariant below_limit: total <= limit
  operation add(n: Int) {
    requires small_enough: n <= 10 else TooBig
    requires large_enough: n >= 1 else TooSmall
    requires room: total + n <= limit
    ensures total == old(total) + n
    effect { total := total + n }
  }
}
"""

WRONG_EFFECT = """
component Wrong {
  var x: Int
  init { x := 0 }
  invariant small: x < 5
  operation inc() {
    ensures adds_one: x == old(x) + 1
    effect { x := x + 2 }
  }
  operation jump() {
    effect { x := 7 }
  }
}
"""

EFFECTLESS = """
component Tank {
  var level: Int
  var name_changes: Int
  init { level := 0  name_changes := 0 }
  invariant non_negative: level >= 0
  operation fill(n: Int) -> Int {
    requires n >= 1
    ensures filled: level == old(level) + n
    ensures result == level
    modifies level
  }
}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


def test_division_floors_towards_negative_infinity(folder: Path) -> None:
    model = model_of(ARITHMETIC, folder)({})
    for a, b in itertools.product(range(-7, 8), [-3, -2, -1, 1, 2, 3]):
        assert model.quotient(a, b) == a // b


def test_remainder_takes_the_sign_of_the_divisor(folder: Path) -> None:
    model = model_of(ARITHMETIC, folder)({})
    for a, b in itertools.product(range(-7, 8), [-3, -2, -1, 1, 2, 3]):
        assert model.remainder(a, b) == a % b


def test_init_reads_what_it_assigned(folder: Path) -> None:
    model = model_of(SEQUENTIAL, folder)({})
    assert (model.x, model.y) == (1, 2)


def test_effect_statements_run_in_order(folder: Path) -> None:
    model = model_of(SEQUENTIAL, folder)({})
    result = model.bump()
    assert (result, model.x, model.y) == (22, 33, 22)


def test_first_failing_requires_decides_the_error(folder: Path) -> None:
    model = model_of(GUARDED, folder)({"limit": 5})
    with pytest.raises(ModelError) as raised:
        model.add(11)
    assert raised.value.error == "TooBig"


def test_later_requires_gives_its_own_error(folder: Path) -> None:
    model = model_of(GUARDED, folder)({"limit": 5})
    with pytest.raises(ModelError) as raised:
        model.add(0)
    assert raised.value.error == "TooSmall"


def test_error_changes_nothing(folder: Path) -> None:
    model = model_of(GUARDED, folder)({"limit": 5})
    model.add(2)
    with pytest.raises(ModelError):
        model.add(0)
    assert model.total == 2


def test_broken_caller_obligation_names_its_clause(folder: Path) -> None:
    model = model_of(GUARDED, folder)({"limit": 5})
    with pytest.raises(PreconditionViolated) as raised:
        model.add(6)
    assert raised.value.clause_id == "Guarded.add.requires.room"


def test_constants_breaking_a_where_clause_name_it(folder: Path) -> None:
    guarded = model_of(GUARDED, folder)
    with pytest.raises(ConstantsRejected) as raised:
        guarded({"limit": 0})
    assert raised.value.clause_id == "Guarded.limit.where.at_least_one"


def test_where_clauses_are_checked_in_order(folder: Path) -> None:
    guarded = model_of(GUARDED, folder)
    with pytest.raises(ConstantsRejected) as raised:
        guarded({"limit": 101})
    assert raised.value.clause_id == "Guarded.limit.where.at_most_100"


def test_missing_constant_is_rejected(folder: Path) -> None:
    with pytest.raises(ConstantsRejected, match="missing limit"):
        model_of(GUARDED, folder)({})


def test_unknown_constant_is_rejected(folder: Path) -> None:
    with pytest.raises(ConstantsRejected, match="unknown limt"):
        model_of(GUARDED, folder)({"limit": 3, "limt": 3})


def test_bool_is_not_an_integer_constant(folder: Path) -> None:
    with pytest.raises(ConstantsRejected, match="must be a Int"):
        model_of(GUARDED, folder)({"limit": True})


def test_checked_mode_catches_a_wrong_effect(folder: Path) -> None:
    model = model_of(WRONG_EFFECT, folder)({})
    with pytest.raises(ContractViolation) as raised:
        model.inc()
    assert raised.value.clause_id == "Wrong.inc.ensures.adds_one"


def test_checked_mode_catches_a_broken_invariant(folder: Path) -> None:
    model = model_of(WRONG_EFFECT, folder)({})
    with pytest.raises(ContractViolation) as raised:
        model.jump()
    assert raised.value.clause_id == "Wrong.invariant.small"


def test_unchecked_mode_runs_the_effect_without_asserting(folder: Path) -> None:
    model = model_of(WRONG_EFFECT, folder)({}, checked=False)
    model.inc()
    assert model.x == 2


def test_effectless_operation_adopts_observed_state(folder: Path) -> None:
    model = model_of(EFFECTLESS, folder)({})
    returned = model.fill(3, observed={"level": 3, "name_changes": 0}, result=3)
    assert (returned, model.level) == (3, 3)


def test_observed_state_breaking_ensures_fails(folder: Path) -> None:
    model = model_of(EFFECTLESS, folder)({})
    with pytest.raises(ContractViolation) as raised:
        model.fill(3, observed={"level": 2}, result=2)
    assert raised.value.clause_id == "Tank.fill.ensures.filled"


def test_change_outside_modifies_is_a_violation(folder: Path) -> None:
    model = model_of(EFFECTLESS, folder)({})
    with pytest.raises(ContractViolation) as raised:
        model.fill(1, observed={"level": 1, "name_changes": 5}, result=1)
    assert raised.value.clause_id == "Tank.fill.modifies"


def test_result_of_the_wrong_type_is_a_violation(folder: Path) -> None:
    model = model_of(EFFECTLESS, folder)({})
    with pytest.raises(ContractViolation) as raised:
        model.fill(1, observed={"level": 1}, result=True)
    assert raised.value.clause_id == "Tank.fill.result"


def test_every_evaluated_clause_is_counted(folder: Path) -> None:
    coverage = Coverage()
    model = model_of(GUARDED, folder)({"limit": 5}, coverage=coverage)
    model.add(2)
    with pytest.raises(ModelError):
        model.add(0)
    assert coverage.clauses["Guarded.add.requires.large_enough"] == {
        "held": 1,
        "failed": 1,
    }
    assert coverage.clauses["Guarded.invariant.below_limit"]["held"] == 2


# --- the shared corpus: where the verifier finds an effect wrong, so does the model ---


def floor_division_model(folder: Path, component: str) -> type:
    source = (CORPUS / "floor_division.spec").read_text(encoding="utf-8")
    return model_of(source, folder, component)


def test_corpus_floor_division_model_passes(folder: Path) -> None:
    model = floor_division_model(folder, "RightFloorDivision")({})
    for a, b in itertools.product(range(-9, 10), [-4, -2, -1, 1, 3]):
        assert model.quotient(a, b) == a // b


def test_corpus_wrong_twin_model_violates(
    folder: Path,
) -> None:
    model = floor_division_model(folder, "WrongFloorDivision")({})
    with pytest.raises(ContractViolation) as raised:
        model.quotient(7, -2)
    assert (
        raised.value.clause_id == "WrongFloorDivision.quotient.ensures.negative_divisor"
    )
