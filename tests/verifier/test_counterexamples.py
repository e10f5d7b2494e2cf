"""Counterexamples and witnesses read back in the spec's own names and values."""

from __future__ import annotations

import json
from collections.abc import Callable

from verifier_support import Results

from verifier import Status


def test_floor_division_counterexample_shows_python_quotient(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("floor_division.spec")[
        "WrongFloorDivision.quotient.effect.negative_divisor"
    ]
    assert result.counterexample is not None
    assert result.counterexample.arguments == {"a": 7, "b": -2}
    assert result.counterexample.result == -4


def test_init_counterexample_is_constants_and_initial_state(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("init.spec")["BrokenInit.init.at_least_start"]
    assert result.counterexample is not None
    start = result.counterexample.constants["start"]
    assert isinstance(start, int)
    assert start >= 0
    assert result.counterexample.post_state["y"] == start - 1


def test_init_counterexample_has_no_pre_state(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("init.spec")["BrokenInit.init.positive"]
    assert result.counterexample is not None
    assert result.counterexample.pre_state == {}
    assert result.counterexample.post_state["x"] == 0


def test_enum_values_read_back_as_member_names(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("enums.spec")["WrongEnums.paint.preserve.never_blue"]
    assert result.counterexample is not None
    assert result.counterexample.arguments == {"to": "Blue"}
    assert result.counterexample.post_state == {"color": "Blue"}
    assert result.counterexample.pre_state["color"] in ("Red", "Green")


def test_preserve_counterexample_shows_both_states(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("bounded_ranges.spec")[
        "WrongRanges.inc.preserve.count.range"
    ]
    assert result.counterexample is not None
    assert result.counterexample.pre_state == {"count": 3}
    assert result.counterexample.post_state == {"count": 4}


def test_frame_counterexample_changes_an_unlisted_variable(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("frames.spec")["WrongFrame.bump.preserve.y_zero"]
    assert result.counterexample is not None
    assert result.counterexample.pre_state["y"] == 0
    assert result.counterexample.post_state["y"] != 0


def test_division_counterexample_has_zero_divisor(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("division_by_zero.spec")[
        "UnguardedDivision.ratio.effect.defined.1"
    ]
    assert result.counterexample is not None
    assert result.counterexample.arguments["b"] == 0


def test_unreachable_error_has_explanation_and_no_counterexample(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("errors.spec")[
        "UnreachableErrors.take.errors.never_negative"
    ]
    assert result.status is Status.VIOLATED
    assert result.counterexample is None
    assert "Negative can never be returned" in result.reason


def test_reachable_error_has_witness(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("errors.spec")["ReachableErrors.take.errors.small"]
    assert result.witness is not None
    n = result.witness.arguments["n"]
    assert isinstance(n, int)
    assert n > 10


def test_const_sat_witness_satisfies_the_where_clauses(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("constants.spec")["ConsistentConstants.const-sat"]
    assert result.witness is not None
    low = result.witness.constants["low"]
    high = result.witness.constants["high"]
    assert isinstance(low, int)
    assert isinstance(high, int)
    assert 1 <= low < high < 5


def test_vacuous_invariants_are_explained(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("vacuity.spec")["VacuousInvariants.inv-sat"]
    assert result.counterexample is None
    assert "vacuous" in result.reason


def test_counterexample_is_plain_json(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("enums.spec")["WrongEnums.paint.preserve.never_blue"]
    assert result.counterexample is not None
    data = json.loads(json.dumps(result.counterexample.to_json()))
    assert data["arguments"] == {"to": "Blue"}
