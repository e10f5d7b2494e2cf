"""Tests of the rate limiter adapter's mapping onto the spec's names."""

from __future__ import annotations

import pytest

from adapters import RateLimiterAdapter
from reference_impl.rate_limiter import CostExceedsCapacityError, InvalidCostError

CONSTANTS = {"capacity": 5, "refill_rate": 2}


def test_adapter_passes_constants() -> None:
    adapter = RateLimiterAdapter(CONSTANTS)
    assert adapter.limiter.capacity == 5
    assert adapter.limiter.refill_rate == 2


def test_adapter_missing_constant() -> None:
    with pytest.raises(KeyError, match="refill_rate"):
        RateLimiterAdapter({"capacity": 5})


def test_adapter_initial_state_matches_spec_init() -> None:
    adapter = RateLimiterAdapter(CONSTANTS)
    assert adapter.observe() == {"tokens": 5, "last_refill": 0, "now": 0}


def test_adapter_early_tick_keeps_refill() -> None:
    adapter = RateLimiterAdapter(CONSTANTS)
    adapter.tick(4)
    assert adapter.observe() == {"tokens": 5, "last_refill": 0, "now": 4}


def test_adapter_maps_errors_to_spec_names() -> None:
    assert RateLimiterAdapter.errors == {
        InvalidCostError: "InvalidCost",
        CostExceedsCapacityError: "CostExceedsCapacity",
    }


def test_adapter_trace() -> None:
    adapter = RateLimiterAdapter(CONSTANTS)
    assert adapter.try_acquire(5) is True
    assert adapter.try_acquire(1) is False
    assert adapter.wait_time(3) == 2
    adapter.tick(1)
    assert adapter.available_tokens() == 2
    assert adapter.observe() == {"tokens": 0, "last_refill": 0, "now": 1}
    assert adapter.try_acquire(1) is True
    assert adapter.observe() == {"tokens": 1, "last_refill": 1, "now": 1}


def test_adapter_raises_spec_errors() -> None:
    adapter = RateLimiterAdapter(CONSTANTS)
    with pytest.raises(InvalidCostError):
        adapter.try_acquire(0)
    with pytest.raises(CostExceedsCapacityError):
        adapter.wait_time(6)


def test_adapter_drives_one_key() -> None:
    adapter = RateLimiterAdapter(CONSTANTS)
    adapter.try_acquire(2)
    assert adapter.limiter.available(RateLimiterAdapter.KEY) == 3
