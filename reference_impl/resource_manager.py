"""A thread-safe resource manager: capacity shared by owners under limits.

Owners acquire units of one resource (connections, worker slots, megabytes)
and release them. Every acquisition checks both limits and records the
allocation in one atomic step, so the system-wide ``capacity`` and the
per-owner ``owner_limit`` hold however many threads race for the last units.
Usage never goes negative: an owner can release only what it holds.

An owner is any unit of concurrent work with an identity: a thread, an
asyncio task, an operating-system process. An owner may come with a liveness
probe (:mod:`reference_impl.coordination.liveness`); :meth:`ResourceManager.
reap_dead` releases everything held by owners whose probes report them dead,
and an acquisition that would fail for lack of capacity reaps first, so units
held by a dead owner never turn a live owner away.

The pressure level reports how full the pool is: ``NORMAL`` below
``elevated_percent`` of capacity in use, ``ELEVATED`` from there, and
``CRITICAL`` from ``critical_percent``.

With an :class:`~reference_impl.resource_manager_store.AllocationStore`, the
manager copies every holding to the store under its lock, and
:meth:`ResourceManager.recover` rebuilds a crashed manager from it, so a
crash never frees units that an owner still holds.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from reference_impl._checks import require_int, require_positive_int
from reference_impl.coordination.liveness import Liveness, always_alive
from reference_impl.resource_manager_store import AllocationStore

__all__ = [
    "CapacityExceededError",
    "InvalidAmountError",
    "NotHeldError",
    "OwnerLimitExceededError",
    "Pressure",
    "ResourceError",
    "ResourceManager",
    "ResourceSnapshot",
]

logger = logging.getLogger(__name__)


class Pressure(enum.Enum):
    """The fullness of the pool, against the manager's thresholds."""

    NORMAL = "normal"
    ELEVATED = "elevated"
    CRITICAL = "critical"


class ResourceError(Exception):
    """Base class of the errors a resource manager raises for a rejected request."""


class InvalidAmountError(ResourceError, ValueError):
    """An amount to acquire or release below 1."""


class OwnerLimitExceededError(ResourceError):
    """The acquisition would take the owner past its limit.

    Attributes:
        owner: the owner that asked.
        amount: how many units it asked for.
        held: how many it holds.
        limit: the maximum units one owner may hold.
    """

    def __init__(self, owner: Hashable, amount: int, held: int, limit: int) -> None:
        super().__init__(
            f"owner {owner!r} holds {held} of at most {limit} units, so it cannot "
            f"acquire {amount} more"
        )
        self.owner = owner
        self.amount = amount
        self.held = held
        self.limit = limit


class CapacityExceededError(ResourceError):
    """The acquisition would take the pool past its capacity.

    Attributes:
        amount: how many units were asked for.
        used: how many are in use.
        capacity: the size of the pool.
    """

    def __init__(self, amount: int, used: int, capacity: int) -> None:
        super().__init__(
            f"{used} of {capacity} units are in use, so {amount} more cannot be "
            f"acquired"
        )
        self.amount = amount
        self.used = used
        self.capacity = capacity


class NotHeldError(ResourceError):
    """The owner tried to release more units than it holds.

    Attributes:
        owner: the owner that asked.
        amount: how many units it tried to release.
        held: how many it holds.
    """

    def __init__(self, owner: Hashable, amount: int, held: int) -> None:
        super().__init__(
            f"owner {owner!r} holds {held} units, so it cannot release {amount}"
        )
        self.owner = owner
        self.amount = amount
        self.held = held


@dataclass(frozen=True)
class ResourceSnapshot:
    """The state of a resource manager at one instant.

    Attributes:
        held: the units held by each owner that holds any.
        used: the units in use, the sum of ``held``.
        pressure: the pressure level at ``used``.
    """

    held: dict[Hashable, int]
    used: int
    pressure: Pressure


@dataclass
class _Holding:
    units: int
    liveness: Liveness


