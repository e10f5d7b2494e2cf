"""The hard deadline of pool workers: overrunning queries are stopped."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from slow_solve import DIE, HANG, solve_or_misbehave
from verifier_support import load_text

from verifier import Obligation, Status, VerifyOptions, build_obligations
from verifier.cache import ResultCache
from verifier.obligation import Answer
from verifier.outcome import Limits
from verifier.pool import SolverPool, deadline_seconds
from verifier.solve import solve_obligation, verdict
from verifier.temporal import verify_temporal

_COUNTER = """
component Counter {
  const limit: Int where limit >= 1
  var value: Int
  init { value := 0 }
  invariant in_range: 0 <= value and value <= limit
  operation increment() {
    requires value < limit
    ensures value == old(value) + 1
    effect { value := value + 1 }
  }
}
"""

# The spec whose leads-to lasso queries kept Z3 inside its arithmetic theory
# for minutes past a 2000 ms time limit.
_STACK = """
component Stack {
  const capacity: Int where capacity >= 1
  error Full, Empty
  var items: Seq[Int]
  init { items := [] }
  invariant bounded: size(items) <= capacity
  operation push(x: Int) {
    requires room: size(items) < capacity else Full
    ensures size(items) == size(old(items)) + 1
    effect { items := append(items, x) }
  }
  operation pop() -> Int {
    requires nonempty: size(items) >= 1 else Empty
    ensures size(items) == size(old(items)) - 1
    effect {
      result := last(items)
      items := rest(items)
    }
  }
  leadsto drains: size(items) == capacity ~> size(items) == 0 within 3
  fairness weak pop
  always small: size(items) <= 1
}
"""

_LIMITS = Limits(timeout_ms=2000, rlimit=None)
_DEADLINE_S = 1.0


def _counter() -> list[Obligation]:
    return build_obligations(load_text(_COUNTER).components[0])


def _misbehaving(kind: str) -> Obligation:
    return replace(_counter()[0], id=kind)


def _pool(workers: int) -> SolverPool:
    return SolverPool(workers, _LIMITS, _DEADLINE_S, solve_or_misbehave)


def test_deadline_covers_both_queries() -> None:
    assert deadline_seconds(_LIMITS) == 2 * 2 * 2.0 + 5.0


@pytest.mark.parametrize("deadline_s", [0.0, -1.0])
def test_non_positive_deadline_is_rejected(deadline_s: float) -> None:
    with pytest.raises(ValueError, match="deadline_s"):
        SolverPool(1, _LIMITS, deadline_s)


def test_overrunning_query_is_unknown() -> None:
    started = time.monotonic()
    with _pool(1) as pool:
        [outcome] = pool.solve([_misbehaving(HANG)])
    assert time.monotonic() - started < 30
    assert outcome.answer is Answer.UNKNOWN
    assert outcome.reason.startswith(
        "timeout: the solver ignored its 2000 ms time limit and was stopped after"
    )


def test_others_keep_real_verdicts_after_stop() -> None:
    obligations = _counter()
    batch = [obligations[0], _misbehaving(HANG), *obligations[1:]]
    for workers in (1, 2):
        with _pool(workers) as pool:
            outcomes = pool.solve(batch)
        assert outcomes[1].answer is Answer.UNKNOWN
        kept = outcomes[:1] + outcomes[2:]
        expected = [solve_obligation(o, _LIMITS) for o in obligations]
        assert [o.answer for o in kept] == [o.answer for o in expected]


def test_pool_solves_again_after_stop() -> None:
    obligations = _counter()
    with _pool(1) as pool:
        pool.solve([_misbehaving(HANG)])
        outcomes = pool.solve(obligations)
    statuses = [
        verdict(o, r, False).status for o, r in zip(obligations, outcomes, strict=True)
    ]
    assert statuses == [Status.PROVED] * len(obligations)


def test_dead_worker_costs_one_verdict() -> None:
    obligations = _counter()
    with _pool(1) as pool:
        outcomes = pool.solve([_misbehaving(DIE), *obligations])
    assert outcomes[0].answer is Answer.UNKNOWN
    assert outcomes[0].reason == "the solver process died (exit code 3)"
    assert all(o.answer is not Answer.UNKNOWN for o in outcomes[1:])


def test_stopped_query_is_never_cached(tmp_path: Path) -> None:
    obligation = _misbehaving(HANG)
    with _pool(1) as pool:
        [outcome] = pool.solve([obligation])
    cache = ResultCache(tmp_path)
    cache.put(obligation.smt, _LIMITS, "z3", outcome)
    assert cache.get(obligation.smt, _LIMITS, "z3") is None
    result = verdict(obligation, outcome, cached=False)
    assert result.status is Status.UNKNOWN
    assert "stopped after" in result.reason


def test_stack_spec_finishes_within_bound() -> None:
    options = VerifyOptions(timeout_ms=2000, jobs=1)
    started = time.monotonic()
    results = verify_temporal(load_text(_STACK), options)
    elapsed = time.monotonic() - started
    # Nine lasso and window queries at most, each stopped by its 13 s deadline.
    assert elapsed < 9 * deadline_seconds(Limits(2000, None)) + 30
    by_id = {r.obligation.id: r for r in results}
    assert by_id["Stack.always.small"].status is Status.VIOLATED
    for result in results:
        if result.status is Status.UNKNOWN:
            assert result.reason
