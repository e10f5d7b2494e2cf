"""Tests of the pybreaker adapter against the real library, on its simulated clock."""

from __future__ import annotations

import pybreaker
import pytest

from examples.pybreaker.adapter import PyBreakerAdapter

CONSTANTS = {"fail_max": 2, "reset_timeout": 5, "success_threshold": 1}


def _tripped(constants: dict[str, int] = CONSTANTS) -> PyBreakerAdapter:
    adapter = PyBreakerAdapter(constants)
    for _ in range(constants["fail_max"]):
        adapter.call_raising_system_error()
    return adapter


def test_passes_constants() -> None:
    breaker = PyBreakerAdapter(CONSTANTS).breaker
    assert breaker.fail_max == 2
    assert breaker.reset_timeout == 5
    assert breaker.success_threshold == 1


def test_missing_constant() -> None:
    with pytest.raises(KeyError, match="success_threshold"):
        PyBreakerAdapter({"fail_max": 1, "reset_timeout": 1})


def test_initial_state_matches_spec_init() -> None:
    assert PyBreakerAdapter(CONSTANTS).observe() == {
        "state": "Closed",
        "failures": 0,
        "successes": 0,
        "opened_at": 0,
        "now": 0,
    }


def test_maps_circuit_breaker_error_to_circuit_open() -> None:
    assert PyBreakerAdapter.errors == {pybreaker.CircuitBreakerError: "CircuitOpen"}


def test_replies_per_outcome() -> None:
    adapter = PyBreakerAdapter(CONSTANTS)
    assert adapter.call_returning() == "Returned"
    assert adapter.call_raising_system_error() == "Raised"
    assert adapter.call_raising_system_error() == "Tripped"


def test_trip_records_simulated_second() -> None:
    adapter = PyBreakerAdapter(CONSTANTS)
    adapter.tick(3)
    adapter.call_raising_system_error()
    adapter.call_raising_system_error()
    assert adapter.current_state() == "Open"
    assert adapter.observe()["opened_at"] == 3


def test_open_circuit_rejects_calls() -> None:
    adapter = _tripped()
    adapter.tick(4)
    with pytest.raises(pybreaker.CircuitBreakerError):
        adapter.call_returning()
    assert adapter.current_state() == "Open"


def test_trial_allowed_at_timeout() -> None:
    adapter = _tripped()
    adapter.tick(5)
    assert adapter.call_returning() == "Returned"
    assert adapter.current_state() == "Closed"


def test_failed_trial_restarts_timeout() -> None:
    adapter = _tripped()
    adapter.tick(6)
    assert adapter.call_raising_system_error() == "Tripped"
    assert adapter.observe()["opened_at"] == 6
    adapter.tick(4)
    with pytest.raises(pybreaker.CircuitBreakerError):
        adapter.call_returning()


def test_success_threshold_keeps_half_open() -> None:
    adapter = _tripped({"fail_max": 1, "reset_timeout": 1, "success_threshold": 2})
    adapter.tick(1)
    adapter.call_returning()
    assert adapter.current_state() == "HalfOpen"
    assert adapter.success_counter() == 1


def test_manual_state_changes() -> None:
    adapter = PyBreakerAdapter(CONSTANTS)
    adapter.open_circuit()
    assert adapter.current_state() == "Open"
    adapter.half_open_circuit()
    assert adapter.current_state() == "HalfOpen"
    adapter.close_circuit()
    assert adapter.current_state() == "Closed"


def test_excluded_error_propagates() -> None:
    assert PyBreakerAdapter(CONSTANTS).call_raising_excluded() == "Raised"


def test_tick_rejects_zero() -> None:
    with pytest.raises(ValueError, match="elapsed=0"):
        PyBreakerAdapter(CONSTANTS).tick(0)
