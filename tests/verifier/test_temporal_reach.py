"""Reachability of actions and antecedents: witnesses, dead actions, vacuity."""

from __future__ import annotations

from temporal_support import calls, temporal_results

from verifier import Status


def test_action_enabled_initially_has_an_empty_witness() -> None:
    result = temporal_results("valve.spec")["Valve.fill.reach"]
    assert result.status is Status.PROVED
    assert calls(result) == []


def test_witness_leads_to_the_state_that_enables_the_action() -> None:
    result = temporal_results("shortest.spec")["Shortest.jump.reach"]
    assert result.status is Status.PROVED
    assert calls(result) == ["bump()"]


def test_dead_operation_is_a_finding() -> None:
    result = temporal_results("valve.spec")["Valve.drain_overflow.reach"]
    assert result.status is Status.VIOLATED
    assert "drain_overflow is dead" in result.reason


def test_action_beyond_the_depth_is_unknown() -> None:
    result = temporal_results("valve.spec")["Valve.far.reach"]
    assert result.status is Status.UNKNOWN
    assert result.reason == "no run of up to 8 steps enables far"


def test_vacuous_implication_is_a_finding() -> None:
    result = temporal_results("valve.spec")["Valve.invariant.overflow_closes.vacuity"]
    assert result.status is Status.VIOLATED
    assert "is vacuous" in result.reason


def test_reachable_antecedent_has_a_witness() -> None:
    result = temporal_results("valve.spec")["Valve.invariant.open_when_full.vacuity"]
    assert result.status is Status.PROVED
    assert calls(result) == ["fill()"]


def test_leads_to_trigger_is_checked_for_vacuity() -> None:
    results = temporal_results("slow.spec")
    assert results["Slow.leadsto.one_to_two.vacuity"].status is Status.PROVED
