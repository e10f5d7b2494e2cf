"""Coordination primitives: a lease lock, a barrier, leader election,
counters and a quorum vote.

Each primitive is thread-safe, takes an injected clock where time matters,
and learns of its holders' deaths through liveness probes
(:mod:`reference_impl.coordination.liveness`).
"""

from reference_impl.coordination.barrier import (
    AlreadyArrivedError,
    Barrier,
    BarrierBrokenError,
    BarrierError,
    BarrierSnapshot,
)
from reference_impl.coordination.counters import (
    CounterError,
    Counters,
    CounterUnderflowError,
    InvalidAmountError,
)
from reference_impl.coordination.election import (
    ElectionError,
    ElectionSnapshot,
    LeaderElection,
    LeaderPresentError,
    Leadership,
    NotLeaderError,
)
from reference_impl.coordination.lease_lock import (
    LeaseLock,
    LeaseLockSnapshot,
    LockError,
    LockHeldError,
    NotHolderError,
)
from reference_impl.coordination.liveness import (
    Liveness,
    always_alive,
    pid_liveness,
    process_liveness,
    task_liveness,
    thread_liveness,
)
from reference_impl.coordination.quorum import (
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

__all__ = [
    "AlreadyArrivedError",
    "AlreadyEnrolledError",
    "AlreadyVotedError",
    "Barrier",
    "BarrierBrokenError",
    "BarrierError",
    "BarrierSnapshot",
    "CounterError",
    "CounterUnderflowError",
    "Counters",
    "ElectionError",
    "ElectionSnapshot",
    "ElectorateFullError",
    "InvalidAmountError",
    "LeaderElection",
    "LeaderPresentError",
    "Leadership",
    "LeaseLock",
    "LeaseLockSnapshot",
    "Liveness",
    "LockError",
    "LockHeldError",
    "NotEnrolledError",
    "NotHolderError",
    "NotLeaderError",
    "Outcome",
    "QuorumVote",
    "QuorumVoteSnapshot",
    "VoteError",
    "always_alive",
    "pid_liveness",
    "process_liveness",
    "quorum_size",
    "task_liveness",
    "thread_liveness",
]
