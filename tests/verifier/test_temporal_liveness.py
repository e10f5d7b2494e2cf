"""Bounded liveness under weak fairness: lassos, windows and proofs."""

from __future__ import annotations

from temporal_support import calls, temporal_results

from verifier import Status


def test_unfair_retry_loop_is_shown_as_a_lasso() -> None:
    result = temporal_results("retry.spec")["Retry.eventually.completes"]
    assert result.status is Status.VIOLATED
    assert result.trace is not None
    assert result.trace.loop_start == 0
    assert calls(result) == ["start()", "fail()"]


def test_lasso_reason_says_the_loop_repeats_forever() -> None:
    result = temporal_results("retry.spec")["Retry.eventually.completes"]
    assert "repeats forever" in result.reason


def test_loop_without_fairness_violates_liveness() -> None:
    result = temporal_results("unfair_polling.spec")[
        "UnfairPolling.eventually.finishes"
    ]
    assert result.status is Status.VIOLATED
    assert calls(result) == ["poll()"]


def test_weak_fairness_rules_out_the_polling_loop() -> None:
    result = temporal_results("polling.spec")["Polling.eventually.finishes"]
    assert result.status is Status.PROVED


def test_leads_to_is_proved_from_every_trigger_state() -> None:
    result = temporal_results("polling.spec")["Polling.leadsto.answered"]
    assert result.status is Status.PROVED
    assert "satisfying the invariants" in result.reason


def test_response_too_slow_is_shown_as_a_path_of_n_steps() -> None:
    result = temporal_results("slow.spec")["Slow.eventually.reaches_three"]
    assert result.status is Status.VIOLATED
    assert calls(result) == ["inc()", "inc()"]
    assert result.trace is not None
    assert result.trace.loop_start is None


def test_leads_to_violation_starts_at_a_reachable_trigger() -> None:
    result = temporal_results("slow.spec")["Slow.leadsto.one_to_three"]
    assert result.status is Status.VIOLATED
    assert result.trace is not None
    assert result.trace.trigger == 1
    assert result.trace.states()[1] == {"n": 1}


def test_response_within_its_bound_is_proved() -> None:
    result = temporal_results("slow.spec")["Slow.leadsto.one_to_two"]
    assert result.status is Status.PROVED


def test_free_lock_is_granted_under_fairness() -> None:
    # Z3 may pick one Pid, which has died, so no acquire is enabled; process
    # ids are unbounded, so a live caller always exists and fairness holds.
    result = temporal_results("lock.spec", depth=4)["Lock.leadsto.granted"]
    assert result.status is Status.PROVED


def test_action_no_identity_can_take_is_refuted() -> None:
    result = temporal_results("invitation.spec", depth=4)["Invitation.leadsto.admitted"]
    assert result.status is Status.VIOLATED
    assert result.trace is not None
    assert result.trace.loop_start == 2
    assert calls(result)[-1] == "empty()"


def test_two_identity_safety_violation_is_refuted() -> None:
    result = temporal_results("handover.spec", depth=4)["Handover.always.keeps_holder"]
    assert result.status is Status.VIOLATED
    assert calls(result) == ["claim(p=Pid#1)", "take(p=Pid#2)"]
