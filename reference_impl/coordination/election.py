"""Leader election with numbered terms and leader leases.

A node campaigns for leadership; when there is no live leader it wins a new
term, numbered one more than the last, and leads for ``lease_ticks`` ticks of
the injected clock unless it renews. Leadership ends when the leader resigns,
when its lease runs out, or when its liveness probe reports it dead; the next
campaign then opens the next term.

Every term has exactly one leader, chosen when the term opens, and a term's
leader is never replaced: a node that led an earlier term can only lead
again by winning a new one. Callers pass the term with every request that
needs leadership, so a deposed leader that comes back after a pause is told
it is no longer leader instead of acting for the current term.

An election given a store (:mod:`reference_impl.coordination.store`) writes
each change to it, and :meth:`LeaderElection.recover` rebuilds a crashed
election from it: an election that forgot its term would open that term a
second time, with a second leader.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from reference_impl._checks import require_int, require_positive_int
from reference_impl.clock import Clock, MonotonicClock
from reference_impl.coordination._identity import require_identity, require_liveness
from reference_impl.coordination.liveness import Liveness, always_alive
from reference_impl.coordination.store import SnapshotStore

__all__ = [
    "ElectionError",
    "ElectionSnapshot",
    "LeaderElection",
    "LeaderPresentError",
    "Leadership",
    "NotLeaderError",
]

logger = logging.getLogger(__name__)


class ElectionError(Exception):
    """Base class of the errors an election raises for a rejected request."""


class LeaderPresentError(ElectionError):
    """A live leader holds the current term, so no new term can open.

    Attributes:
        term: the current term.
        expires_at: the clock reading at which the leader's lease ends
            unless it renews.
    """

    def __init__(self, name: str, term: int, expires_at: int) -> None:
        super().__init__(
            f"election {name!r} has a live leader for term {term}, whose lease "
            f"ends at clock reading {expires_at} unless renewed"
        )
        self.term = term
        self.expires_at = expires_at


class NotLeaderError(ElectionError):
    """The node does not lead the given term now."""

    def __init__(self, name: str, node: Hashable, term: int) -> None:
        super().__init__(f"{node!r} is not the leader of term {term} in {name!r}")
        self.node = node
        self.term = term


@dataclass(frozen=True)
class Leadership:
    """A leader and the term it leads."""

    node: Hashable
    term: int


@dataclass(frozen=True)
class ElectionSnapshot:
    """The stored state of an election at one instant.

    Attributes:
        term: the latest term, 0 before the first election.
        leader: the leader of the latest term, or None after it resigned. A
            leader whose lease ran out or who died stays recorded until the
            next term opens; :meth:`LeaderElection.leader` returns who leads now.
        lease_expires: the clock reading at which the latest lease ends or
            ended.
        leaders: the leader of each of the most recent terms, at most
            ``history_limit`` of them.
        now: the clock reading at which the snapshot was taken.
    """

    term: int
    leader: Hashable | None
    lease_expires: int
    leaders: dict[int, Hashable]
    now: int


class LeaderElection:
    """A single-process election service guarded by one internal mutex.

    Args:
        lease_ticks: how long a win or a renewal lasts, in clock ticks.
        history_limit: how many recent terms :meth:`leader_of` remembers.
        clock: the source of monotonic readings. The default is a
            :class:`~reference_impl.clock.MonotonicClock` in milliseconds.
        name: a label for log records and error messages.
        store: where every change is saved, so that :meth:`recover` can
            rebuild the election after a crash. It should start empty. Each
            change saves the whole state, remembered terms included.

    Raises:
        TypeError: if ``lease_ticks`` or ``history_limit`` is not an int.
        ValueError: if ``lease_ticks`` or ``history_limit`` is less than 1.
    """

    def __init__(
        self,
        *,
        lease_ticks: int,
        history_limit: int = 1024,
        clock: Clock | None = None,
        name: str = "election",
        store: SnapshotStore[ElectionSnapshot] | None = None,
    ) -> None:
        self._lease_ticks = require_positive_int("lease_ticks", lease_ticks)
        self._history_limit = require_positive_int("history_limit", history_limit)
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._name = name
        self._mutex = threading.Lock()
        self._term = 0
        self._leader: Hashable | None = None
        self._liveness: Liveness = always_alive
        self._lease_expires = 0
        # Terms open in order, so the oldest remembered term is always
        # term - history_limit + 1 and pruning needs no search.
        self._leaders: dict[int, Hashable] = {}
        self._store = store

    @classmethod
    def recover(
        cls,
        store: SnapshotStore[ElectionSnapshot],
        *,
        lease_ticks: int,
        history_limit: int = 1024,
        clock: Clock | None = None,
        name: str = "election",
        liveness: Callable[[Hashable], Liveness] | None = None,
    ) -> LeaderElection:
        """Rebuild a crashed election from its store.

        The term, its leader and lease, and the remembered leaders come back
        as the crashed election last saved them, so no term opens twice and
        a leader whose lease runs on still leads. The new election keeps
        writing to ``store``.

        Args:
            store: the store the crashed election wrote to.
            lease_ticks: as for the constructor.
            history_limit: as for the constructor.
            clock: as for the constructor.
            name: as for the constructor.
            liveness: returns a probe for a recovered leader, since a probe
                does not survive the crash. Without it the leader counts as
                alive until its lease runs out.

        Raises:
            TypeError: if a setting is not an int, or a probe is not callable.
            ValueError: if ``lease_ticks`` or ``history_limit`` is less than 1.
        """
        election = cls(
            lease_ticks=lease_ticks,
            history_limit=history_limit,
            clock=clock,
            name=name,
            store=store,
        )
        saved = store.load()
        if saved is None:
            return election
        election._term = saved.term
        election._leader = saved.leader
        election._lease_expires = saved.lease_expires
        election._leaders = dict(saved.leaders)
        if saved.leader is not None and liveness is not None:
            election._liveness = require_liveness("liveness", liveness(saved.leader))
        logger.info(
            "election %r recovered at term %d, leader %r",
            name,
            saved.term,
            saved.leader,
        )
        return election

    @property
    def lease_ticks(self) -> int:
        """How long a win or a renewal lasts, in clock ticks."""
        return self._lease_ticks

    @property
    def history_limit(self) -> int:
        """How many recent terms :meth:`leader_of` remembers."""
        return self._history_limit

    def campaign(self, node: Hashable, *, liveness: Liveness | None = None) -> int:
        """Open the next term with ``node`` as its leader, if nobody leads now.

        Args:
            node: the candidate's identity, compared with ``==``.
            liveness: a probe that reports whether ``node`` still runs. Without
                one the leader counts as alive until its lease runs out.

        Returns:
            The new term.

        Raises:
            LeaderPresentError: if a live leader's lease has not run out,
                ``node`` itself included.
            TypeError: if ``node`` is not hashable or ``liveness`` is not
                callable.
        """
        require_identity("node", node)
        probe = require_liveness("liveness", liveness)
        with self._mutex:
            now = self._clock.now()
            if self._leads_at(now):
                raise LeaderPresentError(self._name, self._term, self._lease_expires)
            self._term += 1
            self._leader = node
            self._liveness = probe
            self._lease_expires = now + self._lease_ticks
            self._leaders[self._term] = node
            self._leaders.pop(self._term - self._history_limit, None)
            term = self._term
            self._save(now)
        logger.info("election %r: %r leads term %d", self._name, node, term)
        return term

    def renew(self, node: Hashable, term: int) -> int:
        """Extend the leader's lease to ``lease_ticks`` from now.

        Returns:
            The clock reading at which the renewed lease ends.

        Raises:
            NotLeaderError: if ``node`` does not lead ``term`` now.
            TypeError: if ``term`` is not an int.
        """
        require_int("term", term)
        with self._mutex:
            now = self._clock.now()
            self._require_leader(node, term, now)
            self._lease_expires = now + self._lease_ticks
            self._save(now)
            return self._lease_expires

    def resign(self, node: Hashable, term: int) -> None:
        """End ``node``'s leadership of ``term`` before its lease runs out.

        Raises:
            NotLeaderError: if ``node`` does not lead ``term`` now.
            TypeError: if ``term`` is not an int.
        """
        require_int("term", term)
        with self._mutex:
            now = self._clock.now()
            self._require_leader(node, term, now)
            self._leader = None
            self._liveness = always_alive
            self._save(now)
        logger.info("election %r: %r resigned term %d", self._name, node, term)

    def leader(self) -> Leadership | None:
        """Return the live leader and its term, or None if nobody leads now."""
        with self._mutex:
            if not self._leads_at(self._clock.now()):
                return None
            assert self._leader is not None
            return Leadership(self._leader, self._term)

    @property
    def term(self) -> int:
        """The latest term, 0 before the first election."""
        with self._mutex:
            return self._term

    def leader_of(self, term: int) -> Hashable | None:
        """Return who led ``term``, or None if it has not opened or is forgotten."""
        require_int("term", term)
        with self._mutex:
            return self._leaders.get(term)

    def snapshot(self) -> ElectionSnapshot:
        """Return the stored state and the clock reading, read atomically."""
        with self._mutex:
            return ElectionSnapshot(
                term=self._term,
                leader=self._leader,
                lease_expires=self._lease_expires,
                leaders=dict(self._leaders),
                now=self._clock.now(),
            )

    def _save(self, now: int) -> None:
        # The caller holds the mutex, so the store receives changes in order.
        if self._store is not None:
            self._store.save(
                ElectionSnapshot(
                    term=self._term,
                    leader=self._leader,
                    lease_expires=self._lease_expires,
                    leaders=dict(self._leaders),
                    now=now,
                )
            )

    def _leads_at(self, now: int) -> bool:
        # The caller holds the mutex.
        return (
            self._leader is not None and now < self._lease_expires and self._liveness()
        )

    def _require_leader(self, node: Hashable, term: int, now: int) -> None:
        # The caller holds the mutex.
        if not (self._leads_at(now) and self._leader == node and term == self._term):
            raise NotLeaderError(self._name, node, term)
