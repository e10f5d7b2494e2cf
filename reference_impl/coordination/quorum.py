"""A yes/no vote decided by a majority quorum of a fixed electorate.

The quorum is ``participants // 2 + 1``, the smallest size for which any two
quorums of the electorate share a member: two quorums hold at least
``2 * quorum > participants`` memberships between them, more than there are
participants. That is why the vote can never be both approved and rejected,
whether the electorate is odd or even. With an even electorate a vote can end
tied, with neither side at quorum; it then stays pending.

A vote given a store (:mod:`reference_impl.coordination.store`) writes each
enrolment and ballot to it, one entry per voter, and
:meth:`QuorumVote.recover` rebuilds a crashed vote from it: a vote that lost
ballots could let the other side reach quorum and change a decided outcome.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from reference_impl._checks import require_positive_int
from reference_impl.coordination._identity import require_identity
from reference_impl.coordination.store import KeyedStore

__all__ = [
    "AlreadyEnrolledError",
    "AlreadyVotedError",
    "ElectorateFullError",
    "NotEnrolledError",
    "Outcome",
    "QuorumVote",
    "QuorumVoteSnapshot",
    "VoteError",
    "quorum_size",
]

logger = logging.getLogger(__name__)


def quorum_size(participants: int) -> int:
    """Return the smallest majority of ``participants``.

    >>> [quorum_size(n) for n in (1, 2, 3, 4, 5)]
    [1, 2, 2, 3, 3]

    Raises:
        TypeError: if ``participants`` is not an int.
        ValueError: if ``participants`` is less than 1.
    """
    return require_positive_int("participants", participants) // 2 + 1


class Outcome(enum.Enum):
    """The state of a vote: pending until one side reaches quorum."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class VoteError(Exception):
    """Base class of the errors a vote raises for a rejected enrolment or ballot."""


class ElectorateFullError(VoteError):
    """All ``participants`` voters are enrolled already."""


class AlreadyEnrolledError(VoteError):
    """The voter is enrolled already."""


class NotEnrolledError(VoteError):
    """The voter is not in the electorate, so its ballot does not count."""


class AlreadyVotedError(VoteError):
    """The voter has cast its ballot; a ballot cannot be changed."""


@dataclass(frozen=True)
class QuorumVoteSnapshot:
    """The state of a vote at one instant.

    Attributes:
        voters: the enrolled electorate.
        approvals: the voters who voted yes.
        rejections: the voters who voted no.
    """

    voters: frozenset[Hashable]
    approvals: frozenset[Hashable]
    rejections: frozenset[Hashable]


