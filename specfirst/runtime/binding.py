"""Choose what a generated contract test runs against, and reach it.

``SPECFIRST_TARGET`` picks the target: ``impl`` (the default) builds the
adapter named by the project config, ``model`` builds a :class:`ModelAdapter`
around a second, unchecked instance of the reference model, which is how the
reference models are shown to pass their own tests.

The project root is ``SPECFIRST_ROOT`` or the nearest folder above the test
(then above the working directory) whose pyproject.toml has a
``[tool.specfirst]`` table. Adapters are imported with the root on
``sys.path``, so a project's own adapters need not be installed.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from specfirst.config import (
    ComponentBinding,
    ConfigError,
    ProjectConfig,
    find_root,
    load_config,
)
from specfirst.runtime.errors import BindingError, ModelError
from specfirst.runtime.model import Signature, SpecModel

log = logging.getLogger(__name__)

TARGET_ENV = "SPECFIRST_TARGET"
ROOT_ENV = "SPECFIRST_ROOT"
MAX_EXAMPLES_ENV = "SPECFIRST_MAX_EXAMPLES"
STEP_COUNT_ENV = "SPECFIRST_STEP_COUNT"
# Set by runs whose seed pytest's --hypothesis-seed fixes: the same seed must
# give the same draws on every machine, so neither a CI profile's
# derandomization nor a local example database may replace it.
FIXED_SEED_ENV = "SPECFIRST_FIXED_SEED"


class Target(Enum):
    IMPL = "impl"
    MODEL = "model"


def selected_target() -> Target:
    value = os.environ.get(TARGET_ENV, Target.IMPL.value).strip().lower()
    try:
        return Target(value)
    except ValueError:
        raise BindingError(
            f"{TARGET_ENV}={value!r} is not a target; use 'impl' or 'model'"
        ) from None


def project_root(near: Path | None = None) -> Path | None:
    """``$SPECFIRST_ROOT``, else the nearest project root above ``near`` or the cwd."""
    explicit = os.environ.get(ROOT_ENV)
    if explicit:
        root = Path(explicit)
        if not root.is_dir():
            raise BindingError(f"{ROOT_ENV}={explicit!r} is not a folder")
        return root.resolve()
    for start in (near, Path.cwd()):
        if start is not None:
            found = find_root(start.resolve())
            if found is not None:
                return found
    return None


@dataclass(frozen=True)
class Binding:
    """Everything a contract test needs to run one component against one target."""

    component: str
    model_class: type[SpecModel]
    target: Target
    implementation: Callable[[Mapping[str, int]], Any]
    pinned: dict[str, int] = field(default_factory=dict)
    max_examples: int = 100
    step_count: int = 50
    fixed_seed: bool = False
    where: str = ""  # the config table, for messages


def bind(component: str, model_class: type[SpecModel], near: Path | None) -> Binding:
    """Resolve the target, the config and the implementation of ``component``.

    Raises:
        BindingError: naming the component and the config key to fix.
    """
    target = selected_target()
    root = project_root(near)
    config = _load(root)
    binding = config.binding(component) if config else ComponentBinding(component, None)
    where = _where(root, component)
    names = [c.name for c in model_class._sf_constants]
    unknown = sorted(set(binding.constants) - set(names))
    if unknown:
        declared = ", ".join(names) or "none"
        raise BindingError(
            f"{component}: {where}.constants pins {', '.join(unknown)}, which the "
            f"spec does not declare (it declares {declared})"
        )
    if target is Target.MODEL:
        factory: Callable[[Mapping[str, int]], Any] = _model_factory(model_class)
    else:
        factory = _adapter_class(binding, root, where, model_class)
    return Binding(
        component=component,
        model_class=model_class,
        target=target,
        implementation=factory,
        pinned=dict(binding.constants),
        max_examples=_env_count(MAX_EXAMPLES_ENV, binding.max_examples),
        step_count=_env_count(STEP_COUNT_ENV, binding.step_count),
        fixed_seed=os.environ.get(FIXED_SEED_ENV, "").strip() == "1",
        where=where,
    )


def _load(root: Path | None) -> ProjectConfig | None:
    if root is None:
        return None
    try:
        return load_config(root)
    except ConfigError as exc:
        raise BindingError(str(exc)) from None


def _where(root: Path | None, component: str) -> str:
    pyproject = root / "pyproject.toml" if root else Path("pyproject.toml")
    return f"{pyproject}: [tool.specfirst.components.{component}]"


def _env_count(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise BindingError(f"{name}={value!r} must be a positive integer")
    return number


def _model_factory(model_class: type[SpecModel]) -> Callable[[Mapping[str, int]], Any]:
    def create(constants: Mapping[str, int]) -> ModelAdapter:
        return ModelAdapter(model_class, constants)

    return create


def _adapter_class(
    binding: ComponentBinding,
    root: Path | None,
    where: str,
    model_class: type[SpecModel],
) -> type[Any]:
    component = binding.component
    if root is None:
        raise BindingError(
            f"{component}: no project config found (a pyproject.toml with a "
            f"[tool.specfirst] table) above the test or the working directory; "
            f"set {ROOT_ENV}, or run the reference model with {TARGET_ENV}=model"
        )
    if binding.adapter is None:
        raise BindingError(
            f'{component}: no adapter is configured; set adapter = "module:Class" '
            f"in {where}, or run the reference model with {TARGET_ENV}=model"
        )
    adapter = _import(binding.adapter, root, component, where)
    problems = adapter_problems(adapter, model_class)
    if problems:
        raise BindingError(
            f"{component}: adapter {binding.adapter!r} ({where}.adapter) does not "
            f"fit the spec: {'; '.join(problems)}"
        )
    return adapter


def _import(spec: str, root: Path, component: str, where: str) -> type[Any]:
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise BindingError(
            f"{component}: {where}.adapter = {spec!r} must be 'module:Class'"
        )
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any failure to import is the config's to fix
        raise BindingError(
            f"{component}: cannot import adapter module {module_name!r} named by "
            f"{where}.adapter: {type(exc).__name__}: {exc}"
        ) from exc
    adapter = getattr(module, class_name, None)
    if not isinstance(adapter, type):
        raise BindingError(
            f"{component}: module {module_name!r} has no class {class_name!r} "
            f"(named by {where}.adapter)"
        )
    return adapter


def adapter_problems(adapter: type[Any], model_class: type[SpecModel]) -> list[str]:
    """List what keeps ``adapter`` from following the protocol for ``model_class``."""
    problems = []
    missing = [
        f"{s.kind} {s.name}()"
        for s in model_class._sf_operations
        if not callable(getattr(adapter, s.method, None))
    ]
    if missing:
        problems.append(f"no method for {', '.join(missing)}")
    errors = getattr(adapter, "errors", {})
    if not isinstance(errors, Mapping):
        problems.append(
            f"errors must be a dict of exception class to name, got {errors!r}"
        )
        return problems
    unknown = sorted(
        str(name) for name in errors.values() if name not in model_class._sf_errors
    )
    if unknown:
        declared = ", ".join(model_class._sf_errors) or "none"
        problems.append(
            f"errors maps to {', '.join(unknown)}, which the spec does not declare "
            f"(declared: {declared})"
        )
    return problems


class ModelAdapter:
    """The adapter protocol around an unchecked instance of a reference model.

    Each spec error is raised as its own exception class, mapped in ``errors``
    like any implementation's. Operations without an effect are not
    available: a model cannot compute their post-state.
    """

    def __init__(
        self, model_class: type[SpecModel], constants: Mapping[str, int]
    ) -> None:
        self.model = model_class(constants, checked=False)
        self._constants = dict(constants)
        self.errors: dict[type[BaseException], str] = {
            _error_class(name): name for name in model_class._sf_errors
        }
        self._signatures = {s.method: s for s in model_class._sf_operations}

    def supports(self, signature: Signature) -> bool:
        return signature.has_effect

    def __getattr__(self, method: str) -> Callable[..., object]:
        signatures = self.__dict__.get("_signatures", {})
        signature = signatures.get(method)
        if signature is None or not signature.has_effect:
            raise AttributeError(method)
        operation = getattr(self.model, method)

        def perform(*args: object) -> object:
            try:
                return operation(*args)
            except ModelError as exc:
                raise _error_class(exc.error)(exc.error) from None

        return perform

    def observe(self) -> dict[str, object]:
        return self.model._sf_state()

    def _sf_restart(self, keeps: tuple[str, ...] | None) -> None:
        """Apply a failure mode to the model. It keeps the variables in ``keeps``
        (all of them when None) and restarts the others at their ``init`` values."""
        if keeps is None:
            return
        kept = {name: value for name, value in self.observe().items() if name in keeps}
        fresh = type(self.model)(self._constants, checked=False)
        self.model = fresh._sf_with_state(kept)


_ERROR_CLASSES: dict[str, type[Exception]] = {}


def _error_class(name: str) -> type[Exception]:
    """Return the exception class of a spec error, shared by every model adapter."""
    if name not in _ERROR_CLASSES:
        _ERROR_CLASSES[name] = type(name, (Exception,), {"__module__": __name__})
    return _ERROR_CLASSES[name]
