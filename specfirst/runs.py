"""Helpers of the contracts and implementation phases: generating the tests,
and reading a test run as findings."""

from __future__ import annotations

import logging

from specfirst.config import ProjectConfig
from specfirst.project import LoadedSpecs
from specfirst.testing import TestRun

log = logging.getLogger(__name__)

Message = tuple[str, str, int]


def generate_tests(config: ProjectConfig, loaded: LoadedSpecs) -> str:
    """Write the models and tests of the loaded specs.

    Returns the reason they could not be written, or "" when they were.
    """
    if loaded.diagnostics:
        files = len({d.span.file for d in loaded.diagnostics})
        return f"not run: {files} spec file(s) do not check"
    from codegen import GenerationError, generate

    try:
        generate(list(loaded.specs), config.build_dir, root=config.root)
    except GenerationError as exc:
        return "not run: cannot generate: " + "; ".join(exc.problems)
    return ""


def case_messages(run: TestRun, component: str, file: str, line: int) -> list[Message]:
    """Describe each test case of ``component`` that did not pass."""
    messages = []
    for case in run.cases:
        if case.component != component or case.outcome == "passed":
            continue
        detail = f": {case.message}" if case.message else ""
        messages.append((f"{case.name} {case.outcome}{detail}", file, line))
    if not any(case.component == component for case in run.cases) and run.cases:
        messages.append((f"no generated test of {component} ran", file, line))
    return messages


def run_messages(run: TestRun) -> list[Message]:
    """Describe the problems of the run as a whole, apart from its test cases."""
    messages: list[Message] = [(problem, "", 0) for problem in run.problems]
    if not run.cases and not run.problems:
        messages.append((f"pytest ran no test (exit status {run.returncode})", "", 0))
    elif run.returncode != 0 and all(case.outcome == "passed" for case in run.cases):
        messages.append((f"pytest exited with status {run.returncode}", "", 0))
    return messages
