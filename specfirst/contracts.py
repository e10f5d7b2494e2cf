"""Phase 1, contracts: the reference models pass their own generated tests, and
every clause is exercised by at least one of them, measured from the run."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from spec_lang.ast import Component
from specfirst.criteria import (
    CLAUSES_EXERCISED,
    MODELS_PASS,
    PROJECT,
    SCENARIOS_PASS,
    Outcome,
    outcome,
)
from specfirst.manifest import PYPROJECT, manifest_line
from specfirst.project import LoadedSpecs, Workspace, declarations
from specfirst.runs import case_messages, generate_tests, run_messages
from specfirst.testing import Target, TestRun, run_contract_tests
from specfirst.traceability import Matrix, obligations_by_clause, read_coverage, trace

log = logging.getLogger(__name__)

COVERAGE_FILE = "coverage-model.json"
INTEGRATION = "Integration"


@dataclass(frozen=True)
class ContractsResult:
    outcomes: tuple[Outcome, ...]
    run: TestRun | None
    matrices: tuple[Matrix, ...]


def check_contracts(
    workspace: Workspace,
    loaded: LoadedSpecs,
    max_examples: int | None = None,
    step_count: int | None = None,
    seed: int | None = None,
) -> ContractsResult:
    """Run the generated tests against the models and trace what they exercised.

    The fault tests run too, for the components that state failure modes,
    since only they evaluate a failure's ensures.
    """
    components = [(s.path, c) for s in loaded.specs for c in s.components]
    problem = generate_tests(workspace.config, loaded)
    if problem:
        unrun = [
            outcome(MODELS_PASS, c.name, [(problem, f, c.span.line)], f, c.span.line)
            for f, c in components
        ] or [outcome(MODELS_PASS, PROJECT, [(problem, "", 0)])]
        return ContractsResult((*unrun, *_scenarios(workspace, loaded)), None, ())

    coverage_file = workspace.config.build_dir / COVERAGE_FILE
    run = run_contract_tests(
        workspace.config,
        loaded.specs,
        Target.MODEL,
        max_examples=max_examples,
        step_count=step_count,
        coverage_file=coverage_file,
        with_faults={c.name for _, c in components if c.failures},
        seed=seed,
    )
    coverage = read_coverage(coverage_file)
    outcomes: list[Outcome] = []
    problems = run_messages(run)
    if problems:
        outcomes.append(outcome(MODELS_PASS, PROJECT, problems))
    matrices = []
    for file, component in components:
        line = component.span.line
        messages = case_messages(run, component.name, file, line)
        outcomes.append(outcome(MODELS_PASS, component.name, messages, file, line))
        tests = tuple(c.name for c in run.cases if c.component == component.name)
        matrix = trace(
            component, file, coverage or {}, obligations_by_clause(component), tests
        )
        matrices.append(matrix)
        outcomes.append(_exercised(matrix, component, coverage is not None))
    outcomes.extend(_scenarios(workspace, loaded))
    return ContractsResult(tuple(outcomes), run, tuple(matrices))


def _exercised(matrix: Matrix, component: Component, measured: bool) -> Outcome:
    file, line = matrix.spec, component.span.line
    if not measured:
        message = (
            "the test run recorded no coverage, so no clause of "
            f"{component.name} can be shown to be exercised"
        )
        return outcome(CLAUSES_EXERCISED, component.name, [(message, file, line)])
    messages = [(row.gap(), file, row.clause.span.line) for row in matrix.gaps()]
    return outcome(CLAUSES_EXERCISED, component.name, messages, file, line)


def _scenarios(workspace: Workspace, loaded: LoadedSpecs) -> list[Outcome]:
    """Integration scenarios, for a project that requires an Integration spec.

    specfirst has no way to state or run a scenario yet, so the criterion
    cannot pass, and the finding names the part that is missing.
    """
    if INTEGRATION not in workspace.manifest.system:
        return []
    declared = declarations(loaded.specs).get(INTEGRATION)
    if declared is None:
        line = manifest_line(workspace.root, "tool.specfirst.required", "system")
        message = "no integration scenarios: the required Integration spec is missing"
        return [outcome(SCENARIOS_PASS, INTEGRATION, [(message, PYPROJECT, line)])]
    message = (
        "no integration scenarios ran: specfirst cannot generate scenario tests "
        "from the Integration spec yet"
    )
    where = (message, declared.file, declared.span.line)
    return [outcome(SCENARIOS_PASS, INTEGRATION, [where], declared.file)]
