"""Render the gate and the review status for people, with rich."""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from specfirst.approval import ReviewStatus
from specfirst.criteria import Finding, Outcome
from specfirst.gate import GateResult, PhaseResult
from specfirst.render import print_check, print_test_run
from specfirst.testing import Target
from specfirst.traceability import Matrix


def print_gate(console: Console, result: GateResult) -> None:
    """Print each phase's criteria, the red flags, the findings and the verdict."""
    asked = result.requested.title if result.requested else "every phase, in order"
    console.print(
        f"gate: {asked}; the manifest claims {result.claimed.title}", style="bold"
    )
    for phase in result.phases:
        console.print()
        _print_phase(console, phase, result)
    for skipped in result.not_run:
        console.print()
        console.print(f"{skipped.title}: not run, an earlier phase failed")
    console.print()
    console.print(_criteria_table("Red flags", result.red_flags))
    console.print()
    _print_findings(console, result.findings)
    count = len(result.findings)
    if result.passed:
        console.print("gate passed: every criterion is met", style="bold green")
    else:
        noun = "finding" if count == 1 else "findings"
        console.print(f"gate failed: {count} {noun}", style="bold red")


def _print_phase(console: Console, phase: PhaseResult, result: GateResult) -> None:
    met = sum(o.passed for o in phase.outcomes)
    verdict = "passed" if phase.passed else "failed"
    style = "bold green" if phase.passed else "bold red"
    console.print(
        f"{phase.phase.title}: {verdict}, {met} of {len(phase.outcomes)} criteria met",
        style=style,
    )
    if phase.phase.number == 0 and result.check is not None:
        print_check(console, result.check)
    if phase.run is not None:
        label = "the reference models"
        if phase.run.target is Target.IMPL:
            label = "the implementations"
            if phase.scale is not None:
                label += (
                    f" ({phase.scale.max_examples} examples, "
                    f"{phase.scale.step_count} steps)"
                )
        print_test_run(console, phase.run, label)
    for matrix in phase.matrices:
        console.print(_coverage_line(matrix))
    console.print(_criteria_table(f"Criteria of {phase.phase.title}", phase.outcomes))


def _coverage_line(matrix: Matrix) -> str:
    exercised = sum(row.exercised for row in matrix.rows)
    return (
        f"{escape(matrix.component)}: {exercised} of {len(matrix.rows)} clauses "
        "exercised by the generated tests"
    )


def _criteria_table(title: str, outcomes: tuple[Outcome, ...]) -> Table:
    """Tabulate, per criterion, how many subjects meet it and how many do not."""
    table = Table(title=title, title_justify="left")
    table.add_column("criterion")
    table.add_column("met", justify="right", style="green")
    table.add_column("unmet", justify="right", style="red")
    table.add_column("unmet by")
    grouped: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        grouped[outcome.criterion.id].append(outcome)
    for criterion_id, group in grouped.items():
        unmet = [o.subject for o in group if not o.passed]
        table.add_row(
            criterion_id,
            str(len(group) - len(unmet)),
            str(len(unmet)),
            escape(_shorten(unmet)),
        )
    return table


def _shorten(names: list[str], limit: int = 4) -> str:
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def _print_findings(console: Console, findings: tuple[Finding, ...]) -> None:
    """Print one line per finding in compiler form, so editors can jump to it."""
    if not findings:
        return
    console.print("Findings", style="bold")
    for finding in findings:
        where = f"{finding.file}:{finding.line}: " if finding.file else ""
        console.print(
            f"{escape(where)}[red]{finding.criterion}[/red]: {escape(finding.message)}",
            soft_wrap=True,
        )
    console.print()


def print_reviews(console: Console, statuses: list[ReviewStatus]) -> None:
    """Print one row per spec: its review cycles for the content it has now."""
    table = Table(title="Review cycles", title_justify="left")
    table.add_column("spec")
    table.add_column("content")
    table.add_column("approving cycles", justify="right")
    table.add_column("approvers")
    table.add_column("stale", justify="right")
    table.add_column("status")
    for status in statuses:
        verdict = (
            "[green]approved[/green]"
            if status.approved
            else f"[red]{escape('; '.join(status.shortfall()))}[/red]"
        )
        table.add_row(
            escape(status.spec),
            status.sha256[:12],
            f"{status.cycles} of {status.policy.cycles}",
            escape(", ".join(status.approvers)) or "none",
            str(status.stale),
            verdict,
        )
    console.print(table)
    approved = sum(s.approved for s in statuses)
    style = "bold green" if approved == len(statuses) else "bold red"
    console.print(f"{approved} of {len(statuses)} spec(s) approved", style=style)
