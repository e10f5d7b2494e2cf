"""The gate as JUnit XML: one test case per obligation and per criterion.

CI systems show JUnit results without any plug-in, so every proof
obligation and every criterion checked on a subject becomes a test case:
passed, failed (with the findings), or skipped when its phase did not run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from specfirst.checking import CheckReport
from specfirst.criteria import CRITERIA, RED_FLAGS, Outcome
from specfirst.gate import GateResult
from specfirst.phases import Phase
from verifier import Status


def gate_junit(result: GateResult) -> str:
    """Render one gate run as JUnit XML text."""
    root = ElementTree.Element("testsuites", name="specfirst gate")
    if result.check is not None:
        _obligations(root, result.check)
    for phase in result.phases:
        _outcomes(root, phase.phase.value, phase.outcomes)
    for skipped in result.not_run:
        _not_run(root, skipped, result)
    _outcomes(root, RED_FLAGS, result.red_flags)
    _count(root, root.findall("testsuite"))
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def _suite(root: ElementTree.Element, name: str) -> ElementTree.Element:
    return ElementTree.SubElement(root, "testsuite", name=name)


def _obligations(root: ElementTree.Element, check: CheckReport) -> None:
    suite = _suite(root, "obligations")
    for item in check.results:
        obligation = item.obligation
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=f"obligations.{obligation.component}",
            name=obligation.id,
            file=obligation.span.file,
            line=str(obligation.span.line),
            time=f"{item.seconds:.3f}",
        )
        if item.status is not Status.PROVED:
            failure = ElementTree.SubElement(
                case,
                "failure",
                message=f"{item.status.value}: {item.reason}".rstrip(": "),
                type=item.status.value,
            )
            failure.text = f"{obligation.span}: {obligation.description}"


def _outcomes(
    root: ElementTree.Element, name: str, outcomes: tuple[Outcome, ...]
) -> None:
    suite = _suite(root, name)
    for outcome in outcomes:
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=outcome.criterion.id,
            name=outcome.subject,
        )
        if outcome.file:
            case.set("file", outcome.file)
            case.set("line", str(max(outcome.line, 1)))
        if outcome.findings:
            failure = ElementTree.SubElement(
                case,
                "failure",
                message=outcome.findings[0].message,
                type=outcome.criterion.id,
            )
            failure.text = "\n".join(
                f"{f.file}:{f.line}: {f.message}" if f.file else f.message
                for f in outcome.findings
            )


def _not_run(root: ElementTree.Element, phase: Phase, result: GateResult) -> None:
    failed = next((p.phase for p in result.phases if not p.passed), None)
    why = f"not run: the {failed.value} gate failed" if failed else "not run"
    suite = _suite(root, phase.value)
    for criterion in CRITERIA:
        if criterion.group == phase.value:
            case = ElementTree.SubElement(
                suite, "testcase", classname=criterion.id, name=criterion.title
            )
            ElementTree.SubElement(case, "skipped", message=why)


def _count(root: ElementTree.Element, suites: list[ElementTree.Element]) -> None:
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(c.find("failure") is not None for c in cases),
            "errors": 0,
            "skipped": sum(c.find("skipped") is not None for c in cases),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
