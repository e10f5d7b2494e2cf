"""Phase 2, implementation: the bound implementations pass every generated test
at the manifest's scale.

Every generated test module of a component runs here (contract tests, and
whatever concurrency or fault tests the generator writes for it), with more
examples per test and longer runs than the contracts phase uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from specfirst.criteria import (
    IMPLEMENTATION_BOUND,
    IMPLEMENTATION_PASSES,
    PROJECT,
    Outcome,
    outcome,
)
from specfirst.manifest import Scale
from specfirst.project import LoadedSpecs, Workspace
from specfirst.runs import case_messages, generate_tests, run_messages
from specfirst.testing import Target, TestRun, run_contract_tests


@dataclass(frozen=True)
class ImplementationResult:
    outcomes: tuple[Outcome, ...]
    run: TestRun | None
    scale: Scale


def check_implementation(
    workspace: Workspace, loaded: LoadedSpecs, scale: Scale, seed: int | None = None
) -> ImplementationResult:
    """Run every generated test of the bound components against their adapters."""
    config = workspace.config
    components = [(s.path, c) for s in loaded.specs for c in s.components]
    outcomes = []
    bound = set()
    for file, component in components:
        line = component.span.line
        messages = []
        if config.binding(component.name).adapter:
            bound.add(component.name)
        else:
            messages.append(
                (
                    f"{component.name} has no adapter: set "
                    f"[tool.specfirst.components.{component.name}] adapter = "
                    '"module:Class" in pyproject.toml',
                    file,
                    line,
                )
            )
        outcomes.append(
            outcome(IMPLEMENTATION_BOUND, component.name, messages, file, line)
        )
    if not bound:
        return ImplementationResult(tuple(outcomes), None, scale)

    problem = generate_tests(config, loaded)
    if problem:
        outcomes.append(outcome(IMPLEMENTATION_PASSES, PROJECT, [(problem, "", 0)]))
        return ImplementationResult(tuple(outcomes), None, scale)
    run = run_contract_tests(
        config,
        loaded.specs,
        Target.IMPL,
        bound,
        scale.max_examples,
        step_count=scale.step_count,
        every_kind=True,
        seed=seed,
    )
    problems = run_messages(run)
    if problems:
        outcomes.append(outcome(IMPLEMENTATION_PASSES, PROJECT, problems))
    for file, component in components:
        if component.name in bound:
            line = component.span.line
            messages = case_messages(run, component.name, file, line)
            outcomes.append(
                outcome(IMPLEMENTATION_PASSES, component.name, messages, file, line)
            )
    return ImplementationResult(tuple(outcomes), run, scale)
