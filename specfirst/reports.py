"""JSON reports of checks, test runs, gates and reviews, for scripts."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spec_lang.diagnostics import Diagnostic
from specfirst.approval import ReviewStatus
from specfirst.checking import CheckReport
from specfirst.criteria import Finding, Outcome
from specfirst.testing import TestCase, TestRun
from specfirst.traceability import Matrix
from verifier import Status

if TYPE_CHECKING:
    from specfirst.gate import GateResult, PhaseResult


def diagnostic_json(diagnostic: Diagnostic) -> dict[str, Any]:
    span = diagnostic.span
    return {
        "severity": diagnostic.severity.value,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "file": span.file,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def check_json(report: CheckReport) -> dict[str, Any]:
    counts = report.counts()
    return {
        "passed": report.all_proved,
        "summary": {
            "specs": len(report.loaded.specs),
            "obligations": len(report.results),
            "proved": counts[Status.PROVED],
            "violated": counts[Status.VIOLATED],
            "unknown": counts[Status.UNKNOWN],
            "seconds": round(report.seconds, 3),
        },
        "diagnostics": [diagnostic_json(d) for d in report.diagnostics],
        "problems": list(report.problems),
        "obligations": [r.to_json() for r in report.results],
    }


def test_run_json(
    run: TestRun, replays: Mapping[str, Path] | None = None
) -> dict[str, Any]:
    """Return the run as JSON.

    ``replays`` maps a component to the exported test that replays its
    failing example, which each failed test of it names as ``replay``.
    """
    replays = replays or {}
    return {
        "target": run.target.value,
        "passed": run.passed,
        "returncode": run.returncode,
        "seconds": round(run.seconds, 3),
        "problems": list(run.problems),
        "tests": [
            {
                "component": case.component,
                "name": case.name,
                "outcome": case.outcome,
                "message": case.message,
                "details": case.details,
                "replay": _replay(case, replays),
            }
            for case in run.cases
        ],
    }


def _replay(case: TestCase, replays: Mapping[str, Path]) -> str | None:
    if case.outcome not in ("failed", "error") or case.component not in replays:
        return None
    return str(replays[case.component])


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "criterion": finding.criterion,
        "subject": finding.subject,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
    }


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "criterion": outcome.criterion.id,
        "title": outcome.criterion.title,
        "subject": outcome.subject,
        "passed": outcome.passed,
        "file": outcome.file,
        "line": outcome.line,
        "findings": [finding_json(f) for f in outcome.findings],
    }


def matrix_json(matrix: Matrix) -> dict[str, Any]:
    return {
        "component": matrix.component,
        "spec": matrix.spec,
        "clauses": [
            {
                "clause": row.clause.id,
                "kind": row.clause.kind,
                "line": row.clause.span.line,
                "error": row.clause.error,
                "obligations": list(row.obligations),
                "held": row.held,
                "failed": row.failed,
                "tests": list(row.tests),
                "exercised": row.exercised,
                "gap": row.gap(),
            }
            for row in matrix.rows
        ],
    }


def phase_json(result: PhaseResult) -> dict[str, Any]:
    return {
        "phase": result.phase.value,
        "number": result.phase.number,
        "passed": result.passed,
        "criteria": [outcome_json(o) for o in result.outcomes],
        "tests": test_run_json(result.run) if result.run else None,
        "traceability": [matrix_json(m) for m in result.matrices],
        "scale": (
            {
                "max_examples": result.scale.max_examples,
                "step_count": result.scale.step_count,
            }
            if result.scale
            else None
        ),
    }


def review_json(status: ReviewStatus) -> dict[str, Any]:
    return {
        "spec": status.spec,
        "sha256": status.sha256,
        "approved": status.approved,
        "cycles": status.cycles,
        "required_cycles": status.policy.cycles,
        "approvers": list(status.approvers),
        "required_reviewers": status.policy.reviewers,
        "changes_requested": list(status.changes_requested),
        "stale": status.stale,
        "shortfall": status.shortfall(),
        "error": status.error,
        "records": [
            {
                "sha256": r.sha256,
                "reviewer": r.reviewer,
                "verdict": r.verdict.value,
                "note": r.note,
                "at": r.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "current": r.sha256 == status.sha256,
            }
            for r in status.records
        ],
    }


def gate_json(result: GateResult) -> dict[str, Any]:
    return {
        "passed": result.passed,
        "requested": result.requested.value if result.requested else None,
        "claimed_phase": result.claimed.value,
        "phases": [phase_json(p) for p in result.phases],
        "not_run": [p.value for p in result.not_run],
        "claim_checks": [
            {"phase": p.phase.value, "passed": p.passed, "findings": len(p.findings)}
            for p in result.claim_checks
        ],
        "red_flags": [outcome_json(o) for o in result.red_flags],
        "findings": [finding_json(f) for f in result.findings],
        "check": check_json(result.check) if result.check else None,
        "reviews": [review_json(s) for _, s in sorted(result.reviews.items())],
    }
