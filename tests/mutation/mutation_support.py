"""Helpers shared by the planted-bug tests: copy the project, plant one bug."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROJECT_PARTS = ("specs", "reference_impl", "adapters", "pyproject.toml")
# The gate's seed: whether a run of the generated tests reaches a planted bug
# must not be chance.
SEED = ("--seed", "0")


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


def fixed_seed(env: dict[str, str], seed: int = 0) -> str:
    """Fix a generated test run's draws to ``seed`` on every machine.

    Sets the variable that stops a CI profile's derandomization from replacing
    the seed in ``env``, and returns pytest's option that gives the seed.
    """
    env["SPECFIRST_FIXED_SEED"] = "1"
    return f"--hypothesis-seed={seed}"
