"""Phase 0, specification: is the set of specs complete, consistent and reviewed?

Every required spec exists and checks; every component states each kind of
clause the methodology requires; every obligation is proved; every name the
project refers to resolves; every spec has its review cycles for the
content it has now. Each unmet criterion is a finding that names the spec
and says what to add.
"""

from __future__ import annotations

from collections import defaultdict

from spec_lang.ast import Component
from specfirst.approval import ReviewStatus
from specfirst.checking import CheckReport
from specfirst.criteria import (
    OBLIGATIONS_PROVED,
    PROJECT,
    REFERENCES_RESOLVE,
    REVIEWS_MET,
    SECTIONS_STATED,
    SPEC_CHECKS,
    SPEC_EXISTS,
    Outcome,
    outcome,
)
from specfirst.manifest import PYPROJECT, manifest_line
from specfirst.project import Declaration, LoadedSpecs, Workspace, declarations
from specfirst.review import REVIEWS_SUFFIX
from specfirst.sections import missing_sections
from specfirst.testing import snake_case
from verifier import ObligationResult

Message = tuple[str, str, int]


def check_specifications(
    workspace: Workspace, report: CheckReport, reviews: dict[str, ReviewStatus]
) -> tuple[Outcome, ...]:
    """Check every phase 0 criterion on each spec, component and the project."""
    loaded = report.loaded
    declared = declarations(loaded.specs)
    return (
        *required_specs(workspace, declared, loaded),
        *_specs_check(workspace, loaded),
        *_sections(loaded),
        *_obligations(report),
        _references(workspace, declared),
        *_reviews(reviews),
    )


def required_specs(
    workspace: Workspace, declared: dict[str, Declaration], loaded: LoadedSpecs
) -> list[Outcome]:
    """Check that each required spec is declared somewhere."""
    manifest = workspace.manifest
    outcomes = []
    for name in manifest.required:
        kind = "components" if name in manifest.components else "system"
        found = declared.get(name)
        if found is not None:
            outcomes.append(outcome(SPEC_EXISTS, name, [], found.file, found.span.line))
            continue
        line = manifest_line(workspace.root, "tool.specfirst.required", kind)
        message = _missing_message(workspace, name, kind, loaded)
        outcomes.append(outcome(SPEC_EXISTS, name, [(message, PYPROJECT, line)]))
    return outcomes


def _missing_message(
    workspace: Workspace, name: str, kind: str, loaded: LoadedSpecs
) -> str:
    folder = workspace.display(workspace.config.spec_paths[0])
    what = "component" if kind == "components" else "system-level spec"
    message = (
        f"the required {what} {name} is missing: no spec declares it; write it in "
        f"{folder}/{snake_case(name)}.spec"
    )
    broken = sorted(
        d.span.file
        for d in loaded.diagnostics
        if d.span.file.endswith(f"{snake_case(name)}.spec")
    )
    if broken:
        message += f" ({broken[0]} exists but does not check)"
    return message


def _specs_check(workspace: Workspace, loaded: LoadedSpecs) -> list[Outcome]:
    if not workspace.files:
        folders = ", ".join(workspace.display(p) for p in workspace.config.spec_paths)
        return [outcome(SPEC_CHECKS, PROJECT, [(f"no spec files in {folders}", "", 0)])]
    by_file: dict[str, list[Message]] = defaultdict(list)
    for d in loaded.diagnostics:
        by_file[d.span.file].append(
            (f"error[{d.code}]: {d.message}", d.span.file, d.span.line)
        )
    outcomes = []
    for file in workspace.files:
        name = workspace.display(file)
        outcomes.append(outcome(SPEC_CHECKS, name, by_file.pop(name, []), name, 1))
    for name, messages in sorted(by_file.items()):  # a path outside the folders
        outcomes.append(outcome(SPEC_CHECKS, name, messages, name, 1))
    return outcomes


def _components(loaded: LoadedSpecs) -> list[tuple[str, Component]]:
    return [(spec.path, c) for spec in loaded.specs for c in spec.components]


def _sections(loaded: LoadedSpecs) -> list[Outcome]:
    outcomes = []
    for file, component in _components(loaded):
        line = component.span.line
        messages = [
            (missing.message(component.name), file, line)
            for missing in missing_sections(component)
        ]
        outcomes.append(outcome(SECTIONS_STATED, component.name, messages, file, line))
    return outcomes


def _obligations(report: CheckReport) -> list[Outcome]:
    by_component: dict[str, list[ObligationResult]] = defaultdict(list)
    for result in report.unproved():
        by_component[result.obligation.component].append(result)
    checked = {r.obligation.component for r in report.results}
    outcomes = []
    for file, component in _components(report.loaded):
        messages = [_unproved(r) for r in by_component[component.name]]
        if component.name not in checked:
            why = [p for p in report.problems if p.startswith(f"{file}:")]
            reason = f": {why[0]}" if why else ""
            messages.append(
                (
                    f"no obligations of {component.name} were checked{reason}",
                    file,
                    component.span.line,
                )
            )
        line = component.span.line
        outcomes.append(
            outcome(OBLIGATIONS_PROVED, component.name, messages, file, line)
        )
    return outcomes


def _unproved(result: ObligationResult) -> Message:
    obligation = result.obligation
    reason = f": {result.reason}" if result.reason else ""
    return (
        f"{obligation.id} is {result.status.value}{reason}",
        obligation.span.file,
        obligation.span.line,
    )


def _references(workspace: Workspace, declared: dict[str, Declaration]) -> Outcome:
    """Names the project refers to: bound components, and specs with reviews."""
    root = workspace.root
    messages: list[Message] = []
    bound = set(workspace.config.components) | set(workspace.manifest.implementations)
    # A required spec that is missing is reported by spec-exists already.
    for name in sorted(bound - set(declared) - set(workspace.manifest.required)):
        table = f"tool.specfirst.components.{name}"
        messages.append(
            (
                f"[{table}] binds {name}, which no spec declares and the manifest "
                "does not require: correct the name or write its spec",
                PYPROJECT,
                manifest_line(root, table),
            )
        )
    for folder in workspace.config.spec_paths:
        if not folder.is_dir():
            continue
        for reviews in sorted(folder.rglob(f"*{REVIEWS_SUFFIX}")):
            spec = reviews.with_suffix(".spec")
            if not spec.is_file():
                messages.append(
                    (
                        f"{workspace.display(reviews)} records reviews of "
                        f"{workspace.display(spec)}, which does not exist",
                        workspace.display(reviews),
                        1,
                    )
                )
    return outcome(REFERENCES_RESOLVE, PROJECT, messages, PYPROJECT, 1)


def _reviews(reviews: dict[str, ReviewStatus]) -> list[Outcome]:
    outcomes = []
    for spec, status in sorted(reviews.items()):
        messages: list[Message] = []
        if not status.approved:
            messages.append(
                (
                    f"{spec} has {'; '.join(status.shortfall())}: run `specfirst "
                    f"review add {spec} --reviewer NAME --verdict approve --note "
                    "TEXT` once each reviewer has reviewed it",
                    spec,
                    1,
                )
            )
        outcomes.append(outcome(REVIEWS_MET, spec, messages, spec, 1))
    return outcomes
