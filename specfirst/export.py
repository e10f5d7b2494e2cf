"""Export counterexample traces and failing examples as pytest regression tests.

Each violated safety or liveness obligation of a check becomes
``test_trace_<property>.py`` in the chosen folder, and the failing example of
each contract test that ``specfirst test`` ran becomes
``test_example_<component>.py`` (see ``codegen.trace_test``). The tests load
the reference models from the project's build folder, so the models of the
exported components are generated there too. Keep the folder apart from the
build folder: ``gen`` removes generated files there that it did not write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from codegen import GenerationError, generate
from codegen.trace_test import (
    ExampleCase,
    TraceCase,
    example_test_file_name,
    render_example_test,
    render_trace_test,
    trace_test_file_name,
)
from spec_lang import ast
from specfirst.checking import CheckReport
from specfirst.config import ProjectConfig
from specfirst.runtime.examples import FailingExample
from verifier import ObligationKind, Status
from verifier.temporal import TemporalResult
from verifier.trace import CRASH, Trace

log = logging.getLogger(__name__)

_EXPORTED_KINDS = (ObligationKind.SAFETY, ObligationKind.LIVENESS)


@dataclass
class Exported:
    """The files written, and why each counterexample left out was left out.

    ``by_component`` maps each component whose failing example was exported
    to its file, written now or already up to date.
    """

    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    by_component: dict[str, Path] = field(default_factory=dict)


def export_counterexamples(
    config: ProjectConfig, report: CheckReport, out_dir: Path
) -> Exported:
    """Write a regression test for each counterexample trace of ``report``.

    Raises:
        OSError: a file cannot be written.
    """
    found = Exported()
    components = {
        c.name: (spec, c) for spec in report.loaded.specs for c in spec.components
    }
    files: dict[str, str] = {}
    specs: dict[str, ast.SpecFile] = {}
    for result in report.results:
        if not _exportable(result):
            continue
        assert isinstance(result, TemporalResult) and result.trace is not None
        spec, component = components[result.obligation.component]
        prop = next(p for p in component.properties if p.id == result.obligation.id)
        crash = _crash_in(result.trace)
        if crash:
            found.skipped.append(f"{prop.id}: {crash}")
            continue
        try:
            text = render_trace_test(
                component,
                spec,
                trace_case(prop, result.trace, result.reason),
                config.root,
            )
        except GenerationError as exc:
            found.skipped.append(str(exc))
            continue
        files[trace_test_file_name(prop.id)] = text
        specs[spec.path] = spec
    if files:
        _generate_models(config, list(specs.values()), found)
        found.written.extend(_write(out_dir, files))
    return found


def export_failing_examples(
    config: ProjectConfig,
    specs: tuple[ast.SpecFile, ...],
    examples: list[FailingExample],
    out_dir: Path,
) -> Exported:
    """Write a regression test for each failing example of a contract test.

    The tests load the models that ``specfirst test`` generated into the
    build folder before it ran the contract tests.

    Raises:
        OSError: a file cannot be written.
    """
    found = Exported()
    components = {c.name: (spec, c) for spec in specs for c in spec.components}
    files: dict[str, str] = {}
    for example in examples:
        if example.component not in components:
            found.skipped.append(f"{example.component} is not a component of the specs")
            continue
        spec, component = components[example.component]
        case = ExampleCase(dict(example.constants), example.calls, example.problem)
        try:
            text = render_example_test(component, spec, case, config.root)
        except GenerationError as exc:
            found.skipped.append(str(exc))
            continue
        name = example_test_file_name(component.name)
        files[name] = text
        found.by_component[component.name] = out_dir / name
    if files:
        found.written.extend(_write(out_dir, files))
    return found


def trace_case(prop: ast.Property, trace: Trace, reason: str) -> TraceCase:
    """Collect the calls of ``trace``, repeating a lasso's loop until the
    response window is covered."""
    steps = list(trace.steps)
    start = trace.trigger if trace.trigger is not None else 0
    if trace.loop_start is not None and prop.within is not None:
        loop = list(trace.steps[trace.loop_start :])
        while loop and len(steps) < start + prop.within:
            steps.extend(loop)
    calls = tuple((s.action, tuple(s.arguments.values())) for s in steps)
    trigger = None if prop.kind is ast.PropertyKind.ALWAYS else start
    return TraceCase(prop, dict(trace.constants), calls, reason, trigger)


def _crash_in(trace: Trace) -> str:
    """Return why a trace that crashes the component is not exported, or ""
    when the trace has no crash."""
    for number, step in enumerate(trace.steps, start=1):
        if step.kind == CRASH:
            # NOTE: the replayed calls would leave out the crash, so the
            # test would not reproduce the counterexample.
            return (
                f"step {number} is a crash of failure {step.action}, and an "
                "exported test cannot replay a crash yet"
            )
    return ""


def _exportable(result: object) -> bool:
    return (
        isinstance(result, TemporalResult)
        and result.status is Status.VIOLATED
        and result.trace is not None
        and result.obligation.kind in _EXPORTED_KINDS
    )


def _generate_models(
    config: ProjectConfig, specs: list[ast.SpecFile], found: Exported
) -> None:
    try:
        generate(specs, config.build_dir, root=config.root)
    except GenerationError as exc:
        found.skipped.extend(f"cannot generate the models: {p}" for p in exc.problems)


def _write(out_dir: Path, files: dict[str, str]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in sorted(files.items()):
        path = out_dir / name
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.write_text(text, encoding="utf-8")
        log.debug("wrote %s", path)
        written.append(path)
    return written
