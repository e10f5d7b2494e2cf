"""A reusable barrier: parties wait until ``parties`` of them have arrived.

Each party arrives once per round. The arrival that completes the round
releases every party of it together and starts the next round, so the same
barrier synchronizes phase after phase. A party can arrive without waiting
(:meth:`Barrier.arrive`) or arrive and block until its round is released
(:meth:`Barrier.wait`).

A barrier breaks when it is aborted, when a waiting party times out, or when
a waiting party is interrupted: every party of the open round is released
with :class:`BarrierBrokenError`, and arrivals keep failing until
:meth:`Barrier.reset`. Breaking instead of waiting on is what keeps one dead
party from hanging all the others.

A barrier given a store (:mod:`reference_impl.coordination.store`) writes
each change to it, and :meth:`Barrier.recover` rebuilds a crashed barrier
from it. The open round's arrivals come back, so the parties that arrived
before the crash still count and the round can complete. The generation
comes back too, so a round is never released twice under one number.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, field

from reference_impl._checks import require_int
from reference_impl.coordination._identity import require_identity
from reference_impl.coordination.store import SnapshotStore

__all__ = [
    "AlreadyArrivedError",
    "Barrier",
    "BarrierBrokenError",
    "BarrierError",
    "BarrierSnapshot",
]

logger = logging.getLogger(__name__)


class BarrierError(Exception):
    """Base class of the errors a barrier raises for a rejected arrival."""


class BarrierBrokenError(BarrierError):
    """The barrier is broken, or broke while the caller waited on it."""

    def __init__(self, name: str) -> None:
        super().__init__(f"barrier {name!r} is broken; reset it to use it again")


class AlreadyArrivedError(BarrierError):
    """The party has already arrived in the open round."""

    def __init__(self, name: str, party: Hashable) -> None:
        super().__init__(
            f"{party!r} has already arrived at barrier {name!r} in this round"
        )
        self.party = party


@dataclass
class _Round:
    # One round's arrivals and how it ended. Waiters keep a reference to
    # their own round, so a reset that starts a new round cannot strand them.
    arrived: set[Hashable] = field(default_factory=set)
    released: bool = False
    broken: bool = False


@dataclass(frozen=True)
class BarrierSnapshot:
    """The state of a barrier at one instant.

    Attributes:
        arrived: the parties that have arrived in the open round.
        generation: how many rounds have been released.
        broken: whether the barrier is broken.
    """

    arrived: frozenset[Hashable]
    generation: int
    broken: bool


class Barrier:
    """A barrier for ``parties`` parties, guarded by one condition variable.

    Args:
        parties: how many arrivals release a round, at least 2.
        name: a label for log records and error messages.
        store: where every change is saved, so that :meth:`recover` can
            rebuild the barrier after a crash. It should start empty.

    Raises:
        TypeError: if ``parties`` is not an int.
        ValueError: if ``parties`` is less than 2.
    """

    def __init__(
        self,
        parties: int,
        *,
        name: str = "barrier",
        store: SnapshotStore[BarrierSnapshot] | None = None,
    ) -> None:
        require_int("parties", parties)
        if parties < 2:
            raise ValueError(f"parties must be at least 2, got {parties}")
        self._parties = parties
        self._name = name
        self._condition = threading.Condition(threading.Lock())
        self._round = _Round()
        self._generation = 0
        self._broken = False
        self._store = store

    @classmethod
    def recover(
        cls,
        store: SnapshotStore[BarrierSnapshot],
        parties: int,
        *,
        name: str = "barrier",
    ) -> Barrier:
        """Rebuild a crashed barrier from its store.

        The open round's arrivals, the generation and the broken flag come
        back as the crashed barrier last saved them. Threads that waited on
        the crashed barrier are gone with it; a party that arrived before
        the crash counts in the round, and the round's release shows in
        :attr:`generation`. The new barrier keeps writing to ``store``.

        Raises:
            TypeError: if ``parties`` is not an int.
            ValueError: if ``parties`` is less than 2, or the store contains as
                many arrivals as ``parties`` or more.
        """
        barrier = cls(parties, name=name, store=store)
        saved = store.load()
        if saved is None:
            return barrier
        if len(saved.arrived) >= parties:
            raise ValueError(
                f"the store contains {len(saved.arrived)} arrivals in the open "
                f"round, but a round of {parties} parties releases at {parties}"
            )
        barrier._round = _Round(arrived=set(saved.arrived))
        barrier._generation = saved.generation
        barrier._broken = saved.broken
        logger.info(
            "barrier %r recovered at generation %d with %d arrivals",
            name,
            saved.generation,
            len(saved.arrived),
        )
        return barrier

    @property
    def parties(self) -> int:
        """How many arrivals release a round."""
        return self._parties

    @property
    def name(self) -> str:
        """The label used in log records and error messages."""
        return self._name

    @property
    def waiting(self) -> int:
        """How many parties have arrived in the open round."""
        with self._condition:
            return len(self._round.arrived)

    @property
    def generation(self) -> int:
        """How many rounds have been released."""
        with self._condition:
            return self._generation

    @property
    def broken(self) -> bool:
        """Whether the barrier is broken."""
        with self._condition:
            return self._broken

    def arrive(self, party: Hashable) -> int:
        """Count ``party``'s arrival in the open round without waiting.

        Returns:
            The arrival's index in its round, from 0. The arrival with index
            ``parties - 1`` releases the round.

        Raises:
            BarrierBrokenError: if the barrier is broken.
            AlreadyArrivedError: if ``party`` has arrived in this round.
            TypeError: if ``party`` is not hashable.
        """
        require_identity("party", party)
        with self._condition:
            index, _ = self._arrive(party)
        return index

    def wait(self, party: Hashable, timeout: float | None = None) -> int:
        """Arrive and block until the round is released.

        Args:
            party: the identity of the caller.
            timeout: the maximum seconds to wait, on the system's monotonic
                clock (blocking needs real time, so this is not the injected
                clock of the other primitives), or None to wait for ever.

        Returns:
            The arrival's index in its round, as :meth:`arrive` returns it.

        Raises:
            BarrierBrokenError: if the barrier is broken, or breaks while the
                caller waits. A timeout breaks it, so that the other parties
                of the round stop waiting for an arrival that will not come.
            AlreadyArrivedError: if ``party`` has arrived in this round.
            TypeError: if ``party`` is not hashable.
            ValueError: if ``timeout`` is negative.
        """
        require_identity("party", party)
        if timeout is not None and timeout < 0:
            raise ValueError(f"timeout must be None or at least 0, got {timeout}")
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._condition:
            index, current = self._arrive(party)
            try:
                ended = self._await_end(current, deadline)
            except BaseException:
                # An interrupted waiter will never be released, so its round is
                # broken rather than leaving the other parties waiting.
                self._break_open(current)
                raise
            if not ended:
                self._break_open(current)
            if not current.released:
                raise BarrierBrokenError(self._name)
        return index

    def abort(self) -> None:
        """Break the barrier: the open round's parties get BarrierBrokenError."""
        with self._condition:
            self._break()

    def reset(self) -> None:
        """Repair the barrier and start an empty round.

        Parties waiting in the open round are released with
        :class:`BarrierBrokenError`.
        """
        with self._condition:
            self._end_round()
            self._broken = False
            self._save()

    def snapshot(self) -> BarrierSnapshot:
        """Return the arrivals, the generation and the broken flag atomically."""
        with self._condition:
            return BarrierSnapshot(
                arrived=frozenset(self._round.arrived),
                generation=self._generation,
                broken=self._broken,
            )

    def _arrive(self, party: Hashable) -> tuple[int, _Round]:
        # The caller holds the condition's lock.
        if self._broken:
            raise BarrierBrokenError(self._name)
        current = self._round
        if party in current.arrived:
            raise AlreadyArrivedError(self._name, party)
        index = len(current.arrived)
        if index + 1 == self._parties:
            current.released = True
            self._generation += 1
            self._round = _Round()
            self._condition.notify_all()
            logger.debug("barrier %r released round %d", self._name, self._generation)
        else:
            current.arrived.add(party)
        self._save()
        return index, current

    def _await_end(self, current: _Round, deadline: float | None) -> bool:
        # The caller holds the condition's lock. False means the deadline passed.
        while not (current.released or current.broken):
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            self._condition.wait(remaining)
        return True

    def _break_open(self, current: _Round) -> None:
        # The caller holds the condition's lock. A round that has already
        # ended is left alone: breaking the next one would hurt its parties.
        if current is self._round:
            self._break()

    def _break(self) -> None:
        # The caller holds the condition's lock.
        if not self._broken:
            logger.info("barrier %r is broken", self._name)
        self._end_round()
        self._broken = True
        self._save()

    def _save(self) -> None:
        # The caller holds the condition's lock, so the store receives changes
        # in order. Copying the open round costs O(parties) per change.
        if self._store is not None:
            self._store.save(
                BarrierSnapshot(
                    arrived=frozenset(self._round.arrived),
                    generation=self._generation,
                    broken=self._broken,
                )
            )

    def _end_round(self) -> None:
        # The caller holds the condition's lock. The open round's waiters
        # wake up broken, and a fresh round takes its place.
        self._round.broken = True
        self._round = _Round()
        self._condition.notify_all()
