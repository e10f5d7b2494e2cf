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

A limiter given a store (:class:`BucketStore`) writes each bucket there
whenever it changes, and :meth:`RateLimiter.recover` rebuilds a crashed
limiter from it. Without the store a restart would refill every bucket, and
each key could spend a whole burst again. :class:`MemoryBucketStore` keeps
the buckets in memory, so it survives the loss of a limiter object but not
of the whole interpreter.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from reference_impl._checks import require_int, require_positive_int
from reference_impl.clock import Clock, MonotonicClock

__all__ = [
    "BucketSnapshot",
    "BucketStore",
    "CostExceedsCapacityError",
    "InvalidCostError",
    "MemoryBucketStore",
    "RateLimitError",
    "RateLimiter",
    "SavedBucket",
]

logger = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class SavedBucket:
    """One bucket as a store keeps it: the level at its last refill, and when."""

    tokens: int
    last_refill: int


class BucketStore(Protocol):
    """The storage a limiter saves its buckets to, which must be thread-safe."""

    def save(self, key: Hashable, bucket: SavedBucket) -> None:
        """Save or replace the bucket of ``key``."""
        ...

    def contents(self) -> Mapping[Hashable, SavedBucket]:
        """Return every saved bucket by key, read atomically."""
        ...


class MemoryBucketStore:
    """A thread-safe in-memory store, held by an owner that outlives the limiter."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[Hashable, SavedBucket] = {}

    def save(self, key: Hashable, bucket: SavedBucket) -> None:
        """Save or replace the bucket of ``key``."""
        with self._lock:
            self._buckets[key] = bucket

    def contents(self) -> Mapping[Hashable, SavedBucket]:
        """Return every saved bucket by key, read atomically."""
        with self._lock:
            return MappingProxyType(dict(self._buckets))


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
        store: the storage that receives each bucket, while the limiter
            holds its lock, when it is created or its level changes, so that
            :meth:`recover` can rebuild the limiter after a crash. It should
            start empty. An exception from the store propagates to the caller.

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
        store: BucketStore | None = None,
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
        self._store = store

    @classmethod
    def recover(
        cls,
        store: BucketStore,
        *,
        capacity: int,
        refill_rate: int,
        clock: Clock | None = None,
    ) -> RateLimiter:
        """Rebuild a crashed limiter from its store.

        Every saved bucket comes back with the level and last refill it was
        last saved with, so a key has no more tokens after recovery than it
        had before the crash, and refill goes on from the saved reading. A
        last refill later than the clock's reading, as after a reboot
        restarts a monotonic clock, is moved back to the reading, so the
        bucket refills from then on and its level never goes negative. A
        key with no saved bucket starts full, as in a new limiter. The new
        limiter keeps writing to ``store``.

        Args:
            store: the store the crashed limiter wrote to.
            capacity, refill_rate, clock: as for the constructor.

        Raises:
            ValueError: if a saved level is outside 0 to ``capacity``.
        """
        limiter = cls(capacity=capacity, refill_rate=refill_rate, clock=clock)
        contents = store.contents()
        now = limiter._clock.now()
        for key, saved in contents.items():
            limiter._buckets[key] = limiter._restore(key, saved, now)
        limiter._store = store
        logger.info("rate limiter recovered %d bucket(s)", len(contents))
        return limiter

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
            self._save(key, bucket)
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
            # Saved because recovery needs the reading at which refill started.
            self._save(key, bucket)
        return bucket

    def _save(self, key: Hashable, bucket: _Bucket) -> None:
        # The caller holds the lock, so the store receives changes in order.
        if self._store is not None:
            self._store.save(key, SavedBucket(bucket.tokens, bucket.last_refill))

    def _restore(self, key: Hashable, saved: SavedBucket, now: int) -> _Bucket:
        if not 0 <= saved.tokens <= self._capacity:
            raise ValueError(
                f"saved level {saved.tokens} of key {key!r} is outside 0 to "
                f"{self._capacity}, the bucket capacity"
            )
        return _Bucket(tokens=saved.tokens, last_refill=min(saved.last_refill, now))

    def _level(self, bucket: _Bucket, now: int) -> int:
        refilled = bucket.tokens + (now - bucket.last_refill) * self._refill_rate
        return min(self._capacity, refilled)
