"""Tests of the coordination adapters' mapping onto the spec's names."""

from __future__ import annotations

from adapters import (
    BarrierAdapter,
    CountersAdapter,
    LeaderElectionAdapter,
    LeaseLockAdapter,
    QuorumVoteAdapter,
)


def test_lease_lock_initial_state() -> None:
    adapter = LeaseLockAdapter({"lease_ticks": 3})
    assert adapter.observe() == {
        "holder": None,
        "expires_at": 0,
        "token": 0,
        "dead": frozenset(),
        "now": 0,
    }


def test_lease_lock_holder_death_frees_lock() -> None:
    adapter = LeaseLockAdapter({"lease_ticks": 3})
    adapter.acquire("a")
    adapter.holder_dies("a")
    assert adapter.current_holder() is None
    assert adapter.acquire("b") == 2


def test_lease_lock_expires_on_tick() -> None:
    adapter = LeaseLockAdapter({"lease_ticks": 3})
    adapter.acquire("a")
    adapter.tick(3)
    assert adapter.current_holder() is None
    assert adapter.observe()["holder"] == "a"


def test_barrier_initial_state() -> None:
    adapter = BarrierAdapter({"parties": 2})
    assert adapter.observe() == {
        "arrived": frozenset(),
        "generation": 0,
        "broken": False,
    }


def test_barrier_round_releases() -> None:
    adapter = BarrierAdapter({"parties": 2})
    adapter.arrive("a")
    assert adapter.arrive("b") == 1
    assert adapter.released_rounds() == 1
    assert adapter.waiting() == 0


def test_election_initial_state() -> None:
    adapter = LeaderElectionAdapter({"lease_ticks": 2, "history_limit": 3})
    assert adapter.observe() == {
        "term": 0,
        "leader": None,
        "lease_expires": 0,
        "leaders": {},
        "dead": frozenset(),
        "now": 0,
    }


def test_election_death_deposes_leader() -> None:
    adapter = LeaderElectionAdapter({"lease_ticks": 2, "history_limit": 3})
    adapter.campaign("a")
    adapter.node_dies("a")
    assert adapter.current_leader() is None
    assert adapter.campaign("b") == 2
    assert adapter.leader_of(1) == "a"


def test_counters_state_is_stored_values() -> None:
    adapter = CountersAdapter({})
    adapter.increment("k", 2)
    assert adapter.count("k") == 2
    assert adapter.observe() == {"values": {"k": 2}}


def test_quorum_outcome_names_are_spec_members() -> None:
    adapter = QuorumVoteAdapter({"participants": 2})
    adapter.enroll("a")
    adapter.enroll("b")
    assert adapter.vote("a", True) == "Pending"
    assert adapter.vote("b", True) == "Approved"
    assert adapter.current_outcome() == "Approved"
