"""The ``specfirst`` command: check, gen, test and gate.

Exit status: 0 when everything holds, 1 on findings (an obligation not
proved, a test failing, a stale generated file), 2 on usage or input errors
(a malformed spec, a bad config, a missing file).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from specfirst.cli_common import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    InputError,
    choose_format,
    stderr,
    stdout,
)
from specfirst.cli_review import review_app
from specfirst.config import ConfigError, ProjectConfig

app = typer.Typer(
    help="Prove specs with Z3, generate contract tests, and gate CI on both.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(review_app, name="review")

PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Spec files or folders; default: the specs in the project config."
    ),
]
FormatOpt = Annotated[
    str, typer.Option("--format", help="Output format: text or json.", metavar="FORMAT")
]
TimeoutOpt = Annotated[
    int | None,
    typer.Option(
        "--timeout-ms", help="Solver time limit per obligation, in milliseconds."
    ),
]
JobsOpt = Annotated[
    int | None, typer.Option("--jobs", "-j", help="Obligations solved in parallel.")
]


@app.callback()
def _main(
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Log what each stage does, to stderr."),
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _project() -> ProjectConfig:
    from specfirst.project import open_project

    return open_project()


def _format(value: str) -> str:
    return choose_format(value, ("text", "json"))


def _verify_options(
    config: ProjectConfig,
    timeout_ms: int | None,
    jobs: int | None,
    emit_smt: Path | None = None,
    cache: bool = True,
) -> Any:
    from verifier import VerifyOptions

    if timeout_ms is not None and timeout_ms <= 0:
        raise InputError(f"--timeout-ms must be positive, got {timeout_ms}")
    if jobs is not None and jobs <= 0:
        raise InputError(f"--jobs must be positive, got {jobs}")
    if emit_smt is not None and emit_smt.exists() and not emit_smt.is_dir():
        raise InputError(f"--emit-smt must name a folder, but {emit_smt} is a file")
    return VerifyOptions(
        timeout_ms=timeout_ms or config.timeout_ms,
        jobs=jobs or os.cpu_count() or 1,
        cache_dir=config.root / ".specfirst" / "cache" if cache else None,
        emit_smt_dir=emit_smt,
    )


def _files(config: ProjectConfig, paths: list[Path] | None) -> list[Path]:
    from specfirst.project import spec_paths

    missing = [p for p in paths or [] if not p.exists()]
    if missing:
        raise InputError(f"no such file or folder: {', '.join(map(str, missing))}")
    files = spec_paths(config, paths)
    if not files:
        where = (
            ", ".join(str(p) for p in paths) if paths else "the project's spec folders"
        )
        raise InputError(f"no .spec files found in {where}")
    return files


@app.command()
def check(
    paths: PathsArg = None,
    output_format: FormatOpt = "text",
    timeout_ms: TimeoutOpt = None,
    jobs: JobsOpt = None,
    emit_smt: Annotated[
        Path | None,
        typer.Option("--emit-smt", help="Write each query as SMT-LIB 2 here."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Solve every obligation again.")
    ] = False,
    depth: Annotated[
        int | None,
        typer.Option(
            "--depth",
            help="Steps of the runs that temporal checks search; default: the "
            "config's depth, 8 when unset.",
        ),
    ] = None,
    export_tests: Annotated[
        Path | None,
        typer.Option(
            "--export-tests",
            help="Write each counterexample trace here as a pytest regression test.",
            metavar="DIR",
        ),
    ] = None,
) -> None:
    """Prove every obligation of the specs, or show a counterexample."""
    from specfirst.checking import check_files
    from specfirst.render import print_check, print_diagnostics
    from specfirst.reports import check_json
    from verifier.temporal import TemporalOptions

    fmt = _format(output_format)
    config = _project()
    options = _verify_options(config, timeout_ms, jobs, emit_smt, cache=not no_cache)
    if depth is not None and depth <= 0:
        raise InputError(f"--depth must be positive, got {depth}")
    temporal = TemporalOptions(depth or config.depth)
    report = check_files(config, _files(config, paths), options, temporal)
    if fmt == "json":
        stdout.print_json(json.dumps(check_json(report)))
    else:
        print_diagnostics(stderr, report.diagnostics, report.loaded.sources)
        # A run that stopped at input errors proved nothing, so it gets no table.
        if report.results or report.loaded.specs or not report.diagnostics:
            print_check(stdout, report)
    if export_tests is not None:
        _export_tests(config, report, export_tests)
    if report.diagnostics:
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_OK if report.all_proved else EXIT_FINDINGS)


def _export_tests(config: ProjectConfig, report: Any, out_dir: Path) -> None:
    from specfirst.export import export_counterexamples

    try:
        exported = export_counterexamples(config, report, out_dir)
    except OSError as exc:
        raise InputError(f"cannot write to {out_dir}: {exc}") from None
    for path in exported.written:
        stderr.print(f"wrote {path}", highlight=False)
    for problem in exported.skipped:
        stderr.print(f"not exported: {problem}", style="yellow", highlight=False)


@app.command()
def gen(
    paths: PathsArg = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write; default: build_dir.")
    ] = None,
    check_only: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; fail if the files there are stale."
        ),
    ] = False,
) -> None:
    """Generate the reference models and contract tests."""
    from codegen import check_generated, generate
    from specfirst.project import load_specs
    from specfirst.render import print_diagnostics

    config = _project()
    loaded = load_specs(_files(config, paths), config.root)
    if loaded.diagnostics:
        print_diagnostics(stderr, loaded.diagnostics, loaded.sources)
        raise typer.Exit(EXIT_INPUT)
    out_dir = out or config.build_dir
    if check_only:
        stale = check_generated(list(loaded.specs), out_dir, root=config.root)
        for problem in stale:
            stdout.print(f"stale: {problem}", style="red")
        if stale:
            stdout.print("run 'specfirst gen' to regenerate", style="bold red")
            raise typer.Exit(EXIT_FINDINGS)
        stdout.print(f"generated files in {out_dir} are up to date", style="green")
        raise typer.Exit(EXIT_OK)
    written = generate(list(loaded.specs), out_dir, root=config.root)
    for path in written:
        stdout.print(f"wrote {path}")
    raise typer.Exit(EXIT_OK)


@app.command("test")
def test_command(
    components: Annotated[
        list[str] | None, typer.Argument(help="Components to test; default: all.")
    ] = None,
    target: Annotated[
        str, typer.Option("--target", help="impl (the bound implementation) or model.")
    ] = "impl",
    max_examples: Annotated[
        int | None, typer.Option("--max-examples", help="Hypothesis examples per test.")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Hypothesis's random seed, to repeat a run."),
    ] = None,
    export_tests: Annotated[
        Path | None,
        typer.Option(
            "--export-tests",
            help="Write the shrunk failing example of each contract test here as "
            "a pytest regression test.",
            metavar="DIR",
        ),
    ] = None,
    output_format: FormatOpt = "text",
) -> None:
    """Generate the contract tests and run them against the implementations."""
    from specfirst.render import print_test_run
    from specfirst.reports import test_run_json
    from specfirst.testing import Target

    fmt = _format(output_format)
    try:
        chosen = Target(target)
    except ValueError:
        raise InputError(f"--target must be impl or model, got {target!r}") from None
    if max_examples is not None and max_examples <= 0:
        raise InputError(f"--max-examples must be positive, got {max_examples}")
    if seed is not None and seed < 0:
        raise InputError(f"--seed must not be negative, got {seed}")
    if export_tests is not None and export_tests.is_file():
        raise InputError(
            f"--export-tests must name a folder, but {export_tests} is a file"
        )
    config = _project()
    specs = _generate_all(config)
    examples = config.build_dir / "examples" if export_tests is not None else None
    run = _run_tests(config, specs, chosen, components, max_examples, seed, examples)
    replays: dict[str, Path] = {}
    if export_tests is not None and examples is not None:
        replays = _export_examples(config, specs, examples, export_tests)
    if fmt == "json":
        stdout.print_json(json.dumps(test_run_json(run, replays)))
    else:
        print_test_run(stdout, run, _target_label(chosen), replays)
    raise typer.Exit(EXIT_OK if run.passed else EXIT_FINDINGS)


def _export_examples(
    config: ProjectConfig, specs: Any, examples: Path, out_dir: Path
) -> dict[str, Path]:
    """Write the failing examples the run recorded as tests; return them by
    component."""
    from specfirst.export import export_failing_examples
    from specfirst.runtime.examples import load_failing_examples

    try:
        found = load_failing_examples(examples)
        exported = export_failing_examples(config, specs, found, out_dir)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    except OSError as exc:
        raise InputError(f"cannot write to {out_dir}: {exc}") from None
    for path in exported.written:
        stderr.print(f"wrote {path}", highlight=False)
    for problem in exported.skipped:
        stderr.print(f"not exported: {problem}", style="yellow", highlight=False)
    return exported.by_component


def _generate_all(config: ProjectConfig) -> Any:
    from codegen import generate
    from specfirst.project import load_specs
    from specfirst.render import print_diagnostics

    loaded = load_specs(_files(config, None), config.root)
    if loaded.diagnostics:
        print_diagnostics(stderr, loaded.diagnostics, loaded.sources)
        raise typer.Exit(EXIT_INPUT)
    generate(list(loaded.specs), config.build_dir, root=config.root)
    return loaded.specs


def _run_tests(
    config: ProjectConfig,
    specs: Any,
    target: Any,
    components: list[str] | None,
    max_examples: int | None,
    seed: int | None = None,
    example_dir: Path | None = None,
) -> Any:
    from specfirst.testing import run_contract_tests

    known = {c.name for spec in specs for c in spec.components}
    unknown = sorted(set(components or []) - known)
    if unknown:
        raise InputError(
            f"unknown component(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    chosen = set(components) if components else None
    return run_contract_tests(
        config, specs, target, chosen, max_examples, seed=seed, example_dir=example_dir
    )


def _target_label(target: Any) -> str:
    return "the reference models" if target.value == "model" else "the implementations"


GATE_FORMATS = ("text", "json", "junit", "sarif", "markdown")


@app.command()
def gate(
    phase: Annotated[
        str | None,
        typer.Argument(
            help="specifications, contracts or implementation; default: each "
            "in order, stopping at the first that fails.",
            metavar="[PHASE]",
        ),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="What to print: text, json, junit, sarif or markdown.",
            metavar="FORMAT",
        ),
    ] = "text",
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Also write the JSON report here.")
    ] = None,
    junit_file: Annotated[
        Path | None, typer.Option("--junit", help="Also write JUnit XML here.")
    ] = None,
    sarif_file: Annotated[
        Path | None, typer.Option("--sarif", help="Also write SARIF 2.1.0 here.")
    ] = None,
    report_file: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the Markdown report here."),
    ] = None,
    timeout_ms: TimeoutOpt = None,
    jobs: JobsOpt = None,
    max_examples: Annotated[
        int | None, typer.Option("--max-examples", help="Hypothesis examples per test.")
    ] = None,
    step_count: Annotated[
        int | None, typer.Option("--step-count", help="Steps per generated example.")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Hypothesis's seed; default: the manifest's."),
    ] = None,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going",
            help="Run every phase even after one fails; the gate still fails.",
        ),
    ] = False,
) -> None:
    """Check a phase's criteria and the red flags; exit 1 on any finding."""
    from specfirst.gate import GateOptions, run_gate
    from specfirst.gate_output import render_gate, write_reports
    from specfirst.phases import PHASE_NAMES, parse_phase
    from specfirst.project import open_workspace
    from specfirst.render import print_diagnostics

    fmt = choose_format(output_format, GATE_FORMATS)
    requested = parse_phase(phase) if phase is not None else None
    if phase is not None and requested is None:
        raise InputError(
            f"unknown phase {phase!r}; the phases are {', '.join(PHASE_NAMES)}"
        )
    for name, value in (("--max-examples", max_examples), ("--step-count", step_count)):
        if value is not None and value <= 0:
            raise InputError(f"{name} must be positive, got {value}")
    if seed is not None and seed < 0:
        raise InputError(f"--seed must not be negative, got {seed}")
    workspace = open_workspace()
    options = GateOptions(
        _verify_options(workspace.config, timeout_ms, jobs),
        max_examples,
        step_count,
        seed,
    )
    result = run_gate(workspace, options, requested, keep_going)
    print_diagnostics(stderr, result.loaded.diagnostics, result.loaded.sources)
    files = {
        "json": json_file,
        "junit": junit_file,
        "sarif": sarif_file,
        "markdown": report_file,
    }
    try:
        written = write_reports(result, files)
    except OSError as exc:
        raise InputError(f"cannot write a report: {exc}") from None
    render_gate(stdout, result, fmt)
    for path in written:
        stderr.print(f"wrote {path}")
    if result.loaded.diagnostics:
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_OK if result.passed else EXIT_FINDINGS)


