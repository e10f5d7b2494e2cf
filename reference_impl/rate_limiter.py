"""A thread-safe token-bucket rate limiter with one bucket per key.

Each bucket holds up to ``capacity`` tokens and gains ``refill_rate`` tokens
per clock tick. Refill is lazy: a bucket stores its level at its last refill
and the clock reading of that refill, and the current level is computed as
``min(capacity, tokens + (now - last_refill) * refill_rate)`` when it is
needed. All arithmetic is on integers, as in ``specs/rate_limiter.spec``.

A bucket is created full the first time a call names its key and passes the
argument checks, with its last refill at the clock reading of that moment. A
full bucket and a missing one behave the same, so creating it changes no
observable level.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass

from reference_impl._checks import require_int, require_positive_int
from reference_impl.clock import Clock, MonotonicClock

__all__ = [
    "BucketSnapshot",
    "CostExceedsCapacityError",
    "InvalidCostError",
    "RateLimitError",
    "RateLimiter",
]


class RateLimitError(ValueError):
    """Base class of the reasons a rate limiter rejects a cost."""


class InvalidCostError(RateLimitError):
    """The cost is less than 1 token."""

    def __init__(self, cost: int) -> None:
        super().__init__(f"cost must be at least 1 token, got {cost}")
        self.cost = cost


class CostExceedsCapacityError(RateLimitError):
    """The cost is more than a full bucket holds, so it could never be paid."""

    def __init__(self, cost: int, capacity: int) -> None:
        super().__init__(
            f"cost {cost} exceeds the bucket capacity of {capacity} tokens"
        )
        self.cost = cost
        self.capacity = capacity


@dataclass(frozen=True)
class BucketSnapshot:
    """The stored state of one bucket at one instant.

    Attributes:
        tokens: the level at the last refill, not brought up to ``now``.
        last_refill: the clock reading of the last refill.
        now: the clock reading at which the snapshot was taken.
    """

    tokens: int
    last_refill: int
    now: int


@dataclass
class _Bucket:
    tokens: int
    last_refill: int


class RateLimiter:
    """A non-blocking token-bucket limiter keyed by any hashable value.

    Buckets are never evicted, so memory grows with the number of distinct
    keys.

    Args:
        capacity: the maximum number of tokens in a bucket, and the largest cost.
        refill_rate: tokens a bucket gains per clock tick.
        clock: the source of monotonic readings. The default is a
            :class:`~reference_impl.clock.MonotonicClock` in milliseconds.

    Raises:
        TypeError: if ``capacity`` or ``refill_rate`` is not an int.
        ValueError: if ``capacity`` or ``refill_rate`` is less than 1.
    """

    def __init__(
        self,
        *,
        capacity: int,
        refill_rate: int,
        clock: Clock | None = None,
    ) -> None:
        self._capacity = require_positive_int("capacity", capacity)
        self._refill_rate = require_positive_int("refill_rate", refill_rate)
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._buckets: dict[Hashable, _Bucket] = {}
        # One lock for the whole limiter rather than one per key. Each
        # critical section is a dict lookup and a few integer operations, so
        # per-key locks would add a second lock (to create buckets safely)
        # without letting more work run in parallel.
        self._lock = threading.Lock()

    @property
    def capacity(self) -> int:
        """The maximum number of tokens in a bucket."""
        return self._capacity

    @property
    def refill_rate(self) -> int:
        """Tokens a bucket gains per clock tick."""
        return self._refill_rate

    def try_acquire(self, key: Hashable, cost: int = 1) -> bool:
        """Take ``cost`` tokens from the key's bucket if it has them, without blocking.

        Either way the bucket is refilled up to the current reading, so a
        rejection still records the refill.

        Returns:
            True if the tokens were taken, False if the bucket had too few and
            nothing was taken.

        Raises:
            InvalidCostError: if ``cost`` is less than 1.
            CostExceedsCapacityError: if ``cost`` is more than ``capacity``.
        """
        self._check_cost(cost)
        with self._lock:
            now = self._clock.now()
            bucket = self._bucket(key, now)
            level = self._level(bucket, now)
            admitted = level >= cost
            bucket.tokens = level - cost if admitted else level
            bucket.last_refill = now
            return admitted

    def wait_time(self, key: Hashable, cost: int = 1) -> int:
        """Return the ticks until the key's bucket contains ``cost`` tokens.

        The result is 0 if the tokens are there now. It is exact: after
        waiting that many ticks :meth:`try_acquire` admits the cost, provided
        nothing else takes tokens first, and one tick earlier it would not.
        The bucket is not changed.

        Raises:
            InvalidCostError: if ``cost`` is less than 1.
            CostExceedsCapacityError: if ``cost`` is more than ``capacity``.
        """
        self._check_cost(cost)
        with self._lock:
            now = self._clock.now()
            level = self._level(self._bucket(key, now), now)
        if level >= cost:
            return 0
        # Ceiling division: the fewest whole ticks that refill the shortfall.
        return (cost - level + self._refill_rate - 1) // self._refill_rate

    def available(self, key: Hashable) -> int:
        """Return the key's current level, refilled up to now but not stored."""
        with self._lock:
            now = self._clock.now()
            return self._level(self._bucket(key, now), now)

    def snapshot(self, key: Hashable) -> BucketSnapshot:
        """Return the key's stored bucket state and the clock reading, atomically."""
        with self._lock:
            now = self._clock.now()
            bucket = self._bucket(key, now)
            return BucketSnapshot(
                tokens=bucket.tokens, last_refill=bucket.last_refill, now=now
            )

    def _check_cost(self, cost: int) -> None:
        require_int("cost", cost)
        if cost < 1:
            raise InvalidCostError(cost)
        if cost > self._capacity:
            raise CostExceedsCapacityError(cost, self._capacity)

    def _bucket(self, key: Hashable, now: int) -> _Bucket:
        # The caller holds the lock.
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=self._capacity, last_refill=now)
            self._buckets[key] = bucket
        return bucket

    def _level(self, bucket: _Bucket, now: int) -> int:
        refilled = bucket.tokens + (now - bucket.last_refill) * self._refill_rate
        return min(self._capacity, refilled)
