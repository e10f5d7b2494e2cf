"""One-line bugs planted in the resource manager, each caught by its generated tests.

Each test copies the project, plants one bug in the copy's
``reference_impl/resource_manager.py`` and runs ``specfirst test
ResourceManager`` there, which must fail. The unplanted copy must pass, so a
failure is the bug's doing. A bug in crash recovery shows only when the
manager crashes, so those bugs are run against the generated fault test.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from mutation_support import SEED, copy_project, generated_test, plant, specfirst

pytestmark = pytest.mark.slow

# Four times the default run's examples: a bug that a default run meets
# only in most runs is then met in practically every one, so the verdict
# does not hang on one lucky draw.
MAX_EXAMPLES = 400
COMPONENT = "ResourceManager"
TARGET = "reference_impl/resource_manager.py"

# (name, the line as shipped, the line with the bug)
MUTANTS = [
    (
        "capacity_check_off_by_one",
        "            if self._used + units > self._capacity:",
        "            if self._used + units >= self._capacity:",
    ),
    (
        "owner_limit_ignores_holding",
        "            if held + units > self._owner_limit:",
        "            if units > self._owner_limit:",
    ),
    (
        "dropped_holding_stays_in_use",
        "        self._used -= holding.units",
        "        self._used -= 0",
    ),
    (
        "reaper_skips_dead_owners",
        "                if self._holdings.get(owner) is holding:",
        "                if self._holdings.get(owner) is not holding:",
    ),
]

# Bugs in recovery, in the same form; the fault test must catch each.
RECOVERY_MUTANTS = [
    (
        # The recovered manager no longer copies its changes to the store,
        # so a second crash loses every allocation made since the first.
        "recovered_manager_stops_storing",
        "        manager._store = store",
        "        pass",
    ),
]
FAULT_TEST = "build/specfirst/test_resource_manager_faults.py"


def contract_tests(root: Path) -> subprocess.CompletedProcess[str]:
    return specfirst(
        root, "test", COMPONENT, "--max-examples", str(MAX_EXAMPLES), *SEED
    )


def fault_tests(root: Path) -> subprocess.CompletedProcess[str]:
    return generated_test(root, FAULT_TEST, MAX_EXAMPLES)


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


def test_shipped_recovery_passes(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    completed = fault_tests(root)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("shipped", "bug"),
    [m[1:] for m in RECOVERY_MUTANTS],
    ids=[m[0] for m in RECOVERY_MUTANTS],
)
def test_planted_recovery_bug_is_caught(tmp_path: Path, shipped: str, bug: str) -> None:
    root = copy_project(tmp_path / "project")
    plant(root / TARGET, shipped, bug)
    completed = fault_tests(root)
    assert completed.returncode == 1, completed.stdout + completed.stderr
