"""A journal of an event store's changes, kept outside it, to recover a crashed store.

The store writes every change to its journal while it holds its own lock:
the events of each append, how far retention has removed events, and each
subscription's cursor and counts. After a crash, :meth:`EventStore.recover
<reference_impl.event_store.EventStore.recover>` rebuilds the store from the
journal, so no event, position or subscription is lost.

:class:`MemoryJournal` keeps the journal in memory, so it survives the loss
of a store object but not of the whole interpreter.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from reference_impl.event_store import Event, Overflow

__all__ = ["EventJournal", "JournalContents", "MemoryJournal", "SavedSubscription"]


@dataclass(frozen=True)
class SavedSubscription:
    """A subscription's state as a journal stores it."""

    policy: Overflow
    start: int
    cursor: int
    delivered: int
    dropped: int


@dataclass(frozen=True)
class JournalContents:
    """Everything a journal holds, read at one instant.

    Attributes:
        events: the retained events in position order.
        next_position: the position the next event gets, so that a recovered
            store never reuses one, even when retention removed every event.
        subscriptions: each subscription's saved state by id.
    """

    events: tuple[Event, ...]
    next_position: int
    subscriptions: Mapping[Hashable, SavedSubscription]


class EventJournal(Protocol):
    """The store an event store copies its changes to; must be thread-safe."""

    def append(self, events: tuple[Event, ...]) -> None:
        """Save events appended at the end of the log, in position order."""
        ...

    def expire(self, first_position: int) -> None:
        """Forget the events before ``first_position``."""
        ...

    def save_subscription(
        self, subscription_id: Hashable, saved: SavedSubscription
    ) -> None:
        """Save or replace a subscription's state."""
        ...

    def discard_subscription(self, subscription_id: Hashable) -> None:
        """Forget a subscription."""
        ...

    def contents(self) -> JournalContents:
        """Return everything saved, read atomically."""
        ...


class MemoryJournal:
    """A thread-safe in-memory journal, held by an owner that outlives the store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: deque[Event] = deque()
        self._next_position = 0
        self._subscriptions: dict[Hashable, SavedSubscription] = {}

    def append(self, events: tuple[Event, ...]) -> None:
        """Save events appended at the end of the log, in position order."""
        with self._lock:
            self._events.extend(events)
            if events:
                self._next_position = events[-1].position + 1

    def expire(self, first_position: int) -> None:
        """Forget the events before ``first_position``."""
        with self._lock:
            while self._events and self._events[0].position < first_position:
                self._events.popleft()

    def save_subscription(
        self, subscription_id: Hashable, saved: SavedSubscription
    ) -> None:
        """Save or replace a subscription's state."""
        with self._lock:
            self._subscriptions[subscription_id] = saved

    def discard_subscription(self, subscription_id: Hashable) -> None:
        """Forget a subscription, if the journal has it."""
        with self._lock:
            self._subscriptions.pop(subscription_id, None)

    def contents(self) -> JournalContents:
        """Return everything saved, read atomically."""
        with self._lock:
            return JournalContents(
                events=tuple(self._events),
                next_position=self._next_position,
                subscriptions=MappingProxyType(dict(self._subscriptions)),
            )

    def __len__(self) -> int:
        """Return the number of journaled events."""
        with self._lock:
            return len(self._events)
