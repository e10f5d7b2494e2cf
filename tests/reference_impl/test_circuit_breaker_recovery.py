"""Tests of a circuit breaker rebuilt from its store after a crash."""

from __future__ import annotations

import threading

import pytest

from reference_impl.circuit_breaker import (
    CircuitBreaker,
    CircuitBreakerSnapshot,
    CircuitOpenError,
    MemoryBreakerStore,
    Mode,
    SavedBreaker,
    TrialLimitReachedError,
)
from reference_impl.clock import ManualClock

THRESHOLD = 3
TIMEOUT = 10
TRIALS = 2


def make_breaker(store: MemoryBreakerStore, clock: ManualClock) -> CircuitBreaker:
    return CircuitBreaker(
        failure_threshold=THRESHOLD,
        reset_timeout=TIMEOUT,
        half_open_max_calls=TRIALS,
        clock=clock,
        store=store,
    )


def recover(store: MemoryBreakerStore, clock: ManualClock) -> CircuitBreaker:
    return CircuitBreaker.recover(
        store,
        failure_threshold=THRESHOLD,
        reset_timeout=TIMEOUT,
        half_open_max_calls=TRIALS,
        clock=clock,
    )


def trip(breaker: CircuitBreaker) -> None:
    for _ in range(breaker.failure_threshold):
        breaker.record_failure()


def test_empty_store_recovers_closed_breaker() -> None:
    clock = ManualClock(5)
    breaker = recover(MemoryBreakerStore(), clock)
    assert breaker.snapshot() == CircuitBreakerSnapshot(Mode.CLOSED, 0, 0, 0, 5)


def test_open_breaker_stays_open() -> None:
    store, clock = MemoryBreakerStore(), ManualClock(4)
    trip(make_breaker(store, clock))
    clock.advance(3)
    breaker = recover(store, clock)
    assert breaker.snapshot() == CircuitBreakerSnapshot(Mode.OPEN, 0, 0, 4, 7)
    with pytest.raises(CircuitOpenError) as raised:
        breaker.allow_request()
    assert raised.value.retry_at == 14


def test_open_breaker_probes_after_its_timeout() -> None:
    store, clock = MemoryBreakerStore(), ManualClock()
    trip(make_breaker(store, clock))
    breaker = recover(store, clock)
    clock.advance(10)
    breaker.allow_request()
    assert breaker.mode is Mode.HALF_OPEN


def test_failure_count_survives() -> None:
    store, clock = MemoryBreakerStore(), ManualClock()
    breaker = make_breaker(store, clock)
    breaker.record_failure()
    breaker.record_failure()
    recovered = recover(store, clock)
    assert recovered.failure_count == 2
    recovered.record_failure()
    assert recovered.mode is Mode.OPEN


def test_success_reset_survives() -> None:
    store, clock = MemoryBreakerStore(), ManualClock()
    breaker = make_breaker(store, clock)
    breaker.record_failure()
    breaker.record_success()
    assert recover(store, clock).failure_count == 0


def test_half_open_breaker_frees_its_trial_slots() -> None:
    store, clock = MemoryBreakerStore(), ManualClock()
    breaker = make_breaker(store, clock)
    trip(breaker)
    clock.advance(10)
    breaker.allow_request()
    breaker.allow_request()
    with pytest.raises(TrialLimitReachedError):
        breaker.allow_request()
    recovered = recover(store, clock)
    assert recovered.snapshot() == CircuitBreakerSnapshot(Mode.HALF_OPEN, 0, 0, 0, 10)
    recovered.allow_request()
    assert recovered.snapshot().trials == 1


def test_recovered_breaker_keeps_writing_to_store() -> None:
    store, clock = MemoryBreakerStore(), ManualClock()
    recovered = recover(store, clock)
    trip(recovered)
    assert store.load() == SavedBreaker(Mode.OPEN, 0, 0)
    again = recover(store, clock)
    assert again.mode is Mode.OPEN


def test_successes_while_closed_write_nothing() -> None:
    store, clock = MemoryBreakerStore(), ManualClock()
    breaker = make_breaker(store, clock)
    for _ in range(5):
        breaker.allow_request()
        breaker.record_success()
    assert store.load() is None


def test_opening_time_after_clock_moves_back() -> None:
    # A monotonic clock restarts at a reboot, so a saved opening time may lie
    # ahead of the new clock. The breaker then counts its timeout from now.
    store = MemoryBreakerStore()
    store.save(SavedBreaker(Mode.OPEN, 0, 1_000))
    clock = ManualClock(3)
    breaker = recover(store, clock)
    assert breaker.snapshot().opened_at == 3
    assert store.load() == SavedBreaker(Mode.OPEN, 0, 3)
    clock.advance(10)
    breaker.allow_request()
    assert breaker.mode is Mode.HALF_OPEN


def test_saved_failures_at_threshold_are_rejected() -> None:
    store = MemoryBreakerStore()
    store.save(SavedBreaker(Mode.CLOSED, 3, 0))
    with pytest.raises(ValueError, match="saved failure count 3"):
        recover(store, ManualClock())


def test_concurrent_failures_are_all_saved() -> None:
    store, clock = MemoryBreakerStore(), ManualClock()
    breaker = CircuitBreaker(
        failure_threshold=1_000, reset_timeout=1, clock=clock, store=store
    )

    def fail_often() -> None:
        for _ in range(50):
            breaker.record_failure()

    threads = [threading.Thread(target=fail_often) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.load() == SavedBreaker(Mode.CLOSED, 400, 0)
