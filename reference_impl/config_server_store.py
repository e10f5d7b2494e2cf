"""A copy of a configuration server's state, kept outside it, to recover a crash.

The server writes every declaration and every committed change to its store
while it holds its own lock, so the store always equals the server's schema,
values, version and history after its last completed write. After a crash,
:meth:`ConfigServer.recover
<reference_impl.config_server.ConfigServer.recover>` rebuilds the server
from the store, so no committed value, version or change is lost.

:class:`MemoryConfigStore` keeps the copy in memory, so it survives the loss
of a server object but not of the whole interpreter.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from reference_impl.config_server import Change, Field, Path

__all__ = ["ConfigStore", "MemoryConfigStore", "StoredConfig"]


@dataclass(frozen=True)
class StoredConfig:
    """Everything a store holds, read at one instant.

    Attributes:
        schema: the field of every declared leaf.
        values: the value of every leaf that has one.
        version: the number of changes committed, so that a recovered server
            never issues a version twice.
        history: the retained changes, oldest first.
    """

    schema: Mapping[Path, Field]
    values: Mapping[Path, object]
    version: int
    history: tuple[Change, ...]


class ConfigStore(Protocol):
    """The store a server copies its state to; must be thread-safe."""

    def declare(self, path: Path, declared: Field) -> None:
        """Save a leaf's declaration."""
        ...

    def commit(self, change: Change) -> None:
        """Apply a committed change: its values, removals, version and history."""
        ...

    def contents(self) -> StoredConfig:
        """Return everything saved, read atomically."""
        ...


class MemoryConfigStore:
    """A thread-safe in-memory store, held by an owner that outlives the server.

    Args:
        history_limit: how many recent changes to keep, or None to keep them
            all; give the server's own limit.
    """

    def __init__(self, history_limit: int | None = None) -> None:
        self._lock = threading.Lock()
        self._schema: dict[Path, Field] = {}
        self._values: dict[Path, object] = {}
        self._version = 0
        self._history: deque[Change] = deque(maxlen=history_limit)

    def declare(self, path: Path, declared: Field) -> None:
        """Save a leaf's declaration."""
        with self._lock:
            self._schema[path] = declared

    def commit(self, change: Change) -> None:
        """Apply a committed change: its values, removals, version and history."""
        with self._lock:
            for leaf in change.removed:
                self._values.pop(leaf, None)
            self._values.update(change.values)
            self._version = change.version
            self._history.append(change)

    def contents(self) -> StoredConfig:
        """Return everything saved, read atomically."""
        with self._lock:
            return StoredConfig(
                schema=MappingProxyType(dict(self._schema)),
                values=MappingProxyType(dict(self._values)),
                version=self._version,
                history=tuple(self._history),
            )
