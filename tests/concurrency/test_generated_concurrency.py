"""Generated concurrency tests: real implementations from many threads, checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from concurrency_support import (
    REPO,
    SMALL,
    SPECS,
    Generated,
    generate_component,
    project,
    run_pytest,
)
from racy_components import RacyCircuitBreakerAdapter

from adapters.circuit_breaker import CircuitBreakerAdapter
from adapters.rate_limiter import RateLimiterAdapter
from codegen import render_component
from spec_lang import load_source
from specfirst.runtime.concurrency import (
    DEFAULT_SIZES,
    ENVIRONMENT_CLIENT,
    SCALE_SIZES,
    Sizes,
    sizes_from_environment,
)
from specfirst.runtime.errors import BindingError
from specfirst.runtime.linearizability import Verdict

# Pinned so that the breaker spends its time where the race is: one trial.
ONE_TRIAL = {"failure_threshold": 1, "reset_timeout": 1, "half_open_max_calls": 1}


@pytest.fixture(scope="module")
def breaker(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    folder = tmp_path_factory.mktemp("breaker")
    return generate_component(
        SPECS / "circuit_breaker.spec", folder, "circuit_breaker", "CircuitBreaker"
    )


@pytest.fixture(scope="module")
def limiter(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    folder = tmp_path_factory.mktemp("limiter")
    return generate_component(
        SPECS / "rate_limiter.spec", folder, "rate_limiter", "RateLimiter"
    )


# --- what is generated ----------------------------------------------------------


def test_breaker_operations_all_run_concurrently(breaker: Generated) -> None:
    assert set(breaker.concurrency.OPERATIONS) == {
        "allow_request",
        "record_success",
        "record_failure",
        "current_mode",
        "failure_count",
    }


def test_tick_runs_between_bursts(breaker: Generated) -> None:
    assert breaker.concurrency.ENVIRONMENT == {"tick": "tick"}


STATEFUL_OBLIGATION = """
component Stack {
  error Empty
  var size: Int
  init { size := 0 }
  operation push() { effect { size := size + 1 } }
  operation pop() {
    requires nonempty: size >= 1
    effect { size := size - 1 }
  }
  operation note() { ensures size == old(size) }
}
"""


def _concurrency_text(source: str) -> str:
    spec = load_source(source, "stack.spec")
    files = render_component(spec.components[0], spec, root=REPO)
    return files["test_stack_concurrency.py"]


def test_obligation_on_the_state_keeps_an_operation_out() -> None:
    text = _concurrency_text(STATEFUL_OBLIGATION)
    assert "#   pop: its caller obligation Stack.pop.requires.nonempty reads" in text


def test_operation_without_effect_is_kept_out() -> None:
    text = _concurrency_text(STATEFUL_OBLIGATION)
    assert "#   note: it has no effect" in text


def test_unrestricted_operation_runs_concurrently() -> None:
    text = _concurrency_text(STATEFUL_OBLIGATION)
    assert '"push": "push",' in text


# --- runs -----------------------------------------------------------------------


def test_breaker_history_is_linearizable(breaker: Generated) -> None:
    report = breaker.run(CircuitBreakerAdapter, sizes=DEFAULT_SIZES)
    assert report.result.verdict is Verdict.LINEARIZABLE


def test_run_records_every_drawn_operation(breaker: Generated) -> None:
    report = breaker.run(CircuitBreakerAdapter, sizes=SMALL)
    clients = [op for op in report.history if op.client != ENVIRONMENT_CLIENT]
    assert len(clients) == SMALL.operations


def test_environment_actions_overlap_no_operation(breaker: Generated) -> None:
    report = breaker.run(CircuitBreakerAdapter, sizes=DEFAULT_SIZES)
    ops = list(report.history)
    quiet = [op for op in ops if op.client == ENVIRONMENT_CLIENT]
    others = [op for op in ops if op.client != ENVIRONMENT_CLIENT]
    for action in quiet:
        assert action.ret is not None
        overlapping = [
            op
            for op in others
            if op.call <= action.ret and (op.ret is None or op.ret >= action.call)
        ]
        assert overlapping == []


def test_racy_breaker_is_caught_with_a_window(breaker: Generated) -> None:
    # The interleaving is the scheduler's: a run may miss the race, and
    # eight runs missing it are about as likely as one in a million.
    reports = [
        breaker.run(RacyCircuitBreakerAdapter, ONE_TRIAL, DEFAULT_SIZES, seed)
        for seed in range(8)
    ]
    violated = [r for r in reports if r.result.verdict is Verdict.VIOLATED]
    assert violated
    window = violated[0].result.window
    assert window is not None
    assert window.failing in window.operations


def test_correct_breaker_passes_a_hundred_runs(breaker: Generated) -> None:
    verdicts = [
        breaker.run(
            CircuitBreakerAdapter, ONE_TRIAL, DEFAULT_SIZES, seed
        ).result.verdict
        for seed in range(100)
    ]
    assert verdicts == [Verdict.LINEARIZABLE] * 100


def test_limiter_keys_are_checked_apart(limiter: Generated) -> None:
    report = limiter.run(RateLimiterAdapter, sizes=SMALL)
    assert report.result.partitions == SMALL.keys
    assert report.result.linearizable


# --- the generated test under pytest -----------------------------------------------


def test_generated_test_fails_racy_breaker(breaker: Generated, tmp_path: Path) -> None:
    root = project(
        tmp_path / "racy",
        "CircuitBreaker",
        "racy_components:RacyCircuitBreakerAdapter",
        "constants = { failure_threshold = 1, reset_timeout = 1, "
        "half_open_max_calls = 1 }",
    )
    done = run_pytest(
        [breaker.file("concurrency")],
        {"SPECFIRST_ROOT": str(root), "SPECFIRST_CONCURRENCY_RUNS": "8"},
        tmp_path,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the first response that no order explains" in done.stdout


def test_generated_test_passes_the_model(breaker: Generated, tmp_path: Path) -> None:
    env = {"SPECFIRST_ROOT": str(REPO), "SPECFIRST_TARGET": "model"}
    done = run_pytest([breaker.file("concurrency")], env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_generated_test_passes_the_limiter(limiter: Generated, tmp_path: Path) -> None:
    done = run_pytest(
        [limiter.file("concurrency")], {"SPECFIRST_ROOT": str(REPO)}, tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- sizes ----------------------------------------------------------------------------


def test_scale_is_ten_thousand_operations_at_concurrency_100(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SPECFIRST_CONCURRENCY_SCALE", "1")
    sizes = sizes_from_environment()
    assert (sizes.operations, sizes.threads) == (10_000, 100)
    assert sizes == SCALE_SIZES


def test_single_sizes_override_the_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECFIRST_CONCURRENCY_SCALE", "1")
    monkeypatch.setenv("SPECFIRST_CONCURRENCY_THREADS", "7")
    assert sizes_from_environment().threads == 7


def test_default_sizes_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SCALE", "THREADS", "OPERATIONS", "RUNS", "BURSTS", "KEYS", "SEED"):
        monkeypatch.delenv(f"SPECFIRST_CONCURRENCY_{name}", raising=False)
    monkeypatch.delenv("SPECFIRST_CONCURRENCY_PREEMPTION", raising=False)
    monkeypatch.delenv("SPECFIRST_CHECK_TIME_LIMIT", raising=False)
    assert sizes_from_environment() == Sizes()


def test_size_that_is_not_a_number_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECFIRST_CONCURRENCY_THREADS", "many")
    with pytest.raises(BindingError, match="SPECFIRST_CONCURRENCY_THREADS='many'"):
        sizes_from_environment()


def test_preemption_outside_zero_to_one_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SPECFIRST_CONCURRENCY_PREEMPTION", "2")
    with pytest.raises(BindingError, match="probability"):
        sizes_from_environment()
