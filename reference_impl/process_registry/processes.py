"""Handles that give a unit of concurrent work an identity and an observable liveness.

The registry needs two things from a process: an id that is stable while
the process lives, and a way to ask whether it still runs. Threads, asyncio
tasks and operating-system processes all have both, under different names,
so each gets a small handle here. Any object with a hashable ``pid`` and an
``is_alive()`` method will do, so callers can bring their own.

Ids can be reused once a process has ended: the OS hands out pids again,
CPython reuses thread idents, and ``id()`` of a collected task comes back.
The registry therefore keys entries by id but distinguishes registrations
by a generation number of its own.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

__all__ = [
    "OsProcess",
    "Process",
    "ProcessId",
    "SubprocessProcess",
    "TaskProcess",
    "ThreadProcess",
]


@runtime_checkable
class Process(Protocol):
    """A unit of concurrent work that the registry can identify and watch."""

    @property
    def pid(self) -> Hashable:
        """The process's id, stable while it runs and possibly reused after."""
        ...

    def is_alive(self) -> bool:
        """Return whether the process still runs; once False, never True again."""
        ...


@dataclass(frozen=True)
class ProcessId:
    """The id of a built-in handle's process: its kind and its number.

    The kind keeps a thread ident from colliding with an OS pid of the same
    number.
    """

    kind: str
    number: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.number}"


class ThreadProcess:
    """A started ``threading.Thread``, identified by its ident.

    Raises:
        ValueError: if the thread has not been started, because an unstarted
            thread has no ident yet.
    """

    def __init__(self, thread: threading.Thread) -> None:
        if thread.ident is None:
            raise ValueError(f"thread {thread.name!r} has not been started")
        self._thread = thread
        self._pid = ProcessId("thread", thread.ident)

    @property
    def pid(self) -> ProcessId:
        """``thread:<ident>``."""
        return self._pid

    @property
    def thread(self) -> threading.Thread:
        """The thread this handle watches."""
        return self._thread

    def is_alive(self) -> bool:
        """Return whether the thread's run() has not yet returned."""
        return self._thread.is_alive()

    def __repr__(self) -> str:
        return f"ThreadProcess({self._thread.name!r}, pid={self._pid})"


class TaskProcess:
    """An ``asyncio.Task``, identified by ``id()`` of the task object.

    The handle keeps the task referenced, so its id is not reused while the
    handle is registered.
    """

    def __init__(self, task: asyncio.Task[object]) -> None:
        self._task = task
        self._pid = ProcessId("task", id(task))

    @property
    def pid(self) -> ProcessId:
        """``task:<id>``."""
        return self._pid

    @property
    def task(self) -> asyncio.Task[object]:
        """The task this handle watches."""
        return self._task

    def is_alive(self) -> bool:
        """Return whether the task has neither finished nor been cancelled."""
        # Task.done() only reads the task's state, so it is safe to call from
        # a thread other than the event loop's.
        return not self._task.done()

    def __repr__(self) -> str:
        return f"TaskProcess({self._task.get_name()!r}, pid={self._pid})"


class OsProcess:
    """Any operating-system process, identified by its pid.

    Liveness is probed with signal 0, which checks that the pid exists
    without delivering anything. On Linux a zombie (a child that has exited
    but not been reaped) still exists by that test, so ``/proc`` is read as
    well and a zombie counts as dead.

    Raises:
        ValueError: if ``pid`` is not a positive int.
    """

    def __init__(self, pid: int) -> None:
        if isinstance(pid, bool) or not isinstance(pid, int) or pid < 1:
            raise ValueError(f"pid must be a positive int, got {pid!r}")
        self._pid = ProcessId("os", pid)

    @property
    def pid(self) -> ProcessId:
        """``os:<pid>``."""
        return self._pid

    def is_alive(self) -> bool:
        """Return whether a process with this pid exists and is not a zombie."""
        number = self._pid.number
        try:
            os.kill(number, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            # The process exists but belongs to another user.
            pass
        return not _has_exited(number)

    def __repr__(self) -> str:
        return f"OsProcess({self._pid.number})"


class SubprocessProcess:
    """A child started with ``subprocess.Popen``, identified by its OS pid.

    Liveness comes from ``Popen.poll()``, which also reaps the child once it
    has exited, so a watched child never lingers as a zombie. The id equals
    that of ``OsProcess(popen.pid)``.
    """

    def __init__(self, popen: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
        self._popen = popen
        self._pid = ProcessId("os", popen.pid)

    @property
    def pid(self) -> ProcessId:
        """``os:<pid>``."""
        return self._pid

    def is_alive(self) -> bool:
        """Return whether the child has not yet exited."""
        return self._popen.poll() is None

    def __repr__(self) -> str:
        return f"SubprocessProcess({self._pid.number})"


def _has_exited(pid: int) -> bool:
    """Return whether Linux reports ``pid`` as a zombie or as gone; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        # The process was reaped between the signal probe and this read.
        return True
    # The state letter follows the command name, which is in parentheses and
    # may itself contain spaces and parentheses. Z is a zombie and X a process
    # being torn down.
    state = stat[stat.rindex(")") + 2 :][:1]
    return state in ("Z", "X")
