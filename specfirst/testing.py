"""Run the generated contract tests with pytest and collect their outcomes."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from spec_lang.ast import SpecFile
from specfirst.config import ProjectConfig

# The variable the test runtime reads to know where to add up its coverage.
COVERAGE_ENV = "SPECFIRST_COVERAGE_FILE"
# The variable naming the folder where a failing contract test writes the
# calls of its shrunk example (specfirst.runtime.examples).
EXAMPLE_DIR_ENV = "SPECFIRST_EXAMPLE_DIR"
# The variable telling the runtime that --hypothesis-seed fixes the run's draws
# (specfirst.runtime.binding).
FIXED_SEED_ENV = "SPECFIRST_FIXED_SEED"

log = logging.getLogger(__name__)


class Target(Enum):
    """What the generated tests run against."""

    IMPL = "impl"  # the bound implementation, through its adapter
    MODEL = "model"  # the reference model against itself


@dataclass(frozen=True)
class TestCase:
    component: str
    name: str
    outcome: str  # "passed", "failed", "error" or "skipped"
    message: str = ""
    details: str = ""


@dataclass(frozen=True)
class TestRun:
    """One pytest run of the generated tests against one target."""

    target: Target
    cases: tuple[TestCase, ...]
    returncode: int
    seconds: float
    output: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)

    def count(self, outcome: str) -> int:
        return sum(1 for case in self.cases if case.outcome == outcome)

    @property
    def passed(self) -> bool:
        """True when pytest ran tests, all of them passed, and nothing went wrong."""
        if self.problems or not self.cases or self.returncode != 0:
            return False
        return all(case.outcome == "passed" for case in self.cases)


def snake_case(name: str) -> str:
    """Return the file-name form of a component name (``CircuitBreaker`` ->
    ``circuit_breaker``)."""
    out: list[str] = []
    for i, char in enumerate(name):
        if char.isupper() and i and (name[i - 1].islower() or name[i - 1].isdigit()):
            out.append("_")
        out.append(char.lower())
    return "".join(out)


def contract_test_file(out_dir: Path, component: str) -> Path:
    return out_dir / f"test_{snake_case(component)}_contract.py"


def fault_test_file(out_dir: Path, component: str) -> Path:
    return out_dir / f"test_{snake_case(component)}_faults.py"


def generated_test_files(out_dir: Path, component: str) -> list[Path]:
    """Every generated test module of ``component``: the contract tests and any
    other kind (``test_<component>_<kind>.py``) the generator writes."""
    pattern = f"test_{snake_case(component)}_*.py"
    return sorted(path for path in out_dir.glob(pattern) if _owns(path, component))


def run_contract_tests(
    config: ProjectConfig,
    specs: tuple[SpecFile, ...],
    target: Target,
    components: set[str] | None = None,
    max_examples: int | None = None,
    *,
    step_count: int | None = None,
    coverage_file: Path | None = None,
    every_kind: bool = False,
    with_faults: Collection[str] = (),
    seed: int | None = None,
    example_dir: Path | None = None,
) -> TestRun:
    """Run the generated contract tests of ``components`` (all by default).

    The tests must already be generated into ``config.build_dir``.

    Args:
        step_count: steps per example, overriding the config.
        coverage_file: where the runtime adds up the clauses the tests exercised.
        every_kind: run every generated test module of each component, not
            only its contract tests.
        with_faults: components whose fault tests run beside their contract
            tests.
        seed: Hypothesis's random seed, so that a run can be repeated exactly.
        example_dir: where each failing contract test writes the calls of its
            shrunk example, as ``<Component>.json``. The files of an earlier
            run there are removed first.
    """
    names = [
        c.name
        for spec in specs
        for c in spec.components
        if components is None or c.name in components
    ]
    files = [contract_test_file(config.build_dir, name) for name in names]
    files.extend(
        fault_test_file(config.build_dir, name) for name in names if name in with_faults
    )
    missing = [str(f) for f in files if not f.is_file()]
    if every_kind and not missing:
        files = [
            f for name in names for f in generated_test_files(config.build_dir, name)
        ]
    if missing:
        return TestRun(
            target, (), 2, 0.0, problems=tuple(f"not generated: {m}" for m in missing)
        )
    if not files:
        return TestRun(target, (), 5, 0.0, problems=("no components to test",))

    report = config.build_dir / f"junit-{target.value}.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *map(str, files),
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        f"--rootdir={config.build_dir}",
        f"--junitxml={report}",
    ]
    env = dict(os.environ)
    env.pop(FIXED_SEED_ENV, None)
    if seed is not None:
        command.append(f"--hypothesis-seed={seed}")
        env[FIXED_SEED_ENV] = "1"
    env["SPECFIRST_ROOT"] = str(config.root)
    env["SPECFIRST_TARGET"] = target.value
    if max_examples is not None:
        env["SPECFIRST_MAX_EXAMPLES"] = str(max_examples)
    if step_count is not None:
        env["SPECFIRST_STEP_COUNT"] = str(step_count)
    env.pop(COVERAGE_ENV, None)
    if coverage_file is not None:
        coverage_file.unlink(missing_ok=True)
        env[COVERAGE_ENV] = str(coverage_file)
    env.pop(EXAMPLE_DIR_ENV, None)
    if example_dir is not None:
        _empty_examples(example_dir)
        env[EXAMPLE_DIR_ENV] = str(example_dir)
    log.info("running %s", " ".join(command))
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=config.root, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    output = completed.stdout + completed.stderr
    modules = {f.stem: name for name in names for f in files if _owns(f, name)}
    cases, problems = _read_junit(report, modules)
    return TestRun(
        target, tuple(cases), completed.returncode, seconds, output, tuple(problems)
    )


def _empty_examples(folder: Path) -> None:
    """Remove the examples of an earlier run, so only this run's are read back."""
    for stale in folder.glob("*.json"):
        stale.unlink()


def _owns(file: Path, component: str) -> bool:
    prefix = f"test_{snake_case(component)}_"
    return file.stem.startswith(prefix) and file.stem[len(prefix) :].isalpha()


def _read_junit(
    report: Path, by_module: dict[str, str]
) -> tuple[list[TestCase], list[str]]:
    if not report.is_file():
        return [], [f"pytest wrote no report at {report}"]
    try:
        root = ElementTree.parse(report).getroot()
    except ElementTree.ParseError as exc:
        return [], [f"cannot read the pytest report {report}: {exc}"]
    cases: list[TestCase] = []
    for element in root.iter("testcase"):
        classname = element.get("classname", "")
        module = classname.split(".")[0]
        component = by_module.get(module, module)
        outcome, message, details = "passed", "", ""
        for kind in ("failure", "error", "skipped"):
            child = element.find(kind)
            if child is not None:
                outcome = "failed" if kind == "failure" else kind
                message = child.get("message", "")
                details = child.text or ""
                break
        cases.append(
            TestCase(component, element.get("name", ""), outcome, message, details)
        )
    return cases, []
