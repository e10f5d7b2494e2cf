"""The gate as a Markdown report: verdicts, findings, reviews, the
traceability matrix, and a state diagram of each component (Mermaid, which
code-hosting sites render in Markdown)."""

from __future__ import annotations

from spec_lang.ast import Component
from specfirst.diagram import state_diagrams
from specfirst.gate import GateResult
from specfirst.phases import Phase
from specfirst.traceability import Matrix, obligations_by_clause, trace


def gate_markdown(result: GateResult) -> str:
    """Render the whole report as Markdown text."""
    parts = [
        "# specfirst gate report\n",
        _verdict(result),
        _phases(result),
        _findings(result),
        _reviews(result),
        _traceability(result),
        _diagrams(result),
    ]
    return "\n".join(parts)


def cell(text: object) -> str:
    """Make ``text`` safe inside a table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def _verdict(result: GateResult) -> str:
    count = len(result.findings)
    asked = result.requested.title if result.requested else "every phase, in order"
    verdict = "passed" if result.passed else f"failed with {count} finding(s)"
    return (
        f"Gate: {asked}. The manifest claims {result.claimed.title}.\n\n"
        f"**Result: {verdict}.**\n"
    )


def _phases(result: GateResult) -> str:
    rows: list[list[object]] = []
    for phase in result.phases:
        met = sum(o.passed for o in phase.outcomes)
        verdict = "passed" if phase.passed else "failed"
        rows.append(
            [
                phase.phase.title,
                verdict,
                f"{met} of {len(phase.outcomes)}",
                len(phase.findings),
            ]
        )
    for skipped in result.not_run:
        rows.append([skipped.title, "not run: an earlier phase failed", "", ""])
    flags = result.red_flags
    raised = sum(not o.passed for o in flags)
    rows.append(
        [
            "red flags",
            "none raised" if not raised else f"{raised} raised",
            f"{len(flags) - raised} of {len(flags)}",
            sum(len(o.findings) for o in flags),
        ]
    )
    return "## Phases\n\n" + _table(
        ["gate", "result", "criteria met", "findings"], rows
    )


def _findings(result: GateResult) -> str:
    if not result.findings:
        return "## Findings\n\nNone.\n"
    rows: list[list[object]] = [
        [f.criterion, f"{f.file}:{f.line}" if f.file else "", f.message]
        for f in result.findings
    ]
    return "## Findings\n\n" + _table(["criterion", "where", "finding"], rows)


def _reviews(result: GateResult) -> str:
    rows: list[list[object]] = []
    for spec, status in sorted(result.reviews.items()):
        verdict = "approved" if status.approved else "; ".join(status.shortfall())
        rows.append(
            [
                spec,
                f"{status.cycles} of {status.policy.cycles}",
                ", ".join(status.approvers) or "none",
                status.stale,
                verdict,
            ]
        )
    header = ["spec", "approving cycles", "approvers", "stale records", "status"]
    return "## Reviews\n\n" + _table(header, rows)


def _components(result: GateResult) -> list[tuple[str, Component]]:
    return [(s.path, c) for s in result.loaded.specs for c in s.components]


def _traceability(result: GateResult) -> str:
    contracts = result.phase(Phase.CONTRACTS)
    matrices = {m.component: m for m in contracts.matrices} if contracts else {}
    text = ["## Traceability\n"]
    if not matrices:
        text.append(
            "The contracts gate did not run, so no test has exercised the clauses "
            "yet; the matrix shows each clause and its obligations.\n"
        )
    for file, component in _components(result):
        matrix = matrices.get(component.name) or trace(
            component, file, {}, obligations_by_clause(component), ()
        )
        text.append(_matrix(matrix, measured=component.name in matrices))
    return "\n".join(text)


def _matrix(matrix: Matrix, measured: bool) -> str:
    rows: list[list[object]] = []
    for row in matrix.rows:
        status = "not measured"
        if measured:
            status = "yes" if row.exercised else "no"
        rows.append(
            [
                row.clause.id,
                row.clause.kind,
                ", ".join(row.obligations) or "none",
                row.held,
                row.failed,
                ", ".join(row.tests) or "none",
                status,
            ]
        )
    header = ["clause", "kind", "obligations", "held", "failed", "tests", "exercised"]
    return f"### {matrix.component} ({matrix.spec})\n\n" + _table(header, rows)


def _diagrams(result: GateResult) -> str:
    text = ["## States and operations\n"]
    for _, component in _components(result):
        for diagram in state_diagrams(component):
            title = component.name
            if diagram.variable:
                title += f": {diagram.variable}"
            text.append(f"### {title}\n\n```mermaid\n{diagram.mermaid()}```\n")
    return "\n".join(text)
