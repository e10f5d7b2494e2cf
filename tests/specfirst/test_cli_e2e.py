"""End-to-end runs of the real ``specfirst`` command on copies of the project."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cli_support import REPO, Completed, replace_once, run_specfirst

pytestmark = pytest.mark.slow


def test_check_proves_bundled_specs() -> None:
    completed = run_specfirst(
        "check",
        "specs/circuit_breaker.spec",
        "specs/rate_limiter.spec",
        "--format",
        "json",
        "--no-cache",
        cwd=REPO,
    )
    report = json.loads(completed.stdout)
    assert completed.returncode == 0, completed.stderr
    assert report["summary"]["specs"] == 2
    assert report["summary"]["proved"] >= 24
    assert report["summary"]["violated"] == 0
    assert report["summary"]["unknown"] == 0


def test_broken_effect_is_refuted_with_location(project_copy: Path) -> None:
    spec = project_copy / "specs" / "circuit_breaker.spec"
    # Count a failure without opening at the threshold: failures may reach it.
    replace_once(
        spec,
        "        if failures + 1 >= failure_threshold {",
        "        if failures + 1 > failure_threshold {",
    )
    completed = run_specfirst("check", "--no-cache", cwd=project_copy)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    out = completed.stdout
    assert "CircuitBreaker.record_failure.preserve." in out
    assert "failures_below_threshold" in out
    assert re.search(r"specs/circuit_breaker\.spec:\d+:\d+: violated", out)
    assert "pre-state" in out
    assert "post-state" in out
    assert "failures" in out


def test_malformed_spec_exits_2_with_caret(project_copy: Path) -> None:
    bad = project_copy / "specs" / "bad.spec"
    bad.write_text(
        "component Bad {\n  var x: Int\n  invariant x +* 1\n}\n", encoding="utf-8"
    )
    completed = run_specfirst("check", cwd=project_copy)
    assert completed.returncode == 2
    assert "specs/bad.spec:3:16: error[SF102]" in completed.stderr
    assert "^" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_missing_path_exits_2(project_copy: Path) -> None:
    completed = run_specfirst("check", "nowhere.spec", cwd=project_copy)
    assert completed.returncode == 2
    assert "no such file or folder: nowhere.spec" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_bad_format_exits_2(project_copy: Path) -> None:
    completed = run_specfirst("check", "--format", "yaml", cwd=project_copy)
    assert completed.returncode == 2
    assert "--format must be text or json, got 'yaml'" in completed.stderr


def shrunk_failure(completed: Completed) -> str:
    assert completed.returncode == 1, completed.stdout + completed.stderr
    return completed.stdout


def test_threshold_off_by_one_fails_with_shrunk_calls(project_copy: Path) -> None:
    impl = project_copy / "reference_impl" / "circuit_breaker.py"
    text = impl.read_text(encoding="utf-8")
    assert ">= self._failure_threshold" in text
    replace_once(impl, ">= self._failure_threshold", "> self._failure_threshold")
    out = shrunk_failure(run_specfirst("test", "CircuitBreaker", cwd=project_copy))
    assert "record_failure" in out
    assert "state.record_failure()" in out or "record_failure()" in out


def test_refill_overshoot_fails_with_shrunk_calls(project_copy: Path) -> None:
    impl = project_copy / "reference_impl" / "rate_limiter.py"
    text = impl.read_text(encoding="utf-8")
    match = re.search(r"min\(\s*self\._capacity,", text)
    assert match is not None, "the refill no longer caps at capacity with min()"
    replace_once(
        impl,
        match.group(0),
        match.group(0).replace("self._capacity", "self._capacity + 1"),
    )
    out = shrunk_failure(run_specfirst("test", "RateLimiter", cwd=project_copy))
    assert "tick" in out
    assert "RateLimiter" in out


MISSING = {
    "ProcessRegistry",
    "EventStore",
    "TelemetryService",
    "ConfigServer",
    "LeaseLock",
    "Barrier",
    "LeaderElection",
    "Counters",
    "QuorumVote",
    "ResourceManager",
    "Integration",
    "Distribution",
    "FailureRecovery",
    "Performance",
    "Security",
}
BUNDLED = {"CircuitBreaker", "RateLimiter"}


def gate_report(project: Path, *args: str) -> tuple[int, dict[str, Any]]:
    completed = run_specfirst("gate", *args, "--format", "json", cwd=project)
    assert "Traceback" not in completed.stderr, completed.stderr
    report: dict[str, Any] = json.loads(completed.stdout)
    return completed.returncode, report


def criteria(report: dict[str, Any], subjects: set[str]) -> list[dict[str, Any]]:
    """The criteria the requested phase checked on ``subjects``."""
    (phase,) = report["phases"]
    return [c for c in phase["criteria"] if c["subject"] in subjects]


def test_phase_0_fails_on_missing_specs(project_copy: Path) -> None:
    returncode, report = gate_report(project_copy, "specifications")
    assert returncode == 1
    assert report["passed"] is False
    missing = {
        f["subject"]
        for f in report["findings"]
        if f["criterion"] == "specifications.spec-exists"
    }
    assert missing == MISSING
    unreviewed = {
        f["subject"]
        for f in report["findings"]
        if f["criterion"] == "specifications.reviews-met"
    }
    assert unreviewed == {"specs/circuit_breaker.spec", "specs/rate_limiter.spec"}


def test_bundled_specs_are_proved_in_phase_0(project_copy: Path) -> None:
    _, report = gate_report(project_copy, "specifications")
    assert report["check"]["summary"]["unknown"] == 0
    assert report["check"]["summary"]["violated"] == 0
    assert report["check"]["summary"]["proved"] >= 24
    proved = [
        c
        for c in criteria(report, BUNDLED)
        if c["criterion"] == "specifications.obligations-proved"
    ]
    assert {c["subject"] for c in proved} == BUNDLED
    assert all(c["passed"] for c in proved)


def test_bundled_components_pass_their_contract_criteria(project_copy: Path) -> None:
    returncode, report = gate_report(project_copy, "contracts")
    own = criteria(report, BUNDLED)
    assert {c["criterion"] for c in own} == {
        "contracts.models-pass",
        "contracts.clauses-exercised",
    }
    unmet = [(c["criterion"], c["subject"]) for c in own if not c["passed"]]
    # No generated test evaluates a liveness property, so each component's
    # leads-to is the one clause left unexercised.
    assert sorted(unmet) == [
        ("contracts.clauses-exercised", "CircuitBreaker"),
        ("contracts.clauses-exercised", "RateLimiter"),
    ]
    gaps = [
        f["message"].split()[0]
        for f in report["findings"]
        if f["criterion"] == "contracts.clauses-exercised"
    ]
    assert sorted(gaps) == [
        "CircuitBreaker.leadsto.trial_after_timeout",
        "RateLimiter.leadsto.empty_bucket_refills",
    ]
    (phase,) = report["phases"]
    assert {t["component"] for t in phase["tests"]["tests"]} == BUNDLED
    rows = [c for m in phase["traceability"] for c in m["clauses"]]
    safety = [c for c in rows if c["kind"] == "always"]
    assert len(safety) == 5
    assert all(c["exercised"] for c in rows if c["kind"] != "leadsto")
    # The project still fails: integration scenarios and the red flags.
    assert returncode == 1


def test_bundled_components_pass_their_implementation_criteria(
    project_copy: Path,
) -> None:
    _, report = gate_report(project_copy, "implementation", "--max-examples", "30")
    own = criteria(report, BUNDLED)
    assert {c["criterion"] for c in own} == {
        "implementation.implementation-bound",
        "implementation.implementation-passes",
    }
    bound = [c for c in own if c["criterion"] == "implementation.implementation-bound"]
    assert all(c["passed"] for c in bound)
    (phase,) = report["phases"]
    assert phase["scale"]["max_examples"] == 30
    tests = phase["tests"]["tests"]
    assert {t["component"] for t in tests} == BUNDLED
    # Contract, concurrency and fault tests all run and pass: both adapters
    # can crash and recover their components.
    not_passed = [(t["name"], t["outcome"]) for t in tests if t["outcome"] != "passed"]
    assert not_passed == []
    assert len(tests) == 3 * len(BUNDLED)
    passes = [
        c for c in own if c["criterion"] == "implementation.implementation-passes"
    ]
    assert all(c["passed"] for c in passes)


def test_gate_reports_unbound_component(project_copy: Path) -> None:
    pyproject = project_copy / "pyproject.toml"
    replace_once(
        pyproject,
        'adapter = "adapters.rate_limiter:RateLimiterAdapter"\n',
        "",
    )
    returncode, report = gate_report(project_copy, "implementation")
    assert returncode == 1
    messages = [f["message"] for f in report["findings"]]
    assert any("RateLimiter has no adapter" in m for m in messages)


def test_gen_check_detects_stale_file(project_copy: Path) -> None:
    assert run_specfirst("gen", cwd=project_copy).returncode == 0
    assert run_specfirst("gen", "--check", cwd=project_copy).returncode == 0
    generated = sorted((project_copy / "build" / "specfirst").glob("*_model.py"))
    assert generated, "gen wrote no model"
    with generated[0].open("a", encoding="utf-8") as handle:
        handle.write("# hand edit\n")
    completed = run_specfirst("gen", "--check", cwd=project_copy)
    assert completed.returncode == 1
    assert generated[0].name in completed.stdout


def test_emit_smt_to_file_exits_2(project_copy: Path) -> None:
    target = project_copy / "not_a_folder"
    target.write_text("", encoding="utf-8")
    completed = run_specfirst(
        "check", "--emit-smt", str(target), "specs/rate_limiter.spec", cwd=project_copy
    )
    assert completed.returncode == 2
    assert "--emit-smt must name a folder" in completed.stderr
    assert "Traceback" not in completed.stderr
