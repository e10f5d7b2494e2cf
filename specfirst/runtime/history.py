"""Concurrent histories: each operation's invocation and response, on one clock.

A linearizability check needs three facts about every operation: what was
called, what it returned, and an interval of real time that contains the
instant it took effect. :class:`ClientLog` records them: it reads ``time.monotonic_ns``
just before the call and just after the return, so the interval always
contains the operation's effect. Each thread or asyncio task records through
its own log, so recording adds no lock that could hide a race between the
clients; :class:`Recorder` hands out the logs and merges them into one
:class:`History`.

An operation that never returned is *pending*: its client was stopped by a
crash, or it was still running when the history was cut. It may have taken
effect at any time after its call, or never, and its result is unknown.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from specfirst.runtime.contract import Outcome

NANOSECONDS_PER_MILLISECOND = 1_000_000


@dataclass(frozen=True)
class Operation:
    """One operation of a history.

    Attributes:
        client: the thread or task that issued it.
        name: the spec's operation name.
        args: the arguments, in the spec's order.
        call: the clock reading (ns) just before the call.
        ret: the clock reading (ns) just after the response, or None while
            pending.
        outcome: what it returned or which spec error it failed with; None
            while pending.
        key: the partition the operation belongs to, when the caller declares
            operations on different keys independent; None otherwise.
    """

    client: int
    name: str
    args: tuple[object, ...]
    call: int
    ret: int | None = None
    outcome: Outcome | None = None
    key: Hashable = None

    @property
    def pending(self) -> bool:
        return self.ret is None

    def describe(self, origin: int = 0) -> str:
        """Describe the operation for a report, with its interval.

        For example ``client 3: allow_request() error CircuitOpen  [0.120 ..
        0.135 ms]``: times are in milliseconds after ``origin``, a clock
        reading.
        """
        call = f"{self.name}({', '.join(map(repr, self.args))})"
        result = "pending" if self.outcome is None else str(self.outcome)
        start = _milliseconds(self.call - origin)
        end = "..." if self.ret is None else _milliseconds(self.ret - origin)
        where = f" key {self.key!r}" if self.key is not None else ""
        return f"client {self.client}{where}: {call} {result}  [{start} .. {end} ms]"


def _milliseconds(nanoseconds: int) -> str:
    return f"{nanoseconds / NANOSECONDS_PER_MILLISECOND:.3f}"


@dataclass(frozen=True)
class History:
    """Operations of many clients, in the order of their calls."""

    operations: tuple[Operation, ...] = ()

    @classmethod
    def of(cls, operations: Iterable[Operation]) -> History:
        """Build a history, sorting the operations by call time."""
        ordered = sorted(operations, key=lambda op: (op.call, op.client))
        for op in ordered:
            if op.ret is not None and op.ret < op.call:
                raise ValueError(f"{op.describe()} returned before it was called")
            if (op.ret is None) != (op.outcome is None):
                raise ValueError(
                    f"{op.describe()}: an operation has both a response time and "
                    "an outcome, or neither"
                )
        return cls(tuple(ordered))

    def __len__(self) -> int:
        return len(self.operations)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations)

    @property
    def origin(self) -> int:
        """The first call's clock reading, from which descriptions count time."""
        return self.operations[0].call if self.operations else 0

    def partitions(
        self, key: Callable[[Operation], Hashable] | None = None
    ) -> dict[Hashable, History]:
        """Split by ``key`` (each operation's own ``key`` by default).

        Only a caller who knows that operations on different keys are
        independent (they neither read nor change each other's state) may
        split a history: each part is then checked against its own model.
        """
        choose = key if key is not None else _own_key
        parts: dict[Hashable, list[Operation]] = {}
        for op in self.operations:
            parts.setdefault(choose(op), []).append(op)
        return {k: History(tuple(ops)) for k, ops in parts.items()}

    def clients(self) -> int:
        return len({op.client for op in self.operations})

    def describe(self, limit: int = 40) -> str:
        lines = [op.describe(self.origin) for op in self.operations[:limit]]
        if len(self.operations) > limit:
            lines.append(f"... and {len(self.operations) - limit} more")
        return "\n".join(lines)


