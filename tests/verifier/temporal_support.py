"""Helpers of the temporal verification tests: the corpus, checked once per depth."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from spec_lang import ast, load_spec
from verifier import VerifyOptions
from verifier.temporal import TemporalOptions, TemporalResult, verify_temporal

TEMPORAL_CORPUS = Path(__file__).parent / "temporal_corpus"

TemporalResults = dict[str, TemporalResult]


def corpus_spec(name: str) -> ast.SpecFile:
    return load_spec(TEMPORAL_CORPUS / name)


@cache
def temporal_results(name: str, depth: int = 8) -> TemporalResults:
    """Check a corpus spec's temporal obligations in this process, once."""
    results = verify_temporal(
        corpus_spec(name), VerifyOptions(jobs=1), TemporalOptions(depth=depth)
    )
    return {r.obligation.id: r for r in results}


def calls(result: TemporalResult) -> list[str]:
    """The trace of a result as calls: ``["inc()", "tick(elapsed=1)"]``."""
    assert result.trace is not None
    return [step.call() for step in result.trace.steps]
