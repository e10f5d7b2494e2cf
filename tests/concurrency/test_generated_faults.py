"""Generated fault tests: crashes and recoveries among the contract test's steps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from concurrency_support import (
    REGISTRY_SPEC,
    REPO,
    SPECS,
    Generated,
    generate_component,
    project,
    run_pytest,
)
from hypothesis import settings
from registry_components import RegistryAdapter

from specfirst.runtime.coverage import RECORDER
from specfirst.runtime.errors import ContractMismatch
from specfirst.runtime.examples import EXAMPLE_DIR_ENV
from specfirst.runtime.faults import (
    FailureMode,
    FaultMachine,
    default_failure,
    fault_machine,
)

QUICK = "max_examples = 40"
# What the lossy registry's recovery breaks: the failure mode's ensures.
LOST = "breaks SlotRegistry.failure.crash.ensures.nothing_lost"


settings.register_profile("no_example_database", database=None)


@pytest.fixture(autouse=True)
def no_example_database() -> Iterator[None]:
    # The in-process runs share one generated class, so a failing example one
    # test saves would be replayed first by the next and change its failure.
    settings.load_profile("no_example_database")
    yield
    settings.load_profile("default")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    folder = tmp_path_factory.mktemp("registry")
    return generate_component(REGISTRY_SPEC, folder, "slot_registry", "SlotRegistry")


def _run(
    registry: Generated, adapter: str, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run the generated fault test, in this process, against ``adapter``."""
    project(root, "SlotRegistry", f"registry_components:{adapter}", QUICK)
    monkeypatch.setenv("SPECFIRST_ROOT", str(root))
    monkeypatch.delenv("SPECFIRST_TARGET", raising=False)
    registry.faults.test_slot_registry_faults()


def test_recovery_that_loses_a_registration_fails(
    registry: Generated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ContractMismatch, match=LOST):
        _run(registry, "LossyRegistryAdapter", tmp_path, monkeypatch)


def test_failure_shows_the_crash_in_the_calls(
    registry: Generated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ContractMismatch) as raised:
        _run(registry, "LossyRegistryAdapter", tmp_path, monkeypatch)
    assert "implementation.crash()" in str(raised.value)


def test_failing_fault_run_records_no_example(
    registry: Generated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A replay of the calls alone would leave out the crash that broke it.
    monkeypatch.setenv(EXAMPLE_DIR_ENV, str(tmp_path / "examples"))
    with pytest.raises(ContractMismatch) as raised:
        _run(registry, "LossyRegistryAdapter", tmp_path, monkeypatch)
    assert raised.value.example is None
    assert not (tmp_path / "examples").exists()


def test_journaled_registry_recovers_everything(
    registry: Generated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(registry, "RegistryAdapter", tmp_path, monkeypatch)


def test_adapter_without_crash_is_skipped(
    registry: Generated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(pytest.skip.Exception, match=r"no crash\(\) and no recover"):
        _run(registry, "NoCrashAdapter", tmp_path, monkeypatch)


def test_model_target_counts_failure_ensures(
    registry: Generated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The model target has no process to crash: the failure mode moves it, and
    # the failure's ensures are evaluated on the state it moved to.
    monkeypatch.setenv("SPECFIRST_TARGET", "model")
    project(tmp_path, "SlotRegistry", "registry_components:RegistryAdapter", QUICK)
    monkeypatch.setenv("SPECFIRST_ROOT", str(tmp_path))
    ensures = "SlotRegistry.failure.crash.ensures.nothing_lost"
    RECORDER.clear()
    registry.faults.test_slot_registry_faults()
    counts = RECORDER.clauses.get(ensures, {"held": 0, "failed": 0})
    crashes = RECORDER.operations.get("SlotRegistry.failure.crash", {"calls": 0})
    RECORDER.clear()
    assert counts["held"] > 0
    assert counts["failed"] == 0
    assert crashes["calls"] > 0


def test_generated_fault_test_fails_under_pytest(
    registry: Generated, tmp_path: Path
) -> None:
    root = project(
        tmp_path / "lossy",
        "SlotRegistry",
        "registry_components:LossyRegistryAdapter",
        QUICK,
    )
    done = run_pytest(
        [registry.file("faults")], {"SPECFIRST_ROOT": str(root)}, tmp_path
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "breaks SlotRegistry.failure.crash.ensures.nothing_lost" in done.stdout


def test_breaker_fault_test_crashes_and_passes(tmp_path: Path) -> None:
    breaker = generate_component(
        SPECS / "circuit_breaker.spec", tmp_path, "circuit_breaker", "CircuitBreaker"
    )
    done = run_pytest([breaker.file("faults")], {"SPECFIRST_ROOT": str(REPO)}, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


# --- the machine ------------------------------------------------------------------


def test_spec_failure_mode_is_generated(registry: Generated) -> None:
    (mode,) = registry.faults.FAILURES
    assert mode.clause_id == "SlotRegistry.failure.crash"
    assert mode.keeps == ("used0", "used1", "used2", "count")


def test_spec_without_failure_modes_loses_nothing(registry: Generated) -> None:
    machine = fault_machine(registry.contract, ())
    assert (default_failure("SlotRegistry"),) == machine.FAILURES
    assert machine.FAILURES[0].keeps is None


def test_fault_machine_keeps_every_contract_rule(registry: Generated) -> None:
    machine = fault_machine(registry.contract, ())
    assert issubclass(machine, FaultMachine)
    assert issubclass(machine, registry.contract)


def test_fault_machine_is_named_after_the_component(registry: Generated) -> None:
    assert fault_machine(registry.contract, ()).__name__ == "SlotRegistryFaults"


def _started(registry: Generated, mode: FailureMode) -> FaultMachine:
    """A fault machine for the registry, bound to the real adapter and begun."""
    machine = fault_machine(registry.contract, (mode,), ("register",))
    bound = type(
        machine.__name__, (machine,), {"BINDING": registry.binding(RegistryAdapter)}
    )
    instance = bound()
    instance.begin()
    return instance


def test_crash_restarts_what_the_failure_mode_does_not_keep(
    registry: Generated,
) -> None:
    mode = FailureMode("crash", "SlotRegistry.failure.crash", keeps=("used0",))
    machine = _started(registry, mode)
    machine.model.used0 = True
    machine.model.count = 1
    with pytest.raises(ContractMismatch, match="does not re-establish"):
        machine.crash_and_recover(mode)


def test_crash_during_an_operation_keeps_it_or_not(registry: Generated) -> None:
    mode = default_failure("SlotRegistry")
    machine = _started(registry, mode)
    machine._crash_next = mode
    machine.step("register", 1)
    observed = machine._implementation.observe()
    assert machine.model._sf_state() == observed


def test_crash_during_an_operation_is_in_the_calls(registry: Generated) -> None:
    mode = default_failure("SlotRegistry")
    machine = _started(registry, mode)
    machine._crash_next = mode
    machine.step("register", 1)
    assert "implementation.register(1)  # cut short by a crash" in machine.trace
