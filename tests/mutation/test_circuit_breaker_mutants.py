"""One-line bugs planted in the circuit breaker, each caught by its generated tests.

Each test copies the project, plants one bug in the copy's
``reference_impl/circuit_breaker.py``, generates the tests there and runs
the fault test of CircuitBreaker, which must fail. The fault test is the
contract test with crashes and recoveries among its steps, so it catches
both the contract's bugs and recovery's. The unplanted copy must pass, so a
failure is the bug's doing.

A failing example is not shrunk: only the verdict matters here, and
shrinking took most of a failing case's time (up to 165 s of a case on two
cores, measured with shrinking on).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from mutation_support import copy_project, generated_test, plant

pytestmark = pytest.mark.slow

COMPONENT = "CircuitBreaker"
TARGET = "reference_impl/circuit_breaker.py"
FAULT_TEST = "build/specfirst/test_circuit_breaker_faults.py"
# The examples per test stay at the config's 300, because fewer examples
# often never reach the trial limit.

# (name, the text as shipped, the text with the bug), each within one line
MUTANTS = [
    (
        "opens_one_failure_late",
        "                if self._failures + 1 >= self._failure_threshold:",
        "                if self._failures + 1 > self._failure_threshold:",
    ),
    (
        "admits_one_trial_too_many",
        "                    if self._trials >= self._half_open_max_calls:",
        "                    if self._trials > self._half_open_max_calls:",
    ),
    (
        "probes_one_tick_late",
        "                if self._clock.now() < retry_at:",
        "                if self._clock.now() <= retry_at:",
    ),
    (
        "recovery_forgets_failures",
        "            self._failures = saved.failures",
        "            self._failures = 0",
    ),
    (
        "recovery_forgets_open",
        "            self._mode = saved.mode",
        "            self._mode = Mode.CLOSED",
    ),
]


# Loaded by the copy's conftest.py: every phase but shrinking.
CONFTEST = """\
from hypothesis import Phase, settings

settings.register_profile(
    "mutants", phases=[Phase.explicit, Phase.reuse, Phase.generate]
)
settings.load_profile("mutants")
"""


def generated_tests(root: Path) -> subprocess.CompletedProcess[str]:
    (root / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    return generated_test(root, FAULT_TEST, options=[f"--rootdir={root}"])


def test_shipped_code_passes(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    completed = generated_tests(root)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "1 passed" in completed.stdout


@pytest.mark.parametrize(
    ("shipped", "bug"), [m[1:] for m in MUTANTS], ids=[m[0] for m in MUTANTS]
)
def test_planted_bug_is_caught(tmp_path: Path, shipped: str, bug: str) -> None:
    root = copy_project(tmp_path / "project")
    plant(root / TARGET, shipped, bug)
    completed = generated_tests(root)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "1 failed" in completed.stdout
