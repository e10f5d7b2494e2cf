"""Crashes in safety runs: a failure mode's crash and recovery is a step."""

from __future__ import annotations

from verifier_support import load_text

from verifier import Status, VerifyOptions
from verifier.bmc import safety_base
from verifier.induction import safety_step
from verifier.temporal import TemporalOptions, TemporalResult, verify_temporal
from verifier.trace import CRASH

# A crash keeps a and resets b to 0, so a == b fails after one inc.
PAIR = """\
component CA {
  var a: Int
  var b: Int
  init { a := 0  b := 0 }
  always eq: a == b
  operation inc() { effect { a := a + 1  b := b + 1 } }
  failure crash { keeps a }
}
"""
PAIR_KEPT = PAIR.replace("keeps a }", "keeps a, b }")
PAIR_WITHOUT_FAILURE = PAIR.replace("  failure crash { keeps a }\n", "")

# The same pair, with a == b also stated as an invariant. Init and every
# operation preserve it, but recovery does not, so it must not strengthen
# the induction: 1-induction with it would prove eq at depth 1.
PAIR_INVARIANT = PAIR.replace("  always eq", "  invariant same: a == b\n  always eq")

# A crash that keeps nothing resets n, so n never shrinking is false.
MONOTONE = """\
component Mono {
  var n: Int
  init { n := 0 }
  always never_shrinks: n >= old(n)
  operation inc() { effect { n := n + 1 } }
  failure crash { }
}
"""


def _check(source: str, depth: int = 4) -> dict[str, TemporalResult]:
    results = verify_temporal(
        load_text(source), VerifyOptions(jobs=1), TemporalOptions(depth=depth)
    )
    return {r.obligation.id: r for r in results}


def test_crash_that_breaks_property_is_refuted() -> None:
    result = _check(PAIR)["CA.always.eq"]
    assert result.status is Status.VIOLATED
    assert result.trace is not None
    kinds = [step.kind for step in result.trace.steps]
    assert kinds == ["operation", CRASH]


def test_crash_trace_shows_the_recovered_state() -> None:
    result = _check(PAIR)["CA.always.eq"]
    assert result.trace is not None
    crash = result.trace.steps[-1]
    assert crash.action == "crash"
    assert crash.label() == "failure crash"
    assert crash.state == {"a": 1, "b": 0}
    assert crash.changed == ("b",)
    assert result.trace.violation == 2


def test_crash_keeping_everything_is_proved() -> None:
    result = _check(PAIR_KEPT)["CA.always.eq"]
    assert result.status is Status.PROVED


def test_crash_at_depth_one_not_proved() -> None:
    result = _check(PAIR, depth=1)["CA.always.eq"]
    assert result.status is Status.UNKNOWN


def test_unrecovered_invariant_does_not_strengthen() -> None:
    result = _check(PAIR_INVARIANT, depth=1)["CA.always.eq"]
    assert result.status is Status.UNKNOWN
    assert "CA.failure.crash.recover.same" in result.reason


def test_unrecovered_invariant_property_is_refuted() -> None:
    result = _check(PAIR_INVARIANT)["CA.always.eq"]
    assert result.status is Status.VIOLATED


def test_crash_resetting_step_property_is_refuted() -> None:
    result = _check(MONOTONE)["Mono.always.never_shrinks"]
    assert result.status is Status.VIOLATED
    assert result.trace is not None
    assert [step.kind for step in result.trace.steps] == ["operation", CRASH]
    assert result.trace.states()[-1] == {"n": 0}


def test_component_without_failure_is_unchanged() -> None:
    result = _check(PAIR_WITHOUT_FAILURE)["CA.always.eq"]
    assert result.status is Status.PROVED


def test_crash_is_an_action_of_safety_queries() -> None:
    component = load_text(PAIR).components[0]
    prop = component.properties[0]
    base = safety_base(component, prop, 2).obligation.smt
    step = safety_step(component, prop, 2, True).obligation.smt
    assert "(= act!0 1)" in base
    assert "(= act!0 1)" in step


def test_queries_without_failure_have_no_crash() -> None:
    component = load_text(PAIR_WITHOUT_FAILURE).components[0]
    prop = component.properties[0]
    base = safety_base(component, prop, 2).obligation.smt
    step = safety_step(component, prop, 2, True).obligation.smt
    assert "(= act!0 0)" in base
    assert "(= act!0 1)" not in base
    assert "(= act!0 1)" not in step
