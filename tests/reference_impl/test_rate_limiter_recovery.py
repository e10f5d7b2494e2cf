"""Tests of a rate limiter rebuilt from its bucket store after a crash."""

from __future__ import annotations

import threading
from types import MappingProxyType

import pytest

from reference_impl.clock import ManualClock
from reference_impl.rate_limiter import (
    BucketSnapshot,
    MemoryBucketStore,
    RateLimiter,
    SavedBucket,
)

CAPACITY = 10
REFILL_RATE = 2


def make_limiter(store: MemoryBucketStore, clock: ManualClock) -> RateLimiter:
    return RateLimiter(
        capacity=CAPACITY, refill_rate=REFILL_RATE, clock=clock, store=store
    )


def recover(store: MemoryBucketStore, clock: ManualClock) -> RateLimiter:
    return RateLimiter.recover(
        store, capacity=CAPACITY, refill_rate=REFILL_RATE, clock=clock
    )


def test_drained_bucket_stays_drained() -> None:
    store, clock = MemoryBucketStore(), ManualClock()
    assert make_limiter(store, clock).try_acquire("a", CAPACITY)
    limiter = recover(store, clock)
    assert limiter.available("a") == 0
    assert not limiter.try_acquire("a", 1)


def test_refill_continues_from_saved_reading() -> None:
    store, clock = MemoryBucketStore(), ManualClock()
    assert make_limiter(store, clock).try_acquire("a", 7)
    clock.advance(1)
    limiter = recover(store, clock)
    assert limiter.snapshot("a") == BucketSnapshot(tokens=3, last_refill=0, now=1)
    assert limiter.available("a") == 5


def test_each_key_is_recovered() -> None:
    store, clock = MemoryBucketStore(), ManualClock()
    limiter = make_limiter(store, clock)
    assert limiter.try_acquire("a", 4)
    assert limiter.try_acquire("b", 9)
    recovered = recover(store, clock)
    assert recovered.available("a") == 6
    assert recovered.available("b") == 1


def test_unsaved_key_starts_full() -> None:
    store, clock = MemoryBucketStore(), ManualClock(5)
    limiter = recover(store, clock)
    assert limiter.snapshot("new") == BucketSnapshot(CAPACITY, 5, 5)


def test_created_bucket_is_saved_with_its_reading() -> None:
    store, clock = MemoryBucketStore(), ManualClock(3)
    make_limiter(store, clock).available("a")
    assert store.contents() == {"a": SavedBucket(tokens=CAPACITY, last_refill=3)}


def test_rejection_saves_the_refill() -> None:
    store, clock = MemoryBucketStore(), ManualClock()
    limiter = make_limiter(store, clock)
    assert limiter.try_acquire("a", CAPACITY)
    clock.advance(2)
    assert not limiter.try_acquire("a", 5)
    assert store.contents()["a"] == SavedBucket(tokens=4, last_refill=2)


def test_recovered_limiter_keeps_writing_to_store() -> None:
    store, clock = MemoryBucketStore(), ManualClock()
    assert recover(store, clock).try_acquire("a", 6)
    assert recover(store, clock).available("a") == 4


def test_refill_time_after_clock_moves_back() -> None:
    # A monotonic clock restarts at a reboot, so a saved refill reading may
    # lie ahead of the new clock. The level must not go negative from it.
    store = MemoryBucketStore()
    store.save("a", SavedBucket(tokens=1, last_refill=1_000))
    clock = ManualClock(4)
    limiter = recover(store, clock)
    assert limiter.snapshot("a") == BucketSnapshot(tokens=1, last_refill=4, now=4)
    clock.advance(1)
    assert limiter.available("a") == 3


@pytest.mark.parametrize("tokens", [-1, CAPACITY + 1])
def test_saved_level_out_of_range_is_rejected(tokens: int) -> None:
    store = MemoryBucketStore()
    store.save("a", SavedBucket(tokens=tokens, last_refill=0))
    with pytest.raises(ValueError, match=f"saved level {tokens} of key 'a'"):
        recover(store, ManualClock())


def test_store_contents_are_read_only() -> None:
    store = MemoryBucketStore()
    store.save("a", SavedBucket(tokens=1, last_refill=0))
    assert isinstance(store.contents(), MappingProxyType)


def test_concurrent_acquires_leave_store_consistent() -> None:
    store, clock = MemoryBucketStore(), ManualClock()
    limiter = RateLimiter(capacity=1_000, refill_rate=1, clock=clock, store=store)

    def acquire_often() -> None:
        for _ in range(50):
            limiter.try_acquire("a")

    threads = [threading.Thread(target=acquire_often) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.contents()["a"] == SavedBucket(tokens=600, last_refill=0)
    recovered = RateLimiter.recover(store, capacity=1_000, refill_rate=1, clock=clock)
    assert recovered.available("a") == 600
