"""Red flags: the process violations the methodology names, checked on every gate.

- implementation code for a component whose spec is not approved (or does
  not exist): the code was written before the spec it must follow;
- a manifest that claims a phase whose earlier gates fail: a phase declared
  complete before its criteria hold;
- a required spec missing from the set while work moves on to a later
  phase. Within phase 0 a missing spec is work not yet done, which the
  phase 0 gate reports itself. The red flag is raised once a later phase
  runs or is claimed with the set incomplete.
"""

from __future__ import annotations

from pathlib import Path

from specfirst.approval import ReviewStatus
from specfirst.criteria import (
    MISSING_SPEC,
    PHASE_CLAIM,
    PROJECT,
    UNAPPROVED_IMPLEMENTATION,
    Outcome,
    outcome,
)
from specfirst.manifest import PYPROJECT, manifest_line
from specfirst.phases import Phase
from specfirst.project import Declaration, Workspace


def red_flags(
    workspace: Workspace,
    declared: dict[str, Declaration],
    reviews: dict[str, ReviewStatus],
    earlier: dict[Phase, int],
    later_work: bool,
) -> tuple[Outcome, ...]:
    """Check every red flag that applies.

    Args:
        declared: the specs the project declares, by name.
        reviews: the review status of each spec file.
        earlier: for each phase before the claimed one that was checked, its
            number of findings.
        later_work: whether a phase after specifications ran or is claimed.
    """
    missing = _missing(workspace, declared) if later_work else []
    return (
        *missing,
        *_unapproved(workspace, declared, reviews),
        _claim(workspace, earlier),
    )


def _missing(workspace: Workspace, declared: dict[str, Declaration]) -> list[Outcome]:
    manifest = workspace.manifest
    outcomes = []
    for name in manifest.required:
        kind = "components" if name in manifest.components else "system"
        if name in declared:
            found = declared[name]
            outcomes.append(
                outcome(MISSING_SPEC, name, [], found.file, found.span.line)
            )
            continue
        line = manifest_line(workspace.root, "tool.specfirst.required", kind)
        message = f"the required spec {name} is missing from the set"
        outcomes.append(outcome(MISSING_SPEC, name, [(message, PYPROJECT, line)]))
    return outcomes


def _unapproved(
    workspace: Workspace,
    declared: dict[str, Declaration],
    reviews: dict[str, ReviewStatus],
) -> list[Outcome]:
    outcomes = []
    for component in sorted(workspace.manifest.implementations):
        found = declared.get(component)
        status = reviews.get(found.file) if found else None
        approved = status is not None and status.approved
        messages = []
        for path in workspace.manifest.implementation_paths(component):
            if approved or not _has_code(path):
                continue
            why = (
                f"its spec {found.file} is not approved" if found else "it has no spec"
            )
            messages.append(
                (
                    f"{workspace.display(path)} implements {component}, but {why}: "
                    "implementation comes after the spec's review cycles",
                    workspace.display(path),
                    1,
                )
            )
        where = found.file if found else PYPROJECT
        outcomes.append(outcome(UNAPPROVED_IMPLEMENTATION, component, messages, where))
    return outcomes


def _has_code(path: Path) -> bool:
    if path.is_file():
        return True
    return path.is_dir() and any(p.suffix == ".py" for p in path.rglob("*.py"))


def _claim(workspace: Workspace, earlier: dict[Phase, int]) -> Outcome:
    claimed = workspace.manifest.phase
    line = manifest_line(workspace.root, "tool.specfirst", "phase")
    messages = [
        (
            f"the manifest says the project is in {claimed.title}, but the "
            f"{phase.value} gate has {count} finding(s): that phase is not complete",
            PYPROJECT,
            line,
        )
        for phase, count in sorted(earlier.items(), key=lambda item: item[0].number)
        if count
    ]
    return outcome(PHASE_CLAIM, PROJECT, messages, PYPROJECT, line)
