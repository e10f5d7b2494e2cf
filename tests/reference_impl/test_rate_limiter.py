"""Tests of the token-bucket limiter's refill, wait times, errors and threads."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest

from reference_impl.clock import ManualClock
from reference_impl.rate_limiter import (
    BucketSnapshot,
    CostExceedsCapacityError,
    InvalidCostError,
    RateLimiter,
    RateLimitError,
)

KEY = "client"


def make_limiter(
    capacity: int = 10, refill_rate: int = 2
) -> tuple[RateLimiter, ManualClock]:
    clock = ManualClock()
    return RateLimiter(capacity=capacity, refill_rate=refill_rate, clock=clock), clock


def drain(limiter: RateLimiter, key: str = KEY) -> None:
    assert limiter.try_acquire(key, limiter.available(key))


# Construction


def test_constants_are_exposed() -> None:
    limiter, _ = make_limiter(capacity=7, refill_rate=3)
    assert limiter.capacity == 7
    assert limiter.refill_rate == 3


@pytest.mark.parametrize("argument", ["capacity", "refill_rate"])
@pytest.mark.parametrize("value", [0, -1])
def test_rejects_non_positive_argument(argument: str, value: int) -> None:
    arguments: dict[str, Any] = {"capacity": 1, "refill_rate": 1, argument: value}
    with pytest.raises(ValueError, match=f"{argument} must be at least 1, got {value}"):
        RateLimiter(**arguments)


@pytest.mark.parametrize("argument", ["capacity", "refill_rate"])
@pytest.mark.parametrize("value", [1.0, True, "1"])
def test_rejects_non_int_argument(argument: str, value: object) -> None:
    arguments: dict[str, object] = {"capacity": 1, "refill_rate": 1}
    arguments[argument] = value
    with pytest.raises(TypeError, match=f"{argument} must be an int"):
        RateLimiter(**arguments)  # type: ignore[arg-type]


def test_default_clock_gives_int_readings() -> None:
    limiter = RateLimiter(capacity=1, refill_rate=1)
    assert isinstance(limiter.snapshot(KEY).now, int)


# Buckets


def test_new_bucket_is_full() -> None:
    limiter, _ = make_limiter()
    assert limiter.available(KEY) == 10
    assert limiter.snapshot(KEY) == BucketSnapshot(tokens=10, last_refill=0, now=0)


def test_bucket_created_at_current_reading() -> None:
    limiter, clock = make_limiter()
    clock.advance(7)
    assert limiter.snapshot(KEY) == BucketSnapshot(tokens=10, last_refill=7, now=7)


def test_keys_have_separate_buckets() -> None:
    limiter, _ = make_limiter()
    drain(limiter, "a")
    assert limiter.available("a") == 0
    assert limiter.available("b") == 10


def test_snapshot_is_frozen() -> None:
    limiter, _ = make_limiter()
    with pytest.raises(dataclasses.FrozenInstanceError):
        limiter.snapshot(KEY).tokens = 0  # type: ignore[misc]


# try_acquire


def test_acquire_takes_cost() -> None:
    limiter, _ = make_limiter()
    assert limiter.try_acquire(KEY, 3)
    assert limiter.available(KEY) == 7
    assert limiter.snapshot(KEY).tokens == 7


def test_acquire_default_cost_is_one() -> None:
    limiter, _ = make_limiter()
    assert limiter.try_acquire(KEY)
    assert limiter.available(KEY) == 9


def test_acquire_whole_capacity() -> None:
    limiter, _ = make_limiter()
    assert limiter.try_acquire(KEY, 10)
    assert limiter.available(KEY) == 0


def test_acquire_exactly_the_level_then_reject() -> None:
    limiter, _ = make_limiter()
    assert limiter.try_acquire(KEY, 6)
    assert limiter.try_acquire(KEY, 4)
    assert not limiter.try_acquire(KEY, 1)


def test_rejection_takes_nothing() -> None:
    limiter, _ = make_limiter()
    assert limiter.try_acquire(KEY, 8)
    assert not limiter.try_acquire(KEY, 3)
    assert limiter.available(KEY) == 2


def test_rejection_records_refill() -> None:
    limiter, clock = make_limiter()
    drain(limiter)
    clock.advance(1)
    assert not limiter.try_acquire(KEY, 5)
    assert limiter.snapshot(KEY) == BucketSnapshot(tokens=2, last_refill=1, now=1)


def test_acquire_records_refill() -> None:
    limiter, clock = make_limiter()
    drain(limiter)
    clock.advance(3)
    assert limiter.try_acquire(KEY, 4)
    assert limiter.snapshot(KEY) == BucketSnapshot(tokens=2, last_refill=3, now=3)


# Refill


def test_refill_adds_rate_per_tick() -> None:
    limiter, clock = make_limiter()
    drain(limiter)
    clock.advance(3)
    assert limiter.available(KEY) == 6


def test_refill_stops_at_capacity() -> None:
    limiter, clock = make_limiter()
    assert limiter.try_acquire(KEY, 3)
    clock.advance(2)
    assert limiter.available(KEY) == 10
    clock.advance(1_000)
    assert limiter.available(KEY) == 10


def test_refill_overflow_is_not_banked() -> None:
    limiter, clock = make_limiter()
    assert limiter.try_acquire(KEY, 1)
    clock.advance(100)
    assert limiter.try_acquire(KEY, 10)
    assert limiter.snapshot(KEY).tokens == 0


def test_available_does_not_store_refill() -> None:
    limiter, clock = make_limiter()
    drain(limiter)
    clock.advance(2)
    assert limiter.available(KEY) == 4
    assert limiter.snapshot(KEY) == BucketSnapshot(tokens=0, last_refill=0, now=2)


def test_huge_values_stay_exact() -> None:
    capacity = 10**40
    limiter, clock = make_limiter(capacity=capacity, refill_rate=10**20 + 1)
    drain(limiter)
    clock.advance(3)
    assert limiter.available(KEY) == 3 * (10**20 + 1)
    assert limiter.wait_time(KEY, capacity) == -(-capacity // (10**20 + 1)) - 3


# wait_time


def test_wait_time_zero_when_available() -> None:
    limiter, _ = make_limiter()
    assert limiter.wait_time(KEY, 10) == 0


def test_wait_time_rounds_up() -> None:
    limiter, _ = make_limiter(capacity=10, refill_rate=3)
    drain(limiter)
    assert limiter.wait_time(KEY, 6) == 2
    assert limiter.wait_time(KEY, 7) == 3


def test_wait_time_counts_current_level() -> None:
    limiter, _ = make_limiter(capacity=10, refill_rate=3)
    assert limiter.try_acquire(KEY, 9)
    assert limiter.wait_time(KEY, 8) == 3


def test_wait_time_changes_nothing() -> None:
    limiter, clock = make_limiter()
    drain(limiter)
    clock.advance(1)
    before = limiter.snapshot(KEY)
    limiter.wait_time(KEY, 9)
    assert limiter.snapshot(KEY) == before


@pytest.mark.parametrize(
    ("capacity", "refill_rate", "taken", "cost"),
    [
        (10, 1, 10, 1),
        (10, 1, 10, 10),
        (10, 3, 10, 7),
        (10, 3, 9, 8),
        (10, 4, 10, 8),
        (5, 7, 5, 5),
        (100, 9, 95, 50),
    ],
)
def test_wait_time_is_exact(
    capacity: int, refill_rate: int, taken: int, cost: int
) -> None:
    limiter, clock = make_limiter(capacity=capacity, refill_rate=refill_rate)
    assert limiter.try_acquire(KEY, taken)
    wait = limiter.wait_time(KEY, cost)
    assert wait >= 1
    if wait > 1:
        clock.advance(wait - 1)
    assert not limiter.try_acquire(KEY, cost)
    clock.advance(1)
    assert limiter.try_acquire(KEY, cost)


# Errors


@pytest.mark.parametrize("cost", [0, -1, -100])
def test_acquire_rejects_cost_below_one(cost: int) -> None:
    limiter, _ = make_limiter()
    with pytest.raises(InvalidCostError) as caught:
        limiter.try_acquire(KEY, cost)
    assert caught.value.cost == cost
    assert limiter.available(KEY) == 10


@pytest.mark.parametrize("cost", [0, -1])
def test_wait_time_rejects_cost_below_one(cost: int) -> None:
    limiter, _ = make_limiter()
    with pytest.raises(InvalidCostError):
        limiter.wait_time(KEY, cost)


def test_acquire_rejects_cost_above_capacity() -> None:
    limiter, _ = make_limiter()
    with pytest.raises(CostExceedsCapacityError) as caught:
        limiter.try_acquire(KEY, 11)
    assert caught.value.cost == 11
    assert caught.value.capacity == 10
    assert limiter.available(KEY) == 10


def test_wait_time_rejects_cost_above_capacity() -> None:
    limiter, _ = make_limiter()
    with pytest.raises(CostExceedsCapacityError):
        limiter.wait_time(KEY, 11)


def test_rejected_cost_leaves_bucket_unchanged() -> None:
    limiter, clock = make_limiter()
    drain(limiter)
    clock.advance(1)
    before = limiter.snapshot(KEY)
    with pytest.raises(CostExceedsCapacityError):
        limiter.try_acquire(KEY, 11)
    assert limiter.snapshot(KEY) == before


@pytest.mark.parametrize("cost", [1.0, True, "1"])
def test_rejects_non_int_cost(cost: object) -> None:
    limiter, _ = make_limiter()
    with pytest.raises(TypeError, match="cost must be an int"):
        limiter.try_acquire(KEY, cost)  # type: ignore[arg-type]


def test_cost_errors_share_base_class() -> None:
    assert issubclass(InvalidCostError, RateLimitError)
    assert issubclass(CostExceedsCapacityError, RateLimitError)


# Threads


def run_acquires(
    limiter: RateLimiter, keys: list[str], threads_count: int, attempts: int
) -> list[str]:
    """Return the key of every admitted acquire, from all threads."""
    admitted: list[str] = []
    barrier = threading.Barrier(threads_count)

    def acquire_many() -> None:
        barrier.wait()
        for attempt in range(attempts):
            key = keys[attempt % len(keys)]
            if limiter.try_acquire(key):
                admitted.append(key)

    threads = [threading.Thread(target=acquire_many) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return admitted


def test_concurrent_acquires_admit_exactly_capacity() -> None:
    limiter, _ = make_limiter(capacity=100, refill_rate=1)
    admitted = run_acquires(limiter, [KEY], threads_count=8, attempts=1000)
    assert len(admitted) == 100
    assert limiter.available(KEY) == 0


def test_concurrent_acquires_admit_capacity_per_key() -> None:
    keys = ["a", "b", "c", "d"]
    limiter, _ = make_limiter(capacity=50, refill_rate=1)
    admitted = run_acquires(limiter, keys, threads_count=8, attempts=1000)
    for key in keys:
        assert admitted.count(key) == 50
