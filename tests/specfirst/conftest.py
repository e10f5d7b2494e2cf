"""Fixtures for the CLI tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_support import PROJECT_PARTS, REPO


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the repository's project, safe to edit."""
    root = tmp_path / "project"
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
