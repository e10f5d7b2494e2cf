"""Monotonic clocks with integer readings, injected into the components.

The components do integer arithmetic on clock readings (a refill rate is tokens
per tick, a reset timeout is a number of ticks), so a reading is an ``int``
tick count rather than float seconds. Every clock must be monotonic: a reading
is never less than an earlier one.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from reference_impl._checks import require_int, require_positive_int

__all__ = ["Clock", "ManualClock", "MonotonicClock"]


class Clock(Protocol):
    """A source of monotonic integer readings, in ticks."""

    def now(self) -> int:
        """Return the current reading, never less than any earlier one."""
        ...


class MonotonicClock:
    """A clock backed by ``time.monotonic_ns``, counting whole ticks.

    Args:
        tick_ns: the length of one tick in nanoseconds. The default is one
            millisecond. Choose it so that the rates and timeouts you need are
            whole numbers of tokens per tick and ticks.

    Raises:
        TypeError: if ``tick_ns`` is not an int.
        ValueError: if ``tick_ns`` is less than 1.
    """

    def __init__(self, tick_ns: int = 1_000_000) -> None:
        self._tick_ns = require_positive_int("tick_ns", tick_ns)

    @property
    def tick_ns(self) -> int:
        """The length of one tick in nanoseconds."""
        return self._tick_ns

    def now(self) -> int:
        """Return the number of whole ticks on the system's monotonic clock."""
        return time.monotonic_ns() // self._tick_ns


class ManualClock:
    """A clock that moves only when :meth:`advance` is called, for tests.

    Safe to share between threads: readings and advances are serialized, so
    every thread sees the readings in the order the advances happened.

    Args:
        start: the first reading.

    Raises:
        TypeError: if ``start`` is not an int.
    """

    def __init__(self, start: int = 0) -> None:
        self._reading = require_int("start", start)
        self._lock = threading.Lock()

    def now(self) -> int:
        """Return the current reading."""
        with self._lock:
            return self._reading

    def advance(self, delta: int) -> int:
        """Move the clock forward and return the new reading.

        Args:
            delta: the number of ticks to add, at least 1.

        Raises:
            TypeError: if ``delta`` is not an int.
            ValueError: if ``delta`` is less than 1. A negative delta would
                break monotonicity, and a zero delta is rejected as well
                because an advance that does not move the clock hides a
                mistake in the caller.
        """
        require_int("delta", delta)
        if delta < 1:
            raise ValueError(f"clock delta must be at least 1 tick, got {delta}")
        with self._lock:
            self._reading += delta
            return self._reading
