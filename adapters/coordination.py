"""Adapters that drive the coordination primitives as ``specs/coordination.spec``.

One adapter per component of the spec. The primitives that watch liveness
get a probe per identity that reads the adapter's record of the dead, so an
environment action that kills a holder is a real death to the primitive.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import ClassVar

from reference_impl.clock import ManualClock
from reference_impl.coordination import (
    AlreadyArrivedError,
    AlreadyEnrolledError,
    AlreadyVotedError,
    Barrier,
    BarrierBrokenError,
    BarrierSnapshot,
    Counters,
    CounterUnderflowError,
    ElectionSnapshot,
    ElectorateFullError,
    InvalidAmountError,
    LeaderElection,
    LeaderPresentError,
    LeaseLock,
    LeaseLockSnapshot,
    Liveness,
    LockHeldError,
    NotEnrolledError,
    NotHolderError,
    NotLeaderError,
    Outcome,
    QuorumVote,
)
from reference_impl.coordination.store import MemoryKeyedStore, MemorySnapshotStore

__all__ = [
    "BarrierAdapter",
    "CountersAdapter",
    "LeaderElectionAdapter",
    "LeaseLockAdapter",
    "QuorumVoteAdapter",
]


class _World:
    """The identities that have died, and a liveness probe for each identity."""

    def __init__(self) -> None:
        self.dead: set[Hashable] = set()

    def probe(self, identity: Hashable) -> Liveness:
        dead = self.dead

        def alive() -> bool:
            return identity not in dead

        return alive


class LeaseLockAdapter:
    """A LeaseLock on a manual clock that starts at 0.

    Args:
        constants: the spec's ``lease_ticks``.
    """

    errors: ClassVar[dict[type[BaseException], str]] = {
        LockHeldError: "Held",
        NotHolderError: "NotHolder",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._clock = ManualClock(0)
        self._world = _World()
        self._lease_ticks = constants["lease_ticks"]
        # The store outlives a crash of the lock, as a durable one would.
        self._store: MemorySnapshotStore[LeaseLockSnapshot] = MemorySnapshotStore()
        self._lock = LeaseLock(
            lease_ticks=self._lease_ticks, clock=self._clock, store=self._store
        )

    def acquire(self, h: Hashable) -> int:
        """Perform the spec's ``acquire``, with the holder's liveness probe."""
        return self._lock.acquire(h, liveness=self._world.probe(h))

    def renew(self, h: Hashable) -> int:
        """Perform the spec's ``renew``."""
        return self._lock.renew(h)

    def release(self, h: Hashable) -> None:
        """Perform the spec's ``release``."""
        self._lock.release(h)

    def current_holder(self) -> Hashable | None:
        """Return who holds the lock now, or None."""
        return self._lock.holder()

    def fencing_token(self) -> int:
        """Return the latest grant's fencing token."""
        return self._lock.token

    def tick(self, elapsed: int) -> None:
        """Advance the manual clock by ``elapsed`` ticks."""
        self._clock.advance(elapsed)

    def holder_dies(self, h: Hashable) -> None:
        """Kill ``h``: its liveness probe reports it dead from now on."""
        self._world.dead.add(h)

    def crash(self) -> None:
        """Lose the lock and everything in its memory; the store survives."""
        del self._lock

    def recover(self) -> None:
        """Rebuild the lock from the store, with the holder's probe."""
        self._lock = LeaseLock.recover(
            self._store,
            lease_ticks=self._lease_ticks,
            clock=self._clock,
            liveness=self._world.probe,
        )

    def observe(self) -> dict[str, object]:
        """Return the lock's state, and the world's dead, in the spec's names."""
        state = self._lock.snapshot()
        return {
            "holder": state.holder,
            "expires_at": state.expires_at,
            "token": state.token,
            "dead": frozenset(self._world.dead),
            "now": state.now,
        }


