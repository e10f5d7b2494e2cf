"""The spec language: grammar, AST, name resolution and type checking."""

from __future__ import annotations

from pathlib import Path

from spec_lang.ast import SpecFile
from spec_lang.checker import check_spec
from spec_lang.diagnostics import Diagnostic, SpecError
from spec_lang.parser import parse_file, parse_source


def load_spec(path: str | Path, name: str | None = None) -> SpecFile:
    """Read, parse and check a spec file.

    Raises:
        SpecError: with every diagnostic found.
    """
    return check_spec(parse_file(path, name))


def load_source(source: str, path: str = "<string>") -> SpecFile:
    """Parse and check spec text."""
    return check_spec(parse_source(source, path))


__all__ = [
    "Diagnostic",
    "SpecError",
    "SpecFile",
    "check_spec",
    "load_source",
    "load_spec",
    "parse_file",
    "parse_source",
]
