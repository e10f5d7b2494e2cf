"""Tests of the quorum vote: quorum sizes, outcomes, ballots, threads."""

from __future__ import annotations

import threading

import pytest

from reference_impl.coordination import (
    AlreadyEnrolledError,
    AlreadyVotedError,
    ElectorateFullError,
    NotEnrolledError,
    Outcome,
    QuorumVote,
    QuorumVoteSnapshot,
    VoteError,
    quorum_size,
)


def enrolled(participants: int) -> QuorumVote:
    return QuorumVote(participants, voters=range(participants))


@pytest.mark.parametrize(
    ("participants", "quorum"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4)]
)
def test_quorum_is_smallest_majority(participants: int, quorum: int) -> None:
    assert quorum_size(participants) == quorum


@pytest.mark.parametrize("participants", range(1, 101))
def test_any_two_quorums_intersect(participants: int) -> None:
    assert 2 * quorum_size(participants) > participants


def test_quorum_size_rejects_empty_electorate() -> None:
    with pytest.raises(ValueError, match="participants must be at least 1"):
        quorum_size(0)


def test_new_vote_is_pending() -> None:
    vote = enrolled(3)
    assert vote.outcome is Outcome.PENDING
    assert vote.quorum == 2


def test_quorum_of_approvals_approves() -> None:
    vote = enrolled(3)
    assert vote.vote(0, True) is Outcome.PENDING
    assert vote.vote(1, True) is Outcome.APPROVED


def test_quorum_of_rejections_rejects() -> None:
    vote = enrolled(3)
    vote.vote(0, False)
    assert vote.vote(1, False) is Outcome.REJECTED


def test_even_tie_stays_pending() -> None:
    vote = enrolled(4)
    for voter, approve in [(0, True), (1, True), (2, False), (3, False)]:
        vote.vote(voter, approve)
    assert vote.outcome is Outcome.PENDING


def test_late_ballots_count_but_cannot_overturn() -> None:
    vote = enrolled(5)
    for voter in range(3):
        vote.vote(voter, True)
    assert vote.vote(3, False) is Outcome.APPROVED
    assert vote.vote(4, False) is Outcome.APPROVED
    assert vote.snapshot().rejections == {3, 4}


def test_enroll_up_to_participants() -> None:
    vote = QuorumVote(2)
    vote.enroll("a")
    vote.enroll("b")
    with pytest.raises(ElectorateFullError):
        vote.enroll("c")


def test_enroll_twice_is_refused() -> None:
    vote = QuorumVote(2)
    vote.enroll("a")
    with pytest.raises(AlreadyEnrolledError):
        vote.enroll("a")


def test_stranger_cannot_vote() -> None:
    vote = QuorumVote(2, voters=["a"])
    with pytest.raises(NotEnrolledError):
        vote.vote("b", True)


def test_voter_votes_once() -> None:
    vote = enrolled(3)
    vote.vote(0, True)
    with pytest.raises(AlreadyVotedError):
        vote.vote(0, False)
    assert vote.snapshot() == QuorumVoteSnapshot(
        frozenset(range(3)), frozenset({0}), frozenset()
    )


def test_ballot_must_be_bool() -> None:
    with pytest.raises(TypeError, match="approve must be a bool"):
        enrolled(1).vote(0, 1)  # type: ignore[arg-type]


def test_too_many_initial_voters_are_refused() -> None:
    with pytest.raises(ValueError, match="voters"):
        QuorumVote(1, voters=["a", "b"])


def test_errors_share_base_class() -> None:
    for error in (
        ElectorateFullError,
        AlreadyEnrolledError,
        NotEnrolledError,
        AlreadyVotedError,
    ):
        assert issubclass(error, VoteError)


def test_concurrent_ballots_are_all_counted() -> None:
    participants = 400
    vote = enrolled(participants)
    outcomes: list[Outcome] = []
    guard = threading.Lock()

    def cast(first: int) -> None:
        for voter in range(first, participants, 8):
            outcome = vote.vote(voter, voter % 3 != 0)
            with guard:
                outcomes.append(outcome)

    threads = [threading.Thread(target=cast, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = vote.snapshot()
    assert len(state.approvals) + len(state.rejections) == participants
    assert len(state.approvals) == sum(1 for v in range(participants) if v % 3 != 0)
    assert vote.outcome is Outcome.APPROVED
    assert Outcome.REJECTED not in outcomes
