"""The project manifest: what the gates require, read from ``[tool.specfirst]``.

```toml
[tool.specfirst]
phase = "specifications"          # the phase the project is in
seed = 0                          # Hypothesis's seed in the gates' test runs

[tool.specfirst.required]
components = ["CircuitBreaker", "RateLimiter"]   # component specs that must exist
system = ["Integration"]                         # system-level specs that must exist

[tool.specfirst.reviews]
cycles = 3         # approving reviews of a spec's current content
reviewers = 2      # distinct reviewers among those approvals

[tool.specfirst.scale]             # phase 2 runs the generated tests at this size
max_examples = 200
step_count = 100

[tool.specfirst.components.CircuitBreaker]
implementation = ["reference_impl/circuit_breaker.py"]   # files or folders
```

The phase a project is in claims that every earlier phase is complete; the
red flags hold the project to that claim. The gates run the generated tests
with a fixed seed, so that the same commit gets the same verdict: a clause
that one run exercises and the next does not would make the gate flap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specfirst.config import ConfigError, read_toml, typed_value
from specfirst.phases import PHASE_NAMES, Phase, parse_phase

PYPROJECT = "pyproject.toml"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class ReviewPolicy:
    """How many approvals a spec's current content needs, by how many people."""

    cycles: int = 3
    reviewers: int = 2


@dataclass(frozen=True)
class Scale:
    """The size of the phase 2 test runs."""

    max_examples: int = 200
    step_count: int = 100


@dataclass(frozen=True)
class Manifest:
    root: Path
    phase: Phase
    components: tuple[str, ...]
    system: tuple[str, ...]
    implementations: dict[str, tuple[str, ...]]
    reviews: ReviewPolicy
    scale: Scale
    seed: int = 0

    @property
    def required(self) -> tuple[str, ...]:
        """Every required spec: the components, then the system-level specs."""
        return (*self.components, *self.system)

    def implementation_paths(self, component: str) -> tuple[Path, ...]:
        return tuple(self.root / p for p in self.implementations.get(component, ()))


def load_manifest(root: Path) -> Manifest:
    """Read the manifest from ``root/pyproject.toml``; absent keys take defaults.

    Raises:
        ConfigError: naming the table, the key and the bad value.
    """
    pyproject = root / PYPROJECT
    table: dict[str, Any] = {}
    if pyproject.is_file():
        table = read_toml(pyproject).get("tool", {}).get("specfirst", {})
    where = f"{pyproject}: [tool.specfirst]"
    required = typed_value(table, "required", dict, {}, where)
    components = _names(required, "components", f"{where}.required")
    system = _names(required, "system", f"{where}.required")
    clash = sorted(set(components) & set(system))
    if clash:
        raise ConfigError(
            f"{where}.required: {', '.join(clash)} listed both as a component "
            "and as a system-level spec"
        )
    return Manifest(
        root=root,
        phase=_phase(table, where),
        components=components,
        system=system,
        implementations=_implementations(table, where),
        reviews=_review_policy(typed_value(table, "reviews", dict, {}, where), where),
        scale=_scale(typed_value(table, "scale", dict, {}, where), where),
        seed=_seed(table, where),
    )


def _phase(table: dict[str, Any], where: str) -> Phase:
    text = typed_value(table, "phase", str, Phase.SPECIFICATIONS.value, where)
    phase = parse_phase(text)
    if phase is None:
        raise ConfigError(
            f"{where}: phase must be one of {', '.join(PHASE_NAMES)}, got {text!r}"
        )
    return phase


def _seed(table: dict[str, Any], where: str) -> int:
    seed: int = typed_value(table, "seed", int, 0, where)
    if seed < 0:
        raise ConfigError(f"{where}: seed must not be negative, got {seed!r}")
    return seed


def _names(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    names = typed_value(table, key, list, [], where)
    for name in names:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigError(f"{where}: {key} must list spec names, got {name!r}")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{where}: {key} lists {', '.join(duplicates)} twice")
    return tuple(names)


def _implementations(table: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    components = typed_value(table, "components", dict, {}, where)
    paths: dict[str, tuple[str, ...]] = {}
    for name, binding in components.items():
        if not isinstance(binding, dict) or "implementation" not in binding:
            continue
        value = binding["implementation"]
        listed = [value] if isinstance(value, str) else value
        if not isinstance(listed, list) or not all(
            isinstance(p, str) and p.strip() for p in listed
        ):
            raise ConfigError(
                f"{where}.components.{name}: implementation must be a path or a "
                f"list of paths, got {value!r}"
            )
        paths[name] = tuple(listed)
    return paths


def _review_policy(table: dict[str, Any], where: str) -> ReviewPolicy:
    where = f"{where}.reviews"
    defaults = ReviewPolicy()
    cycles = _at_least_one(table, "cycles", defaults.cycles, where)
    reviewers = _at_least_one(table, "reviewers", defaults.reviewers, where)
    if reviewers > cycles:
        raise ConfigError(
            f"{where}: reviewers ({reviewers}) cannot exceed cycles ({cycles}): "
            "each reviewer counts through an approving cycle"
        )
    return ReviewPolicy(cycles, reviewers)


def _scale(table: dict[str, Any], where: str) -> Scale:
    where = f"{where}.scale"
    defaults = Scale()
    return Scale(
        _at_least_one(table, "max_examples", defaults.max_examples, where),
        _at_least_one(table, "step_count", defaults.step_count, where),
    )


def _at_least_one(table: dict[str, Any], key: str, default: int, where: str) -> int:
    value: int = typed_value(table, key, int, default, where)
    if value < 1:
        raise ConfigError(f"{where}: {key} must be at least 1, got {value!r}")
    return value


def manifest_line(root: Path, table: str, key: str | None = None) -> int:
    """The line of ``key`` in ``[table]`` of the pyproject (the header's without a
    key, 1 when neither is there), so findings about the manifest point at it."""
    try:
        lines = (root / PYPROJECT).read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    header, current = 0, ""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped.strip("[] ")
            if current == table:
                header = number
        elif current == table and key and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return header or 1
