"""A copy of a resource manager's allocations, kept outside it, to recover a crash.

The manager writes every change of a holding to its store while it holds its
own lock, so the store always equals the manager's holdings after its last
completed call. After a crash, :meth:`ResourceManager.recover
<reference_impl.resource_manager.ResourceManager.recover>` rebuilds the
holdings from the store, so no unit is handed out twice.

:class:`MemoryAllocationStore` keeps the copy in memory, so it survives the
loss of a manager object but not of the whole interpreter.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from types import MappingProxyType
from typing import Protocol

__all__ = ["AllocationStore", "MemoryAllocationStore"]


class AllocationStore(Protocol):
    """The store a manager copies its holdings to; must be thread-safe."""

    def save(self, owner: Hashable, units: int) -> None:
        """Save the units ``owner`` holds, at least 1."""
        ...

    def discard(self, owner: Hashable) -> None:
        """Forget ``owner``, which holds nothing any more."""
        ...

    def holdings(self) -> Mapping[Hashable, int]:
        """Return the units held by each owner that holds any, read atomically."""
        ...


class MemoryAllocationStore:
    """A thread-safe in-memory store, held by an owner that outlives the manager."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holdings: dict[Hashable, int] = {}

    def save(self, owner: Hashable, units: int) -> None:
        """Save the units ``owner`` holds, at least 1."""
        with self._lock:
            self._holdings[owner] = units

    def discard(self, owner: Hashable) -> None:
        """Forget ``owner``, if the store has it."""
        with self._lock:
            self._holdings.pop(owner, None)

    def holdings(self) -> Mapping[Hashable, int]:
        """Return the units held by each owner that holds any, read atomically."""
        with self._lock:
            return MappingProxyType(dict(self._holdings))

    def __len__(self) -> int:
        """Return the number of owners with a saved holding."""
        with self._lock:
            return len(self._holdings)
