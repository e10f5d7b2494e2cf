"""The adapter that drives one key of a RateLimiter as ``specs/rate_limiter.spec``."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import ClassVar

from reference_impl.clock import ManualClock
from reference_impl.rate_limiter import (
    CostExceedsCapacityError,
    InvalidCostError,
    RateLimiter,
)

__all__ = ["KeyAdapter", "RateLimiterAdapter"]


class RateLimiterAdapter:
    """A RateLimiter on a manual clock that starts at 0, driven through one key.

    The spec describes a single bucket, so every operation uses the key
    :attr:`KEY`.

    Args:
        constants: the spec's constants ``capacity`` and ``refill_rate``.

    Raises:
        KeyError: if a constant is missing.
    """

    KEY: ClassVar[str] = "default"

    errors: ClassVar[dict[type[BaseException], str]] = {
        InvalidCostError: "InvalidCost",
        CostExceedsCapacityError: "CostExceedsCapacity",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._clock = ManualClock(0)
        self._limiter = RateLimiter(
            capacity=constants["capacity"],
            refill_rate=constants["refill_rate"],
            clock=self._clock,
        )
        # The spec's bucket exists from its init, with last_refill 0. Creating
        # the key's bucket now, at reading 0, keeps observe() equal to the
        # model even if the clock ticks before the first operation.
        self._limiter.snapshot(self.KEY)

    @property
    def limiter(self) -> RateLimiter:
        """The limiter under test."""
        return self._limiter

    def try_acquire(self, cost: int) -> bool:
        """Perform the spec's ``try_acquire``, raising its errors."""
        return self._limiter.try_acquire(self.KEY, cost)

    def wait_time(self, cost: int) -> int:
        """Perform the spec's ``wait_time``, raising its errors."""
        return self._limiter.wait_time(self.KEY, cost)

    def available_tokens(self) -> int:
        """Return the bucket's level brought up to the current reading."""
        return self._limiter.available(self.KEY)

    def tick(self, elapsed: int) -> None:
        """Advance the manual clock by ``elapsed`` ticks, at least 1."""
        self._clock.advance(elapsed)

    def observe(self) -> dict[str, object]:
        """Return the bucket's state under the spec's variable names."""
        return _observe(self._limiter, self.KEY)

    def partition(self, key: int) -> KeyAdapter:
        """Return the operations on the bucket of ``key``, on the same limiter.

        The buckets of different keys are independent, so a concurrency test
        spreads its operations over several keys and checks each key's
        history against a model of its own. The clock is shared: ``tick``
        acts on every key.
        """
        return KeyAdapter(self._limiter, ("partition", key))


class KeyAdapter:
    """The spec's operations on one key's bucket of a shared RateLimiter."""

    errors = RateLimiterAdapter.errors

    def __init__(self, limiter: RateLimiter, key: Hashable) -> None:
        self._limiter = limiter
        self._key = key
        # As RateLimiterAdapter does: the bucket exists from the spec's init.
        self._limiter.snapshot(key)

    def try_acquire(self, cost: int) -> bool:
        """Perform the spec's ``try_acquire`` on this key's bucket."""
        return self._limiter.try_acquire(self._key, cost)

    def wait_time(self, cost: int) -> int:
        """Perform the spec's ``wait_time`` on this key's bucket."""
        return self._limiter.wait_time(self._key, cost)

    def available_tokens(self) -> int:
        """Return this key's level brought up to the current reading."""
        return self._limiter.available(self._key)

    def observe(self) -> dict[str, object]:
        """Return this key's bucket state under the spec's variable names."""
        return _observe(self._limiter, self._key)


def _observe(limiter: RateLimiter, key: Hashable) -> dict[str, object]:
    state = limiter.snapshot(key)
    return {"tokens": state.tokens, "last_refill": state.last_refill, "now": state.now}
