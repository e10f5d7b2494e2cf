"""Counterexamples of structured state: readable, re-checked, and never spurious."""

from __future__ import annotations

import json
from collections.abc import Callable

from verifier_support import Results

from verifier import Counterexample, Obligation, ObligationResult, Status
from verifier.obligation import Answer
from verifier.outcome import Outcome
from verifier.solve import verdict
from verifier.values import Identity, MapValue, RecordValue, SetValue

_QUORUM = "structured/quorum.spec"
_REGISTRATION = "structured/registration.spec"


def _counterexample(result: ObligationResult) -> Counterexample:
    assert result.status is Status.VIOLATED, result.reason
    assert result.counterexample is not None
    return result.counterexample


def test_wrong_quorum_counterexample_gives_a_participant_count(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results(_QUORUM)["WrongQuorum.overlap.effect.1"]
    counterexample = _counterexample(result)
    n = counterexample.constants["n"]
    q = counterexample.constants["q"]
    assert isinstance(n, int)
    assert isinstance(q, int)
    assert n >= 1
    assert q == n // 2


def test_wrong_quorum_counterexample_has_disjoint_quorums(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results(_QUORUM)["WrongQuorum.overlap.effect.1"]
    arguments = _counterexample(result).arguments
    a, b = arguments["a"], arguments["b"]
    assert isinstance(a, SetValue)
    assert isinstance(b, SetValue)
    assert a.items.isdisjoint(b.items)


def test_quorum_intersection_is_proved_for_every_count(
    corpus_results: Callable[[str], Results],
) -> None:
    results = corpus_results(_QUORUM)
    assert results["Quorum.overlap.effect.1"].status is Status.PROVED
    assert results["Quorum.overlap.effect.2"].status is Status.PROVED


def test_map_counterexample_prints_its_entries(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results(_REGISTRATION)["WrongRegistry.register.effect.keeps_others"]
    registry = _counterexample(result).pre_state["registry"]
    assert isinstance(registry, MapValue)
    shown = str(registry)
    assert shown.startswith("{Key { namespace: Namespace#1, pid: Pid#1 }: Entry {")
    assert "since: " in shown


def test_identities_are_numbered_from_one_per_type(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results(_REGISTRATION)["WrongRegistry.register.effect.keeps_others"]
    arguments = _counterexample(result).arguments
    assert arguments["ns"] == Identity("Namespace", 1)
    assert arguments["p"] == Identity("Pid", 1)


def test_record_counterexample_names_its_fields(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("structured/records.spec")["WrongRecords.rebuild.effect.1"]
    value = _counterexample(result).result
    assert isinstance(value, RecordValue)
    assert [name for name, _ in value.fields] == ["pid", "seen"]
    assert str(value).startswith("Entry { pid: Pid#1, seen: ")


def test_post_state_is_recomputed_by_the_effect(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("structured/set_sizes.spec")["WrongSizes.join.effect.1"]
    counterexample = _counterexample(result)
    members = counterexample.pre_state["members"]
    assert isinstance(members, SetValue)
    assert counterexample.arguments["p"] in members.items
    assert counterexample.post_state["members"] == members


def test_spurious_counterexample_is_unknown_with_the_reason(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results("structured/incomplete.spec")["Unsettled.pair.effect.1"]
    assert result.status is Status.UNKNOWN
    assert result.counterexample is None
    assert result.reason.startswith("spurious counterexample: ")
    assert "sizes of sets or maps are axiomatised" in result.reason


def test_claim_needing_a_fresh_identity_is_unknown(
    corpus_results: Callable[[str], Results],
) -> None:
    results = corpus_results("structured/identities.spec")
    result = results["FreshIdentity.always_fresh.effect.1"]
    assert result.status is Status.UNKNOWN
    assert "did not reproduce" in result.reason


def test_structured_counterexample_survives_json(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results(_REGISTRATION)["WrongRegistry.register.effect.keeps_others"]
    text = json.dumps(result.to_json())
    back = ObligationResult.from_json(json.loads(text))
    assert back.counterexample == result.counterexample


def test_incomplete_obligation_names_its_reasons(
    corpus_results: Callable[[str], Results],
) -> None:
    obligation = corpus_results(_QUORUM)["Quorum.overlap.effect.2"].obligation
    assert "sizes of sets or maps" in obligation.incomplete
    assert "quantifiers" in obligation.incomplete
    assert "(check-sat)" in obligation.bounded_smt


def test_complete_encoding_has_no_bounded_query(
    corpus_results: Callable[[str], Results],
) -> None:
    obligation = corpus_results("structured/records.spec")[
        "RightRecords.touch.effect.keeps_pid"
    ].obligation
    assert obligation.incomplete == ""
    assert obligation.bounded_smt == ""


def test_model_from_json_without_its_spec_stays_unconfirmed(
    corpus_results: Callable[[str], Results],
) -> None:
    result = corpus_results(_QUORUM)["WrongQuorum.overlap.effect.1"]
    plain = Obligation.from_json(result.obligation.to_json())
    outcome = Outcome(Answer.SAT, "", {"const!n": 1, "const!q": 0}, 0.0)
    assert plain.recheck is None
    assert verdict(plain, outcome, cached=False).status is Status.UNKNOWN