class QuorumVote:
    """One yes/no vote among ``participants`` voters, guarded by one lock.

    Args:
        participants: the size of the electorate.
        voters: voters to enroll at once; more can be enrolled later with
            :meth:`enroll`, up to ``participants`` in all.
        name: a label for log records and error messages.
        store: where every enrolment and ballot is saved, so that
            :meth:`recover` can rebuild the vote after a crash. It should
            start empty. Each voter's entry is None until it votes, then
            its ballot.

    Raises:
        TypeError: if ``participants`` is not an int or a voter is unhashable.
        ValueError: if ``participants`` is less than 1, or ``voters`` contains
            more than ``participants`` voters or a voter twice.
    """

    def __init__(
        self,
        participants: int,
        *,
        voters: Iterable[Hashable] = (),
        name: str = "vote",
        store: KeyedStore[Hashable, bool | None] | None = None,
    ) -> None:
        self._quorum = quorum_size(participants)
        self._participants = participants
        self._name = name
        self._lock = threading.Lock()
        self._voters: set[Hashable] = set()
        self._approvals: set[Hashable] = set()
        self._rejections: set[Hashable] = set()
        self._store = store
        for voter in voters:
            try:
                self.enroll(voter)
            except VoteError as exc:
                raise ValueError(f"voters: {exc}") from None

    @classmethod
    def recover(
        cls,
        store: KeyedStore[Hashable, bool | None],
        participants: int,
        *,
        name: str = "vote",
    ) -> QuorumVote:
        """Rebuild a crashed vote from its store.

        The electorate and every ballot come back as the crashed vote saved
        them, so a decided outcome stays decided. The new vote keeps writing
        to ``store``.

        Raises:
            TypeError: if ``participants`` is not an int.
            ValueError: if ``participants`` is less than 1, or the store contains
                more than ``participants`` voters.
        """
        vote = cls(participants, name=name, store=store)
        saved = store.contents()
        if len(saved) > participants:
            raise ValueError(
                f"the store contains {len(saved)} voters, more than the "
                f"{participants} participants"
            )
        for voter, ballot in saved.items():
            vote._voters.add(voter)
            if ballot is not None:
                (vote._approvals if ballot else vote._rejections).add(voter)
        logger.info(
            "vote %r recovered: %d voters, %d ballots",
            name,
            len(saved),
            len(vote._approvals) + len(vote._rejections),
        )
        return vote

    @property
    def participants(self) -> int:
        """The size of the electorate."""
        return self._participants

    @property
    def quorum(self) -> int:
        """How many matching ballots decide the vote."""
        return self._quorum

    def enroll(self, voter: Hashable) -> None:
        """Add ``voter`` to the electorate.

        Raises:
            ElectorateFullError: if ``participants`` voters are enrolled.
            AlreadyEnrolledError: if ``voter`` is enrolled already.
            TypeError: if ``voter`` is not hashable.
        """
        require_identity("voter", voter)
        with self._lock:
            if len(self._voters) >= self._participants:
                raise ElectorateFullError(
                    f"vote {self._name!r} has all {self._participants} voters"
                )
            if voter in self._voters:
                raise AlreadyEnrolledError(
                    f"{voter!r} is enrolled in vote {self._name!r} already"
                )
            self._voters.add(voter)
            if self._store is not None:
                self._store.put(voter, None)

    def vote(self, voter: Hashable, approve: bool) -> Outcome:
        """Cast ``voter``'s ballot and return the vote's outcome after it.

        Ballots cast after the vote is decided are still counted, but they
        cannot change the outcome: the other side can never reach quorum.

        Raises:
            NotEnrolledError: if ``voter`` is not enrolled.
            AlreadyVotedError: if ``voter`` has voted already.
            TypeError: if ``voter`` is unhashable or ``approve`` is not a bool.
        """
        require_identity("voter", voter)
        if not isinstance(approve, bool):
            raise TypeError(f"approve must be a bool, got {approve!r}")
        with self._lock:
            if voter not in self._voters:
                raise NotEnrolledError(
                    f"{voter!r} is not enrolled in vote {self._name!r}"
                )
            if voter in self._approvals or voter in self._rejections:
                raise AlreadyVotedError(
                    f"{voter!r} has voted in vote {self._name!r} already"
                )
            before = self._outcome()
            (self._approvals if approve else self._rejections).add(voter)
            if self._store is not None:
                self._store.put(voter, approve)
            after = self._outcome()
        if after is not before:
            logger.info("vote %r is %s", self._name, after.value)
        return after

    @property
    def outcome(self) -> Outcome:
        """The vote's outcome now."""
        with self._lock:
            return self._outcome()

    def snapshot(self) -> QuorumVoteSnapshot:
        """Return the electorate and the ballots, read atomically."""
        with self._lock:
            return QuorumVoteSnapshot(
                voters=frozenset(self._voters),
                approvals=frozenset(self._approvals),
                rejections=frozenset(self._rejections),
            )

    def _outcome(self) -> Outcome:
        # The caller holds the lock.
        if len(self._approvals) >= self._quorum:
            return Outcome.APPROVED
        if len(self._rejections) >= self._quorum:
            return Outcome.REJECTED
        return Outcome.PENDING
