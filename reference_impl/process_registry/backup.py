"""A copy of a registry's entries, kept outside it, to recover a crashed registry.

The registry writes every change to its backup while it holds its own lock,
so the backup always equals the registry's state after its last completed
write. After a crash, :meth:`ProcessRegistry.recover
<reference_impl.process_registry.registry.ProcessRegistry.recover>` rebuilds
the entries from the backup and attaches them to the live processes that
announce themselves again.

:class:`MemoryBackup` keeps the copy in memory, so it survives the loss of
a registry object but not of the whole interpreter.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

__all__ = ["BackupContents", "BackupEntry", "MemoryBackup", "RegistryBackup"]


@dataclass(frozen=True)
class BackupEntry:
    """One registration as a backup stores it: everything but the process handle."""

    namespace: str
    pid: Hashable
    generation: int
    metadata: Mapping[str, object]
    registered_at: int
    last_heartbeat: int


@dataclass(frozen=True)
class BackupContents:
    """Everything a backup holds, read at one instant.

    Attributes:
        entries: every backed-up registration.
        next_generation: the generation the next registration gets, so that
            a recovered registry never reuses one.
        last_sweep: the clock reading at which the last liveness sweep started.
    """

    entries: tuple[BackupEntry, ...]
    next_generation: int
    last_sweep: int


class RegistryBackup(Protocol):
    """The store a registry copies its state to; implementations must be thread-safe."""

    def store(self, entry: BackupEntry, next_generation: int) -> None:
        """Save or replace the entry under its namespace and id."""
        ...

    def discard(self, namespace: str, pid: Hashable) -> None:
        """Forget the entry under this namespace and id, if any."""
        ...

    def store_sweep(self, last_sweep: int) -> None:
        """Save the clock reading at which a sweep started."""
        ...

    def contents(self) -> BackupContents:
        """Return everything saved, read atomically."""
        ...


class MemoryBackup:
    """A thread-safe in-memory backup, held by an owner that outlives the registry."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, Hashable], BackupEntry] = {}
        self._next_generation = 0
        self._last_sweep = 0

    def store(self, entry: BackupEntry, next_generation: int) -> None:
        """Save or replace the entry, and the generation counter after it."""
        # A caller's later change to its dict must not reach the backup.
        frozen = MappingProxyType(dict(entry.metadata))
        copy = BackupEntry(
            namespace=entry.namespace,
            pid=entry.pid,
            generation=entry.generation,
            metadata=frozen,
            registered_at=entry.registered_at,
            last_heartbeat=entry.last_heartbeat,
        )
        with self._lock:
            self._entries[entry.namespace, entry.pid] = copy
            self._next_generation = max(self._next_generation, next_generation)

    def discard(self, namespace: str, pid: Hashable) -> None:
        """Forget the entry under this namespace and id, if any."""
        with self._lock:
            self._entries.pop((namespace, pid), None)

    def store_sweep(self, last_sweep: int) -> None:
        """Save the clock reading at which a sweep started."""
        with self._lock:
            self._last_sweep = last_sweep

    def contents(self) -> BackupContents:
        """Return everything saved, read atomically."""
        with self._lock:
            return BackupContents(
                entries=tuple(self._entries.values()),
                next_generation=self._next_generation,
                last_sweep=self._last_sweep,
            )

    def __len__(self) -> int:
        """Return the number of backed-up entries."""
        with self._lock:
            return len(self._entries)
