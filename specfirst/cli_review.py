"""The ``specfirst review`` commands: record a review, show review cycles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from specfirst.cli_common import EXIT_OK, InputError, choose_format, stdout

if TYPE_CHECKING:
    from specfirst.project import Workspace

review_app = typer.Typer(
    help="Record reviews of specs and show each spec's review cycles.",
    no_args_is_help=True,
)


@review_app.command("add")
def add(
    spec: Annotated[
        str, typer.Argument(help="A spec file, or a component or spec it declares.")
    ],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who reviewed it.")],
    verdict: Annotated[
        str, typer.Option("--verdict", help="approve or changes.", metavar="VERDICT")
    ],
    note: Annotated[
        str, typer.Option("--note", help="What the review found; required for changes.")
    ] = "",
) -> None:
    """Record a review of a spec's current content."""
    from specfirst.project import open_workspace
    from specfirst.review import (
        ReviewError,
        append_review,
        new_record,
        reviews_path,
    )

    workspace = open_workspace()
    file = resolve_spec(workspace, spec)
    display = workspace.display(file)
    try:
        record = new_record(file, display, reviewer, verdict, note)
        append_review(reviews_path(file), record)
    except ReviewError as exc:
        raise InputError(str(exc)) from None
    stdout.print(
        f"recorded {record.verdict.value} by {record.reviewer} of {display} "
        f"at sha256 {record.sha256[:12]} in {workspace.display(reviews_path(file))}",
        markup=False,
    )
    _print_one(workspace, file)
    raise typer.Exit(EXIT_OK)


@review_app.command("status")
def status(
    specs: Annotated[
        list[str] | None,
        typer.Argument(help="Spec files, components or specs; default: every spec."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="text or json.", metavar="FORMAT")
    ] = "text",
) -> None:
    """Show each spec's approving review cycles for its current content."""
    from specfirst.approval import project_reviews
    from specfirst.project import open_workspace
    from specfirst.render_gate import print_reviews
    from specfirst.reports import review_json

    fmt = choose_format(output_format, ("text", "json"))
    workspace = open_workspace()
    statuses = project_reviews(workspace)
    if specs:
        chosen = {workspace.display(resolve_spec(workspace, s)) for s in specs}
        statuses = {k: v for k, v in statuses.items() if k in chosen}
    ordered = [statuses[k] for k in sorted(statuses)]
    if fmt == "json":
        stdout.print_json(json.dumps({"specs": [review_json(s) for s in ordered]}))
    else:
        print_reviews(stdout, ordered)
    raise typer.Exit(EXIT_OK)


def resolve_spec(workspace: Workspace, text: str) -> Path:
    """The project's spec file that ``text`` names: a path, or a declared name.

    Raises:
        InputError: ``text`` names no spec of the project.
    """
    files = {f.resolve(): f for f in workspace.files}
    path = Path(text)
    if path.is_file():
        if path.resolve() in files:
            return files[path.resolve()]
        raise InputError(
            f"{text} is not one of the project's spec files; the spec folders are "
            + ", ".join(workspace.display(p) for p in workspace.config.spec_paths)
        )
    from specfirst.project import declarations, load_specs

    declared = declarations(load_specs(list(workspace.files), workspace.root).specs)
    if text in declared:
        return workspace.root / declared[text].file
    known = sorted({workspace.display(f) for f in workspace.files} | set(declared))
    raise InputError(
        f"unknown spec {text!r}: no spec file or declared name matches; "
        f"known: {', '.join(known) or 'none'}"
    )


def _print_one(workspace: Workspace, file: Path) -> None:
    from specfirst.approval import review_status
    from specfirst.render_gate import print_reviews

    display = workspace.display(file)
    print_reviews(stdout, [review_status(file, display, workspace.manifest.reviews)])
