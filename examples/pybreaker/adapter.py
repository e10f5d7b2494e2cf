"""The adapter that drives pybreaker's CircuitBreaker as ``pybreaker.spec``.

pybreaker reads the wall clock (``datetime.now(UTC)``) and keeps no clock of
its own that a caller could inject. What it does let a caller supply is the
state storage, a documented extension point (``state_storage=``), and the
storage is where the breaker keeps ``opened_at``. So the clock trick lives
there: `SimulatedClockStorage` counts simulated seconds, remembers the second
at which the circuit opened, and whenever the breaker reads ``opened_at`` it
returns "the wall clock now, minus the simulated seconds since opening". The
breaker then compares that with its own reading of the wall clock, so its
comparison, boundary included, is the library's and not ours, and no test
ever sleeps.

Limits of the trick:

- The breaker reads ``opened_at`` and then the wall clock. Real time passing
  between the two reads only makes the breaker think more time has passed,
  so a call is rejected wrongly only if those two reads were a whole second
  apart, and let through wrongly only if the wall clock stepped backwards
  between them.
- Exactly at the timeout the two reads differ by microseconds. The library's
  comparison there is strict (the circuit stays open while ``now <
  opened_at + timeout``), so the trial goes ahead whatever the gap; a
  version that compared with ``<=`` would be caught only when both reads
  fell in the same microsecond.
- Wall-clock steps (an NTP correction) are out of reach: the simulated
  clock moves only forward, with `tick`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pybreaker

__all__ = [
    "BusinessError",
    "DependencyError",
    "PyBreakerAdapter",
    "SimulatedClockStorage",
]

# The spec's member names for each of pybreaker's state strings.
_SPEC_STATE_NAMES: dict[str, str] = {
    pybreaker.STATE_CLOSED: "Closed",
    pybreaker.STATE_OPEN: "Open",
    pybreaker.STATE_HALF_OPEN: "HalfOpen",
}


class BusinessError(Exception):
    """A business error: the adapter's breaker excludes it."""


class DependencyError(Exception):
    """A system failure of the guarded function: it counts as a failure."""


class SimulatedClockStorage(pybreaker.CircuitMemoryStorage):
    """In-memory breaker state whose ``opened_at`` follows a simulated clock."""

    def __init__(self) -> None:
        super().__init__(pybreaker.STATE_CLOSED)
        self.now = 0
        self.opened_at_second = 0
        self._opened = False

    def advance(self, seconds: int) -> None:
        """Let ``seconds`` simulated seconds pass."""
        self.now += seconds

    @property
    def opened_at(self) -> datetime | None:
        """The wall clock now, less the simulated seconds since the circuit opened."""
        if not self._opened:
            return None
        elapsed = timedelta(seconds=self.now - self.opened_at_second)
        return datetime.now(UTC) - elapsed

    @opened_at.setter
    def opened_at(self, wall_clock: datetime) -> None:
        # The breaker passes its wall-clock reading, which is dropped, because
        # the spec's `opened_at` is the simulated second.
        del wall_clock
        self.opened_at_second = self.now
        self._opened = True


class PyBreakerAdapter:
    """A pybreaker CircuitBreaker on a simulated clock that starts at 0.

    The breaker excludes `BusinessError` and keeps pybreaker's default
    ``throw_new_error_on_trip=True``.

    Args:
        constants: the spec's ``fail_max``, ``reset_timeout`` (seconds) and
            ``success_threshold``.

    Raises:
        KeyError: if a constant is missing.
    """

    errors: ClassVar[dict[type[BaseException], str]] = {
        pybreaker.CircuitBreakerError: "CircuitOpen",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._storage = SimulatedClockStorage()
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=constants["fail_max"],
            reset_timeout=constants["reset_timeout"],
            success_threshold=constants["success_threshold"],
            exclude=[BusinessError],
            state_storage=self._storage,
        )

    @property
    def breaker(self) -> pybreaker.CircuitBreaker:
        """The breaker under test."""
        return self._breaker

    def call_returning(self) -> str:
        """Guard a function that returns; return the spec's ``Reply``."""
        return self._call(None)

    def call_raising_system_error(self) -> str:
        """Guard a function that raises `DependencyError`; return the ``Reply``."""
        return self._call(DependencyError)

    def call_raising_excluded(self) -> str:
        """Guard a function that raises `BusinessError`; return the ``Reply``."""
        return self._call(BusinessError)

    def _call(self, raises: type[Exception] | None) -> str:
        # pybreaker raises CircuitBreakerError both for a rejection and for a
        # trip, so whether the function ran distinguishes the two: a rejected
        # call never runs it (the spec's CircuitOpen error).
        ran = False

        def guarded() -> None:
            nonlocal ran
            ran = True
            if raises is not None:
                raise raises()

        try:
            self._breaker.call(guarded)
        except pybreaker.CircuitBreakerError:
            if not ran:
                raise
            return "Tripped"
        except (DependencyError, BusinessError):
            return "Raised"
        return "Returned"

    def close_circuit(self) -> None:
        """Perform pybreaker's ``close()``."""
        self._breaker.close()

    def half_open_circuit(self) -> None:
        """Perform pybreaker's ``half_open()``."""
        self._breaker.half_open()

    def open_circuit(self) -> None:
        """Perform pybreaker's ``open()``."""
        self._breaker.open()

    def current_state(self) -> str:
        """Return ``current_state`` as the spec's member name, as ``"HalfOpen"``."""
        return _SPEC_STATE_NAMES[self._breaker.current_state]

    def fail_counter(self) -> int:
        """Return pybreaker's ``fail_counter``."""
        return self._breaker.fail_counter

    def success_counter(self) -> int:
        """Return pybreaker's ``success_counter``."""
        return self._breaker.success_counter

    def tick(self, elapsed: int) -> None:
        """Let ``elapsed`` simulated seconds pass, at least 1."""
        if elapsed < 1:
            raise ValueError(f"invalid elapsed={elapsed}: tick needs at least 1 second")
        self._storage.advance(elapsed)

    def observe(self) -> dict[str, object]:
        """Return the breaker's state under the spec's variable names."""
        return {
            "state": self.current_state(),
            "failures": self._breaker.fail_counter,
            "successes": self._breaker.success_counter,
            "opened_at": self._storage.opened_at_second,
            "now": self._storage.now,
        }
