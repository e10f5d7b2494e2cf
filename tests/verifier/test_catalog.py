"""Which obligations a component has, their ids, clauses and SMT text."""

from __future__ import annotations

import doctest

import pytest
from verifier_support import CORPUS, REPO, load_text

import verifier.catalog
from spec_lang import ast, load_source, load_spec, parse_source
from verifier import (
    EncodingError,
    Obligation,
    ObligationKind,
    Status,
    build_obligations,
    discharge,
)
from verifier.catalog import short_id

BUNDLED = [
    REPO / "specs" / "circuit_breaker.spec",
    REPO / "specs" / "rate_limiter.spec",
]


def _component(path: str, name: str | None = None) -> ast.Component:
    spec = load_spec(path)
    if name is None:
        return spec.components[0]
    return next(c for c in spec.components if c.name == name)


def _by_id(component: ast.Component) -> dict[str, Obligation]:
    return {o.id: o for o in build_obligations(component)}


@pytest.mark.parametrize("path", [*BUNDLED, *sorted(CORPUS.glob("*.spec"))], ids=str)
def test_obligation_ids_are_unique(path: str) -> None:
    for component in load_spec(path).components:
        ids = [o.id for o in build_obligations(component)]
        assert len(ids) == len(set(ids))


def test_component_wide_obligations_come_first() -> None:
    ids = [o.id for o in build_obligations(_component(str(BUNDLED[0])))]
    assert ids[:2] == ["CircuitBreaker.const-sat", "CircuitBreaker.inv-sat"]


def test_every_operation_meets_every_invariant() -> None:
    component = _component(str(BUNDLED[0]))
    ids = set(_by_id(component))
    for op in component.operations:
        for inv in component.invariants:
            label = short_id(inv.id, component.name)
            assert f"CircuitBreaker.{op.name}.preserve.{label}" in ids


def test_every_invariant_has_an_init_obligation() -> None:
    component = _component(str(BUNDLED[1]))
    ids = set(_by_id(component))
    for inv in component.invariants:
        assert f"RateLimiter.init.{short_id(inv.id, 'RateLimiter')}" in ids


def test_effect_obligation_traces_to_its_ensures() -> None:
    component = _component(str(BUNDLED[0]))
    ensures = component.operation("allow_request").ensures[0]
    obligation = _by_id(component)[
        "CircuitBreaker.allow_request.effect.probes_after_timeout"
    ]
    assert obligation.clause_id == ensures.id
    assert obligation.span == ensures.span
    assert obligation.kind is ObligationKind.EFFECT


def test_errors_only_for_requires_with_else() -> None:
    component = _component(str(BUNDLED[1]))
    obligations = build_obligations(component)
    for op in component.operations:
        with_else = [r for r in op.requires if r.error is not None]
        errors = [
            o
            for o in obligations
            if o.kind is ObligationKind.ERRORS
            and o.id.startswith(f"RateLimiter.{op.name}.")
        ]
        assert len(errors) == len(with_else)


def test_implicit_range_clauses_have_their_own_ids() -> None:
    ids = set(_by_id(_component(str(CORPUS / "bounded_ranges.spec"), "RightRanges")))
    assert "RightRanges.init.count.range" in ids
    assert "RightRanges.set.preserve.count.range" in ids
    assert "RightRanges.half.effect.result.range" in ids


def test_defined_obligation_points_at_its_division() -> None:
    path = BUNDLED[1]
    obligation = _by_id(_component(str(path)))["RateLimiter.wait_time.effect.defined.1"]
    line = path.read_text(encoding="utf-8").splitlines()[obligation.span.line - 1]
    assert "/ refill_rate" in line
    assert obligation.clause_id == "RateLimiter.wait_time.effect"


def test_only_divisions_have_defined_obligations() -> None:
    kinds = [o.kind for o in build_obligations(_component(str(BUNDLED[0])))]
    assert ObligationKind.DEFINED not in kinds


def test_effect_less_feasibility_is_quantified() -> None:
    component = _component(str(CORPUS / "frames.spec"), "RightFrame")
    obligation = _by_id(component)["RightFrame.bump.feasible"]
    assert obligation.quantified
    assert "exists" in obligation.smt


WRONG_EFFECT = """
component Counter {
  var value: Int
  init { value := 0 }
  operation increment() {
    ensures value == old(value) + 1
    effect { value := value + 2 }
  }
  operation stuck() {
    ensures value == old(value) + 1 and value == old(value)
    effect { value := value + 1 }
  }
}
"""


def test_wrong_effect_leaves_feasibility_unknown() -> None:
    # The effect breaks the ensures, but value + 1 is a post-state that meets
    # it: the effect obligation is violated, feasibility is never.
    component = load_source(WRONG_EFFECT, "wrong.spec").components[0]
    results = {r.obligation.id: r for r in discharge(build_obligations(component))}
    assert results["Counter.increment.effect.1"].status is Status.VIOLATED
    feasible = results["Counter.increment.feasible"]
    assert feasible.status is Status.UNKNOWN
    assert "the effect is the only witness tried" in feasible.reason


def test_working_effect_proves_feasibility() -> None:
    component = load_source(WRONG_EFFECT, "wrong.spec").components[0]
    results = {r.obligation.id: r for r in discharge(build_obligations(component))}
    assert results["Counter.stuck.effect.1"].status is Status.VIOLATED
    assert results["Counter.stuck.feasible"].status is Status.UNKNOWN
    bundled = _component(str(BUNDLED[0]))
    proved = {r.obligation.id: r.status for r in discharge(build_obligations(bundled))}
    assert proved["CircuitBreaker.record_failure.feasible"] is Status.PROVED


def test_smt_names_are_readable() -> None:
    obligations = _by_id(_component(str(BUNDLED[1])))
    smt = obligations["RateLimiter.try_acquire.effect.spends_cost"].smt
    for name in ("const!capacity", "pre!tokens", "post!tokens", "arg!cost", "result"):
        assert name in smt


def test_smt_text_is_deterministic() -> None:
    first = [o.smt for o in build_obligations(_component(str(BUNDLED[0])))]
    second = [o.smt for o in build_obligations(_component(str(BUNDLED[0])))]
    assert first == second


_BASE = """
component Counter {
  var x: Int
  init { x := 0 }
  invariant non_negative: x >= 0
  operation inc() { effect { x := x + 1 } }
  OTHER
}
"""


def test_unrelated_operation_leaves_smt_text_alone() -> None:
    # The cache hits only if an obligation's text depends on it alone.
    alone = _by_id(load_text(_BASE.replace("OTHER", "")).components[0])
    other = "operation dec() { requires x >= 1 effect { x := x - 1 } }"
    beside = _by_id(load_text(_BASE.replace("OTHER", other)).components[0])
    assert alone["Counter.inc.preserve.non_negative"].smt == (
        beside["Counter.inc.preserve.non_negative"].smt
    )


def test_unchecked_tree_is_rejected() -> None:
    spec = parse_source(_BASE.replace("OTHER", ""), "<unchecked>")
    with pytest.raises(EncodingError):
        build_obligations(spec.components[0])


def test_short_id_examples() -> None:
    failures, _ = doctest.testmod(verifier.catalog)
    assert failures == 0
