"""The Foundation specs shipped with the product prove completely."""

from __future__ import annotations

import pytest
from verifier_support import REPO

from verifier import Status, VerifyOptions, verify_spec

_SPECS = ["circuit_breaker.spec", "rate_limiter.spec"]


@pytest.mark.parametrize("name", _SPECS)
def test_every_obligation_is_proved(name: str) -> None:
    results = verify_spec(REPO / "specs" / name, VerifyOptions(jobs=1))
    assert results
    unproved = {
        r.obligation.id: r.reason for r in results if r.status is not Status.PROVED
    }
    assert unproved == {}


@pytest.mark.parametrize("name", _SPECS)
def test_every_result_traces_to_a_clause(name: str) -> None:
    results = verify_spec(REPO / "specs" / name, VerifyOptions(jobs=1))
    for result in results:
        assert result.obligation.clause_id
        assert result.obligation.span.file.endswith(name)
