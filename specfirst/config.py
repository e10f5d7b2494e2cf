"""The project config: the ``[tool.specfirst]`` table of a project's pyproject.toml.

```toml
[tool.specfirst]
specs = ["specs"]                 # spec files or folders, relative to the root
build_dir = "build/specfirst"     # where generated files go
timeout_ms = 10000                # per-obligation solver time limit
depth = 8                         # steps of the runs that temporal checks search

[tool.specfirst.components.CircuitBreaker]
adapter = "adapters.circuit_breaker:CircuitBreakerAdapter"
constants = { failure_threshold = 3 }   # optional: pin some constants in tests
max_examples = 200                      # optional: Hypothesis examples per test
step_count = 50                         # optional: steps per example
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT_MS = 10_000
DEFAULT_DEPTH = 8
DEFAULT_MAX_EXAMPLES = 100
DEFAULT_STEP_COUNT = 50


class ConfigError(Exception):
    """The project config is missing, unreadable or invalid; the message says where."""


@dataclass(frozen=True)
class ComponentBinding:
    """How a spec component reaches its implementation."""

    component: str
    adapter: str | None
    constants: dict[str, int] = field(default_factory=dict)
    max_examples: int = DEFAULT_MAX_EXAMPLES
    step_count: int = DEFAULT_STEP_COUNT


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    spec_paths: tuple[Path, ...]
    build_dir: Path
    timeout_ms: int
    components: dict[str, ComponentBinding]
    depth: int = DEFAULT_DEPTH

    def binding(self, component: str) -> ComponentBinding:
        """Return the component's binding; an unbound component has no adapter."""
        return self.components.get(component, ComponentBinding(component, None))

    def spec_files(self) -> list[Path]:
        """List the spec files the config names, folders expanded, sorted."""
        files: list[Path] = []
        for path in self.spec_paths:
            if path.is_dir():
                files.extend(sorted(path.rglob("*.spec")))
            else:
                files.append(path)
        return files


def find_root(start: Path) -> Path | None:
    """Return the nearest folder at or above ``start`` whose pyproject.toml has
    a ``[tool.specfirst]`` table."""
    for folder in [start, *start.parents]:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "specfirst" in read_toml(pyproject).get("tool", {}):
            return folder
    return None


def load_config(root: Path) -> ProjectConfig:
    """Read ``root/pyproject.toml``; without ``[tool.specfirst]``, use defaults.

    Raises:
        ConfigError: naming the file, the key and the bad value.
    """
    pyproject = root / "pyproject.toml"
    table: dict[str, Any] = {}
    if pyproject.is_file():
        table = read_toml(pyproject).get("tool", {}).get("specfirst", {})
    where = f"{pyproject}: [tool.specfirst]"
    specs = typed_value(table, "specs", list, ["specs"], where)
    build_dir = typed_value(table, "build_dir", str, "build/specfirst", where)
    timeout_ms = typed_value(table, "timeout_ms", int, DEFAULT_TIMEOUT_MS, where)
    if timeout_ms <= 0:
        raise ConfigError(f"{where}: timeout_ms must be positive, got {timeout_ms!r}")
    depth = typed_value(table, "depth", int, DEFAULT_DEPTH, where)
    if depth <= 0:
        raise ConfigError(f"{where}: depth must be positive, got {depth!r}")
    components_table = typed_value(table, "components", dict, {}, where)
    components = {
        name: _binding(name, value, f"{where}.components.{name}")
        for name, value in components_table.items()
    }
    return ProjectConfig(
        root=root,
        spec_paths=tuple(root / str(p) for p in specs),
        build_dir=root / build_dir,
        timeout_ms=timeout_ms,
        components=components,
        depth=depth,
    )


def _binding(name: str, value: Any, where: str) -> ComponentBinding:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table, got {value!r}")
    constants = typed_value(value, "constants", dict, {}, where)
    for key, const in constants.items():
        if not isinstance(const, int) or isinstance(const, bool):
            raise ConfigError(
                f"{where}.constants: {key} must be an integer, got {const!r}"
            )
    max_examples = typed_value(value, "max_examples", int, DEFAULT_MAX_EXAMPLES, where)
    step_count = typed_value(value, "step_count", int, DEFAULT_STEP_COUNT, where)
    for key, number in (("max_examples", max_examples), ("step_count", step_count)):
        if number < 1:
            raise ConfigError(f"{where}: {key} must be at least 1, got {number!r}")
    return ComponentBinding(
        component=name,
        adapter=typed_value(value, "adapter", str, None, where),
        constants=dict(constants),
        max_examples=max_examples,
        step_count=step_count,
    )


def typed_value(
    table: dict[str, Any], key: str, kind: type, default: Any, where: str
) -> Any:
    """Return ``table[key]`` checked to be a ``kind``, or ``default`` when absent.

    Raises:
        ConfigError: naming ``where``, the key and the bad value.
    """
    if key not in table:
        return default
    value = table[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(
            f"{where}: {key} must be {kind.__name__}, "
            f"got {value!r} ({type(value).__name__})"
        )
    return value


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; an unreadable or invalid one is a ConfigError."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
