"""Red flags on small projects, in-process."""

from pathlib import Path

from gate_support import approve, gate, write_project

from specfirst.gate import GateResult
from specfirst.phases import Phase


def raised(result: GateResult, name: str) -> list[str]:
    return [f.message for f in result.findings if f.criterion == f"red-flags.{name}"]


def add_module(root: Path, path: str) -> None:
    module = root / path
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text("class Switch:\n    pass\n", encoding="utf-8")


def test_no_module_no_flag(tmp_path: Path) -> None:
    assert raised(gate(write_project(tmp_path)), "unapproved-implementation") == []


def test_module_for_unapproved_component_raises_flag(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    add_module(root, "impl/switch.py")
    result = gate(root)
    (message,) = raised(result, "unapproved-implementation")
    assert message.startswith("impl/switch.py implements Switch")
    assert "specs/switch.spec is not approved" in message
    assert not result.passed


def test_module_for_approved_component_raises_none(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    approve(root, "specs/switch.spec", "ada", "grace")
    add_module(root, "impl/switch.py")
    assert raised(gate(root), "unapproved-implementation") == []


def test_module_for_component_without_spec_raises_flag(tmp_path: Path) -> None:
    root = write_project(tmp_path, more=("Lamp",))
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[tool.specfirst.components.Lamp]\nimplementation = "impl/lamp"\n'
        )
    add_module(root, "impl/lamp/bulb.py")
    (message,) = raised(gate(root), "unapproved-implementation")
    assert message == (
        "impl/lamp implements Lamp, but it has no spec: implementation comes "
        "after the spec's review cycles"
    )


def test_claimed_phase_with_failing_earlier_gate_raises_flag(tmp_path: Path) -> None:
    root = write_project(tmp_path, phase="contracts")
    result = gate(root, Phase.SPECIFICATIONS)
    (message,) = raised(result, "phase-claim")
    assert "the manifest says the project is in phase 1, contracts" in message
    assert "the specifications gate has" in message


def test_claim_of_phase_0_needs_no_earlier_gate(tmp_path: Path) -> None:
    result = gate(write_project(tmp_path), Phase.SPECIFICATIONS)
    assert raised(result, "phase-claim") == []


def test_missing_spec_unflagged_in_phase_0(tmp_path: Path) -> None:
    result = gate(write_project(tmp_path, more=("Lamp",)), Phase.SPECIFICATIONS)
    assert raised(result, "missing-spec") == []
    assert any(f.subject == "Lamp" for f in result.findings)


def test_missing_spec_flagged_after_phase_0(
    tmp_path: Path,
) -> None:
    root = write_project(tmp_path, more=("Lamp",), phase="implementation")
    result = gate(root, Phase.SPECIFICATIONS)
    assert raised(result, "missing-spec") == [
        "the required spec Lamp is missing from the set"
    ]
