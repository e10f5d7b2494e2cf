"""Helpers the runtime tests share: a generated Counter and throwaway projects."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

from codegen import generate

REPO = Path(__file__).parents[2]
COUNTER_SPEC = REPO / "tests" / "codegen" / "specs" / "counter.spec"

# A correct implementation of the Counter spec, in adapter form.
COUNTER_ADAPTER = """
class Overflow(Exception):
    pass


class CounterAdapter:
    errors = {Overflow: "Overflow"}

    def __init__(self, constants):
        self.limit = constants["limit"]
        self.value = 0

    def increment(self, by):
        if by > self.limit - self.value:
            raise Overflow(by)
        self.value += by
        return self.value

    def reset(self):
        self.value = 0

    def remaining(self):
        return self.limit - self.value

    def observe(self):
        phase = "Full" if self.value == self.limit else "Counting"
        return {"value": self.value, "phase": phase}
"""

_unique = itertools.count()


def generate_counter(folder: Path) -> Path:
    """Generate the Counter model and contract test into ``folder``."""
    generate([COUNTER_SPEC], folder, root=REPO)
    return folder / "test_counter_contract.py"


def import_test_module(path: Path) -> ModuleType:
    name = f"generated_test_{next(_unique)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def make_project(root: Path, adapter_source: str | None, extra: str = "") -> str:
    """A project at ``root`` binding Counter to an adapter module written there.

    Returns the adapter module's name, unique per call so imports never clash.
    """
    root.mkdir(parents=True, exist_ok=True)
    module = f"counter_adapter_{next(_unique)}"
    lines = ["[tool.specfirst]", "[tool.specfirst.components.Counter]"]
    if adapter_source is not None:
        (root / f"{module}.py").write_text(adapter_source, encoding="utf-8")
        lines.append(f'adapter = "{module}:CounterAdapter"')
    lines.append(extra)
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return module
