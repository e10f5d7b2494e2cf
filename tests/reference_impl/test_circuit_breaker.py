"""Tests of the circuit breaker's transitions, errors and thread safety."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import pytest

from reference_impl.circuit_breaker import (
    CircuitBreaker,
    CircuitBreakerError,
    CircuitBreakerSnapshot,
    CircuitOpenError,
    Mode,
    TrialLimitReachedError,
)
from reference_impl.clock import ManualClock

THRESHOLD = 3
TIMEOUT = 10
MAX_TRIALS = 2


def make_breaker(
    failure_threshold: int = THRESHOLD,
    reset_timeout: int = TIMEOUT,
    half_open_max_calls: int = MAX_TRIALS,
) -> tuple[CircuitBreaker, ManualClock]:
    clock = ManualClock()
    breaker = CircuitBreaker(
        failure_threshold=failure_threshold,
        reset_timeout=reset_timeout,
        half_open_max_calls=half_open_max_calls,
        clock=clock,
    )
    return breaker, clock


def trip(breaker: CircuitBreaker) -> None:
    for _ in range(breaker.failure_threshold):
        breaker.record_failure()


def make_half_open() -> tuple[CircuitBreaker, ManualClock]:
    breaker, clock = make_breaker()
    trip(breaker)
    clock.advance(TIMEOUT)
    breaker.allow_request()
    return breaker, clock


def run_in_threads(threads_count: int, work: Callable[[], None]) -> None:
    barrier = threading.Barrier(threads_count)

    def start_together() -> None:
        barrier.wait()
        work()

    threads = [threading.Thread(target=start_together) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# Construction


def test_new_breaker_state() -> None:
    breaker, _ = make_breaker()
    assert breaker.snapshot() == CircuitBreakerSnapshot(
        mode=Mode.CLOSED, failures=0, trials=0, opened_at=0, now=0
    )


def test_constants_are_exposed() -> None:
    breaker, _ = make_breaker(failure_threshold=4, reset_timeout=7)
    assert breaker.failure_threshold == 4
    assert breaker.reset_timeout == 7
    assert breaker.half_open_max_calls == MAX_TRIALS


def test_default_trial_limit_is_one() -> None:
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout=1)
    assert breaker.half_open_max_calls == 1


def test_default_clock_gives_int_readings() -> None:
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout=1)
    assert isinstance(breaker.snapshot().now, int)


@pytest.mark.parametrize(
    "argument", ["failure_threshold", "reset_timeout", "half_open_max_calls"]
)
@pytest.mark.parametrize("value", [0, -1])
def test_rejects_non_positive_argument(argument: str, value: int) -> None:
    arguments: dict[str, Any] = {
        "failure_threshold": 1,
        "reset_timeout": 1,
        argument: value,
    }
    with pytest.raises(ValueError, match=f"{argument} must be at least 1, got {value}"):
        CircuitBreaker(**arguments)


@pytest.mark.parametrize(
    "argument", ["failure_threshold", "reset_timeout", "half_open_max_calls"]
)
@pytest.mark.parametrize("value", [1.0, True, "1"])
def test_rejects_non_int_argument(argument: str, value: object) -> None:
    arguments: dict[str, object] = {"failure_threshold": 1, "reset_timeout": 1}
    arguments[argument] = value
    with pytest.raises(TypeError, match=f"{argument} must be an int"):
        CircuitBreaker(**arguments)  # type: ignore[arg-type]


# Closed


def test_closed_admits_every_request() -> None:
    breaker, _ = make_breaker()
    for _ in range(100):
        breaker.allow_request()
    assert breaker.mode is Mode.CLOSED
    assert breaker.snapshot().trials == 0


def test_failures_below_threshold_are_counted() -> None:
    breaker, _ = make_breaker()
    for expected in range(1, THRESHOLD):
        breaker.record_failure()
        assert breaker.failure_count == expected
        assert breaker.mode is Mode.CLOSED


def test_opens_exactly_at_threshold() -> None:
    breaker, clock = make_breaker()
    for _ in range(THRESHOLD - 1):
        breaker.record_failure()
    clock.advance(4)
    breaker.record_failure()
    state = breaker.snapshot()
    assert state.mode is Mode.OPEN
    assert state.failures == 0
    assert state.opened_at == 4


def test_threshold_one_opens_on_first_failure() -> None:
    breaker, _ = make_breaker(failure_threshold=1)
    breaker.record_failure()
    assert breaker.mode is Mode.OPEN


def test_success_resets_failure_count() -> None:
    breaker, _ = make_breaker()
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    assert breaker.failure_count == 0
    assert breaker.mode is Mode.CLOSED


def test_only_consecutive_failures_open() -> None:
    breaker, _ = make_breaker()
    for _ in range(THRESHOLD - 1):
        breaker.record_failure()
    breaker.record_success()
    for _ in range(THRESHOLD - 1):
        breaker.record_failure()
    assert breaker.mode is Mode.CLOSED
    assert breaker.failure_count == THRESHOLD - 1


# Open


def test_open_rejects_before_timeout() -> None:
    breaker, clock = make_breaker()
    trip(breaker)
    for _ in range(TIMEOUT - 1):
        with pytest.raises(CircuitOpenError):
            breaker.allow_request()
        clock.advance(1)
    with pytest.raises(CircuitOpenError):
        breaker.allow_request()
    assert breaker.mode is Mode.OPEN


def test_open_error_names_retry_reading() -> None:
    breaker, clock = make_breaker()
    clock.advance(5)
    trip(breaker)
    with pytest.raises(CircuitOpenError) as caught:
        breaker.allow_request()
    assert caught.value.retry_at == 5 + TIMEOUT
    assert str(5 + TIMEOUT) in str(caught.value)


def test_rejection_changes_nothing() -> None:
    breaker, clock = make_breaker()
    trip(breaker)
    clock.advance(TIMEOUT - 1)
    before = breaker.snapshot()
    with pytest.raises(CircuitOpenError):
        breaker.allow_request()
    assert breaker.snapshot() == before


def test_open_admits_trial_exactly_at_timeout() -> None:
    breaker, clock = make_breaker()
    trip(breaker)
    clock.advance(TIMEOUT)
    breaker.allow_request()
    state = breaker.snapshot()
    assert state.mode is Mode.HALF_OPEN
    assert state.trials == 1


def test_open_admits_trial_long_after_timeout() -> None:
    breaker, clock = make_breaker()
    trip(breaker)
    clock.advance(TIMEOUT * 100)
    breaker.allow_request()
    assert breaker.mode is Mode.HALF_OPEN


def test_mode_stays_open_until_next_request() -> None:
    breaker, clock = make_breaker()
    trip(breaker)
    clock.advance(TIMEOUT * 2)
    assert breaker.mode is Mode.OPEN


def test_open_ignores_outcome_reports() -> None:
    breaker, clock = make_breaker()
    trip(breaker)
    clock.advance(3)
    breaker.record_success()
    breaker.record_failure()
    state = breaker.snapshot()
    assert state.mode is Mode.OPEN
    assert state.opened_at == 0
    assert state.failures == 0


# Half-open


def test_half_open_counts_trials() -> None:
    breaker, _ = make_half_open()
    breaker.allow_request()
    assert breaker.snapshot().trials == 2


def test_half_open_rejects_beyond_trial_limit() -> None:
    breaker, _ = make_half_open()
    for _ in range(MAX_TRIALS - 1):
        breaker.allow_request()
    with pytest.raises(TrialLimitReachedError) as caught:
        breaker.allow_request()
    assert caught.value.limit == MAX_TRIALS
    state = breaker.snapshot()
    assert state.trials == MAX_TRIALS
    assert state.mode is Mode.HALF_OPEN


def test_single_trial_limit_rejects_second_request() -> None:
    breaker, clock = make_breaker(half_open_max_calls=1)
    trip(breaker)
    clock.advance(TIMEOUT)
    breaker.allow_request()
    with pytest.raises(TrialLimitReachedError):
        breaker.allow_request()


def test_half_open_success_closes() -> None:
    breaker, _ = make_half_open()
    breaker.record_success()
    assert breaker.snapshot() == CircuitBreakerSnapshot(
        mode=Mode.CLOSED, failures=0, trials=0, opened_at=0, now=TIMEOUT
    )


def test_closed_after_trial_admits_again() -> None:
    breaker, _ = make_half_open()
    breaker.record_success()
    breaker.allow_request()
    assert breaker.mode is Mode.CLOSED


def test_half_open_failure_reopens() -> None:
    breaker, clock = make_half_open()
    clock.advance(2)
    breaker.record_failure()
    state = breaker.snapshot()
    assert state.mode is Mode.OPEN
    assert state.trials == 0
    assert state.failures == 0
    assert state.opened_at == TIMEOUT + 2


def test_reopened_breaker_waits_full_timeout_again() -> None:
    breaker, clock = make_half_open()
    breaker.record_failure()
    clock.advance(TIMEOUT - 1)
    with pytest.raises(CircuitOpenError):
        breaker.allow_request()
    clock.advance(1)
    breaker.allow_request()
    assert breaker.mode is Mode.HALF_OPEN


def test_errors_share_base_class() -> None:
    assert issubclass(CircuitOpenError, CircuitBreakerError)
    assert issubclass(TrialLimitReachedError, CircuitBreakerError)


def test_snapshot_is_frozen() -> None:
    breaker, _ = make_breaker()
    with pytest.raises(dataclasses.FrozenInstanceError):
        breaker.snapshot().failures = 1  # type: ignore[misc]


# call()


def test_call_returns_result_and_passes_arguments() -> None:
    breaker, _ = make_breaker()

    def combine(a: int, b: int, *, scale: int) -> int:
        return (a + b) * scale

    assert breaker.call(combine, 1, 2, scale=10) == 30


def test_call_success_resets_failures() -> None:
    breaker, _ = make_breaker()
    breaker.record_failure()
    breaker.call(lambda: None)
    assert breaker.failure_count == 0


def test_call_counts_and_reraises_exception() -> None:
    breaker, _ = make_breaker()
    error = RuntimeError("dependency down")

    def fail() -> None:
        raise error

    with pytest.raises(RuntimeError) as caught:
        breaker.call(fail)
    assert caught.value is error
    assert breaker.failure_count == 1


def test_call_counts_keyboard_interrupt_as_failure() -> None:
    breaker, _ = make_half_open()

    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        breaker.call(interrupted)
    assert breaker.mode is Mode.OPEN


def test_call_does_not_run_when_open() -> None:
    breaker, _ = make_breaker()
    trip(breaker)
    runs: list[int] = []
    with pytest.raises(CircuitOpenError):
        breaker.call(runs.append, 1)
    assert runs == []


def test_call_trial_success_closes() -> None:
    breaker, clock = make_breaker()
    trip(breaker)
    clock.advance(TIMEOUT)
    assert breaker.call(lambda: "ok") == "ok"
    assert breaker.mode is Mode.CLOSED


# Threads


def test_concurrent_failures_count_exactly() -> None:
    threads_count = 8
    failures_per_thread = 1000
    total = threads_count * failures_per_thread
    breaker, _ = make_breaker(failure_threshold=total + 1)

    def fail_many() -> None:
        for _ in range(failures_per_thread):
            breaker.record_failure()

    run_in_threads(threads_count, fail_many)
    assert breaker.failure_count == total
    assert breaker.mode is Mode.CLOSED


def test_concurrent_failures_open_exactly_at_threshold() -> None:
    threads_count = 8
    failures_per_thread = 1000
    breaker, _ = make_breaker(failure_threshold=threads_count * failures_per_thread)

    def fail_many() -> None:
        for _ in range(failures_per_thread):
            breaker.record_failure()

    run_in_threads(threads_count, fail_many)
    assert breaker.mode is Mode.OPEN
    assert breaker.failure_count == 0


def test_concurrent_requests_admit_exactly_trial_limit() -> None:
    threads_count = 8
    requests_per_thread = 100
    trial_limit = 5
    breaker, clock = make_breaker(half_open_max_calls=trial_limit)
    trip(breaker)
    clock.advance(TIMEOUT)
    admitted: list[int] = []
    rejected: list[int] = []

    def request_many() -> None:
        for _ in range(requests_per_thread):
            try:
                breaker.allow_request()
            except TrialLimitReachedError:
                rejected.append(1)
            else:
                admitted.append(1)

    run_in_threads(threads_count, request_many)
    assert len(admitted) == trial_limit
    assert len(rejected) == threads_count * requests_per_thread - trial_limit
    assert breaker.snapshot().trials == trial_limit
