"""A thread-safe, in-memory, append-only event log with subscriptions.

Every event gets a position from one counter, under the store's lock, so
positions are unique and strictly increasing however many events arrive in
one clock tick, and the events of a batch get consecutive positions. The
retained events are always the positions ``first_position`` up to
``next_position - 1`` with no gaps: retention removes the oldest ones only.

A subscription is a cursor into the log with a bounded buffer of
``buffer_size`` events: the events after its cursor that it has not yet
polled. When that buffer is full, a subscription with the ``BLOCK`` policy
holds appends back (backpressure), and one with ``DROP_OLDEST`` skips the
oldest buffered events at its next poll and counts them. Events that
retention removes before a subscriber polled them are counted the same
way. Either way every event after the subscription started is delivered,
counted as dropped, or still buffered, as :class:`SubscriptionStatus` reports.

A store that writes to a journal
(:mod:`reference_impl.event_store_journal`) can be rebuilt from it after a
crash with :meth:`EventStore.recover`.

The transitions are those of ``specs/event_store.spec``.
"""

from __future__ import annotations

import bisect
import enum
import logging
import threading
from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from reference_impl._checks import require_int, require_positive_int
from reference_impl.clock import Clock, MonotonicClock
from reference_impl.event_store_journal import EventJournal, SavedSubscription

__all__ = [
    "AlreadySubscribedError",
    "BackpressureError",
    "BatchTooLargeError",
    "EmptyBatchError",
    "Event",
    "EventDraft",
    "EventStore",
    "EventStoreError",
    "InvalidTimeRangeError",
    "Overflow",
    "PositionExpiredError",
    "PositionNotWrittenError",
    "SubscriptionStatus",
    "UnknownSubscriptionError",
]

logger = logging.getLogger(__name__)

# Retained events sit in a list after a head index, so retention is a pointer
# move. The list is compacted once the removed prefix is this long and at
# least half of it.
_COMPACT_AFTER = 1024


class EventStoreError(Exception):
    """Base class of the reasons an event store rejects an operation."""


class EmptyBatchError(EventStoreError):
    """A batch must hold at least one event."""

    def __init__(self) -> None:
        super().__init__("a batch must contain at least one event")


