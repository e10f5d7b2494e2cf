"""The adapter that drives a ResourceManager as ``specs/resource_manager.spec``."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import ClassVar

from reference_impl.coordination.liveness import Liveness
from reference_impl.resource_manager import (
    CapacityExceededError,
    InvalidAmountError,
    NotHeldError,
    OwnerLimitExceededError,
    Pressure,
    ResourceManager,
)
from reference_impl.resource_manager_store import MemoryAllocationStore

__all__ = ["ResourceManagerAdapter"]

_SPEC_PRESSURE_NAMES: dict[Pressure, str] = {
    Pressure.NORMAL: "Normal",
    Pressure.ELEVATED: "Elevated",
    Pressure.CRITICAL: "Critical",
}


class ResourceManagerAdapter:
    """A ResourceManager whose owners die when a test performs ``owner_dies``.

    Every owner acquires with a liveness probe that reads this adapter's
    record of the dead, so ``owner_dies`` is a real death to the manager: the
    probe turns false and the manager's sweep releases the holding. The
    manager copies its holdings to a store that a crash does not lose.

    Args:
        constants: the spec's ``capacity``, ``owner_limit``,
            ``elevated_percent`` and ``critical_percent``.

    Raises:
        KeyError: if a constant is missing.
    """

    errors: ClassVar[dict[type[BaseException], str]] = {
        InvalidAmountError: "InvalidAmount",
        OwnerLimitExceededError: "OwnerLimitExceeded",
        CapacityExceededError: "CapacityExceeded",
        NotHeldError: "NotHeld",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._capacity = constants["capacity"]
        self._owner_limit = constants["owner_limit"]
        self._elevated_percent = constants["elevated_percent"]
        self._critical_percent = constants["critical_percent"]
        # The store outlives a crash of the manager, as a durable one would.
        self._store = MemoryAllocationStore()
        self._manager = ResourceManager(
            capacity=self._capacity,
            owner_limit=self._owner_limit,
            elevated_percent=self._elevated_percent,
            critical_percent=self._critical_percent,
            store=self._store,
        )
        self._dead: set[Hashable] = set()

    @property
    def manager(self) -> ResourceManager:
        """The manager under test."""
        return self._manager

    def acquire(self, owner: Hashable, amount: int) -> int:
        """Perform the spec's ``acquire``, with the owner's liveness probe."""
        return self._manager.acquire(owner, amount, liveness=self._probe(owner))

    def release(self, owner: Hashable, amount: int) -> int:
        """Perform the spec's ``release``."""
        return self._manager.release(owner, amount)

    def release_all(self, owner: Hashable) -> int:
        """Perform the spec's ``release_all``."""
        return self._manager.release_all(owner)

    def holding(self, owner: Hashable) -> int:
        """Return the units ``owner`` holds."""
        return self._manager.holding(owner)

    def usage(self) -> int:
        """Return the units in use."""
        return self._manager.used

    def available(self) -> int:
        """Return the units that can still be acquired."""
        return self._manager.available

    def pressure(self) -> str:
        """Return the pressure level as the spec's member name."""
        return _SPEC_PRESSURE_NAMES[self._manager.pressure]

    def owner_dies(self, owner: Hashable) -> None:
        """Kill ``owner``, then let the manager's sweep notice."""
        self._dead.add(owner)
        self._manager.reap_dead()

    def crash(self) -> None:
        """Lose the manager and everything in its memory; the store survives."""
        del self._manager

    def recover(self) -> None:
        """Rebuild the manager from the store, with each owner's probe."""
        probes = {owner: self._probe(owner) for owner in self._store.holdings()}
        self._manager = ResourceManager.recover(
            self._store,
            capacity=self._capacity,
            owner_limit=self._owner_limit,
            elevated_percent=self._elevated_percent,
            critical_percent=self._critical_percent,
            liveness=probes,
        )

    def observe(self) -> dict[str, object]:
        """Return the manager's state, and the world's dead, in the spec's names."""
        state = self._manager.snapshot()
        return {
            "held": dict(state.held),
            "used": state.used,
            "dead": frozenset(self._dead),
        }

    def _probe(self, owner: Hashable) -> Liveness:
        dead = self._dead

        def alive() -> bool:
            return owner not in dead

        return alive
