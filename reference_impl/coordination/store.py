"""Stores that a coordination primitive writes its state to, kept outside it.

A primitive given a store writes every change to it while it holds its own
lock, so the store always holds the state after the last completed change.
After a crash, the primitive's ``recover`` classmethod rebuilds it from the
store, so a lock does not forget its holder, an election its term, or a
counter its value.

Two shapes fit the primitives:

- a :class:`SnapshotStore` keeps one whole snapshot, replaced on each
  change, for primitives whose state is small (a lock, an election, a
  barrier, a vote);
- a :class:`KeyedStore` keeps one value per key, for a family of counters
  whose every change touches one key.

The memory stores here survive the loss of a primitive object, not of the
interpreter. A durable store (a file, a replicated log) implements the same
protocol.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic, Protocol, TypeVar

__all__ = ["KeyedStore", "MemoryKeyedStore", "MemorySnapshotStore", "SnapshotStore"]

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SnapshotStore(Protocol[T]):
    """A store of one snapshot; implementations must be thread-safe."""

    def save(self, snapshot: T) -> None:
        """Replace the stored snapshot."""
        ...

    def load(self) -> T | None:
        """Return the stored snapshot, or None if none was saved."""
        ...


class KeyedStore(Protocol[K, V]):
    """A store of one value per key; implementations must be thread-safe."""

    def put(self, key: K, value: V) -> None:
        """Save or replace the value under ``key``."""
        ...

    def delete(self, key: K) -> None:
        """Forget the value under ``key``, if any."""
        ...

    def contents(self) -> dict[K, V]:
        """Return every saved value by key, read atomically."""
        ...


class MemorySnapshotStore(Generic[T]):
    """A thread-safe in-memory snapshot store, held by an owner that outlives
    the primitive. Snapshots must be immutable, since the store keeps them
    as given."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: T | None = None

    def save(self, snapshot: T) -> None:
        """Replace the stored snapshot."""
        with self._lock:
            self._snapshot = snapshot

    def load(self) -> T | None:
        """Return the stored snapshot, or None if none was saved."""
        with self._lock:
            return self._snapshot


class MemoryKeyedStore(Generic[K, V]):
    """A thread-safe in-memory keyed store, held by an owner that outlives
    the primitive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[K, V] = {}

    def put(self, key: K, value: V) -> None:
        """Save or replace the value under ``key``."""
        with self._lock:
            self._values[key] = value

    def delete(self, key: K) -> None:
        """Forget the value under ``key``, if any."""
        with self._lock:
            self._values.pop(key, None)

    def contents(self) -> dict[K, V]:
        """Return a copy of every saved value by key, read atomically."""
        with self._lock:
            return dict(self._values)

    def __len__(self) -> int:
        """Return the number of saved keys."""
        with self._lock:
            return len(self._values)
