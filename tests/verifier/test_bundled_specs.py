"""The Foundation specs shipped with the product prove completely."""

from __future__ import annotations

import pytest
from verifier_support import REPO

from verifier import Status, VerifyOptions, verify_spec

_SPECS = ["circuit_breaker.spec", "rate_limiter.spec"]


@pytest.mark.parametrize("name", _SPECS)
def test_every_obligation_is_proved(name: str) -> None:
    results = verify_spec(REPO / "specs" / name, VerifyOptions(jobs=1))
    assert results
    unproved = {
        r.obligation.id: r.reason for r in results if r.status is not Status.PROVED
    }
    assert unproved == {}


@pytest.mark.parametrize("name", _SPECS)
def test_every_result_traces_to_a_clause(name: str) -> None:
    results = verify_spec(REPO / "specs" / name, VerifyOptions(jobs=1))
    for result in results:
        assert result.obligation.clause_id
        assert result.obligation.span.file.endswith(name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "circuit_breaker.spec",
            {
                "CircuitBreaker.failure.crash.recover.ensures.stays_open",
                "CircuitBreaker.failure.crash.recover.ensures.failures_kept",
                "CircuitBreaker.failure.crash.recover.ensures.trial_slots_released",
                "CircuitBreaker.failure.crash.recover.trials_within_limit",
            },
        ),
        (
            "rate_limiter.spec",
            {
                "RateLimiter.failure.crash.recover.ensures.no_burst_after_restart",
                "RateLimiter.failure.crash.recover.spent_within_refill",
                "RateLimiter.failure.crash.recover.tokens_within_capacity",
            },
        ),
    ],
)
def test_recovery_is_proved(name: str, expected: set[str]) -> None:
    results = verify_spec(REPO / "specs" / name, VerifyOptions(jobs=1))
    recovered = {
        r.obligation.id: r.status
        for r in results
        if r.obligation.kind.value == "recover"
    }
    assert expected <= recovered.keys()
    assert set(recovered.values()) == {Status.PROVED}
