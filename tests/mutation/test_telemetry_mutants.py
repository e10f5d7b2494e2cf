"""One-line bugs planted in the telemetry service, each caught by its generated tests.

Each test copies the project, plants one bug in the copy's
``reference_impl/telemetry.py`` and runs ``specfirst test TelemetryService``
there, which must fail. The unplanted copy must pass, so a failure is the
bug's doing. A bug in crash recovery shows only when the service crashes,
so those bugs are run against the generated fault test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mutation_support import copy_project, fixed_seed, plant

pytestmark = pytest.mark.slow

COMPONENT = "TelemetryService"
TARGET = "reference_impl/telemetry.py"

# (name, the line as shipped, the line with the bug)
MUTANTS = [
    (
        "reused_slot_not_reset",
        "        if window is None or window.index != index:",
        "        if window is None:",
    ),
    (
        "expired_window_still_readable",
        "        oldest = current - self._window_count + 1",
        "        oldest = current - self._window_count",
    ),
    (
        "percentile_rank_rounded_down",
        "        rank = math.ceil(Fraction(p) * len(samples) / 100)",
        "        rank = max(1, math.floor(Fraction(p) * len(samples) / 100))",
    ),
    (
        "kind_mismatch_ignored",
        "        if existing is not kind:",
        "        if False:",
    ),
    (
        "window_count_overwritten",
        "            window.counts[name] = window.counts.get(name, 0) + by",
        "            window.counts[name] = by",
    ),
]

# Bugs in recovery, in the same form; the fault test must catch each.
RECOVERY_MUTANTS = [
    (
        # Recovery drops every gauge's value but keeps its kind.
        "recovered_gauges_lost",
        "        service._gauges = dict(stored.gauges)",
        "        service._gauges = {}",
    ),
]
FAULT_TEST = "build/specfirst/test_telemetry_service_faults.py"


def contract_tests(root: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "specfirst"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "specfirst"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECFIRST_")}
    # NOTE: no fixed seed here: seed 0 misses percentile_rank_rounded_down,
    # whose floor and ceiling differ only for some sample counts. Unseeded,
    # Hypothesis's CI profile derandomizes the run, and locally it is random.
    return subprocess.run(
        [*command, "test", COMPONENT],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def fault_tests(root: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "specfirst"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "specfirst"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECFIRST_")}
    generated = subprocess.run(
        [*command, "gen"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            FAULT_TEST,
            "-q",
            "-p",
            "no:cacheprovider",
            # The copied project's own options spread tests over workers;
            # one fault test runs best in this one process.
            "-o",
            "addopts=",
            # The gate's seed, so that whether a run reaches the state a
            # recovery bug loses does not depend on chance.
            fixed_seed(env),
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


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
