"""One-line bugs planted in the coordination primitives, each caught by the
generated tests of the primitive it breaks.

Each test copies the project, plants one bug in a module of the copy's
``reference_impl/coordination`` and runs ``specfirst test`` on the primitive
that module implements, which must fail. The unplanted copy must pass, so a
failure is the bug's doing. The bugs planted in a primitive's crash recovery
must fail its generated fault test, which ``specfirst test`` does not run.
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
COMPONENTS = ("LeaseLock", "Barrier", "LeaderElection", "Counters", "QuorumVote")
PACKAGE = "reference_impl/coordination"

# (name, component, module, the line as shipped, the line with the bug)
MUTANTS = [
    (
        "lock_ignores_holder_death",
        "LeaseLock",
        "lease_lock.py",
        "now < self._expires_at and self._liveness()",
        "now < self._expires_at",
    ),
    (
        "lock_token_restarts",
        "LeaseLock",
        "lease_lock.py",
        "            self._token += 1",
        "            self._token = 1",
    ),
    (
        "barrier_releases_one_late",
        "Barrier",
        "barrier.py",
        "        if index + 1 == self._parties:",
        "        if index == self._parties:",
    ),
    (
        "election_blocks_only_same_node",
        "LeaderElection",
        "election.py",
        "            if self._leads_at(now):",
        "            if self._leads_at(now) and self._leader == node:",
    ),
    (
        "counter_swap_inverted",
        "Counters",
        "counters.py",
        "            if self._values.get(key, 0) != expected:",
        "            if self._values.get(key, 0) == expected:",
    ),
    (
        "quorum_needs_one_more",
        "QuorumVote",
        "quorum.py",
        "        if len(self._approvals) >= self._quorum:",
        "        if len(self._approvals) > self._quorum:",
    ),
    (
        "barrier_skips_a_generation",
        "Barrier",
        "barrier.py",
        "            self._generation += 1",
        "            self._generation += 2",
    ),
    (
        "election_skips_a_term",
        "LeaderElection",
        "election.py",
        "            self._term += 1",
        "            self._term += 2",
    ),
    (
        "counter_refuses_exact_amount",
        "Counters",
        "counters.py",
        "            if current < amount:",
        "            if current <= amount:",
    ),
    (
        "rejection_needs_one_more",
        "QuorumVote",
        "quorum.py",
        "        if len(self._rejections) >= self._quorum:",
        "        if len(self._rejections) > self._quorum:",
    ),
]


# Bugs in crash recovery: (name, component, module, shipped line, bug line)
RECOVERY_MUTANTS = [
    (
        "lock_recovery_forgets_token",
        "LeaseLock",
        "lease_lock.py",
        "        lock._token = saved.token",
        "        lock._token = 0",
    ),
    (
        "barrier_recovery_forgets_generation",
        "Barrier",
        "barrier.py",
        "        barrier._generation = saved.generation",
        "        barrier._generation = 0",
    ),
    (
        "election_recovery_forgets_term",
        "LeaderElection",
        "election.py",
        "        election._term = saved.term",
        "        election._term = 0",
    ),
    (
        "counter_recovery_goes_back",
        "Counters",
        "counters.py",
        "            counters._values[key] = value",
        "            counters._values[key] = max(1, value - 1)",
    ),
    (
        "vote_recovery_drops_rejections",
        "QuorumVote",
        "quorum.py",
        "            if ballot is not None:",
        "            if ballot:",
    ),
]


def contract_tests(
    root: Path, components: tuple[str, ...]
) -> subprocess.CompletedProcess[str]:
    return specfirst(
        root, "test", *components, "--max-examples", str(MAX_EXAMPLES), *SEED
    )


def test_shipped_code_passes(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    completed = contract_tests(root, COMPONENTS)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("component", "module", "shipped", "bug"),
    [m[1:] for m in MUTANTS],
    ids=[m[0] for m in MUTANTS],
)
def test_planted_bug_is_caught(
    tmp_path: Path, component: str, module: str, shipped: str, bug: str
) -> None:
    root = copy_project(tmp_path / "project")
    plant(root / PACKAGE / module, shipped, bug)
    completed = contract_tests(root, (component,))
    assert completed.returncode == 1, completed.stdout + completed.stderr


def fault_tests(root: Path, component: str) -> subprocess.CompletedProcess[str]:
    # The seed decides whether a run reaches the state a recovery bug loses
    # (a tripped barrier, a later term), so it is the gate's, never chance.
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in component)
    return generated_test(root, f"build/specfirst/test{snake}_faults.py")


@pytest.mark.parametrize(
    ("component", "module", "shipped", "bug"),
    [m[1:] for m in RECOVERY_MUTANTS],
    ids=[m[0] for m in RECOVERY_MUTANTS],
)
def test_recovery_bug_fails_fault_test(
    tmp_path: Path, component: str, module: str, shipped: str, bug: str
) -> None:
    root = copy_project(tmp_path / "project")
    plant(root / PACKAGE / module, shipped, bug)
    completed = fault_tests(root, component)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "skipped" not in completed.stdout, completed.stdout


def test_shipped_recovery_passes_fault_tests(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    for component in COMPONENTS:
        completed = fault_tests(root, component)
        assert completed.returncode == 0, completed.stdout + completed.stderr
        assert "skipped" not in completed.stdout, completed.stdout
