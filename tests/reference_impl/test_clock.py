"""Tests of the manual and monotonic clocks."""

from __future__ import annotations

import threading
import time

import pytest

from reference_impl.clock import ManualClock, MonotonicClock


def test_manual_clock_starts_at_zero() -> None:
    assert ManualClock().now() == 0


def test_manual_clock_starts_at_given_reading() -> None:
    assert ManualClock(start=42).now() == 42


def test_manual_clock_advance_returns_new_reading() -> None:
    clock = ManualClock()
    assert clock.advance(5) == 5
    assert clock.now() == 5


def test_manual_clock_advances_accumulate() -> None:
    clock = ManualClock(start=10)
    clock.advance(1)
    clock.advance(3)
    assert clock.now() == 14


@pytest.mark.parametrize("delta", [0, -1, -3])
def test_manual_clock_rejects_non_advancing_delta(delta: int) -> None:
    clock = ManualClock(start=7)
    with pytest.raises(ValueError, match=f"got {delta}$"):
        clock.advance(delta)
    assert clock.now() == 7


@pytest.mark.parametrize("delta", [1.5, True, "1", None])
def test_manual_clock_rejects_non_int_delta(delta: object) -> None:
    clock = ManualClock()
    with pytest.raises(TypeError, match="delta must be an int"):
        clock.advance(delta)  # type: ignore[arg-type]
    assert clock.now() == 0


@pytest.mark.parametrize("start", [0.5, False, "0"])
def test_manual_clock_rejects_non_int_start(start: object) -> None:
    with pytest.raises(TypeError, match="start must be an int"):
        ManualClock(start=start)  # type: ignore[arg-type]


def test_manual_clock_concurrent_advances_all_count() -> None:
    clock = ManualClock()
    threads_count = 8
    advances_per_thread = 1000
    barrier = threading.Barrier(threads_count)

    def advance_many() -> None:
        barrier.wait()
        for _ in range(advances_per_thread):
            clock.advance(1)

    threads = [threading.Thread(target=advance_many) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert clock.now() == threads_count * advances_per_thread


def test_monotonic_clock_reading_is_int() -> None:
    assert isinstance(MonotonicClock().now(), int)


def test_monotonic_clock_counts_whole_ticks() -> None:
    tick_ns = 1_000
    clock = MonotonicClock(tick_ns=tick_ns)
    before = time.monotonic_ns() // tick_ns
    reading = clock.now()
    after = time.monotonic_ns() // tick_ns
    assert before <= reading
    assert reading <= after


def test_monotonic_clock_never_goes_back() -> None:
    clock = MonotonicClock(tick_ns=1)
    readings = [clock.now() for _ in range(1000)]
    assert readings == sorted(readings)


def test_monotonic_clock_default_tick_is_millisecond() -> None:
    assert MonotonicClock().tick_ns == 1_000_000


@pytest.mark.parametrize("tick_ns", [0, -1])
def test_monotonic_clock_rejects_non_positive_tick(tick_ns: int) -> None:
    with pytest.raises(ValueError, match="tick_ns must be at least 1"):
        MonotonicClock(tick_ns=tick_ns)


def test_monotonic_clock_rejects_float_tick() -> None:
    with pytest.raises(TypeError, match="tick_ns must be an int"):
        MonotonicClock(tick_ns=1.0)  # type: ignore[arg-type]