class BarrierAdapter:
    """A Barrier driven through its non-blocking ``arrive``.

    Args:
        constants: the spec's ``parties``.
    """

    errors: ClassVar[dict[type[BaseException], str]] = {
        BarrierBrokenError: "BarrierBroken",
        AlreadyArrivedError: "AlreadyArrived",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._parties = constants["parties"]
        # The store outlives a crash of the barrier, as a durable one would.
        self._store: MemorySnapshotStore[BarrierSnapshot] = MemorySnapshotStore()
        self._barrier = Barrier(self._parties, store=self._store)

    def arrive(self, p: Hashable) -> int:
        """Perform the spec's ``arrive``."""
        return self._barrier.arrive(p)

    def abort(self) -> None:
        """Perform the spec's ``abort``."""
        self._barrier.abort()

    def reset(self) -> None:
        """Perform the spec's ``reset``."""
        self._barrier.reset()

    def waiting(self) -> int:
        """Return how many parties have arrived in the open round."""
        return self._barrier.waiting

    def released_rounds(self) -> int:
        """Return how many rounds have been released."""
        return self._barrier.generation

    def crash(self) -> None:
        """Lose the barrier and everything in its memory; the store survives."""
        del self._barrier

    def recover(self) -> None:
        """Rebuild the barrier from the store."""
        self._barrier = Barrier.recover(self._store, self._parties)

    def observe(self) -> dict[str, object]:
        """Return the barrier's state in the spec's names."""
        state = self._barrier.snapshot()
        return {
            "arrived": state.arrived,
            "generation": state.generation,
            "broken": state.broken,
        }


class LeaderElectionAdapter:
    """A LeaderElection on a manual clock that starts at 0.

    Args:
        constants: the spec's ``lease_ticks`` and ``history_limit``.
    """

    errors: ClassVar[dict[type[BaseException], str]] = {
        LeaderPresentError: "LeaderPresent",
        NotLeaderError: "NotLeader",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._clock = ManualClock(0)
        self._world = _World()
        self._lease_ticks = constants["lease_ticks"]
        self._history_limit = constants["history_limit"]
        # The store outlives a crash of the election, as a durable one would.
        self._store: MemorySnapshotStore[ElectionSnapshot] = MemorySnapshotStore()
        self._election = LeaderElection(
            lease_ticks=self._lease_ticks,
            history_limit=self._history_limit,
            clock=self._clock,
            store=self._store,
        )

    def campaign(self, n: Hashable) -> int:
        """Perform the spec's ``campaign``, with the node's liveness probe."""
        return self._election.campaign(n, liveness=self._world.probe(n))

    def renew(self, n: Hashable, t: int) -> int:
        """Perform the spec's ``renew``."""
        return self._election.renew(n, t)

    def resign(self, n: Hashable, t: int) -> None:
        """Perform the spec's ``resign``."""
        self._election.resign(n, t)

    def current_leader(self) -> Hashable | None:
        """Return the live leader, or None."""
        leadership = self._election.leader()
        return None if leadership is None else leadership.node

    def current_term(self) -> int:
        """Return the latest term."""
        return self._election.term

    def leader_of(self, t: int) -> Hashable | None:
        """Return who led term ``t``, or None."""
        return self._election.leader_of(t)

    def tick(self, elapsed: int) -> None:
        """Advance the manual clock by ``elapsed`` ticks."""
        self._clock.advance(elapsed)

    def node_dies(self, n: Hashable) -> None:
        """Kill ``n``: its liveness probe reports it dead from now on."""
        self._world.dead.add(n)

    def crash(self) -> None:
        """Lose the election and everything in its memory; the store survives."""
        del self._election

    def recover(self) -> None:
        """Rebuild the election from the store, with the leader's probe."""
        self._election = LeaderElection.recover(
            self._store,
            lease_ticks=self._lease_ticks,
            history_limit=self._history_limit,
            clock=self._clock,
            liveness=self._world.probe,
        )

    def observe(self) -> dict[str, object]:
        """Return the election's state, and the world's dead, in the spec's names."""
        state = self._election.snapshot()
        return {
            "term": state.term,
            "leader": state.leader,
            "lease_expires": state.lease_expires,
            "leaders": dict(state.leaders),
            "dead": frozenset(self._world.dead),
            "now": state.now,
        }


class CountersAdapter:
    """A family of Counters.

    Args:
        constants: none; the spec declares no constants.
    """

    errors: ClassVar[dict[type[BaseException], str]] = {
        InvalidAmountError: "InvalidAmount",
        CounterUnderflowError: "Underflow",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        # The store outlives a crash of the counters, as a durable one would.
        self._store: MemoryKeyedStore[Hashable, int] = MemoryKeyedStore()
        self._counters = Counters(store=self._store)

    def increment(self, key: Hashable, by: int) -> int:
        """Perform the spec's ``increment``."""
        return self._counters.increment(key, by)

    def decrement(self, key: Hashable, by: int) -> int:
        """Perform the spec's ``decrement``."""
        return self._counters.decrement(key, by)

    def compare_and_set(self, key: Hashable, expected: int, new_value: int) -> bool:
        """Perform the spec's ``compare_and_set``."""
        return self._counters.compare_and_set(key, expected, new_value)

    def reset(self, key: Hashable) -> int:
        """Perform the spec's ``reset``."""
        return self._counters.reset(key)

    def count(self, key: Hashable) -> int:
        """Return counter ``key``'s value."""
        return self._counters.value(key)

    def crash(self) -> None:
        """Lose the counters and everything in their memory; the store survives."""
        del self._counters

    def recover(self) -> None:
        """Rebuild the counters from the store."""
        self._counters = Counters.recover(self._store)

    def observe(self) -> dict[str, object]:
        """Return the stored counters in the spec's names."""
        return {"values": self._counters.snapshot()}


_SPEC_OUTCOME_NAMES: dict[Outcome, str] = {
    Outcome.PENDING: "Pending",
    Outcome.APPROVED: "Approved",
    Outcome.REJECTED: "Rejected",
}


class QuorumVoteAdapter:
    """A QuorumVote whose electorate the tests enroll.

    Args:
        constants: the spec's ``participants``.
    """

    errors: ClassVar[dict[type[BaseException], str]] = {
        ElectorateFullError: "ElectorateFull",
        AlreadyEnrolledError: "AlreadyEnrolled",
        NotEnrolledError: "NotEnrolled",
        AlreadyVotedError: "AlreadyVoted",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._participants = constants["participants"]
        # The store outlives a crash of the vote, as a durable one would.
        self._store: MemoryKeyedStore[Hashable, bool | None] = MemoryKeyedStore()
        self._vote = QuorumVote(self._participants, store=self._store)

    def enroll(self, v: Hashable) -> None:
        """Perform the spec's ``enroll``."""
        self._vote.enroll(v)

    def vote(self, v: Hashable, approve: bool) -> str:
        """Perform the spec's ``vote``; returns the outcome's member name."""
        return _SPEC_OUTCOME_NAMES[self._vote.vote(v, approve)]

    def current_outcome(self) -> str:
        """Return the outcome as the spec's member name."""
        return _SPEC_OUTCOME_NAMES[self._vote.outcome]

    def crash(self) -> None:
        """Lose the vote and everything in its memory; the store survives."""
        del self._vote

    def recover(self) -> None:
        """Rebuild the vote from the store."""
        self._vote = QuorumVote.recover(self._store, self._participants)

    def observe(self) -> dict[str, object]:
        """Return the electorate and the ballots in the spec's names."""
        state = self._vote.snapshot()
        return {
            "voters": state.voters,
            "approvals": state.approvals,
            "rejections": state.rejections,
        }
