"""Deliberately wrong implementations that only a concurrency test can catch.

Each one behaves exactly like the bundled component when called from one
thread at a time, so every sequential contract test passes on it.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.circuit_breaker import CircuitBreakerAdapter
from reference_impl.circuit_breaker import (
    CircuitBreaker,
    CircuitOpenError,
    Mode,
    TrialLimitReachedError,
)
from reference_impl.clock import ManualClock


class RacyCircuitBreaker(CircuitBreaker):
    """Checks whether a request may go ahead, then acts on it, without the lock.

    Two threads that both find the breaker open with its timeout passed both
    admit a trial, and two that both find a trial slot free both take it:
    a half-open breaker admits more trials than it allows.
    """

    def allow_request(self) -> None:
        if self._mode is Mode.OPEN:
            retry_at = self._opened_at + self._reset_timeout
            if self._clock.now() < retry_at:
                raise CircuitOpenError(self._name, retry_at)
            self._mode = Mode.HALF_OPEN
            self._trials = 1
        elif self._mode is Mode.HALF_OPEN:
            if self._trials >= self._half_open_max_calls:
                raise TrialLimitReachedError(self._name, self._half_open_max_calls)
            self._trials += 1


class RacyCircuitBreakerAdapter(CircuitBreakerAdapter):
    """The bundled adapter around a :class:`RacyCircuitBreaker`."""

    def __init__(self, constants: Mapping[str, int]) -> None:
        super().__init__(constants)
        self._clock = ManualClock(0)
        self._breaker = RacyCircuitBreaker(
            failure_threshold=constants["failure_threshold"],
            reset_timeout=constants["reset_timeout"],
            half_open_max_calls=constants["half_open_max_calls"],
            clock=self._clock,
        )
