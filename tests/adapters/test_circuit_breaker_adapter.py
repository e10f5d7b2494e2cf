"""Tests of the circuit breaker adapter's mapping onto the spec's names."""

from __future__ import annotations

import pytest

from adapters import CircuitBreakerAdapter
from reference_impl.circuit_breaker import CircuitOpenError, TrialLimitReachedError

CONSTANTS = {"failure_threshold": 2, "reset_timeout": 5, "half_open_max_calls": 1}


def test_adapter_passes_constants() -> None:
    adapter = CircuitBreakerAdapter(CONSTANTS)
    assert adapter.breaker.failure_threshold == 2
    assert adapter.breaker.reset_timeout == 5
    assert adapter.breaker.half_open_max_calls == 1


def test_adapter_missing_constant() -> None:
    with pytest.raises(KeyError, match="reset_timeout"):
        CircuitBreakerAdapter({"failure_threshold": 1, "half_open_max_calls": 1})


def test_adapter_initial_state_matches_spec_init() -> None:
    adapter = CircuitBreakerAdapter(CONSTANTS)
    assert adapter.observe() == {
        "mode": "Closed",
        "failures": 0,
        "trials": 0,
        "opened_at": 0,
        "now": 0,
    }


def test_adapter_maps_errors_to_spec_names() -> None:
    assert CircuitBreakerAdapter.errors == {
        CircuitOpenError: "CircuitOpen",
        TrialLimitReachedError: "TrialLimitReached",
    }


def test_adapter_trace_through_every_mode() -> None:
    adapter = CircuitBreakerAdapter(CONSTANTS)
    adapter.record_failure()
    assert adapter.failure_count() == 1
    adapter.tick(3)
    adapter.record_failure()
    assert adapter.current_mode() == "Open"
    assert adapter.observe()["opened_at"] == 3

    adapter.tick(4)
    with pytest.raises(CircuitOpenError):
        adapter.allow_request()
    adapter.tick(1)
    adapter.allow_request()
    assert adapter.current_mode() == "HalfOpen"
    assert adapter.observe() == {
        "mode": "HalfOpen",
        "failures": 0,
        "trials": 1,
        "opened_at": 3,
        "now": 8,
    }

    with pytest.raises(TrialLimitReachedError):
        adapter.allow_request()
    adapter.record_success()
    assert adapter.current_mode() == "Closed"


def test_adapter_tick_rejects_zero() -> None:
    adapter = CircuitBreakerAdapter(CONSTANTS)
    with pytest.raises(ValueError, match="got 0"):
        adapter.tick(0)
