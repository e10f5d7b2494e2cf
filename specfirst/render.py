"""Render diagnostics, proof results and test runs for people, with rich."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from spec_lang.diagnostics import Diagnostic, render
from specfirst.checking import CheckReport
from specfirst.render_trace import trace_table
from specfirst.testing import TestRun
from verifier import Counterexample, ObligationKind, ObligationResult, Status
from verifier.temporal import TemporalResult

_STYLE = {Status.PROVED: "green", Status.VIOLATED: "red", Status.UNKNOWN: "yellow"}


def print_diagnostics(
    console: Console, diagnostics: tuple[Diagnostic, ...], sources: dict[str, str]
) -> None:
    for diagnostic in diagnostics:
        text = render(diagnostic, sources.get(diagnostic.span.file))
        console.print(escape(text), highlight=False)
    if diagnostics:
        files = len({d.span.file for d in diagnostics})
        noun = "error" if len(diagnostics) == 1 else "errors"
        console.print(f"{len(diagnostics)} {noun} in {files} file(s)", style="bold red")


def print_check(console: Console, report: CheckReport) -> None:
    """Print obligations by kind with counts and times, then each unproved one."""
    console.print(_kind_table(report.results))
    for problem in report.problems:
        console.print(f"error: {escape(problem)}", style="red", highlight=False)
    for result in report.unproved():
        console.print()
        print_result(console, result)
    counts = report.counts()
    summary = (
        f"{counts[Status.PROVED]} proved, {counts[Status.VIOLATED]} violated, "
        f"{counts[Status.UNKNOWN]} unknown in {len(report.loaded.specs)} spec(s), "
        f"{report.seconds:.2f}s"
    )
    style = "bold green" if report.all_proved else "bold red"
    console.print(summary, style=style)


def _kind_table(results: tuple[ObligationResult, ...]) -> Table:
    table = Table(title="Proof obligations by kind", title_justify="left")
    table.add_column("kind")
    table.add_column("proved", justify="right", style="green")
    table.add_column("violated", justify="right", style="red")
    table.add_column("unknown", justify="right", style="yellow")
    table.add_column("time", justify="right")
    by_kind: dict[str, list[ObligationResult]] = defaultdict(list)
    for result in results:
        by_kind[result.obligation.kind].append(result)
    for kind in sorted(by_kind):
        group = by_kind[kind]
        table.add_row(
            kind,
            str(sum(r.status is Status.PROVED for r in group)),
            str(sum(r.status is Status.VIOLATED for r in group)),
            str(sum(r.status is Status.UNKNOWN for r in group)),
            f"{sum(r.seconds for r in group):.2f}s",
        )
    return table


def print_result(console: Console, result: ObligationResult) -> None:
    obligation = result.obligation
    style = _STYLE[result.status]
    console.print(
        f"{escape(str(obligation.span))}: [{style}]{result.status.value}[/{style}] "
        f"[bold]{escape(obligation.id)}[/bold]",
        highlight=False,
    )
    console.print(f"  {escape(obligation.description)}", highlight=False)
    if result.reason and result.counterexample is None:
        console.print(f"  reason: {escape(result.reason)}", highlight=False)
    if result.counterexample is not None:
        console.print(_counterexample_table(result.counterexample))
    if isinstance(result, TemporalResult) and result.trace is not None:
        liveness = obligation.kind is ObligationKind.LIVENESS
        console.print(trace_table(result.trace, liveness=liveness))


def _counterexample_table(counterexample: Counterexample) -> Table:
    """Lay out a counterexample as one row per state variable, pre beside post."""
    table = Table(title="counterexample", title_justify="left", show_edge=False)
    table.add_column("", style="dim")
    table.add_column("name")
    table.add_column("pre-state")
    table.add_column("post-state")
    for label, values in (
        ("constant", counterexample.constants),
        ("argument", counterexample.arguments),
    ):
        for name, value in values.items():
            table.add_row(label, name, _value(value), "")
    pre, post = counterexample.pre_state, counterexample.post_state
    for name in [*pre, *(n for n in post if n not in pre)]:
        before = _value(pre[name]) if name in pre else ""
        after = _value(post[name]) if name in post else ""
        if name in pre and name in post and pre[name] != post[name]:
            after = f"[bold yellow]{escape(after)}[/bold yellow] (changed)"
        else:
            after = escape(after)
        table.add_row("variable", name, escape(before), after)
    if counterexample.result is not None:
        table.add_row("result", "result", "", escape(_value(counterexample.result)))
    return table


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def print_test_run(
    console: Console,
    run: TestRun,
    label: str,
    replays: Mapping[str, Path] | None = None,
) -> None:
    """Print one line per component, then the failures with pytest's details.

    ``replays`` maps a component to the exported test that replays its
    failing example, and each failure of that component names the file.
    """
    table = Table(title=f"Contract tests against {label}", title_justify="left")
    table.add_column("component")
    table.add_column("passed", justify="right", style="green")
    table.add_column("failed", justify="right", style="red")
    table.add_column("skipped", justify="right", style="yellow")
    components = sorted({case.component for case in run.cases})
    for component in components:
        cases = [c for c in run.cases if c.component == component]
        table.add_row(
            component,
            str(sum(c.outcome == "passed" for c in cases)),
            str(sum(c.outcome in ("failed", "error") for c in cases)),
            str(sum(c.outcome == "skipped" for c in cases)),
        )
    console.print(table)
    for problem in run.problems:
        console.print(f"problem: {escape(problem)}", style="red")
    for case in run.cases:
        if case.outcome in ("failed", "error", "skipped"):
            style = "yellow" if case.outcome == "skipped" else "red"
            console.print(
                f"[{style}]{case.outcome}[/{style}] {escape(case.component)}: "
                f"{escape(case.name)}: {escape(case.message)}",
                highlight=False,
            )
            if case.details and case.outcome != "skipped":
                console.print(
                    escape(case.details.rstrip()), highlight=False, style="dim"
                )
            replay = (replays or {}).get(case.component)
            if replay is not None and case.outcome != "skipped":
                console.print(
                    f"  the failing example is replayed by {escape(str(replay))}",
                    highlight=False,
                )
    if not run.cases and run.output:
        console.print(escape(run.output[-4000:]), highlight=False)
    total = len(run.cases)
    style = "bold green" if run.passed else "bold red"
    console.print(
        f"{run.count('passed')} of {total} test(s) passed in {run.seconds:.1f}s",
        style=style,
    )
