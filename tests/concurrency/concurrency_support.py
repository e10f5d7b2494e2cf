"""Generated concurrency and fault tests for the tests here, and ways to run them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from codegen import generate
from specfirst.runtime.binding import Binding, Target
from specfirst.runtime.concurrency import (
    RunReport,
    Sizes,
    load_generated,
    run_once,
)
from specfirst.runtime.contract import ContractMachine, load_model

REPO = Path(__file__).parents[2]
HERE = Path(__file__).parent
SPECS = REPO / "specs"
REGISTRY_SPEC = HERE / "specs" / "slot_registry.spec"

# A burst size that runs in well under a second and still interleaves.
SMALL = Sizes(runs=1, threads=4, operations=60, bursts=4)


@dataclass(frozen=True)
class Generated:
    """One component's generated tests in a folder, loaded."""

    folder: Path
    snake: str
    contract: type[ContractMachine]
    concurrency: ModuleType
    faults: ModuleType

    def binding(
        self, adapter: type[Any], pinned: Mapping[str, int] | None = None
    ) -> Binding:
        model = load_model(self.contract.MODEL, self.folder)
        return Binding(
            self.contract.COMPONENT, model, Target.IMPL, adapter, dict(pinned or {})
        )

    def run(
        self,
        adapter: type[Any],
        pinned: Mapping[str, int] | None = None,
        sizes: Sizes = SMALL,
        seed: int = 0,
    ) -> RunReport:
        """Run one run of the generated concurrency test, in this process."""
        module = self.concurrency
        return run_once(
            self.contract,
            self.binding(adapter, pinned),
            module.OPERATIONS,
            module.ENVIRONMENT,
            sizes,
            seed,
        )

    def file(self, kind: str) -> Path:
        return self.folder / f"test_{self.snake}_{kind}.py"


def generate_component(spec: Path, folder: Path, snake: str, name: str) -> Generated:
    generate([spec], folder, root=REPO)
    contract = load_generated(f"test_{snake}_contract:{name}Contract", folder)
    concurrency = _import(folder / f"test_{snake}_concurrency.py")
    faults = _import(folder / f"test_{snake}_faults.py")
    return Generated(folder, snake, contract, concurrency, faults)


def _import(path: Path) -> ModuleType:
    import importlib.util

    name = f"generated_{abs(hash(str(path)))}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def project(root: Path, component: str, adapter: str, extra: str = "") -> Path:
    """A project at ``root`` binding ``component`` to ``adapter`` (module:Class)."""
    root.mkdir(parents=True, exist_ok=True)
    lines = [
        "[tool.specfirst]",
        f"[tool.specfirst.components.{component}]",
        f'adapter = "{adapter}"',
        extra,
    ]
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def run_pytest(
    tests: list[Path], env: Mapping[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run generated tests in a fresh interpreter, the way the CLI does."""
    path = os.pathsep.join([str(REPO), str(HERE)])
    environment = {**os.environ, "PYTHONPATH": path, **env}
    environment.pop("PYTEST_ADDOPTS", None)
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
    ]
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, check=False
    )