def main() -> None:
    """Run the CLI, turning input errors into exit status 2 without a traceback."""
    from codegen import GenerationError
    from spec_lang.diagnostics import SpecError

    # Messages quote user text (paths, names), so none is read as rich markup.
    try:
        app()
    except InputError as exc:
        stderr.print(f"error: {exc}", style="red", markup=False)
        raise SystemExit(EXIT_INPUT) from None
    except ConfigError as exc:
        stderr.print(f"config error: {exc}", style="red", markup=False)
        raise SystemExit(EXIT_INPUT) from None
    except OSError as exc:
        # A folder named for output that is a file, or one that cannot be
        # written: the user can fix it, so it gets a message, not a traceback.
        stderr.print(f"error: {_describe_os_error(exc)}", style="red", markup=False)
        raise SystemExit(EXIT_INPUT) from None
    except RecursionError:
        stderr.print(
            "error: the spec nests too deeply to process (a type or a chain of "
            "records nested hundreds of levels); flatten it",
            style="red",
        )
        raise SystemExit(EXIT_INPUT) from None
    except SpecError as exc:
        for diagnostic in exc.diagnostics:
            stderr.print(diagnostic.short())
        raise SystemExit(EXIT_INPUT) from None
    except GenerationError as exc:
        for problem in exc.problems:
            stderr.print(
                f"cannot generate: {problem}",
                style="red",
                highlight=False,
                markup=False,
            )
        raise SystemExit(EXIT_INPUT) from None


def _describe_os_error(exc: OSError) -> str:
    """Return ``exc`` as a sentence naming the path, without Python's class name."""
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return reason
    return f"cannot use {exc.filename}: {reason}"
