"""The temporal properties of the bundled specs are decided as stated."""

from __future__ import annotations

import pytest
from verifier_support import REPO

from spec_lang import load_spec
from verifier import Status, VerifyOptions
from verifier.temporal import TemporalResult, verify_temporal


def _results(name: str) -> dict[str, TemporalResult]:
    spec = load_spec(REPO / "specs" / name)
    return {r.obligation.id: r for r in verify_temporal(spec, VerifyOptions(jobs=1))}


@pytest.fixture(scope="module")
def breaker() -> dict[str, TemporalResult]:
    return _results("circuit_breaker.spec")


@pytest.fixture(scope="module")
def limiter() -> dict[str, TemporalResult]:
    return _results("rate_limiter.spec")


@pytest.mark.parametrize(
    "property_id",
    [
        "CircuitBreaker.always.clock_monotonic",
        "CircuitBreaker.always.opens_only_on_failure",
        "CircuitBreaker.always.probes_only_after_timeout",
        "CircuitBreaker.leadsto.trial_after_timeout",
    ],
)
def test_breaker_property_is_proved(
    breaker: dict[str, TemporalResult], property_id: str
) -> None:
    assert breaker[property_id].status is Status.PROVED


@pytest.mark.parametrize(
    "property_id",
    [
        "RateLimiter.always.admits_within_window",
        "RateLimiter.always.admits_within_level",
        "RateLimiter.leadsto.empty_bucket_refills",
    ],
)
def test_limiter_property_is_proved(
    limiter: dict[str, TemporalResult], property_id: str
) -> None:
    assert limiter[property_id].status is Status.PROVED


def test_every_breaker_action_is_reachable(breaker: dict[str, TemporalResult]) -> None:
    reach = [r for r in breaker.values() if r.obligation.kind.value == "reach"]
    assert len(reach) == 6
    assert all(r.status is Status.PROVED for r in reach)


def test_no_breaker_implication_is_vacuous(breaker: dict[str, TemporalResult]) -> None:
    vacuity = [r for r in breaker.values() if r.obligation.kind.value == "vacuity"]
    assert vacuity
    assert all(r.status is Status.PROVED for r in vacuity)
