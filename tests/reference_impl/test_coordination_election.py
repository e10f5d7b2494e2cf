"""Tests of leader election: terms, leases, resignation, deaths, threads."""

from __future__ import annotations

import threading

import pytest

from reference_impl.clock import ManualClock
from reference_impl.coordination import (
    ElectionError,
    LeaderElection,
    LeaderPresentError,
    Leadership,
    NotLeaderError,
)

LEASE = 5


def make_election(history_limit: int = 1024) -> tuple[LeaderElection, ManualClock]:
    clock = ManualClock()
    election = LeaderElection(
        lease_ticks=LEASE, history_limit=history_limit, clock=clock
    )
    return election, clock


class Life:
    def __init__(self) -> None:
        self.alive = True

    def __call__(self) -> bool:
        return self.alive


def test_no_leader_before_first_campaign() -> None:
    election, _ = make_election()
    assert election.leader() is None
    assert election.term == 0


def test_first_campaign_opens_term_one() -> None:
    election, _ = make_election()
    assert election.campaign("a") == 1
    assert election.leader() == Leadership("a", 1)


def test_live_leader_blocks_campaigns() -> None:
    election, _ = make_election()
    election.campaign("a")
    with pytest.raises(LeaderPresentError) as caught:
        election.campaign("b")
    assert caught.value.term == 1
    assert caught.value.expires_at == LEASE
    assert election.term == 1


def test_leader_cannot_campaign_again() -> None:
    election, _ = make_election()
    election.campaign("a")
    with pytest.raises(LeaderPresentError):
        election.campaign("a")


def test_expired_lease_opens_next_term() -> None:
    election, clock = make_election()
    election.campaign("a")
    clock.advance(LEASE)
    assert election.leader() is None
    assert election.campaign("b") == 2
    assert election.leader() == Leadership("b", 2)


def test_earlier_terms_keep_their_leader() -> None:
    election, clock = make_election()
    election.campaign("a")
    clock.advance(LEASE)
    election.campaign("b")
    assert election.leader_of(1) == "a"
    assert election.leader_of(2) == "b"
    assert election.leader_of(3) is None


def test_former_leader_wins_only_a_new_term() -> None:
    election, clock = make_election()
    election.campaign("a")
    clock.advance(LEASE)
    assert election.campaign("a") == 2


def test_renew_extends_leadership() -> None:
    election, clock = make_election()
    election.campaign("a")
    clock.advance(LEASE - 1)
    assert election.renew("a", 1) == 2 * LEASE - 1
    clock.advance(LEASE - 1)
    assert election.leader() == Leadership("a", 1)


def test_renew_with_stale_term_is_refused() -> None:
    election, clock = make_election()
    election.campaign("a")
    clock.advance(LEASE)
    election.campaign("a")
    with pytest.raises(NotLeaderError) as caught:
        election.renew("a", 1)
    assert caught.value.term == 1


def test_renew_by_other_node_is_refused() -> None:
    election, _ = make_election()
    election.campaign("a")
    with pytest.raises(NotLeaderError):
        election.renew("b", 1)


def test_resign_ends_leadership() -> None:
    election, _ = make_election()
    election.campaign("a")
    election.resign("a", 1)
    assert election.leader() is None
    assert election.campaign("b") == 2


def test_resigned_leader_cannot_renew() -> None:
    election, _ = make_election()
    election.campaign("a")
    election.resign("a", 1)
    with pytest.raises(NotLeaderError):
        election.renew("a", 1)


def test_dead_leader_is_deposed() -> None:
    election, _ = make_election()
    life = Life()
    election.campaign("a", liveness=life)
    life.alive = False
    assert election.leader() is None
    assert election.campaign("b") == 2


def test_history_forgets_oldest_terms() -> None:
    election, clock = make_election(history_limit=2)
    for node in "abc":
        election.campaign(node)
        clock.advance(LEASE)
    assert election.leader_of(1) is None
    assert election.snapshot().leaders == {2: "b", 3: "c"}


def test_stale_term_type_is_checked() -> None:
    election, _ = make_election()
    with pytest.raises(TypeError, match="term must be an int"):
        election.renew("a", "1")  # type: ignore[arg-type]


@pytest.mark.parametrize("argument", ["lease_ticks", "history_limit"])
def test_rejects_non_positive_settings(argument: str) -> None:
    settings = {"lease_ticks": 1, "history_limit": 1, argument: 0}
    with pytest.raises(ValueError, match=f"{argument} must be at least 1"):
        LeaderElection(**settings)


def test_errors_share_base_class() -> None:
    assert issubclass(LeaderPresentError, ElectionError)
    assert issubclass(NotLeaderError, ElectionError)


def test_concurrent_campaigns_elect_one_leader_per_term() -> None:
    threads_count = 8
    rounds = 200
    election, clock = make_election(history_limit=threads_count * rounds)
    start = threading.Barrier(threads_count)
    wins: list[tuple[int, int]] = []
    guard = threading.Lock()

    def campaign(node: int) -> None:
        for _ in range(rounds):
            start.wait()
            try:
                term = election.campaign(node)
            except LeaderPresentError:
                pass
            else:
                with guard:
                    wins.append((term, node))
            # Every thread has campaigned once this round; one of them lets
            # the lease run out so the next round can elect again.
            if start.wait() == 0:
                clock.advance(LEASE)

    threads = [
        threading.Thread(target=campaign, args=(n,)) for n in range(threads_count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    terms = [term for term, _ in wins]
    assert sorted(terms) == list(range(1, rounds + 1))
    assert all(election.leader_of(term) == node for term, node in wins)
