"""Binding a component to its target: config, adapters and their problems."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from runtime_support import COUNTER_ADAPTER, REPO, generate_counter, make_project

from adapters.circuit_breaker import CircuitBreakerAdapter
from adapters.rate_limiter import RateLimiterAdapter
from codegen import generate
from specfirst.runtime import (
    BindingError,
    ModelAdapter,
    SpecModel,
    Target,
    adapter_problems,
    bind,
    selected_target,
)
from specfirst.runtime.contract import contract_settings, load_model


@pytest.fixture
def counter_model(tmp_path: Path) -> type[SpecModel]:
    generate_counter(tmp_path / "generated")
    return load_model("counter_model:CounterModel", tmp_path / "generated")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    monkeypatch.setenv("SPECFIRST_ROOT", str(root))
    monkeypatch.delenv("SPECFIRST_TARGET", raising=False)
    monkeypatch.delenv("SPECFIRST_MAX_EXAMPLES", raising=False)
    monkeypatch.delenv("SPECFIRST_FIXED_SEED", raising=False)
    return root


@pytest.fixture
def ci_profile() -> Iterator[None]:
    """Hypothesis's own CI profile, the one it loads where ``CI`` is set."""
    settings.load_profile("ci")
    yield
    settings.load_profile("default")


def test_implementation_is_the_default_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SPECFIRST_TARGET", raising=False)
    assert selected_target() is Target.IMPL


def test_unknown_target_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECFIRST_TARGET", "production")
    with pytest.raises(BindingError, match="use 'impl' or 'model'"):
        selected_target()


def test_root_that_is_not_a_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECFIRST_ROOT", str(tmp_path / "nowhere"))
    with pytest.raises(BindingError, match="is not a folder"):
        bind("Counter", SpecModel, None)


def test_configured_adapter_is_bound(
    project: Path, counter_model: type[SpecModel]
) -> None:
    module = make_project(project, COUNTER_ADAPTER)
    binding = bind("Counter", counter_model, None)
    assert binding.implementation.__module__ == module


def test_model_target_needs_no_adapter(
    project: Path, counter_model: type[SpecModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(project, None)
    monkeypatch.setenv("SPECFIRST_TARGET", "model")
    binding = bind("Counter", counter_model, None)
    assert isinstance(binding.implementation({"limit": 3}), ModelAdapter)


def test_missing_adapter_names_component_and_key(
    project: Path, counter_model: type[SpecModel]
) -> None:
    make_project(project, None)
    with pytest.raises(BindingError) as raised:
        bind("Counter", counter_model, None)
    message = str(raised.value)
    assert message.startswith("Counter: no adapter is configured")
    assert (
        f"{project / 'pyproject.toml'}: [tool.specfirst.components.Counter]" in message
    )


def test_adapter_import_error_is_reported(
    project: Path, counter_model: type[SpecModel]
) -> None:
    make_project(project, "import no_such_module_anywhere\n" + COUNTER_ADAPTER)
    with pytest.raises(
        BindingError, match=r"cannot import adapter module .*No module named"
    ):
        bind("Counter", counter_model, None)


def test_missing_adapter_class_is_reported(
    project: Path, counter_model: type[SpecModel]
) -> None:
    make_project(
        project, COUNTER_ADAPTER.replace("class CounterAdapter", "class Other")
    )
    with pytest.raises(BindingError, match="has no class 'CounterAdapter'"):
        bind("Counter", counter_model, None)


def test_adapter_without_a_method_does_not_fit(
    project: Path, counter_model: type[SpecModel]
) -> None:
    make_project(project, COUNTER_ADAPTER.replace("def remaining", "def left"))
    with pytest.raises(BindingError, match=r"no method for query remaining\(\)"):
        bind("Counter", counter_model, None)


def test_adapter_mapping_undeclared_error_fails(
    project: Path, counter_model: type[SpecModel]
) -> None:
    make_project(project, COUNTER_ADAPTER.replace('"Overflow"}', '"TooMuch"}'))
    with pytest.raises(BindingError, match="TooMuch, which the spec does not declare"):
        bind("Counter", counter_model, None)


def test_pinning_an_undeclared_constant_is_refused(
    project: Path, counter_model: type[SpecModel]
) -> None:
    make_project(project, COUNTER_ADAPTER, "constants = { limt = 3 }")
    with pytest.raises(
        BindingError, match="pins limt, which the spec does not declare"
    ):
        bind("Counter", counter_model, None)


def test_environment_overrides_example_count(
    project: Path, counter_model: type[SpecModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(project, COUNTER_ADAPTER, "max_examples = 7")
    monkeypatch.setenv("SPECFIRST_MAX_EXAMPLES", "1000")
    assert bind("Counter", counter_model, None).max_examples == 1000


@pytest.mark.usefixtures("ci_profile")
def test_fixed_seed_outranks_the_ci_profile(
    project: Path, counter_model: type[SpecModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(project, COUNTER_ADAPTER)
    monkeypatch.setenv("SPECFIRST_FIXED_SEED", "1")
    chosen = contract_settings(bind("Counter", counter_model, None))
    assert (chosen.derandomize, chosen.database) == (False, None)


@pytest.mark.usefixtures("ci_profile")
def test_without_a_fixed_seed_the_profile_rules(
    project: Path, counter_model: type[SpecModel]
) -> None:
    make_project(project, COUNTER_ADAPTER)
    assert contract_settings(bind("Counter", counter_model, None)).derandomize


def test_config_sets_the_example_count(
    project: Path, counter_model: type[SpecModel]
) -> None:
    make_project(project, COUNTER_ADAPTER, "max_examples = 7")
    assert bind("Counter", counter_model, None).max_examples == 7


def test_bad_example_count_is_refused(
    project: Path, counter_model: type[SpecModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(project, COUNTER_ADAPTER)
    monkeypatch.setenv("SPECFIRST_MAX_EXAMPLES", "lots")
    with pytest.raises(BindingError, match="must be a positive integer"):
        bind("Counter", counter_model, None)


@pytest.mark.parametrize(
    ("spec", "adapter"),
    [("circuit_breaker", CircuitBreakerAdapter), ("rate_limiter", RateLimiterAdapter)],
)
def test_bundled_adapters_fit_their_specs(
    tmp_path: Path, spec: str, adapter: type
) -> None:
    generate([REPO / "specs" / f"{spec}.spec"], tmp_path, root=REPO)
    name = "".join(part.title() for part in spec.split("_"))
    model = load_model(f"{spec}_model:{name}Model", tmp_path)
    assert adapter_problems(adapter, model) == []


def test_model_adapter_raises_errors_it_maps(
    counter_model: type[SpecModel],
) -> None:
    adapter = ModelAdapter(counter_model, {"limit": 2})
    with pytest.raises(Exception) as raised:
        adapter.increment(3)
    assert adapter.errors[type(raised.value)] == "Overflow"


def test_model_adapter_observes_the_state(counter_model: type[SpecModel]) -> None:
    adapter = ModelAdapter(counter_model, {"limit": 2})
    adapter.increment(2)
    assert adapter.observe() == {"value": 2, "phase": "Full"}


def test_model_adapter_refuses_effectless_operation(
    counter_model: type[SpecModel],
) -> None:
    adapter = ModelAdapter(counter_model, {"limit": 2})
    with pytest.raises(AttributeError):
        adapter.reset()