class BatchTooLargeError(EventStoreError):
    """A batch holds more events than the store accepts at once."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"a batch of {size} events exceeds the limit of {limit}")
        self.size = size
        self.limit = limit


class BackpressureError(EventStoreError):
    """A blocking subscriber's buffer has no room for the events.

    Attributes:
        subscription_id: the first subscription found without room.
        needed: the number of events the append would add.
    """

    def __init__(self, subscription_id: Hashable, needed: int) -> None:
        super().__init__(
            f"subscription {subscription_id!r} has no room for {needed} more "
            f"event(s); retry after it polls, or pass a timeout to wait"
        )
        self.subscription_id = subscription_id
        self.needed = needed


class PositionExpiredError(EventStoreError):
    """The position was written but retention has removed its event."""

    def __init__(self, position: int, first_position: int) -> None:
        super().__init__(
            f"position {position} has been removed by retention; the oldest "
            f"retained position is {first_position}"
        )
        self.position = position
        self.first_position = first_position


class PositionNotWrittenError(EventStoreError):
    """The position is beyond the last event written."""

    def __init__(self, position: int, next_position: int) -> None:
        super().__init__(
            f"position {position} has not been written; the next position is "
            f"{next_position}"
        )
        self.position = position
        self.next_position = next_position


class InvalidTimeRangeError(EventStoreError):
    """A time range whose start is after its end."""

    def __init__(self, start: int, end: int) -> None:
        super().__init__(f"time range start {start} is after its end {end}")
        self.start = start
        self.end = end


class AlreadySubscribedError(EventStoreError):
    """A subscription with this id exists."""

    def __init__(self, subscription_id: Hashable) -> None:
        super().__init__(f"subscription {subscription_id!r} already exists")
        self.subscription_id = subscription_id


class UnknownSubscriptionError(EventStoreError):
    """No subscription has this id."""

    def __init__(self, subscription_id: Hashable) -> None:
        super().__init__(f"no subscription has the id {subscription_id!r}")
        self.subscription_id = subscription_id


class Overflow(enum.Enum):
    """What a subscription does when its buffer is full."""

    BLOCK = "block"  # appends wait or fail with BackpressureError
    DROP_OLDEST = "drop_oldest"  # the oldest buffered events are skipped, counted


@dataclass(frozen=True)
class Event:
    """One stored event.

    Attributes:
        position: its place in the log, unique and never reused.
        correlation_id: the id that ties it to related events.
        payload: the caller's data, stored as given.
        recorded_at: the clock reading when it was appended.
    """

    position: int
    correlation_id: Hashable
    payload: object
    recorded_at: int


@dataclass(frozen=True)
class EventDraft:
    """An event of a batch before the store gives it a position and a time."""

    correlation_id: Hashable
    payload: object


@dataclass(frozen=True)
class SubscriptionStatus:
    """Where a subscription stands, with drops counted up to now.

    Attributes:
        policy: what it does when its buffer is full.
        start: the first position it was to receive.
        cursor: the next position it will receive, after skipping drops.
        delivered: the events it has polled.
        dropped: the events it lost to overflow or retention.
        pending: the events buffered for it, from ``cursor`` on.
    """

    policy: Overflow
    start: int
    cursor: int
    delivered: int
    dropped: int
    pending: int


@dataclass
class _Subscription:
    policy: Overflow
    start: int
    cursor: int
    delivered: int = 0
    dropped: int = 0


class EventStore:
    """An append-only event log, readable by position, correlation id and time.

    Args:
        max_age: ticks an event is kept; :meth:`enforce_retention` removes
            those older than that.
        buffer_size: the events a subscription may have buffered.
        max_batch: the most events one :meth:`append_batch` accepts.
        clock: the source of monotonic readings. The default is a
            :class:`~reference_impl.clock.MonotonicClock` in milliseconds.
        journal: where every change is copied, so that :meth:`recover` can
            rebuild the store after a crash. It should start empty.

    Raises:
        TypeError: if an argument is not an int.
        ValueError: if ``max_age`` is negative, or ``buffer_size`` or
            ``max_batch`` is less than 1.
    """

    def __init__(
        self,
        *,
        max_age: int,
        buffer_size: int,
        max_batch: int = 1000,
        clock: Clock | None = None,
        journal: EventJournal | None = None,
    ) -> None:
        self._max_age = require_int("max_age", max_age)
        if max_age < 0:
            raise ValueError(f"max_age must be at least 0, got {max_age}")
        self._buffer_size = require_positive_int("buffer_size", buffer_size)
        self._max_batch = require_positive_int("max_batch", max_batch)
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._lock = threading.Lock()
        # Appends blocked by backpressure wait here; polls, unsubscribes and
        # retention notify it.
        self._room = threading.Condition(self._lock)
        self._events: list[Event] = []
        self._head = 0
        self._next_position = 0
        self._by_correlation: dict[Hashable, deque[int]] = {}
        self._subscriptions: dict[Hashable, _Subscription] = {}
        self._journal = journal

    @classmethod
    def recover(
        cls,
        journal: EventJournal,
        *,
        max_age: int,
        buffer_size: int,
        max_batch: int = 1000,
        clock: Clock | None = None,
    ) -> EventStore:
        """Rebuild a crashed store from its journal.

        The retained events come back at their positions with their times,
        the position counter comes back even if no event is retained, and
        every subscription comes back with its cursor and counts. The new
        store keeps writing to ``journal``.

        Args:
            journal: the journal the crashed store wrote to.
            max_age, buffer_size, max_batch, clock: as for the constructor.
        """
        store = cls(
            max_age=max_age, buffer_size=buffer_size, max_batch=max_batch, clock=clock
        )
        contents = journal.contents()
        for event in contents.events:
            store._events.append(event)
            store._by_correlation.setdefault(event.correlation_id, deque()).append(
                event.position
            )
        store._next_position = contents.next_position
        for subscription_id, saved in contents.subscriptions.items():
            store._subscriptions[subscription_id] = _Subscription(
                policy=saved.policy,
                start=saved.start,
                cursor=saved.cursor,
                delivered=saved.delivered,
                dropped=saved.dropped,
            )
        store._journal = journal
        logger.info(
            "recovered %d event(s) and %d subscription(s) from the journal",
            len(contents.events),
            len(contents.subscriptions),
        )
        return store

    @property
    def max_age(self) -> int:
        """Ticks an event is kept before retention removes it."""
        return self._max_age

    @property
    def buffer_size(self) -> int:
        """The events a subscription may have buffered."""
        return self._buffer_size

    @property
    def max_batch(self) -> int:
        """The most events one batch may hold."""
        return self._max_batch

    @property
    def next_position(self) -> int:
        """The position the next event will get."""
        with self._lock:
            return self._next_position

    @property
    def first_position(self) -> int:
        """The oldest retained position, or ``next_position`` if none is."""
        with self._lock:
            return self._first_position()

    def __len__(self) -> int:
        """Return the number of retained events."""
        with self._lock:
            return len(self._events) - self._head

    # --- appending ----------------------------------------------------------------

    def append(
        self,
        payload: object,
        correlation_id: Hashable,
        *,
        timeout: float | None = 0.0,
    ) -> Event:
        """Append one event at the next position and the current clock reading.

        Args:
            payload: the event's data, stored as given.
            correlation_id: the id that ties it to related events.
            timeout: seconds to wait for a blocking subscriber to make room.
                0 (the default) fails at once, None waits without limit.

        Raises:
            TypeError: if ``correlation_id`` is unhashable.
            BackpressureError: if a subscription with the ``BLOCK`` policy has
                a full buffer and no room appeared within ``timeout``.
        """
        return self._append_all([EventDraft(correlation_id, payload)], timeout)[0]

    def append_batch(
        self,
        drafts: Iterable[EventDraft],
        *,
        timeout: float | None = 0.0,
    ) -> tuple[Event, ...]:
        """Append the events of a batch at consecutive positions, all or none.

        Args:
            drafts: the events, in the order they get positions.
            timeout: as for :meth:`append`.

        Returns:
            The stored events, in order.

        Raises:
            TypeError: if an item is not an EventDraft or a correlation id is
                unhashable.
            EmptyBatchError: if the batch is empty.
            BatchTooLargeError: if it holds more than ``max_batch`` events.
            BackpressureError: as for :meth:`append`. Nothing is appended.
        """
        batch = list(drafts)
        for draft in batch:
            if not isinstance(draft, EventDraft):
                raise TypeError(f"batch items must be EventDraft, got {draft!r}")
        if not batch:
            raise EmptyBatchError()
        if len(batch) > self._max_batch:
            raise BatchTooLargeError(len(batch), self._max_batch)
        return self._append_all(batch, timeout)

    def _append_all(
        self, batch: list[EventDraft], timeout: float | None
    ) -> tuple[Event, ...]:
        for draft in batch:
            hash(draft.correlation_id)
        with self._lock:
            self._wait_for_room(len(batch), timeout)
            now = self._clock.now()
            stored = tuple(
                Event(self._next_position + offset, d.correlation_id, d.payload, now)
                for offset, d in enumerate(batch)
            )
            for event in stored:
                self._events.append(event)
                self._by_correlation.setdefault(event.correlation_id, deque()).append(
                    event.position
                )
            self._next_position += len(stored)
            if self._journal is not None:
                self._journal.append(stored)
        return stored

    def _wait_for_room(self, needed: int, timeout: float | None) -> None:
        # The caller holds the lock; Condition.wait_for releases it while waiting.
        blocker = self._blocking_subscription(needed)
        if blocker is None:
            return
        if needed > self._buffer_size or timeout == 0:
            raise BackpressureError(blocker, needed)
        room = self._room.wait_for(
            lambda: self._blocking_subscription(needed) is None, timeout
        )
        if not room:
            blocker = self._blocking_subscription(needed)
            raise BackpressureError(blocker, needed)

    def _blocking_subscription(self, needed: int) -> Hashable | None:
        for subscription_id, subscription in self._subscriptions.items():
            if subscription.policy is not Overflow.BLOCK:
                continue
            if self._pending(subscription) + needed > self._buffer_size:
                return subscription_id
        return None

    # --- reading ----------------------------------------------------------------

    def read(self, position: int) -> Event:
        """Return the event at ``position``.

        Raises:
            ValueError: if ``position`` is negative.
            PositionExpiredError: if retention has removed it.
            PositionNotWrittenError: if it has not been written.
        """
        _require_non_negative("position", position)
        with self._lock:
            self._check_readable(position, inclusive_end=False)
            return self._at(position)

    def read_from(self, position: int, limit: int) -> tuple[Event, ...]:
        """Return up to ``limit`` events in position order, from ``position`` on.

        ``position`` may be ``next_position``, which returns no events.

        Raises:
            ValueError: if ``position`` is negative or ``limit`` less than 1.
            PositionExpiredError: if retention has removed ``position``.
            PositionNotWrittenError: if ``position`` is after ``next_position``.
        """
        _require_non_negative("position", position)
        require_positive_int("limit", limit)
        with self._lock:
            self._check_readable(position, inclusive_end=True)
            start = self._index(position)
            stop = min(start + limit, len(self._events))
            return tuple(self._events[start:stop])

    def read_correlated(self, correlation_id: Hashable) -> tuple[Event, ...]:
        """Return the retained events with this correlation id, in position order."""
        with self._lock:
            positions = self._by_correlation.get(correlation_id, ())
            return tuple(self._at(position) for position in positions)

    def read_between(self, start: int, end: int) -> tuple[Event, ...]:
        """Return the retained events recorded at ``start`` or later and before ``end``.

        Raises:
            TypeError: if ``start`` or ``end`` is not an int.
            InvalidTimeRangeError: if ``start`` is after ``end``.
        """
        require_int("start", start)
        require_int("end", end)
        if start > end:
            raise InvalidTimeRangeError(start, end)
        with self._lock:
            # Events are appended in clock order, so their times are sorted.
            low = bisect.bisect_left(
                self._events, start, lo=self._head, key=_recorded_at
            )
            high = bisect.bisect_left(self._events, end, lo=low, key=_recorded_at)
            return tuple(self._events[low:high])

    # --- retention ------------------------------------------------------------------

    def enforce_retention(self) -> int:
        """Remove the events older than ``max_age`` ticks at the current reading.

        Returns:
            The number of events removed.
        """
        with self._lock:
            cutoff = self._clock.now() - self._max_age
            removed = 0
            while self._head < len(self._events):
                event = self._events[self._head]
                if event.recorded_at >= cutoff:
                    break
                self._forget_correlation(event)
                self._head += 1
                removed += 1
            self._compact()
            if removed:
                self._room.notify_all()
                if self._journal is not None:
                    self._journal.expire(self._first_position())
        if removed:
            logger.debug("retention removed %d event(s) older than %d", removed, cutoff)
        return removed

    def _forget_correlation(self, event: Event) -> None:
        # Positions of one correlation id are increasing and retention removes
        # the oldest events, so the event is at the front of its index.
        positions = self._by_correlation[event.correlation_id]
        positions.popleft()
        if not positions:
            del self._by_correlation[event.correlation_id]

    def _compact(self) -> None:
        if self._head >= _COMPACT_AFTER and self._head * 2 >= len(self._events):
            del self._events[: self._head]
            self._head = 0

    # --- subscriptions --------------------------------------------------------------

    def subscribe(
        self, subscription_id: Hashable, overflow: Overflow = Overflow.BLOCK
    ) -> None:
        """Start a subscription that receives the events appended from now on.

        Raises:
            TypeError: if ``overflow`` is not an Overflow.
            AlreadySubscribedError: if a subscription has this id.
        """
        if not isinstance(overflow, Overflow):
            raise TypeError(f"overflow must be an Overflow, got {overflow!r}")
        with self._lock:
            if subscription_id in self._subscriptions:
                raise AlreadySubscribedError(subscription_id)
            start = self._next_position
            subscription = _Subscription(policy=overflow, start=start, cursor=start)
            self._subscriptions[subscription_id] = subscription
            self._save(subscription_id, subscription)

    def unsubscribe(self, subscription_id: Hashable) -> None:
        """End a subscription; appends it held back may go ahead.

        Raises:
            UnknownSubscriptionError: if no subscription has this id.
        """
        with self._lock:
            if subscription_id not in self._subscriptions:
                raise UnknownSubscriptionError(subscription_id)
            del self._subscriptions[subscription_id]
            self._room.notify_all()
            if self._journal is not None:
                self._journal.discard_subscription(subscription_id)

    def poll(self, subscription_id: Hashable) -> Event | None:
        """Deliver the subscription's next event, or None if none is buffered.

        Events lost to overflow or retention since the last poll are skipped
        and added to the subscription's ``dropped`` count.

        Raises:
            UnknownSubscriptionError: if no subscription has this id.
        """
        with self._lock:
            subscription = self._subscription(subscription_id)
            skipped = self._catch_up(subscription)
            event = None
            if subscription.cursor < self._next_position:
                event = self._at(subscription.cursor)
                subscription.cursor += 1
                subscription.delivered += 1
                self._room.notify_all()
            if skipped or event is not None:
                self._save(subscription_id, subscription)
        if skipped:
            logger.warning(
                "subscription %r dropped %d event(s); its buffer holds %d",
                subscription_id,
                skipped,
                self._buffer_size,
            )
        return event

    def status(self, subscription_id: Hashable) -> SubscriptionStatus:
        """Return where a subscription stands, counting drops as of now.

        Raises:
            UnknownSubscriptionError: if no subscription has this id.
        """
        with self._lock:
            subscription = self._subscription(subscription_id)
            cursor = max(subscription.cursor, self._floor(subscription))
            return SubscriptionStatus(
                policy=subscription.policy,
                start=subscription.start,
                cursor=cursor,
                delivered=subscription.delivered,
                dropped=subscription.dropped + cursor - subscription.cursor,
                pending=self._next_position - cursor,
            )

    def subscription_ids(self) -> frozenset[Hashable]:
        """Return the ids of the current subscriptions."""
        with self._lock:
            return frozenset(self._subscriptions)

    def _subscription(self, subscription_id: Hashable) -> _Subscription:
        subscription = self._subscriptions.get(subscription_id)
        if subscription is None:
            raise UnknownSubscriptionError(subscription_id)
        return subscription

    def _floor(self, subscription: _Subscription) -> int:
        """The oldest position still buffered for a subscription."""
        first = self._first_position()
        if subscription.policy is Overflow.DROP_OLDEST:
            return max(first, self._next_position - self._buffer_size)
        return first

    def _catch_up(self, subscription: _Subscription) -> int:
        """Move the cursor past lost events, count them, and return how many."""
        cursor = max(subscription.cursor, self._floor(subscription))
        skipped = cursor - subscription.cursor
        subscription.dropped += skipped
        subscription.cursor = cursor
        return skipped

    def _save(self, subscription_id: Hashable, subscription: _Subscription) -> None:
        # The caller holds the lock, so the journal receives changes in order.
        if self._journal is None:
            return
        saved = SavedSubscription(
            policy=subscription.policy,
            start=subscription.start,
            cursor=subscription.cursor,
            delivered=subscription.delivered,
            dropped=subscription.dropped,
        )
        self._journal.save_subscription(subscription_id, saved)

    def _pending(self, subscription: _Subscription) -> int:
        return self._next_position - max(subscription.cursor, self._first_position())

    # --- snapshots ------------------------------------------------------------------

    def events(self) -> tuple[Event, ...]:
        """Return every retained event in position order."""
        with self._lock:
            return tuple(self._events[self._head :])

    def raw_subscriptions(self) -> dict[Hashable, SubscriptionStatus]:
        """Return each subscription's stored state, with drops not yet counted.

        Unlike :meth:`status`, the cursor and ``dropped`` are as the last poll
        left them, which is what the spec's state records.
        """
        with self._lock:
            return {
                subscription_id: SubscriptionStatus(
                    policy=s.policy,
                    start=s.start,
                    cursor=s.cursor,
                    delivered=s.delivered,
                    dropped=s.dropped,
                    pending=self._next_position - s.cursor,
                )
                for subscription_id, s in self._subscriptions.items()
            }

    # --- helpers ------------------------------------------------------------------

    def _first_position(self) -> int:
        return self._next_position - (len(self._events) - self._head)

    def _index(self, position: int) -> int:
        return self._head + position - self._first_position()

    def _at(self, position: int) -> Event:
        return self._events[self._index(position)]

    def _check_readable(self, position: int, *, inclusive_end: bool) -> None:
        first = self._first_position()
        if position < first:
            raise PositionExpiredError(position, first)
        past_end = position > self._next_position or (
            not inclusive_end and position == self._next_position
        )
        if past_end:
            raise PositionNotWrittenError(position, self._next_position)


def _recorded_at(event: Event) -> int:
    return event.recorded_at


def _require_non_negative(name: str, value: object) -> int:
    number = require_int(name, value)
    if number < 0:
        raise ValueError(f"{name} must be at least 0, got {number}")
    return number
