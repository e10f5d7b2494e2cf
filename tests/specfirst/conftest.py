"""Fixtures for the CLI tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_support import PROJECT_PARTS, REPO

# The two first components: small enough that the CLI tests can run the whole
# pipeline on them in seconds, while the manifest still requires the rest.
FIRST_SPECS = ("circuit_breaker.spec", "rate_limiter.spec")


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the repository's project with its first two specs, safe to edit."""
    root = tmp_path / "project"
    root.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if part == "specs":
            (root / part).mkdir()
            for name in FIRST_SPECS:
                shutil.copy2(source / name, root / part / name)
        elif source.is_dir():
            shutil.copytree(
                source, root / part, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, root / part)
    return root
