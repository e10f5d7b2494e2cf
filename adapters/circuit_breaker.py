"""The adapter that drives a CircuitBreaker as ``specs/circuit_breaker.spec``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, TypedDict

from reference_impl.circuit_breaker import (
    CircuitBreaker,
    CircuitOpenError,
    MemoryBreakerStore,
    Mode,
    TrialLimitReachedError,
)
from reference_impl.clock import ManualClock

__all__ = ["CircuitBreakerAdapter"]

# The spec's member names for each mode, spelled as in its `enum Mode`.
_SPEC_MODE_NAMES: dict[Mode, str] = {
    Mode.CLOSED: "Closed",
    Mode.OPEN: "Open",
    Mode.HALF_OPEN: "HalfOpen",
}


class _Settings(TypedDict):
    failure_threshold: int
    reset_timeout: int
    half_open_max_calls: int


class CircuitBreakerAdapter:
    """A CircuitBreaker on a manual clock that starts at 0, as the spec's init.

    Args:
        constants: the spec's constants ``failure_threshold``,
            ``reset_timeout`` and ``half_open_max_calls``.

    Raises:
        KeyError: if a constant is missing.
    """

    errors: ClassVar[dict[type[BaseException], str]] = {
        CircuitOpenError: "CircuitOpen",
        TrialLimitReachedError: "TrialLimitReached",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._clock = ManualClock(0)
        self._settings: _Settings = {
            "failure_threshold": constants["failure_threshold"],
            "reset_timeout": constants["reset_timeout"],
            "half_open_max_calls": constants["half_open_max_calls"],
        }
        # The store outlives a crash of the breaker, as a durable one would.
        self._store = MemoryBreakerStore()
        self._breaker = CircuitBreaker(
            **self._settings, clock=self._clock, store=self._store
        )

    @property
    def breaker(self) -> CircuitBreaker:
        """The breaker under test."""
        return self._breaker

    def allow_request(self) -> None:
        """Perform the spec's ``allow_request``, raising its errors."""
        self._breaker.allow_request()

    def record_success(self) -> None:
        """Perform the spec's ``record_success``."""
        self._breaker.record_success()

    def record_failure(self) -> None:
        """Perform the spec's ``record_failure``."""
        self._breaker.record_failure()

    def current_mode(self) -> str:
        """Return the mode as the spec's member name, such as ``"HalfOpen"``."""
        return _SPEC_MODE_NAMES[self._breaker.mode]

    def failure_count(self) -> int:
        """Return the consecutive failures counted while closed."""
        return self._breaker.failure_count

    def tick(self, elapsed: int) -> None:
        """Advance the manual clock by ``elapsed`` ticks, at least 1."""
        self._clock.advance(elapsed)

    def crash(self) -> None:
        """Lose the breaker and everything in its memory. The store survives."""
        del self._breaker

    def recover(self) -> None:
        """Rebuild the breaker from the store."""
        self._breaker = CircuitBreaker.recover(
            self._store, **self._settings, clock=self._clock
        )

    def observe(self) -> dict[str, object]:
        """Return the breaker's state under the spec's variable names."""
        state = self._breaker.snapshot()
        return {
            "mode": _SPEC_MODE_NAMES[state.mode],
            "failures": state.failures,
            "trials": state.trials,
            "opened_at": state.opened_at,
            "now": state.now,
        }