def _own_key(op: Operation) -> Hashable:
    return op.key


class ClientLog:
    """The operations of one client, recorded by that client alone.

    Not safe to share between threads: give each thread or task its own
    log, from :meth:`Recorder.client`.
    """

    def __init__(self, client: int, clock: Callable[[], int]) -> None:
        self.client = client
        self._clock = clock
        self.operations: list[Operation] = []

    def call(
        self,
        name: str,
        args: tuple[object, ...],
        perform: Callable[[], object],
        errors: Callable[[BaseException], str | None],
        key: Hashable = None,
    ) -> Outcome:
        """Run ``perform()`` and record it as ``name(*args)``.

        Args:
            perform: the call, with its arguments bound.
            errors: the spec error an exception stands for, or None for an
                exception the spec does not explain; that one is recorded
                pending (the operation may or may not have taken effect)
                and re-raised.
            key: the operation's partition, if the caller declares one.

        Returns:
            What the operation returned, or the spec error it raised.
        """
        started = self._clock()
        try:
            value = perform()
        except Exception as exc:
            finished = self._clock()
            error = errors(exc)
            if error is None:
                self.operations.append(Operation(self.client, name, args, started))
                raise
            outcome = Outcome(error=error)
        else:
            finished = self._clock()
            outcome = Outcome(value=value)
        self.operations.append(
            Operation(self.client, name, args, started, finished, outcome, key)
        )
        return outcome

    async def call_async(
        self,
        name: str,
        args: tuple[object, ...],
        perform: Callable[[], Awaitable[object]],
        errors: Callable[[BaseException], str | None],
        key: Hashable = None,
    ) -> Outcome:
        """Await ``perform()`` and record it, as :meth:`call` does for a plain call."""
        started = self._clock()
        try:
            value = await perform()
        except Exception as exc:
            finished = self._clock()
            error = errors(exc)
            if error is None:
                self.operations.append(Operation(self.client, name, args, started))
                raise
            outcome = Outcome(error=error)
        else:
            finished = self._clock()
            outcome = Outcome(value=value)
        self.operations.append(
            Operation(self.client, name, args, started, finished, outcome, key)
        )
        return outcome

    def also(self, key: Hashable) -> None:
        """Record the last operation once more, for part ``key``.

        An environment action performed while no operation is in flight
        (time passing) acts on every part of a partitioned history, so each
        part's history gets it, at the same instant.
        """
        self.operations.append(replace(self.operations[-1], key=key))


class Recorder:
    """Hands out one :class:`ClientLog` per client and merges them into a history.

    Args:
        clock: a monotonic clock in nanoseconds, shared by every client.
    """

    def __init__(self, clock: Callable[[], int] = time.monotonic_ns) -> None:
        self._clock = clock
        self._logs: dict[int, ClientLog] = {}
        self._lock = threading.Lock()

    def client(self, client: int) -> ClientLog:
        """The log of ``client``, created on first use."""
        with self._lock:
            log = self._logs.get(client)
            if log is None:
                log = ClientLog(client, self._clock)
                self._logs[client] = log
            return log

    def history(self) -> History:
        with self._lock:
            logs = list(self._logs.values())
        return History.of(op for log in logs for op in log.operations)


def keyed(history: History, keys: Mapping[int, Hashable]) -> History:
    """Return ``history`` with each client's operations given that client's key."""
    return History(tuple(replace(op, key=keys[op.client]) for op in history))


class Sequential:
    """Builds a sequential history by hand: each operation after the previous one.

    Handy in tests and examples: every operation gets an interval of its
    own, so none overlaps another.
    """

    def __init__(self, step: int = 10) -> None:
        self.step = step
        self.operations: list[Operation] = []

    def add(
        self,
        name: str,
        *args: object,
        value: object = None,
        error: str | None = None,
        client: int = 0,
        key: Hashable = None,
    ) -> Sequential:
        start = len(self.operations) * self.step * 2
        outcome = Outcome(value=value, error=error)
        self.operations.append(
            Operation(client, name, args, start, start + self.step, outcome, key)
        )
        return self

    def history(self) -> History:
        return History.of(self.operations)
