"""The adapter that drives an EventStore as ``specs/event_store.spec``.

Correlation and subscription ids are the test's own values, which the store
accepts as they are. Appends never wait, so backpressure shows as the
spec's ``Backpressure`` error.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, ClassVar

from reference_impl.clock import ManualClock
from reference_impl.event_store import (
    AlreadySubscribedError,
    BackpressureError,
    BatchTooLargeError,
    EmptyBatchError,
    Event,
    EventDraft,
    EventStore,
    InvalidTimeRangeError,
    Overflow,
    PositionExpiredError,
    PositionNotWrittenError,
    UnknownSubscriptionError,
)
from reference_impl.event_store_journal import MemoryJournal

__all__ = ["EventStoreAdapter"]

# The spec's member names for each overflow policy, spelled as in its enum.
_SPEC_POLICY_NAMES: dict[Overflow, str] = {
    Overflow.BLOCK: "Block",
    Overflow.DROP_OLDEST: "DropOldest",
}
_POLICIES_BY_NAME = {name: policy for policy, name in _SPEC_POLICY_NAMES.items()}


class EventStoreAdapter:
    """An EventStore on a manual clock that starts at 0, as the spec's init.

    Args:
        constants: the spec's constants ``max_age``, ``buffer_size`` and
            ``max_batch``.

    Raises:
        KeyError: if a constant is missing.
    """

    errors: ClassVar[dict[type[BaseException], str]] = {
        EmptyBatchError: "EmptyBatch",
        BatchTooLargeError: "BatchTooLarge",
        BackpressureError: "Backpressure",
        PositionExpiredError: "PositionExpired",
        PositionNotWrittenError: "PositionNotWritten",
        InvalidTimeRangeError: "InvalidTimeRange",
        AlreadySubscribedError: "AlreadySubscribed",
        UnknownSubscriptionError: "UnknownSubscription",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._clock = ManualClock(0)
        self._settings = {
            "max_age": constants["max_age"],
            "buffer_size": constants["buffer_size"],
            "max_batch": constants["max_batch"],
        }
        # The journal outlives a crash of the store, as a durable log would.
        self._journal = MemoryJournal()
        self._store = EventStore(
            **self._settings, clock=self._clock, journal=self._journal
        )

    @property
    def store(self) -> EventStore:
        """The store under test."""
        return self._store

    def append_event(self, correlation: Hashable, payload: int) -> int:
        """Append one event without waiting; return its position."""
        return self._store.append(payload, correlation).position

    def append_batch(self, batch: Sequence[Any]) -> int:
        """Append the Draft records as one batch; return the first position."""
        drafts = [_draft(record) for record in batch]
        return self._store.append_batch(drafts)[0].position

    def read_event(self, position: int) -> dict[str, object]:
        """Return the event at ``position`` as the spec's Event record."""
        return _record(self._store.read(position))

    def read_from(self, position: int, limit: int) -> tuple[dict[str, object], ...]:
        """Perform the spec's ``read_from``."""
        return tuple(map(_record, self._store.read_from(position, limit)))

    def read_correlated(self, correlation: Hashable) -> tuple[dict[str, object], ...]:
        """Perform the spec's ``read_correlated``."""
        return tuple(map(_record, self._store.read_correlated(correlation)))

    def read_between(self, start: int, end: int) -> tuple[dict[str, object], ...]:
        """Perform the spec's ``read_between``."""
        return tuple(map(_record, self._store.read_between(start, end)))

    def enforce_retention(self) -> int:
        """Perform the spec's ``enforce_retention``."""
        return self._store.enforce_retention()

    def subscribe(self, subscription: Hashable, policy: str) -> None:
        """Subscribe with the policy named as in the spec's enum."""
        self._store.subscribe(subscription, _POLICIES_BY_NAME[policy])

    def unsubscribe(self, subscription: Hashable) -> None:
        """Perform the spec's ``unsubscribe``."""
        self._store.unsubscribe(subscription)

    def poll(self, subscription: Hashable) -> dict[str, object] | None:
        """Return the next event as a record, or None when none is buffered."""
        event = self._store.poll(subscription)
        return None if event is None else _record(event)

    def dropped_count(self, subscription: Hashable) -> int:
        """Return the events the subscription lost, counted up to now."""
        return self._store.status(subscription).dropped

    def tick(self, elapsed: int) -> None:
        """Advance the manual clock by ``elapsed`` ticks, at least 1."""
        self._clock.advance(elapsed)

    def crash(self) -> None:
        """Lose the store and everything in its memory; the journal survives."""
        del self._store

    def recover(self) -> None:
        """Rebuild the store from the journal."""
        self._store = EventStore.recover(
            self._journal, **self._settings, clock=self._clock
        )

    def observe(self) -> dict[str, object]:
        """Return the store's state under the spec's variable names."""
        subscriptions = {
            subscription_id: {
                "policy": _SPEC_POLICY_NAMES[status.policy],
                "start": status.start,
                "cursor": status.cursor,
                "delivered": status.delivered,
                "dropped": status.dropped,
            }
            for subscription_id, status in self._store.raw_subscriptions().items()
        }
        return {
            "events": tuple(map(_record, self._store.events())),
            "next_position": self._store.next_position,
            "subscriptions": subscriptions,
            "now": self._clock.now(),
        }


def _record(event: Event) -> dict[str, object]:
    return {
        "position": event.position,
        "correlation": event.correlation_id,
        "payload": event.payload,
        "recorded_at": event.recorded_at,
    }


def _draft(record: Any) -> EventDraft:
    """Return a spec Draft record, a dataclass or a mapping, as an EventDraft."""
    if isinstance(record, Mapping):
        return EventDraft(record["correlation"], record["payload"])
    return EventDraft(record.correlation, record.payload)
