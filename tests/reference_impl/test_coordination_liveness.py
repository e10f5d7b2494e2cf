"""Tests of the liveness probes for threads, tasks and processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading

import pytest

from reference_impl.coordination import (
    always_alive,
    pid_liveness,
    process_liveness,
    task_liveness,
    thread_liveness,
)


def test_always_alive() -> None:
    assert always_alive()


def test_thread_probe_follows_thread() -> None:
    done = threading.Event()
    thread = threading.Thread(target=done.wait)
    probe = thread_liveness(thread)
    assert not probe()
    thread.start()
    assert probe()
    done.set()
    thread.join()
    assert not probe()


def test_task_probe_follows_task() -> None:
    async def scenario() -> tuple[bool, bool]:
        release = asyncio.Event()
        task = asyncio.create_task(release.wait())
        probe = task_liveness(task)
        running = probe()
        release.set()
        await task
        return running, probe()

    assert asyncio.run(scenario()) == (True, False)


def test_popen_probe_follows_child() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    probe = process_liveness(child)
    assert probe()
    assert child.stdin is not None
    child.stdin.close()
    child.wait()
    assert not probe()


def test_pid_probe_sees_this_process() -> None:
    assert pid_liveness(os.getpid())()


def test_pid_probe_sees_exited_child() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not pid_liveness(child.pid)()


@pytest.mark.parametrize("pid", [0, -1])
def test_pid_probe_rejects_non_positive_pid(pid: int) -> None:
    with pytest.raises(ValueError, match="pid must be at least 1"):
        pid_liveness(pid)
