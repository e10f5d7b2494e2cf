"""Crash recovery of the coordination primitives from their stores."""

from __future__ import annotations

import threading
from collections.abc import Hashable

import pytest

from reference_impl.clock import ManualClock
from reference_impl.coordination import (
    Barrier,
    BarrierSnapshot,
    Counters,
    ElectionSnapshot,
    LeaderElection,
    LeaderPresentError,
    LeaseLock,
    LeaseLockSnapshot,
    LockHeldError,
    Outcome,
    QuorumVote,
)
from reference_impl.coordination.store import MemoryKeyedStore, MemorySnapshotStore


def test_lock_recovery_keeps_holder_and_token() -> None:
    clock = ManualClock(0)
    store: MemorySnapshotStore[LeaseLockSnapshot] = MemorySnapshotStore()
    lock = LeaseLock(lease_ticks=10, clock=clock, store=store)
    assert lock.acquire("a") == 1
    del lock

    recovered = LeaseLock.recover(store, lease_ticks=10, clock=clock)
    assert recovered.holder() == "a"
    with pytest.raises(LockHeldError):
        recovered.acquire("b")
    clock.advance(10)
    assert recovered.acquire("b") == 2


def test_lock_recovery_asks_for_holder_probe() -> None:
    store: MemorySnapshotStore[LeaseLockSnapshot] = MemorySnapshotStore()
    lock = LeaseLock(lease_ticks=10, clock=ManualClock(0), store=store)
    lock.acquire("a")
    asked: list[Hashable] = []

    def probe_for(holder: Hashable) -> bool:
        asked.append(holder)
        return False

    recovered = LeaseLock.recover(
        store,
        lease_ticks=10,
        clock=ManualClock(0),
        liveness=lambda holder: lambda: probe_for(holder),
    )
    assert recovered.holder() is None
    assert asked == ["a"]
    assert recovered.acquire("b") == 2


def test_lock_recovery_from_empty_store() -> None:
    store: MemorySnapshotStore[LeaseLockSnapshot] = MemorySnapshotStore()
    recovered = LeaseLock.recover(store, lease_ticks=5, clock=ManualClock(0))
    assert recovered.holder() is None
    assert recovered.token == 0


def test_lock_release_reaches_store() -> None:
    store: MemorySnapshotStore[LeaseLockSnapshot] = MemorySnapshotStore()
    lock = LeaseLock(lease_ticks=10, clock=ManualClock(0), store=store)
    lock.acquire("a")
    lock.release("a")
    saved = store.load()
    assert saved is not None
    assert saved.holder is None
    assert saved.token == 1


def test_election_recovery_keeps_term_and_leader() -> None:
    clock = ManualClock(0)
    store: MemorySnapshotStore[ElectionSnapshot] = MemorySnapshotStore()
    election = LeaderElection(lease_ticks=5, history_limit=4, clock=clock, store=store)
    assert election.campaign("a") == 1
    clock.advance(5)
    assert election.campaign("b") == 2
    del election

    recovered = LeaderElection.recover(
        store, lease_ticks=5, history_limit=4, clock=clock
    )
    assert recovered.term == 2
    assert recovered.leader_of(1) == "a"
    leadership = recovered.leader()
    assert leadership is not None
    assert leadership.node == "b"
    with pytest.raises(LeaderPresentError):
        recovered.campaign("c")
    clock.advance(5)
    assert recovered.campaign("c") == 3


def test_election_recovery_asks_for_leader_probe() -> None:
    store: MemorySnapshotStore[ElectionSnapshot] = MemorySnapshotStore()
    election = LeaderElection(lease_ticks=5, clock=ManualClock(0), store=store)
    election.campaign("a")
    recovered = LeaderElection.recover(
        store,
        lease_ticks=5,
        clock=ManualClock(0),
        liveness=lambda node: lambda: node != "a",
    )
    assert recovered.leader() is None
    assert recovered.campaign("b") == 2


def test_counters_recovery_keeps_values() -> None:
    store: MemoryKeyedStore[Hashable, int] = MemoryKeyedStore()
    counters = Counters(store=store)
    counters.increment("x", 3)
    counters.increment("y", 2)
    counters.decrement("y", 2)
    counters.compare_and_set("z", 0, 7)
    counters.reset("z")
    del counters

    recovered = Counters.recover(store)
    assert recovered.snapshot() == {"x": 3}
    assert recovered.increment("x", 1) == 4
    assert store.contents() == {"x": 4}


def test_counters_recovery_rejects_non_positive_value() -> None:
    store: MemoryKeyedStore[Hashable, int] = MemoryKeyedStore()
    store.put("x", 0)
    with pytest.raises(ValueError, match="above 0"):
        Counters.recover(store)


def test_counters_store_under_threads() -> None:
    store: MemoryKeyedStore[Hashable, int] = MemoryKeyedStore()
    counters = Counters(store=store)

    def add() -> None:
        for _ in range(500):
            counters.increment("x", 1)

    threads = [threading.Thread(target=add) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.contents() == {"x": 2000}


def test_barrier_recovery_keeps_round() -> None:
    store: MemorySnapshotStore[BarrierSnapshot] = MemorySnapshotStore()
    barrier = Barrier(3, store=store)
    barrier.arrive("a")
    barrier.arrive("b")
    barrier.arrive("c")
    barrier.arrive("d")
    del barrier

    recovered = Barrier.recover(store, 3)
    assert recovered.generation == 1
    assert recovered.waiting == 1
    assert recovered.arrive("e") == 1
    assert recovered.arrive("f") == 2
    assert recovered.generation == 2


def test_barrier_recovery_keeps_broken() -> None:
    store: MemorySnapshotStore[BarrierSnapshot] = MemorySnapshotStore()
    barrier = Barrier(2, store=store)
    barrier.arrive("a")
    barrier.abort()
    recovered = Barrier.recover(store, 2)
    assert recovered.broken
    assert recovered.waiting == 0


def test_barrier_recovery_rejects_full_round() -> None:
    store: MemorySnapshotStore[BarrierSnapshot] = MemorySnapshotStore()
    store.save(BarrierSnapshot(frozenset({"a", "b"}), 0, False))
    with pytest.raises(ValueError, match="2 arrivals"):
        Barrier.recover(store, 2)


def test_vote_recovery_keeps_decision() -> None:
    store: MemoryKeyedStore[Hashable, bool | None] = MemoryKeyedStore()
    vote = QuorumVote(3, voters=("a", "b", "c"), store=store)
    vote.vote("a", True)
    assert vote.vote("b", True) is Outcome.APPROVED
    del vote

    recovered = QuorumVote.recover(store, 3)
    assert recovered.outcome is Outcome.APPROVED
    assert recovered.vote("c", False) is Outcome.APPROVED
    snapshot = recovered.snapshot()
    assert snapshot.voters == {"a", "b", "c"}
    assert snapshot.approvals == {"a", "b"}
    assert snapshot.rejections == {"c"}


def test_vote_recovery_rejects_oversized_electorate() -> None:
    store: MemoryKeyedStore[Hashable, bool | None] = MemoryKeyedStore()
    for voter in ("a", "b", "c"):
        store.put(voter, None)
    with pytest.raises(ValueError, match="more than the 2 participants"):
        QuorumVote.recover(store, 2)
