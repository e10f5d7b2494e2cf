"""One-line bugs planted in the event store, each caught by its generated tests.

Each test copies the project, plants one bug in the copy's
``reference_impl/event_store.py`` and runs ``specfirst test EventStore``
there, which must fail. The unplanted copy must pass, so a failure is the
bug's doing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from mutation_support import SEED, copy_project, plant, specfirst

pytestmark = pytest.mark.slow

COMPONENT = "EventStore"
TARGET = "reference_impl/event_store.py"

# (name, the line as shipped, the line with the bug)
MUTANTS = [
    (
        "backpressure_one_early",
        "            if self._pending(subscription) + needed > self._buffer_size:",
        "            if self._pending(subscription) + needed >= self._buffer_size:",
    ),
    (
        "drop_oldest_keeps_one_too_few",
        "            return max(first, self._next_position - self._buffer_size)",
        "            return max(first, self._next_position - self._buffer_size + 1)",
    ),
    (
        "retention_removes_boundary_event",
        "                if event.recorded_at >= cutoff:",
        "                if event.recorded_at > cutoff:",
    ),
    (
        "drops_not_counted",
        "        subscription.dropped += skipped",
        "        subscription.dropped += 0",
    ),
    (
        "batch_shares_one_position",
        "                Event(self._next_position + offset, d.correlation_id,"
        " d.payload, now)",
        "                Event(self._next_position, d.correlation_id, d.payload, now)",
    ),
]


def contract_tests(root: Path) -> subprocess.CompletedProcess[str]:
    # The gate's seed, so that whether a run reaches the state a bug breaks
    # (a dropping subscription polled) does not depend on chance.
    return specfirst(root, "test", COMPONENT, *SEED)


def test_shipped_code_passes(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    completed = contract_tests(root)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("shipped", "bug"), [m[1:] for m in MUTANTS], ids=[m[0] for m in MUTANTS]
)
def test_planted_bug_is_caught(tmp_path: Path, shipped: str, bug: str) -> None:
    root = copy_project(tmp_path / "project")
    plant(root / TARGET, shipped, bug)
    completed = contract_tests(root)
    assert completed.returncode == 1, completed.stdout + completed.stderr
