"""Worker processes that solve obligations under a hard wall-clock deadline.

Z3 checks its ``timeout`` only at its own cancellation points, and some
queries spend far longer than the limit between two of them (one spent
14.5 s under a 2000 ms limit inside the arithmetic theory's propagation).
So every query runs in a worker process, and a worker that overruns its
deadline is killed and replaced: its obligation is unknown, with the reason,
and the other workers keep their work.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess

from verifier.obligation import Answer, Obligation
from verifier.outcome import Limits, Outcome

log = logging.getLogger(__name__)

Solve = Callable[[Obligation, Limits], Outcome]

# Solver calls ``solve_obligation`` may make on one obligation: the main query
# and its bounded query.
SOLVER_CALLS = 2

# Seconds added to every deadline for work outside Z3's limit: starting a
# worker, sending the query, parsing it and reading the model back, on a
# loaded machine.
DEADLINE_SLACK_S = 5.0


def deadline_seconds(limits: Limits) -> float:
    """Return how long one obligation may hold a worker before it is killed.

    Each of the ``SOLVER_CALLS`` solver calls may take its full time limit.
    Twice that sum leaves Z3 room to reach a late cancellation point, which
    it usually does, so only a query that ignores its limit is killed.
    """
    return 2 * SOLVER_CALLS * limits.timeout_ms / 1000 + DEADLINE_SLACK_S


def overrun_reason(limits: Limits, seconds: float) -> str:
    return (
        f"timeout: the solver ignored its {limits.timeout_ms} ms time limit "
        f"and was stopped after {seconds:.1f} s"
    )


# Tasks sent to a worker ahead of its results, so that it never waits for
# this process between two queries. The deadline of a queued task starts when
# the result before it arrives.
QUEUE_DEPTH = 2


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection
    # Indices of the obligations sent and not yet solved, oldest first.
    queued: list[int] = field(default_factory=list)
    started: float = 0.0


class SolverPool:
    """A fixed number of worker processes, kept until ``close``.

    ``solve`` returns outcomes in input order. ``deadline_s`` defaults to
    ``deadline_seconds(limits)``. ``solve`` must be a module-level function,
    because workers import it by name. Tests pass one that hangs.
    """

    def __init__(
        self,
        workers: int,
        limits: Limits,
        deadline_s: float | None = None,
        solve: Solve | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers={workers!r}; expected at least 1")
        if deadline_s is not None and deadline_s <= 0:
            raise ValueError(f"deadline_s={deadline_s!r}; expected a positive time")
        self.size = workers
        self.limits = limits
        self.deadline_s = deadline_seconds(limits) if deadline_s is None else deadline_s
        self._solve = solve
        self._workers: list[_Worker] = []

    def __enter__(self) -> SolverPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker, killing any that is still solving."""
        for worker in self._workers:
            _stop(worker, graceful=not worker.queued)
        self._workers = []

    def solve(self, obligations: Sequence[Obligation]) -> list[Outcome]:
        """Solve every obligation, replacing any worker past its deadline."""
        outcomes: list[Outcome | None] = [None] * len(obligations)
        waiting = list(range(len(obligations)))
        waiting.reverse()
        self._start_workers(min(self.size, len(obligations)))
        while waiting or self._busy():
            self._assign(obligations, waiting)
            for worker in self._ready():
                index = worker.queued[0]
                outcomes[index] = self._receive(worker, waiting)
            for worker in self._overdue():
                index = worker.queued[0]
                outcomes[index] = self._kill(worker, waiting)
        return [o for o in outcomes if o is not None]

    def _start_workers(self, count: int) -> None:
        while len(self._workers) < count:
            self._workers.append(self._spawn())

    def _spawn(self) -> _Worker:
        ours, theirs = _context().Pipe()
        process = _context().Process(
            target=_serve, args=(theirs, self._solve), daemon=True
        )
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def _busy(self) -> list[_Worker]:
        return [w for w in self._workers if w.queued]

    def _assign(self, obligations: Sequence[Obligation], waiting: list[int]) -> None:
        for worker in self._workers:
            while waiting and len(worker.queued) < QUEUE_DEPTH:
                index = waiting.pop()
                # Workers need only the query text, so the spec stays here.
                task = (replace(obligations[index], recheck=None), self.limits)
                if not worker.queued:
                    worker.started = time.monotonic()
                worker.queued.append(index)
                worker.connection.send(task)

    def _ready(self) -> list[_Worker]:
        busy = self._busy()
        now = time.monotonic()
        left = min(w.started + self.deadline_s - now for w in busy)
        handles = [w.connection for w in busy] + [w.process.sentinel for w in busy]
        ready = set(wait(handles, timeout=max(left, 0.0)))
        return [w for w in busy if w.connection in ready or w.process.sentinel in ready]

    def _receive(self, worker: _Worker, waiting: list[int]) -> Outcome:
        try:
            outcome: Outcome = worker.connection.recv()
        except (EOFError, OSError):
            return self._replace_dead(worker, waiting)
        worker.queued.pop(0)
        worker.started = time.monotonic()
        return outcome

    def _replace_dead(self, worker: _Worker, waiting: list[int]) -> Outcome:
        worker.process.join(timeout=1.0)
        code = worker.process.exitcode
        log.warning(
            "solver process %s died with exit code %s", worker.process.pid, code
        )
        self._replace(worker, waiting)
        reason = f"the solver process died (exit code {code})"
        return Outcome(Answer.UNKNOWN, reason, None, time.monotonic() - worker.started)

    def _overdue(self) -> list[_Worker]:
        now = time.monotonic()
        return [w for w in self._busy() if now - w.started >= self.deadline_s]

    def _kill(self, worker: _Worker, waiting: list[int]) -> Outcome:
        seconds = time.monotonic() - worker.started
        log.warning(
            "stopping solver process %s after %.1f s: it ignored its %d ms time limit",
            worker.process.pid,
            seconds,
            self.limits.timeout_ms,
        )
        self._replace(worker, waiting)
        return Outcome(
            Answer.UNKNOWN, overrun_reason(self.limits, seconds), None, seconds
        )

    def _replace(self, worker: _Worker, waiting: list[int]) -> None:
        """Kill a worker and start another. Its queued tasks after the first
        go back to the waiting list."""
        _stop(worker, graceful=False)
        waiting.extend(reversed(worker.queued[1:]))
        self._workers[self._workers.index(worker)] = self._spawn()


def _stop(worker: _Worker, graceful: bool) -> None:
    if graceful:
        with contextlib.suppress(OSError):
            worker.connection.send(None)
        worker.process.join(timeout=1.0)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join()
    worker.connection.close()


def _serve(connection: Connection, solve: Solve | None) -> None:
    """Solve each task received until ``None`` or the end of the pipe."""
    # The parent handles Ctrl-C and stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if solve is None:
        from verifier.solve import solve_obligation

        solve = solve_obligation
    while True:
        try:
            task = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        obligation, limits = task
        connection.send(solve(obligation, limits))


def _context() -> SpawnContext | ForkServerContext:
    # Forking a process with live Z3 state is fragile, so workers come from a
    # fork server, which imports the solver once for all of them.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["verifier.solve"])
    return context
