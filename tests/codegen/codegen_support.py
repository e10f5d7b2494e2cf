"""Helpers the codegen tests share: generate spec text into a folder and import it."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from codegen import render_component
from spec_lang import ast, load_source

REPO = Path(__file__).parents[2]
SPECS = REPO / "specs"
CORPUS = REPO / "tests" / "verifier" / "corpus"


def every_node_spec() -> str:
    """The spec language tests' spec that uses every node kind at least once."""
    path = REPO / "tests" / "spec_lang" / "lang_support.py"
    spec = importlib.util.spec_from_file_location("lang_support_for_codegen", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.EVERY_NODE_SPEC
    return text


def ruff() -> str | None:
    """The ruff executable beside this interpreter, or on PATH."""
    beside = Path(sys.executable).with_name("ruff")
    return str(beside) if beside.is_file() else shutil.which("ruff")


def write_generated(spec: ast.SpecFile, folder: Path) -> list[Path]:
    """Render every component of ``spec`` into ``folder``; return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for component in spec.components:
        for name, text in render_component(component, spec, root=REPO).items():
            path = folder / name
            path.write_text(text, encoding="utf-8")
            paths.append(path)
    return paths


def import_file(path: Path) -> ModuleType:
    """Import a generated module from its file, under a name unique to the path."""
    name = f"generated_{abs(hash(str(path)))}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def model_of(source: str, folder: Path, component: str | None = None) -> type:
    """Generate the spec text's models into ``folder`` and return one model class."""
    spec = load_source(source, "test.spec")
    paths = write_generated(spec, folder)
    chosen = component or spec.components[0].name
    model_path = next(
        p for p in paths if p.name.endswith("_model.py") and _is(p, chosen)
    )
    model: type = getattr(import_file(model_path), f"{chosen}Model")
    return model


def _is(path: Path, component: str) -> bool:
    from codegen import model_file_name

    return path.name == model_file_name(component)


def run_pytest(
    tests: list[Path], env: dict[str, str], cwd: Path, *options: str
) -> subprocess.CompletedProcess[str]:
    """Run pytest on generated tests in a fresh interpreter, the way the CLI does."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), **env}
    environment.pop("PYTEST_ADDOPTS", None)
    if any(option.startswith("--hypothesis-seed") for option in options):
        # The seed must also apply in CI, where Hypothesis's profile derandomizes.
        environment["SPECFIRST_FIXED_SEED"] = "1"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *map(str, tests),
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        f"--rootdir={cwd}",
        *options,
    ]
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, check=False
    )
