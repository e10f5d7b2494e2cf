"""Obligations and results survive a trip through JSON."""

from __future__ import annotations

import json
from collections.abc import Callable

from verifier_support import REPO, Results

from spec_lang import load_spec
from verifier import (
    Obligation,
    ObligationResult,
    VerifyOptions,
    build_obligations,
    verify_spec,
)


def test_obligation_round_trips() -> None:
    spec = load_spec(REPO / "specs" / "circuit_breaker.spec")
    for obligation in build_obligations(spec.components[0]):
        text = json.dumps(obligation.to_json())
        assert Obligation.from_json(json.loads(text)) == obligation


def test_violated_result_round_trips(corpus_results: Callable[[str], Results]) -> None:
    result = corpus_results("enums.spec")["WrongEnums.paint.preserve.never_blue"]
    text = json.dumps(result.to_json())
    assert ObligationResult.from_json(json.loads(text)) == result


def test_proved_result_with_witness_round_trips() -> None:
    results = verify_spec(REPO / "specs" / "rate_limiter.spec", VerifyOptions(jobs=1))
    with_witness = [r for r in results if r.witness is not None]
    assert with_witness
    for result in with_witness:
        text = json.dumps(result.to_json())
        assert ObligationResult.from_json(json.loads(text)) == result
