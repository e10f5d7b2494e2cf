"""A mutual-exclusion lock whose holder keeps it only while its lease runs.

A holder acquires the lock for ``lease_ticks`` ticks of the injected clock and
renews the lease to keep it. The lock becomes free when the holder releases
it, when the lease runs out, or when the holder's liveness probe reports that
it died, whichever comes first, so a crashed holder never blocks the others
for longer than one lease.

Every grant carries a fencing token, one more than the previous grant's. A
resource guarded by the lock can reject writes that carry a token lower than
the highest it has seen, which stops a holder whose lease ran out while it
was paused from doing damage after a new holder took over.

A lock given a store (:mod:`reference_impl.coordination.store`) writes each
grant, renewal and release to it, and :meth:`LeaseLock.recover` rebuilds a
crashed lock from it: a lock that forgot its holder would grant the lock a
second time, and one that forgot its token would reissue fencing tokens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from reference_impl._checks import require_positive_int
from reference_impl.clock import Clock, MonotonicClock
from reference_impl.coordination._identity import require_identity, require_liveness
from reference_impl.coordination.liveness import Liveness, always_alive
from reference_impl.coordination.store import SnapshotStore

__all__ = [
    "LeaseLock",
    "LeaseLockSnapshot",
    "LockError",
    "LockHeldError",
    "NotHolderError",
]

logger = logging.getLogger(__name__)


class LockError(Exception):
    """Base class of the errors a lease lock raises for a rejected request."""


class LockHeldError(LockError):
    """The lock is held by a live holder whose lease has not run out.

    Attributes:
        expires_at: the clock reading at which the current lease ends unless
            it is renewed.
    """

    def __init__(self, name: str, expires_at: int) -> None:
        super().__init__(
            f"lock {name!r} is held; its lease ends at clock reading {expires_at} "
            f"unless renewed"
        )
        self.expires_at = expires_at


class NotHolderError(LockError):
    """The caller does not hold the lock: it never did, released it, or lost it.

    A lease that ran out, or a probe that reported the holder dead, loses the
    lock even if nobody else has acquired it since.
    """

    def __init__(self, name: str, holder: Hashable) -> None:
        super().__init__(f"{holder!r} does not hold lock {name!r}")
        self.holder = holder


@dataclass(frozen=True)
class LeaseLockSnapshot:
    """The stored state of a lease lock at one instant.

    Attributes:
        holder: the holder of the latest grant, or None after a release. A
            holder whose lease ran out or who died is still recorded here
            until the next grant; :meth:`LeaseLock.holder` reports who holds
            the lock now.
        expires_at: the clock reading at which the latest lease ends or ended.
        token: the fencing token of the latest grant, 0 before the first.
        now: the clock reading at which the snapshot was taken.
    """

    holder: Hashable | None
    expires_at: int
    token: int
    now: int


class LeaseLock:
    """A lease-based lock guarded by one internal mutex.

    Args:
        lease_ticks: how long a grant or a renewal lasts, in clock ticks.
        clock: the source of monotonic readings. The default is a
            :class:`~reference_impl.clock.MonotonicClock` in milliseconds.
        name: a label for log records and error messages.
        store: where every change is saved, so that :meth:`recover` can
            rebuild the lock after a crash. It should start empty.

    Raises:
        TypeError: if ``lease_ticks`` is not an int.
        ValueError: if ``lease_ticks`` is less than 1.
    """

    def __init__(
        self,
        *,
        lease_ticks: int,
        clock: Clock | None = None,
        name: str = "lock",
        store: SnapshotStore[LeaseLockSnapshot] | None = None,
    ) -> None:
        self._lease_ticks = require_positive_int("lease_ticks", lease_ticks)
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._name = name
        self._mutex = threading.Lock()
        self._holder: Hashable | None = None
        self._liveness: Liveness = always_alive
        self._expires_at = 0
        self._token = 0
        self._store = store

    @classmethod
    def recover(
        cls,
        store: SnapshotStore[LeaseLockSnapshot],
        *,
        lease_ticks: int,
        clock: Clock | None = None,
        name: str = "lock",
        liveness: Callable[[Hashable], Liveness] | None = None,
    ) -> LeaseLock:
        """Rebuild a crashed lock from its store.

        The holder, the end of its lease and the fencing token come back as
        the crashed lock last saved them. So a lease granted before the crash
        blocks a second grant until it ends, and the next grant's token is
        one above the last. The new lock keeps writing to ``store``.

        Args:
            store: the store the crashed lock wrote to.
            lease_ticks: as for the constructor.
            clock: as for the constructor.
            name: as for the constructor.
            liveness: returns a probe for a recovered holder, since a probe
                does not survive the crash. Without it the holder counts as
                alive until its lease runs out.

        Raises:
            TypeError: if ``lease_ticks`` is not an int, or a probe is not
                callable.
            ValueError: if ``lease_ticks`` is less than 1.
        """
        lock = cls(lease_ticks=lease_ticks, clock=clock, name=name, store=store)
        saved = store.load()
        if saved is None:
            return lock
        lock._holder = saved.holder
        lock._expires_at = saved.expires_at
        lock._token = saved.token
        if saved.holder is not None and liveness is not None:
            lock._liveness = require_liveness("liveness", liveness(saved.holder))
        logger.info(
            "lock %r recovered: holder %r, lease ends at %d, token %d",
            name,
            saved.holder,
            saved.expires_at,
            saved.token,
        )
        return lock

    @property
    def lease_ticks(self) -> int:
        """How long a grant or a renewal lasts, in clock ticks."""
        return self._lease_ticks

    @property
    def name(self) -> str:
        """The label used in log records and error messages."""
        return self._name

    @property
    def token(self) -> int:
        """The fencing token of the latest grant, 0 before the first."""
        with self._mutex:
            return self._token

    def acquire(self, holder: Hashable, *, liveness: Liveness | None = None) -> int:
        """Take the lock for one lease if nobody holds it, without blocking.

        Args:
            holder: the identity of the caller, compared with ``==``.
            liveness: a probe that reports whether ``holder`` still runs (see
                :mod:`reference_impl.coordination.liveness`). Without one the
                holder counts as alive until its lease runs out.

        Returns:
            The fencing token of this grant, one more than the previous one.

        Raises:
            LockHeldError: if a live holder's lease has not run out. That
                includes ``holder`` itself: the lock is not reentrant, so use
                :meth:`renew` to keep it.
            TypeError: if ``holder`` is not hashable or ``liveness`` is not
                callable.
        """
        require_identity("holder", holder)
        probe = require_liveness("liveness", liveness)
        with self._mutex:
            now = self._clock.now()
            if self._held_at(now):
                raise LockHeldError(self._name, self._expires_at)
            self._holder = holder
            self._liveness = probe
            self._expires_at = now + self._lease_ticks
            self._token += 1
            token = self._token
            self._save(now)
        logger.debug("lock %r granted to %r with token %d", self._name, holder, token)
        return token

    def renew(self, holder: Hashable) -> int:
        """Extend the holder's lease to ``lease_ticks`` from now.

        Returns:
            The clock reading at which the renewed lease ends.

        Raises:
            NotHolderError: if ``holder`` does not hold the lock now.
        """
        with self._mutex:
            now = self._clock.now()
            if not self._held_by(holder, now):
                raise NotHolderError(self._name, holder)
            self._expires_at = now + self._lease_ticks
            self._save(now)
            return self._expires_at

    def release(self, holder: Hashable) -> None:
        """Give the lock up before the lease runs out.

        Raises:
            NotHolderError: if ``holder`` does not hold the lock now.
        """
        with self._mutex:
            now = self._clock.now()
            if not self._held_by(holder, now):
                raise NotHolderError(self._name, holder)
            self._holder = None
            self._liveness = always_alive
            self._save(now)
        logger.debug("lock %r released by %r", self._name, holder)

    def holder(self) -> Hashable | None:
        """Return who holds the lock now, or None if it is free."""
        with self._mutex:
            return self._holder if self._held_at(self._clock.now()) else None

    def snapshot(self) -> LeaseLockSnapshot:
        """Return the stored state and the clock reading, read atomically."""
        with self._mutex:
            return LeaseLockSnapshot(
                holder=self._holder,
                expires_at=self._expires_at,
                token=self._token,
                now=self._clock.now(),
            )

    def _save(self, now: int) -> None:
        # The caller holds the mutex, so the store receives changes in order.
        if self._store is not None:
            self._store.save(
                LeaseLockSnapshot(self._holder, self._expires_at, self._token, now)
            )

    def _held_at(self, now: int) -> bool:
        # The caller holds the mutex.
        return self._holder is not None and now < self._expires_at and self._liveness()

    def _held_by(self, holder: Hashable, now: int) -> bool:
        # The caller holds the mutex.
        return self._held_at(now) and self._holder == holder
