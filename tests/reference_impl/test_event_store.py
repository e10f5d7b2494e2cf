"""Tests of the event store: positions, reads, batches, retention and subscriptions."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from reference_impl.clock import ManualClock
from reference_impl.event_store import (
    AlreadySubscribedError,
    BackpressureError,
    BatchTooLargeError,
    EmptyBatchError,
    Event,
    EventDraft,
    EventStore,
    EventStoreError,
    InvalidTimeRangeError,
    Overflow,
    PositionExpiredError,
    PositionNotWrittenError,
    SubscriptionStatus,
    UnknownSubscriptionError,
)
from reference_impl.event_store_journal import MemoryJournal

MAX_AGE = 10
BUFFER = 3


def make_store(
    max_age: int = MAX_AGE, buffer_size: int = BUFFER, max_batch: int = 5
) -> tuple[EventStore, ManualClock]:
    clock = ManualClock()
    store = EventStore(
        max_age=max_age, buffer_size=buffer_size, max_batch=max_batch, clock=clock
    )
    return store, clock


def run_in_threads(threads_count: int, work: Callable[[int], None]) -> None:
    barrier = threading.Barrier(threads_count)

    def start_together(index: int) -> None:
        barrier.wait()
        work(index)

    threads = [
        threading.Thread(target=start_together, args=(i,)) for i in range(threads_count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# Appending and reading


def test_append_returns_stored_event() -> None:
    store, clock = make_store()
    clock.advance(4)
    event = store.append({"kind": "started"}, "job-1")
    assert event == Event(0, "job-1", {"kind": "started"}, 4)


def test_positions_increase_within_one_tick() -> None:
    store, _ = make_store()
    positions = [store.append(n, "c").position for n in range(50)]
    assert positions == list(range(50))
    assert store.next_position == 50


def test_read_returns_event_at_position() -> None:
    store, _ = make_store()
    store.append("a", "c")
    second = store.append("b", "c")
    assert store.read(1) == second


def test_read_unwritten_position_raises() -> None:
    store, _ = make_store()
    store.append("a", "c")
    with pytest.raises(PositionNotWrittenError) as caught:
        store.read(1)
    assert caught.value.next_position == 1


def test_read_negative_position_is_rejected() -> None:
    store, _ = make_store()
    with pytest.raises(ValueError, match="position must be at least 0"):
        store.read(-1)


def test_read_from_returns_up_to_limit() -> None:
    store, _ = make_store()
    for n in range(5):
        store.append(n, "c")
    assert [e.payload for e in store.read_from(1, 3)] == [1, 2, 3]
    assert [e.payload for e in store.read_from(3, 10)] == [3, 4]


def test_read_from_next_position_is_empty() -> None:
    store, _ = make_store()
    store.append("a", "c")
    assert store.read_from(1, 5) == ()


def test_read_from_past_end_raises() -> None:
    store, _ = make_store()
    with pytest.raises(PositionNotWrittenError):
        store.read_from(1, 5)


def test_read_from_rejects_zero_limit() -> None:
    store, _ = make_store()
    with pytest.raises(ValueError, match="limit must be at least 1"):
        store.read_from(0, 0)


def test_read_correlated_in_position_order() -> None:
    store, _ = make_store()
    store.append("a1", "a")
    store.append("b1", "b")
    store.append("a2", "a")
    assert [e.payload for e in store.read_correlated("a")] == ["a1", "a2"]
    assert store.read_correlated("missing") == ()


def test_read_between_is_half_open() -> None:
    store, clock = make_store()
    for _ in range(4):
        store.append(clock.now(), "c")
        clock.advance(2)
    assert [e.recorded_at for e in store.read_between(2, 6)] == [2, 4]
    assert store.read_between(3, 3) == ()


def test_read_between_rejects_reversed_range() -> None:
    store, _ = make_store()
    with pytest.raises(InvalidTimeRangeError):
        store.read_between(5, 4)


def test_unhashable_correlation_id_is_rejected() -> None:
    store, _ = make_store()
    with pytest.raises(TypeError):
        store.append("a", ["not", "hashable"])  # type: ignore[arg-type]
    assert store.next_position == 0


# Batches


def test_batch_gets_consecutive_positions() -> None:
    store, clock = make_store()
    store.append("before", "c")
    clock.advance(1)
    stored = store.append_batch([EventDraft("x", 1), EventDraft("y", 2)])
    assert [e.position for e in stored] == [1, 2]
    assert [e.recorded_at for e in stored] == [1, 1]
    assert store.read(2) == stored[1]


def test_empty_batch_is_rejected() -> None:
    store, _ = make_store()
    with pytest.raises(EmptyBatchError):
        store.append_batch([])


def test_oversized_batch_is_rejected_whole() -> None:
    store, _ = make_store(max_batch=2)
    with pytest.raises(BatchTooLargeError) as caught:
        store.append_batch([EventDraft("c", n) for n in range(3)])
    assert caught.value.limit == 2
    assert store.next_position == 0


def test_batch_items_must_be_drafts() -> None:
    store, _ = make_store()
    with pytest.raises(TypeError, match="EventDraft"):
        store.append_batch([("c", 1)])  # type: ignore[list-item]


def test_blocked_batch_appends_nothing() -> None:
    store, _ = make_store()
    store.subscribe("slow", Overflow.BLOCK)
    store.append("a", "c")
    with pytest.raises(BackpressureError):
        store.append_batch([EventDraft("c", 1), EventDraft("c", 2), EventDraft("c", 3)])
    assert store.next_position == 1
    assert len(store) == 1


# Retention


def test_retention_removes_only_old_events() -> None:
    store, clock = make_store()
    store.append("old", "c")
    clock.advance(5)
    store.append("young", "c")
    clock.advance(MAX_AGE)
    assert store.enforce_retention() == 1
    assert [e.payload for e in store.events()] == ["young"]
    assert store.first_position == 1


def test_event_exactly_max_age_is_kept() -> None:
    store, clock = make_store()
    store.append("a", "c")
    clock.advance(MAX_AGE)
    assert store.enforce_retention() == 0


def test_read_expired_position_raises() -> None:
    store, clock = make_store()
    store.append("a", "c")
    clock.advance(MAX_AGE + 1)
    store.enforce_retention()
    with pytest.raises(PositionExpiredError) as caught:
        store.read(0)
    assert caught.value.first_position == 1


def test_retention_prunes_correlation_index() -> None:
    store, clock = make_store()
    store.append("a1", "a")
    clock.advance(MAX_AGE + 1)
    store.append("a2", "a")
    store.enforce_retention()
    assert [e.payload for e in store.read_correlated("a")] == ["a2"]


def test_positions_continue_after_retention_and_compaction() -> None:
    store, clock = make_store(max_age=0)
    for n in range(3000):
        store.append(n, n % 7)
    clock.advance(1)
    assert store.enforce_retention() == 3000
    event = store.append("next", 0)
    assert event.position == 3000
    assert store.read(3000) == event
    assert store.read_correlated(0) == (event,)


def test_rejects_negative_max_age() -> None:
    with pytest.raises(ValueError, match="max_age must be at least 0"):
        EventStore(max_age=-1, buffer_size=1)


# Subscriptions


def test_subscription_receives_events_in_order() -> None:
    store, _ = make_store()
    store.append("before", "c")
    store.subscribe("s")
    store.append("a", "c")
    store.append("b", "c")
    first = store.poll("s")
    second = store.poll("s")
    assert first is not None
    assert second is not None
    assert [first.payload, second.payload] == ["a", "b"]
    assert store.poll("s") is None


def test_block_subscriber_applies_backpressure() -> None:
    store, _ = make_store()
    store.subscribe("slow", Overflow.BLOCK)
    for n in range(BUFFER):
        store.append(n, "c")
    with pytest.raises(BackpressureError) as caught:
        store.append("overflow", "c")
    assert caught.value.subscription_id == "slow"
    store.poll("slow")
    store.append("fits", "c")
    assert store.next_position == BUFFER + 1


def test_drop_oldest_counts_dropped_events() -> None:
    store, _ = make_store()
    store.subscribe("lossy", Overflow.DROP_OLDEST)
    for n in range(BUFFER + 2):
        store.append(n, "c")
    assert store.status("lossy").dropped == 2
    event = store.poll("lossy")
    assert event is not None
    assert event.payload == 2
    assert store.status("lossy") == SubscriptionStatus(
        policy=Overflow.DROP_OLDEST,
        start=0,
        cursor=3,
        delivered=1,
        dropped=2,
        pending=2,
    )


def test_retention_losses_are_counted() -> None:
    store, clock = make_store()
    store.subscribe("s", Overflow.BLOCK)
    store.append("a", "c")
    store.append("b", "c")
    clock.advance(MAX_AGE + 1)
    store.enforce_retention()
    store.append("c", "c")
    event = store.poll("s")
    assert event is not None
    assert event.payload == "c"
    status = store.status("s")
    assert status.dropped == 2
    assert status.delivered == 1


def test_every_event_delivered_or_counted() -> None:
    store, _ = make_store()
    store.subscribe("lossy", Overflow.DROP_OLDEST)
    delivered = 0
    for n in range(40):
        store.append(n, "c")
        if n % 5 == 0:
            while store.poll("lossy") is not None:
                delivered += 1
    status = store.status("lossy")
    assert status.delivered == delivered
    assert status.delivered + status.dropped + status.pending == 40


def test_raw_subscription_defers_drop_count() -> None:
    store, _ = make_store()
    store.subscribe("lossy", Overflow.DROP_OLDEST)
    for n in range(BUFFER + 1):
        store.append(n, "c")
    assert store.raw_subscriptions()["lossy"].dropped == 0
    assert store.status("lossy").dropped == 1


def test_duplicate_subscription_is_rejected() -> None:
    store, _ = make_store()
    store.subscribe("s")
    with pytest.raises(AlreadySubscribedError):
        store.subscribe("s")


def test_unknown_subscription_is_rejected() -> None:
    store, _ = make_store()
    with pytest.raises(UnknownSubscriptionError):
        store.poll("s")
    with pytest.raises(UnknownSubscriptionError):
        store.unsubscribe("s")


def test_unsubscribe_releases_backpressure() -> None:
    store, _ = make_store()
    store.subscribe("slow")
    for n in range(BUFFER):
        store.append(n, "c")
    store.unsubscribe("slow")
    store.append("free", "c")
    assert store.subscription_ids() == frozenset()


def test_subscribe_rejects_non_policy() -> None:
    store, _ = make_store()
    with pytest.raises(TypeError, match="Overflow"):
        store.subscribe("s", "block")  # type: ignore[arg-type]


def test_errors_share_base_class() -> None:
    for error in (
        EmptyBatchError,
        BatchTooLargeError,
        BackpressureError,
        PositionExpiredError,
        PositionNotWrittenError,
        InvalidTimeRangeError,
        AlreadySubscribedError,
        UnknownSubscriptionError,
    ):
        assert issubclass(error, EventStoreError)


# Threads


def test_concurrent_appends_get_unique_contiguous_positions() -> None:
    store, _ = make_store(buffer_size=1)
    threads_count = 8
    per_thread = 1000
    positions: list[int] = []

    def append_many(index: int) -> None:
        for n in range(per_thread):
            positions.append(store.append((index, n), index).position)

    run_in_threads(threads_count, append_many)
    total = threads_count * per_thread
    assert sorted(positions) == list(range(total))
    for index in range(threads_count):
        own = [e.payload for e in store.read_correlated(index)]
        assert own == [(index, n) for n in range(per_thread)]


def test_concurrent_batches_are_not_interleaved() -> None:
    store, _ = make_store(max_batch=10)
    threads_count = 8

    def append_batches(index: int) -> None:
        for _ in range(100):
            store.append_batch([EventDraft(index, n) for n in range(10)])

    run_in_threads(threads_count, append_batches)
    events = store.events()
    for start in range(0, len(events), 10):
        batch = events[start : start + 10]
        assert len({e.correlation_id for e in batch}) == 1
        assert [e.payload for e in batch] == list(range(10))


def test_blocked_append_proceeds_after_poll() -> None:
    store, _ = make_store(buffer_size=1)
    store.subscribe("slow", Overflow.BLOCK)
    store.append("first", "c")
    appended = threading.Event()

    def append_waiting() -> None:
        store.append("second", "c", timeout=None)
        appended.set()

    writer = threading.Thread(target=append_waiting)
    writer.start()
    delivered = []
    while not appended.is_set():
        event = store.poll("slow")
        if event is not None:
            delivered.append(event.payload)
    writer.join()
    assert delivered[0] == "first"
    assert store.next_position == 2


def test_blocked_append_times_out() -> None:
    store, _ = make_store(buffer_size=1)
    store.subscribe("slow", Overflow.BLOCK)
    store.append("first", "c")
    with pytest.raises(BackpressureError):
        store.append("second", "c", timeout=0.01)
    assert store.next_position == 1


def test_concurrent_polls_deliver_each_event_once() -> None:
    store, _ = make_store(buffer_size=10_000)
    store.subscribe("shared", Overflow.BLOCK)
    for n in range(4000):
        store.append(n, "c")
    received: list[int] = []

    def drain(_: int) -> None:
        while (event := store.poll("shared")) is not None:
            received.append(event.position)

    run_in_threads(4, drain)
    assert sorted(received) == list(range(4000))


# Crash recovery


def make_journaled_store() -> tuple[EventStore, ManualClock, MemoryJournal]:
    clock = ManualClock()
    journal = MemoryJournal()
    store = EventStore(
        max_age=MAX_AGE, buffer_size=BUFFER, max_batch=5, clock=clock, journal=journal
    )
    return store, clock, journal


def recover(journal: MemoryJournal, clock: ManualClock) -> EventStore:
    return EventStore.recover(
        journal, max_age=MAX_AGE, buffer_size=BUFFER, max_batch=5, clock=clock
    )


def test_recovery_restores_events_and_index() -> None:
    store, clock, journal = make_journaled_store()
    store.append("a", "x")
    store.append_batch([EventDraft("y", "b"), EventDraft("x", "c")])
    recovered = recover(journal, clock)
    assert recovered.events() == store.events()
    assert [e.payload for e in recovered.read_correlated("x")] == ["a", "c"]
    assert recovered.append("d", "x").position == 3


def test_recovery_never_reuses_positions() -> None:
    store, clock, journal = make_journaled_store()
    store.append("a", "x")
    clock.advance(MAX_AGE + 1)
    store.enforce_retention()
    recovered = recover(journal, clock)
    assert len(recovered) == 0
    assert recovered.next_position == 1
    assert recovered.append("b", "x").position == 1


def test_recovery_restores_subscriptions() -> None:
    store, clock, journal = make_journaled_store()
    store.subscribe("lossy", Overflow.DROP_OLDEST)
    for n in range(BUFFER + 2):
        store.append(n, "c")
    store.poll("lossy")
    recovered = recover(journal, clock)
    assert recovered.raw_subscriptions() == store.raw_subscriptions()
    event = recovered.poll("lossy")
    assert event is not None
    assert event.payload == 3


def test_recovery_forgets_unsubscribed() -> None:
    store, clock, journal = make_journaled_store()
    store.subscribe("s")
    store.unsubscribe("s")
    assert recover(journal, clock).subscription_ids() == frozenset()


def test_recovered_store_keeps_journaling() -> None:
    store, clock, journal = make_journaled_store()
    recovered = recover(journal, clock)
    recovered.append("a", "x")
    assert recover(journal, clock).read(0).payload == "a"
    assert len(journal) == 1
    assert store.next_position == 0
