"""Traces: JSON, changed variables, replay through the spec, shortening."""

from __future__ import annotations

import pytest
from temporal_support import corpus_spec, temporal_results

from verifier.trace import (
    NotReplayed,
    Replay,
    State,
    Trace,
    TraceStep,
    shorten,
    with_changes,
)
from verifier.values import Identity, OptionValue, SetValue


def _step(action: str, x: int) -> TraceStep:
    return TraceStep(action, "operation", {}, {"x": x})


def _shortest() -> Replay:
    return Replay(corpus_spec("shortest.spec").components[0])


def test_trace_survives_json() -> None:
    trace = temporal_results("shortest.spec")["Shortest.always.below_three"].trace
    assert trace is not None
    assert Trace.from_json(trace.to_json()) == trace


def test_changed_lists_only_variables_that_moved() -> None:
    trace = with_changes(
        Trace(
            {},
            {"x": 0, "y": 1},
            (
                TraceStep("a", "operation", {}, {"x": 1, "y": 1}),
                TraceStep("b", "operation", {}, {"x": 1, "y": 1}),
            ),
        )
    )
    assert [s.changed for s in trace.steps] == [("x",), ()]


def test_replay_recomputes_effects() -> None:
    trace = Trace({}, {"x": 0}, (_step("bump", 99),))
    replayed = _shortest().run(trace)
    assert replayed.steps[0].state == {"x": 1}


def test_replay_rejects_a_step_whose_requires_fails() -> None:
    trace = Trace({}, {"x": 0}, (_step("jump", 2),))
    with pytest.raises(NotReplayed, match="requires"):
        _shortest().run(trace)


def test_replay_rejects_a_wrong_initial_state() -> None:
    with pytest.raises(NotReplayed, match="init builds"):
        _shortest().run(Trace({}, {"x": 5}))


def test_shorten_cuts_a_detour() -> None:
    replay = _shortest()
    long = replay.run(Trace({}, {"x": 0}, tuple(_step("bump", 0) for _ in range(4))))

    def reaches_two(trace: Trace) -> bool:
        return trace.states()[-1]["x"] >= 2

    shorter = shorten(long, replay, reaches_two)
    assert [s.action for s in shorter.steps] in (["bump", "bump"], ["bump", "jump"])


def test_call_shows_arguments_in_spec_syntax() -> None:
    step = TraceStep("set", "operation", {"flag": True, "n": 3}, {})
    assert step.call() == "set(flag=true, n=3)"


def _lock_after_death() -> tuple[Replay, Trace]:
    """The lock with its only mentioned process dead and the lock free."""
    pid = Identity("Pid", 1)
    free: State = {"holder": OptionValue(None), "dead": SetValue(frozenset({pid}))}
    step = TraceStep("dies", "environment", {"p": pid}, free)
    start: State = {"holder": OptionValue(None), "dead": SetValue(frozenset())}
    return Replay(corpus_spec("lock.spec").components[0]), Trace({}, start, (step,))


def test_enabled_for_some_tries_an_unmentioned_identity() -> None:
    replay, trace = _lock_after_death()
    assert replay.enabled_for_some("acquire", trace.states()[1], trace) is True


def test_enabled_for_some_sees_a_disabled_action() -> None:
    replay, trace = _lock_after_death()
    assert replay.enabled_for_some("release", trace.states()[1], trace) is False
