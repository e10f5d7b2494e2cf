"""Helpers for running the real ``specfirst`` command on copies of the project."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# What a copy of the project needs: the specs, the implementations, their
# adapters and the config that binds them.
PROJECT_PARTS = ("specs", "reference_impl", "adapters", "pyproject.toml")


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str


def run_specfirst(*args: str, cwd: Path, timeout: int = 600) -> Completed:
    """Run the installed ``specfirst`` command as a user would."""
    script = Path(sys.executable).parent / "specfirst"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "specfirst"]
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    env.pop("SPECFIRST_ROOT", None)
    completed = subprocess.run(
        [*command, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Completed(completed.returncode, completed.stdout, completed.stderr)


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of ``old``, so a planted bug lands where meant."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
