"""Helpers the verifier tests share: paths, checking spec text, indexing results."""

from __future__ import annotations

from pathlib import Path

from spec_lang import ast, check_spec, parse_source
from verifier import ObligationResult

CORPUS = Path(__file__).parent / "corpus"
REPO = Path(__file__).parents[2]

Results = dict[str, ObligationResult]


def load_text(source: str, path: str = "<test>") -> ast.SpecFile:
    """Parse and check spec text."""
    return check_spec(parse_source(source, path))


def results_by_id(results: list[ObligationResult]) -> Results:
    return {r.obligation.id: r for r in results}
