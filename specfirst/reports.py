"""Reports for scripts (JSON) and the gate's summary for people."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from spec_lang.diagnostics import Diagnostic
from specfirst.checking import CheckReport
from specfirst.render import print_check, print_test_run
from specfirst.testing import TestRun
from verifier import Status

if TYPE_CHECKING:
    from specfirst.gate import GateResult


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
        "obligations": [r.to_json() for r in report.results],
    }


def test_run_json(run: TestRun) -> dict[str, Any]:
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
            }
            for case in run.cases
        ],
    }


def gate_json(result: GateResult) -> dict[str, Any]:
    return {
        "passed": result.passed,
        "check": check_json(result.check),
        "model_tests": test_run_json(result.model_run) if result.model_run else None,
        "impl_tests": test_run_json(result.impl_run) if result.impl_run else None,
        "findings": [
            {
                "criterion": f.criterion,
                "message": f.message,
                "file": f.file,
                "line": f.line,
            }
            for f in result.findings
        ],
    }


def print_gate(console: Console, result: GateResult) -> None:
    """Print the checks, both test runs, then the findings and the verdict."""
    print_check(console, result.check)
    if result.model_run is not None:
        console.print()
        print_test_run(console, result.model_run, "the reference models")
    if result.impl_run is not None:
        console.print()
        print_test_run(console, result.impl_run, "the implementations")
    console.print()
    if result.passed:
        console.print("gate passed: every criterion is met", style="bold green")
        return
    table = Table(title="Findings", title_justify="left")
    table.add_column("criterion")
    table.add_column("where")
    table.add_column("finding")
    for finding in result.findings:
        where = f"{finding.file}:{finding.line}" if finding.file else ""
        table.add_row(finding.criterion, escape(where), escape(finding.message))
    console.print(table)
    noun = "finding" if len(result.findings) == 1 else "findings"
    console.print(f"gate failed: {len(result.findings)} {noun}", style="bold red")
