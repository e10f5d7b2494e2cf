"""Liveness probes: how a coordination primitive learns that a holder died.

A probe is a callable that returns whether the unit of concurrent work behind
an identity (a thread, an asyncio task, an operating-system process) is still
running. The primitives call it while they hold their own lock, so a probe
must be quick and must not call back into the primitive that asked.
"""

from __future__ import annotations

import asyncio
import errno
import multiprocessing.process
import os
import subprocess
import threading
from collections.abc import Callable
from typing import Any

__all__ = [
    "Liveness",
    "always_alive",
    "pid_liveness",
    "process_liveness",
    "task_liveness",
    "thread_liveness",
]

Liveness = Callable[[], bool]
"""A probe: returns True while the holder is running, False once it has died."""


def always_alive() -> bool:
    """Report a holder as alive, for callers that learn of deaths by other means."""
    return True


def thread_liveness(thread: threading.Thread) -> Liveness:
    """Return a probe that is True while ``thread`` runs.

    A thread that has not been started yet counts as dead, as
    :meth:`threading.Thread.is_alive` reports.
    """
    return thread.is_alive


def task_liveness(task: asyncio.Future[Any]) -> Liveness:
    """Return a probe that is True until ``task`` is done, cancelled or failed."""

    def alive() -> bool:
        return not task.done()

    return alive


def process_liveness(
    process: subprocess.Popen[Any] | multiprocessing.process.BaseProcess,
) -> Liveness:
    """Return a probe that is True while a child process runs.

    Works for :class:`subprocess.Popen` (which it polls, so the child is
    reaped once it exits) and for :mod:`multiprocessing` processes.
    """
    if isinstance(process, subprocess.Popen):
        popen = process

        def popen_alive() -> bool:
            return popen.poll() is None

        return popen_alive
    return process.is_alive


def pid_liveness(pid: int) -> Liveness:
    """Return a probe that is True while a process with id ``pid`` exists.

    For processes that are not this one's children. Process ids are reused,
    so a probe may report a recycled id as alive; prefer
    :func:`process_liveness` for children.

    Raises:
        TypeError: if ``pid`` is not an int.
        ValueError: if ``pid`` is less than 1.
    """
    if isinstance(pid, bool) or not isinstance(pid, int):
        raise TypeError(f"pid must be an int, got {pid!r}")
    if pid < 1:
        raise ValueError(f"pid must be at least 1, got {pid}")

    def alive() -> bool:
        try:
            os.kill(pid, 0)
        except OSError as exc:
            # EPERM means the process exists but belongs to someone else.
            return exc.errno == errno.EPERM
        return True

    return alive
