"""Safety properties: bounded model checking, then k-induction for all depths."""

from __future__ import annotations

from temporal_support import calls, corpus_spec, temporal_results

from verifier import Status, VerifyOptions
from verifier.induction import safety_step
from verifier.obligation import Answer
from verifier.temporal import RunSolver


def test_non_inductive_property_is_not_one_inductive() -> None:
    component = corpus_spec("cycle.spec").components[0]
    prop = component.properties[0]
    with RunSolver(VerifyOptions(jobs=1)) as solver:
        (solved,) = solver.solve([safety_step(component, prop, 1, True)])
    assert solved.outcome.answer is Answer.SAT


def test_non_inductive_true_property_is_proved_by_k_induction() -> None:
    result = temporal_results("cycle.spec")["Cycle.always.never_five"]
    assert result.status is Status.PROVED
    assert "8-induction" in result.reason


def test_property_true_to_depth_five_holds_to_depth_five() -> None:
    result = temporal_results("countup.spec", depth=5)["CountUp.always.below_six"]
    assert result.status is Status.UNKNOWN
    assert result.reason.startswith("holds to depth 5, not proved for all depths")


def test_holding_to_a_depth_is_never_a_proof() -> None:
    result = temporal_results("countup.spec", depth=5)["CountUp.always.below_six"]
    assert result.status is not Status.PROVED
    assert result.depth == 5


def test_violation_one_step_deeper_is_found_with_more_depth() -> None:
    result = temporal_results("countup.spec", depth=6)["CountUp.always.below_six"]
    assert result.status is Status.VIOLATED
    assert calls(result) == ["inc()"] * 6


def test_violated_property_reports_its_shortest_trace() -> None:
    result = temporal_results("shortest.spec")["Shortest.always.below_three"]
    assert result.status is Status.VIOLATED
    assert calls(result) == ["bump()", "jump()"]
    assert result.reason.endswith("no shorter run breaks it")


def test_violation_marks_the_state_that_breaks_the_property() -> None:
    result = temporal_results("shortest.spec")["Shortest.always.below_three"]
    assert result.trace is not None
    assert result.trace.violation == 2
    assert result.trace.states()[2] == {"x": 3}


def test_trace_steps_name_the_variables_they_change() -> None:
    result = temporal_results("shortest.spec")["Shortest.always.below_three"]
    assert result.trace is not None
    assert [step.changed for step in result.trace.steps] == [("x",), ("x",)]


def test_step_property_with_old_is_proved() -> None:
    result = temporal_results("countup.spec")["CountUp.always.never_shrinks"]
    assert result.status is Status.PROVED
    assert "1-induction" in result.reason


def test_safety_results_have_the_safety_kind() -> None:
    result = temporal_results("countup.spec")["CountUp.always.never_shrinks"]
    assert result.obligation.kind.value == "safety"
    assert result.obligation.clause_id == "CountUp.always.never_shrinks"
