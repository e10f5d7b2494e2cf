"""Fixtures for the verifier tests: verify corpus files once, verify spec text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from verifier_support import CORPUS, Results, load_text, results_by_id

from verifier import VerifyOptions, verify_spec


@pytest.fixture(scope="session")
def corpus_results() -> Callable[[str], Results]:
    """Verify a corpus file once per session and index its results by id."""
    done: dict[str, Results] = {}

    def results(name: str) -> Results:
        if name not in done:
            path = CORPUS / name
            spec = load_text(path.read_text(encoding="utf-8"), str(path))
            done[name] = results_by_id(verify_spec(spec, VerifyOptions(jobs=1)))
        return done[name]

    return results


@pytest.fixture
def verify_text() -> Callable[..., Results]:
    """Verify spec text in this process; keyword arguments go to VerifyOptions."""

    def verify(source: str, **options: Any) -> Results:
        spec = load_text(source)
        return results_by_id(verify_spec(spec, VerifyOptions(**{"jobs": 1, **options})))

    return verify
