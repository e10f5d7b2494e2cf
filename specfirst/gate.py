"""The gate: every obligation proved and every generated test passing.

A criterion that is not met is a finding, never a pass: a spec that does
not load, an obligation violated or unknown, a component with no adapter
bound, a test run that fails or runs no test.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from codegen import generate
from specfirst.checking import CheckReport, check_files
from specfirst.config import ProjectConfig
from specfirst.testing import Target, TestRun, run_contract_tests
from verifier import VerifyOptions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    """One unmet criterion, at the spec location it concerns when there is one."""

    criterion: str
    message: str
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class GateResult:
    check: CheckReport
    model_run: TestRun | None
    impl_run: TestRun | None
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        return not self.findings


def run_gate(
    config: ProjectConfig,
    files: list[Path],
    options: VerifyOptions,
    max_examples: int | None = None,
) -> GateResult:
    """Check every spec, then run the generated tests against the models and
    the bound implementations."""
    report = check_files(config, files, options)
    findings = list(_check_findings(report))
    if report.diagnostics:
        return GateResult(report, None, None, tuple(findings))

    generate(list(report.loaded.specs), config.build_dir)
    model_run = run_contract_tests(
        config, report.loaded.specs, Target.MODEL, None, max_examples
    )
    findings.extend(_run_findings(model_run, "reference models pass their tests"))

    bound = {
        c.name
        for spec in report.loaded.specs
        for c in spec.components
        if config.binding(c.name).adapter
    }
    for spec in report.loaded.specs:
        for component in spec.components:
            if component.name not in bound:
                findings.append(
                    Finding(
                        "implementations pass their tests",
                        f"{component.name} has no adapter: set "
                        f"[tool.specfirst.components.{component.name}] adapter = "
                        '"module:Class" in pyproject.toml',
                        spec.path,
                        component.span.line,
                    )
                )
    impl_run = None
    if bound:
        impl_run = run_contract_tests(
            config, report.loaded.specs, Target.IMPL, bound, max_examples
        )
        findings.extend(_run_findings(impl_run, "implementations pass their tests"))
    return GateResult(report, model_run, impl_run, tuple(findings))


def _check_findings(report: CheckReport) -> list[Finding]:
    findings = [
        Finding("every spec checks", d.short(), d.span.file, d.span.line)
        for d in report.diagnostics
    ]
    for result in report.unproved():
        obligation = result.obligation
        reason = f": {result.reason}" if result.reason else ""
        findings.append(
            Finding(
                "every obligation is proved",
                f"{obligation.id} is {result.status.value}{reason}",
                obligation.span.file,
                obligation.span.line,
            )
        )
    if not report.results and not report.diagnostics:
        findings.append(
            Finding("every obligation is proved", "no obligations were checked")
        )
    return findings


def _run_findings(run: TestRun, criterion: str) -> list[Finding]:
    findings = [Finding(criterion, problem) for problem in run.problems]
    if not run.cases and not run.problems:
        findings.append(
            Finding(criterion, f"pytest ran no test (exit status {run.returncode})")
        )
    for case in run.cases:
        if case.outcome != "passed":
            findings.append(
                Finding(
                    criterion,
                    f"{case.component}: {case.name} {case.outcome}"
                    + (f": {case.message}" if case.message else ""),
                )
            )
    if (
        run.cases
        and run.returncode != 0
        and all(c.outcome == "passed" for c in run.cases)
    ):
        findings.append(
            Finding(criterion, f"pytest exited with status {run.returncode}")
        )
    return findings
