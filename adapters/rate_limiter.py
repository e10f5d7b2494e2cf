"""The adapter that drives one key of a RateLimiter as ``specs/rate_limiter.spec``."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import ClassVar

from reference_impl.clock import ManualClock
from reference_impl.rate_limiter import (
    CostExceedsCapacityError,
    InvalidCostError,
    MemoryBucketStore,
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
        self._capacity = constants["capacity"]
        self._refill_rate = constants["refill_rate"]
        # The store outlives a crash of the limiter, as a durable one would.
        self._store = MemoryBucketStore()
        self._limiter = RateLimiter(
            capacity=self._capacity,
            refill_rate=self._refill_rate,
            clock=self._clock,
            store=self._store,
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

    def crash(self) -> None:
        """Lose the limiter and everything in its memory. The store survives."""
        del self._limiter

    def recover(self) -> None:
        """Rebuild the limiter and its buckets from the store."""
        self._limiter = RateLimiter.recover(
            self._store,
            capacity=self._capacity,
            refill_rate=self._refill_rate,
            clock=self._clock,
        )

    def observe(self) -> dict[str, object]:
        """Return the bucket's state under the spec's variable names."""
        return _observe(self._limiter, self.KEY)

    def partition(self, key: int) -> KeyAdapter:
        """Return the operations on the bucket of ``key``, on the same limiter.

        The buckets of different keys are independent, so a concurrency test
        spreads its operations over several keys and checks each key's
        history against a model of its own. The clock is shared: ``tick``
        acts on every key.
        The part reads :attr:`limiter` at each call, so after :meth:`recover`
        it acts on the recovered limiter.
        """
        return KeyAdapter(self, ("partition", key))


class KeyAdapter:
    """The spec's operations on one key's bucket of a shared RateLimiter."""

    errors = RateLimiterAdapter.errors

    def __init__(self, owner: RateLimiterAdapter, key: Hashable) -> None:
        self._owner = owner
        self._key = key
        # As RateLimiterAdapter does: the bucket exists from the spec's init.
        owner.limiter.snapshot(key)

    def try_acquire(self, cost: int) -> bool:
        """Perform the spec's ``try_acquire`` on this key's bucket."""
        return self._owner.limiter.try_acquire(self._key, cost)

    def wait_time(self, cost: int) -> int:
        """Perform the spec's ``wait_time`` on this key's bucket."""
        return self._owner.limiter.wait_time(self._key, cost)

    def available_tokens(self) -> int:
        """Return this key's level brought up to the current reading."""
        return self._owner.limiter.available(self._key)

    def observe(self) -> dict[str, object]:
        """Return this key's bucket state under the spec's variable names."""
        return _observe(self._owner.limiter, self._key)


def _observe(limiter: RateLimiter, key: Hashable) -> dict[str, object]:
    state = limiter.snapshot(key)
    return {"tokens": state.tokens, "last_refill": state.last_refill, "now": state.now}
