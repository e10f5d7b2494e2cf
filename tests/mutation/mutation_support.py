"""Helpers shared by the planted-bug tests: copy the project, plant one bug,
and run the generated tests of the copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROJECT_PARTS = ("specs", "reference_impl", "adapters", "pyproject.toml")
# The gate's seed: whether a run of the generated tests reaches a planted bug
# must not be chance.
GATE_SEED = 0
SEED = ("--seed", str(GATE_SEED))


def copy_project(root: Path) -> Path:
    """Copy the specs, implementations, adapters and config to ``root``."""
    root.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(
                source, root / part, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, root / part)
    return root


def plant(path: Path, shipped: str, bug: str) -> None:
    """Replace the one occurrence of ``shipped`` in ``path`` with ``bug``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(shipped) == 1, f"{shipped!r} occurs {text.count(shipped)} times"
    path.write_text(text.replace(shipped, bug), encoding="utf-8")


def specfirst(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the specfirst command in the project copy at ``root``."""
    script = Path(sys.executable).parent / "specfirst"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "specfirst"]
    return _run(root, [*command, *arguments], _environment(root))


def generated_test(
    root: Path,
    test_file: str,
    max_examples: int | None = None,
    options: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """Generate the copy's tests, then run ``test_file`` with the gate's seed."""
    generated = specfirst(root, "gen")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    environment = _environment(root)
    if max_examples is not None:
        environment["SPECFIRST_MAX_EXAMPLES"] = str(max_examples)
    # The seed must draw the same examples in CI, where Hypothesis's profile
    # would otherwise derandomize the run.
    environment["SPECFIRST_FIXED_SEED"] = "1"
    command = [
        sys.executable,
        "-m",
        "pytest",
        test_file,
        "-q",
        "-p",
        "no:cacheprovider",
        # The copied project's own options spread tests over workers, and one
        # generated test runs best in this one process.
        "-o",
        "addopts=",
        f"--hypothesis-seed={GATE_SEED}",
        *options,
    ]
    return _run(root, command, environment)


def _environment(root: Path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SPECFIRST_")
    }
    environment["SPECFIRST_ROOT"] = str(root)
    return environment


def _run(
    root: Path, command: list[str], environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
