"""One-line bugs planted in the process registry, each caught by its generated tests.

Each test copies the project, plants one bug in the copy's
``reference_impl/process_registry/registry.py`` and runs ``specfirst test
ProcessRegistry`` there, which must fail. The unplanted copy must pass, so a
failure is the bug's doing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from mutation_support import SEED, copy_project, plant, specfirst

pytestmark = pytest.mark.slow

COMPONENT = "ProcessRegistry"
TARGET = "reference_impl/process_registry/registry.py"

# (name, the line as shipped, the line with the bug)
MUTANTS = [
    (
        "stale_notice_removes_newer",
        "            if current is None or current.generation != generation:",
        "            if current is None:",
    ),
    (
        "registers_dead_process",
        "        if not process.is_alive():",
        "        if not process.is_alive() and False:",
    ),
    (
        "sweep_removes_live_instead",
        "            if _probe_alive(registration):",
        "            if not _probe_alive(registration):",
    ),
    (
        "emptied_namespace_kept",
        "        if not entries:",
        "        if not entries and False:",
    ),
]


def contract_tests(root: Path) -> subprocess.CompletedProcess[str]:
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