class ResourceManager:
    """A pool of ``capacity`` units guarded by one lock.

    Args:
        capacity: the size of the pool.
        owner_limit: the maximum units one owner may hold; the whole pool by
            default.
        elevated_percent: the share of capacity in use, in percent, from
            which the pressure is ``ELEVATED``.
        critical_percent: the share from which the pressure is ``CRITICAL``.
        name: a label for log records and error messages.
        store: where every holding is copied as it changes, to recover the
            manager after a crash; none by default.

    Raises:
        TypeError: if a number is not an int.
        ValueError: if ``capacity`` or ``owner_limit`` is less than 1,
            ``owner_limit`` is above ``capacity``, or the thresholds are not
            ``1 <= elevated_percent < critical_percent <= 100``.
    """

    def __init__(
        self,
        *,
        capacity: int,
        owner_limit: int | None = None,
        elevated_percent: int = 75,
        critical_percent: int = 90,
        name: str = "resources",
        store: AllocationStore | None = None,
    ) -> None:
        self._capacity = require_positive_int("capacity", capacity)
        limit = capacity if owner_limit is None else owner_limit
        self._owner_limit = require_positive_int("owner_limit", limit)
        if self._owner_limit > self._capacity:
            raise ValueError(
                f"owner_limit must be at most capacity ({capacity}), got {limit}"
            )
        self._elevated, self._critical = _require_thresholds(
            elevated_percent, critical_percent
        )
        self._name = name
        self._lock = threading.Lock()
        self._holdings: dict[Hashable, _Holding] = {}
        self._used = 0
        self._store = store

    @classmethod
    def recover(
        cls,
        store: AllocationStore,
        *,
        capacity: int,
        owner_limit: int | None = None,
        elevated_percent: int = 75,
        critical_percent: int = 90,
        name: str = "resources",
        liveness: Mapping[Hashable, Liveness] | None = None,
    ) -> ResourceManager:
        """Rebuild a crashed manager from the store it wrote to.

        Every saved holding comes back, and the usage is their sum. A probe
        is code in the caller's memory, so the store cannot keep it: each
        owner's probe comes from ``liveness``. An owner without one is
        treated as alive until it releases. The new manager keeps writing
        to ``store``.

        Args:
            store: the store the crashed manager wrote to.
            liveness: a probe for each recovered owner that has one.
            capacity, owner_limit, elevated_percent, critical_percent, name:
                as for the constructor.

        Raises:
            ValueError: if a saved holding is below 1 or above the owner
                limit, or the holdings together exceed the capacity, as
                they would after recovering with smaller limits.
        """
        manager = cls(
            capacity=capacity,
            owner_limit=owner_limit,
            elevated_percent=elevated_percent,
            critical_percent=critical_percent,
            name=name,
        )
        probes = liveness or {}
        for owner, units in store.holdings().items():
            manager._restore(owner, units, _require_probe(probes.get(owner)))
        manager._store = store
        logger.info(
            "%r: recovered %d owner(s) holding %d of %d units",
            name,
            len(manager._holdings),
            manager._used,
            manager._capacity,
        )
        return manager

    @property
    def capacity(self) -> int:
        """The size of the pool."""
        return self._capacity

    @property
    def owner_limit(self) -> int:
        """The maximum units one owner may hold."""
        return self._owner_limit

    @property
    def elevated_percent(self) -> int:
        """The share of capacity in use from which pressure is ``ELEVATED``."""
        return self._elevated

    @property
    def critical_percent(self) -> int:
        """The share of capacity in use from which pressure is ``CRITICAL``."""
        return self._critical

    def acquire(
        self, owner: Hashable, amount: int = 1, *, liveness: Liveness | None = None
    ) -> int:
        """Allocate ``amount`` units to ``owner`` if both limits allow it.

        Args:
            owner: the identity of the caller, compared with ``==``.
            amount: how many units, at least 1.
            liveness: a probe that reports whether ``owner`` still runs. It is
                kept from the acquisition that finds the owner holding
                nothing until the owner holds nothing again; later probes
                for the same holding are ignored.

        Returns:
            The units ``owner`` holds after the acquisition.

        Raises:
            InvalidAmountError: if ``amount`` is less than 1.
            OwnerLimitExceededError: if ``owner`` would hold more than
                ``owner_limit``.
            CapacityExceededError: if more than ``capacity`` units would be in
                use, even after the holdings of dead owners are released.
            TypeError: if ``owner`` is unhashable, ``amount`` is not an int,
                or ``liveness`` is not callable.
        """
        units = _require_amount(amount)
        probe = _require_probe(liveness)
        try:
            return self._allocate(owner, units, probe)
        except CapacityExceededError:
            if not self.reap_dead():
                raise
        return self._allocate(owner, units, probe)

    def release(self, owner: Hashable, amount: int = 1) -> int:
        """Return ``amount`` of ``owner``'s units to the pool.

        Returns:
            The units ``owner`` holds after the release.

        Raises:
            InvalidAmountError: if ``amount`` is less than 1.
            NotHeldError: if ``owner`` holds fewer than ``amount`` units.
            TypeError: if ``owner`` is unhashable or ``amount`` is not an int.
        """
        units = _require_amount(amount)
        with self._lock:
            holding = self._holdings.get(owner)
            if holding is None or holding.units < units:
                raise NotHeldError(owner, units, holding.units if holding else 0)
            return self._take(owner, holding, units)

    def release_all(self, owner: Hashable) -> int:
        """Return everything ``owner`` holds to the pool.

        Returns:
            How many units were released, 0 if it held nothing.
        """
        with self._lock:
            return self._drop(owner)

    def reap_dead(self) -> dict[Hashable, int]:
        """Release the holdings of every owner whose probe reports it dead.

        The probes run without the lock held, so a slow probe delays only
        this call. Call it periodically, or from whatever notices that
        processes die; :meth:`acquire` calls it before refusing for lack of
        capacity.

        Returns:
            The units released, by owner.
        """
        with self._lock:
            candidates = list(self._holdings.items())
        dead = [(owner, h) for owner, h in candidates if not self._is_alive(owner, h)]
        released: dict[Hashable, int] = {}
        with self._lock:
            for owner, holding in dead:
                # The owner may have released and acquired again meanwhile,
                # with a new probe; that newer holding is not the dead one's.
                if self._holdings.get(owner) is holding:
                    released[owner] = self._drop(owner)
        for owner, units in released.items():
            logger.info(
                "%r: released %d units of dead owner %r", self._name, units, owner
            )
        return released

    @contextmanager
    def hold(self, owner: Hashable, amount: int = 1) -> Iterator[int]:
        """Acquire ``amount`` units for the ``with`` block and release them after.

        Yields the units ``owner`` holds inside the block. If some of them
        were released meanwhile (by :meth:`release_all` or by reaping), only
        what is left of them is released at the end.
        """
        held = self.acquire(owner, amount)
        try:
            yield held
        finally:
            with self._lock:
                holding = self._holdings.get(owner)
                if holding is not None:
                    self._take(owner, holding, min(amount, holding.units))

    def holding(self, owner: Hashable) -> int:
        """Return the units ``owner`` holds, 0 if none."""
        with self._lock:
            holding = self._holdings.get(owner)
            return holding.units if holding else 0

    @property
    def used(self) -> int:
        """The units in use."""
        with self._lock:
            return self._used

    @property
    def available(self) -> int:
        """The units that can still be acquired."""
        with self._lock:
            return self._capacity - self._used

    @property
    def pressure(self) -> Pressure:
        """The pressure level at the current usage."""
        with self._lock:
            return self._pressure(self._used)

    def snapshot(self) -> ResourceSnapshot:
        """Return every holding, the usage and the pressure, read atomically."""
        with self._lock:
            held = {owner: h.units for owner, h in self._holdings.items()}
            return ResourceSnapshot(held, self._used, self._pressure(self._used))

    def _restore(self, owner: Hashable, units: int, probe: Liveness) -> None:
        # Only recover calls this, before any other thread can see the manager.
        if not 1 <= units <= self._owner_limit:
            raise ValueError(
                f"{self._name!r}: saved holding of owner {owner!r} is {units} "
                f"units, outside 1 to the owner limit {self._owner_limit}"
            )
        if self._used + units > self._capacity:
            raise ValueError(
                f"{self._name!r}: saved holdings exceed the capacity "
                f"{self._capacity}; recover with the limits the store was "
                "written under"
            )
        self._holdings[owner] = _Holding(units, probe)
        self._used += units

    def _save(self, owner: Hashable, units: int) -> None:
        # The caller holds the lock, so the store receives changes in their order.
        if self._store is None:
            return
        if units:
            self._store.save(owner, units)
        else:
            self._store.discard(owner)

    def _is_alive(self, owner: Hashable, holding: _Holding) -> bool:
        # A probe that fails gives no information about the owner. Freeing a
        # live owner's units would be worse than keeping a dead one's a while.
        try:
            return bool(holding.liveness())
        except Exception:
            logger.warning(
                "%r: liveness probe of owner %r failed; keeping its units",
                self._name,
                owner,
                exc_info=True,
            )
            return True

    def _allocate(self, owner: Hashable, units: int, probe: Liveness) -> int:
        with self._lock:
            holding = self._holdings.get(owner)
            held = holding.units if holding else 0
            if held + units > self._owner_limit:
                raise OwnerLimitExceededError(owner, units, held, self._owner_limit)
            if self._used + units > self._capacity:
                raise CapacityExceededError(units, self._used, self._capacity)
            if holding is None:
                holding = self._holdings[owner] = _Holding(0, probe)
            holding.units += units
            self._used += units
            self._save(owner, holding.units)
            return holding.units

    def _take(self, owner: Hashable, holding: _Holding, units: int) -> int:
        # The caller holds the lock and has checked that the owner has units.
        holding.units -= units
        self._used -= units
        if holding.units == 0:
            del self._holdings[owner]
        self._save(owner, holding.units)
        return holding.units

    def _drop(self, owner: Hashable) -> int:
        # The caller holds the lock.
        holding = self._holdings.pop(owner, None)
        if holding is None:
            return 0
        self._used -= holding.units
        self._save(owner, 0)
        return holding.units

    def _pressure(self, used: int) -> Pressure:
        # Integer comparison: used / capacity >= percent / 100, without floats.
        if used * 100 >= self._critical * self._capacity:
            return Pressure.CRITICAL
        if used * 100 >= self._elevated * self._capacity:
            return Pressure.ELEVATED
        return Pressure.NORMAL


def _require_amount(amount: object) -> int:
    units = require_int("amount", amount)
    if units < 1:
        raise InvalidAmountError(f"amount must be at least 1, got {units}")
    return units


def _require_probe(liveness: Liveness | None) -> Liveness:
    if liveness is None:
        return always_alive
    if not callable(liveness):
        raise TypeError(f"liveness must be a callable returning bool, got {liveness!r}")
    return liveness


def _require_thresholds(elevated: object, critical: object) -> tuple[int, int]:
    low = require_int("elevated_percent", elevated)
    high = require_int("critical_percent", critical)
    if not 1 <= low < high <= 100:
        raise ValueError(
            "thresholds must satisfy 1 <= elevated_percent < critical_percent "
            f"<= 100, got elevated_percent={low} and critical_percent={high}"
        )
    return low, high
