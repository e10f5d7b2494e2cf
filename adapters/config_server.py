"""The adapter that drives a ConfigServer as ``specs/config_server.spec``.

The spec's paths are sequences of identities; the adapter names each
identity it meets ``s0``, ``s1``, ... so that the server gets ordinary dotted
paths, and maps the names back when it reports state. A spec ``Value`` is a
record of a kind and a number: ``Integer`` values are ints, ``Boolean`` ones
are bools (the number is 0 or 1). Records arrive as objects with the spec's
field names as attributes (the generated model's dataclasses) or as dicts,
and are reported back as dicts.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from typing import ClassVar

from reference_impl.clock import ManualClock
from reference_impl.config_server import (
    AlreadyDeclaredError,
    BoolField,
    Change,
    ConfigServer,
    Field,
    IntField,
    InvalidBoundsError,
    InvalidPathError,
    NotSetError,
    OutOfRangeError,
    OutsideParentError,
    Path,
    PathConflictError,
    Subscription,
    UnknownPathError,
    VersionMismatchError,
    WrongTypeError,
)
from reference_impl.config_server_store import MemoryConfigStore

__all__ = ["ConfigServerAdapter"]

SpecPath = tuple[Hashable, ...]
SpecValue = object  # a spec Value record: an object with fields, or a dict

_UNSET = object()


class ConfigServerAdapter:
    """A ConfigServer on a manual clock that starts at 0, keeping all history.

    Each spec subscriber is one subscription whose callback records the
    versions it receives, so an update's result is the set of
    subscribers whose callback received that update's version. The
    adapter's own maps are guarded by a lock, because the generated
    concurrency test calls it from many threads at once. The server copies
    its state to a store that a crash does not lose; subscriptions are lost
    in a crash, as the spec's failure mode says.

    Args:
        constants: none; the spec declares no constants.
    """

    errors: ClassVar[dict[type[BaseException], str]] = {
        InvalidBoundsError: "InvalidBounds",
        InvalidPathError: "InvalidPath",
        AlreadyDeclaredError: "AlreadyDeclared",
        PathConflictError: "PathConflict",
        UnknownPathError: "UnknownPath",
        WrongTypeError: "WrongType",
        OutOfRangeError: "OutOfRange",
        NotSetError: "NotSet",
        OutsideParentError: "OutsideParent",
        VersionMismatchError: "VersionMismatch",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._clock = ManualClock(0)
        # The store outlives a crash of the server, as a durable one would.
        self._store = MemoryConfigStore()
        self._server = ConfigServer(
            clock=self._clock, history_limit=None, store=self._store
        )
        self._names: dict[Hashable, str] = {}
        self._segments: dict[str, Hashable] = {}
        self._subscriptions: dict[Hashable, Subscription] = {}
        self._received: dict[Hashable, set[int]] = {}
        self._lock = threading.RLock()

    @property
    def server(self) -> ConfigServer:
        """The server under test."""
        return self._server

    # --- the spec's operations ---

    def declare_integer(self, path: SpecPath, low: int, high: int) -> None:
        """Declare an integer leaf with inclusive bounds."""
        declared = IntField(minimum=low, maximum=high)
        self._server.declare(self._path(path), declared)

    def declare_boolean(self, path: SpecPath) -> None:
        """Declare a boolean leaf."""
        self._server.declare(self._path(path), BoolField())

    def set(self, path: SpecPath, value: SpecValue) -> frozenset[Hashable]:
        """Set a leaf; returns the subscribers notified."""
        change = self._server.set(self._path(path), _python_value(value))
        return self._notified(change)

    def set_if(
        self, path: SpecPath, value: SpecValue, expected: int
    ) -> frozenset[Hashable]:
        """Set a leaf if the server is at version ``expected``."""
        change = self._server.set(
            self._path(path), _python_value(value), expected_version=expected
        )
        return self._notified(change)

    def unset(self, path: SpecPath) -> frozenset[Hashable]:
        """Remove a leaf's value; returns the subscribers notified."""
        return self._notified(self._server.unset(self._path(path)))

    def replace(
        self, parent: SpecPath, entries: Mapping[SpecPath, SpecValue]
    ) -> frozenset[Hashable]:
        """Replace a section; returns the subscribers notified."""
        values = {self._path(k): _python_value(v) for k, v in entries.items()}
        return self._notified(self._server.replace(self._path(parent), values))

    def read(self, path: SpecPath) -> dict[str, object] | None:
        """Return a leaf's value as a spec ``Value``, or None if it has none."""
        found = self._server.get(self._path(path), _UNSET)
        return None if found is _UNSET else _spec_value(found)

    def notified_by(self, path: SpecPath) -> frozenset[Hashable]:
        """Return the subscribers that a change at ``path`` notifies."""
        with self._lock:
            subscribers = {sub: s for s, sub in self._subscriptions.items()}
        audience = self._server.subscribers_of(self._path(path))
        return frozenset(subscribers[sub] for sub in audience)

    def current_version(self) -> int:
        """Return the number of changes committed."""
        return self._server.version

    def subscribe(self, s: Hashable, topic: SpecPath) -> None:
        """Subscribe ``s`` to ``topic`` with a callback that records versions."""
        received: set[int] = set()

        def record(change: Change) -> None:
            received.add(change.version)

        subscription = self._server.subscribe(self._path(topic), record)
        with self._lock:
            self._received[s] = received
            self._subscriptions[s] = subscription

    def unsubscribe(self, s: Hashable) -> None:
        """Cancel ``s``'s subscription."""
        with self._lock:
            subscription = self._subscriptions.pop(s)
        subscription.cancel()

    def tick(self, elapsed: int) -> None:
        """Advance the manual clock by ``elapsed`` ticks."""
        self._clock.advance(elapsed)

    def crash(self) -> None:
        """Lose the server and its subscriptions; the store survives."""
        del self._server
        with self._lock:
            self._subscriptions.clear()
            self._received.clear()

    def recover(self) -> None:
        """Rebuild the server from the store, without subscriptions."""
        self._server = ConfigServer.recover(
            self._store, clock=self._clock, history_limit=None
        )

    def observe(self) -> dict[str, object]:
        """Return the server's state in the spec's names and value forms."""
        state = self._server.snapshot()
        return {
            "schema": {
                self._spec_path(p): _spec_field(f) for p, f in state.schema.items()
            },
            "values": {
                self._spec_path(p): _spec_value(v) for p, v in state.values.items()
            },
            "version": state.version,
            "history": tuple(
                {"version": c.version, "path": self._spec_path(c.path), "at": c.at}
                for c in state.history
            ),
            "topics": self._topics(),
            "now": state.now,
        }

    def _topics(self) -> dict[Hashable, SpecPath]:
        with self._lock:
            return {
                s: self._spec_path(sub.topic)
                for s, sub in self._subscriptions.items()
                if sub.active
            }

    # --- mapping ---

    def _path(self, segments: SpecPath) -> Path:
        return tuple(self._name(segment) for segment in segments)

    def _name(self, segment: Hashable) -> str:
        # Naming is check-then-act, so two threads meeting a new segment at
        # once must not both take the next free name.
        with self._lock:
            name = self._names.get(segment)
            if name is None:
                name = self._names[segment] = f"s{len(self._names)}"
                self._segments[name] = segment
            return name

    def _spec_path(self, path: Path) -> SpecPath:
        with self._lock:
            return tuple(self._segments[name] for name in path)

    def _notified(self, change: Change) -> frozenset[Hashable]:
        # Other threads' changes may reach a callback after this one, so the
        # test is whether the version arrived at all, not whether it came last.
        with self._lock:
            return frozenset(
                s
                for s, received in self._received.items()
                if s in self._subscriptions and change.version in received
            )


def _python_value(value: SpecValue) -> object:
    number = _record_field(value, "number")
    return bool(number) if _record_field(value, "kind") == "Boolean" else number


def _record_field(record: object, name: str) -> object:
    if isinstance(record, Mapping):
        return record[name]
    return getattr(record, name)


def _spec_value(value: object) -> dict[str, object]:
    if isinstance(value, bool):
        return {"kind": "Boolean", "number": int(value)}
    return {"kind": "Integer", "number": value}


def _spec_field(declared: Field) -> dict[str, object]:
    if isinstance(declared, BoolField):
        return {"kind": "Boolean", "low": 0, "high": 1}
    assert isinstance(declared, IntField)
    return {"kind": "Integer", "low": declared.minimum, "high": declared.maximum}
