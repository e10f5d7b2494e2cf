"""Phase 0 on small projects, in-process: each criterion and its findings."""

import re
from dataclasses import dataclass, fields
from pathlib import Path

from gate_support import SWITCH_SPEC, approve, gate, write_project

from spec_lang import ast, load_source
from specfirst.criteria import Outcome
from specfirst.gate import GateResult
from specfirst.phases import Phase
from specfirst.sections import SECTIONS, missing_sections


def outcomes(result: GateResult, criterion: str) -> list[Outcome]:
    phase = result.phase(Phase.SPECIFICATIONS)
    assert phase is not None
    return [o for o in phase.outcomes if o.criterion.id == criterion]


def messages(result: GateResult, criterion: str) -> list[str]:
    return [f.message for f in result.findings if f.criterion == criterion]


def test_missing_required_spec_is_a_finding(tmp_path: Path) -> None:
    root = write_project(tmp_path, more=("Lamp",), system=("Integration",))
    result = gate(root)
    found = messages(result, "specifications.spec-exists")
    assert not result.passed
    assert len(found) == 2
    assert "required component Lamp is missing" in found[0]
    assert "specs/lamp.spec" in found[0]
    assert "required system-level spec Integration is missing" in found[1]


def test_missing_spec_points_at_the_manifest(tmp_path: Path) -> None:
    root = write_project(tmp_path, more=("Lamp",))
    (finding,) = [f for f in gate(root).findings if f.subject == "Lamp"]
    lines = (root / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    assert finding.file == "pyproject.toml"
    assert lines[finding.line - 1].startswith("components = ")


def test_present_spec_meets_spec_exists(tmp_path: Path) -> None:
    (switch,) = outcomes(gate(write_project(tmp_path)), "specifications.spec-exists")
    assert switch.passed
    assert switch.file == "specs/switch.spec"


def test_each_missing_kind_of_clause_is_one_finding(tmp_path: Path) -> None:
    result = gate(write_project(tmp_path))
    found = messages(result, "specifications.sections-stated")
    assert len(found) == 4
    assert any("Switch states no safety properties" in m for m in found)
    assert any("Switch states no liveness properties" in m for m in found)
    assert any("Switch states no failure modes with recovery" in m for m in found)
    assert any("Switch states no performance bounds" in m for m in found)
    assert not any("invariants" in m for m in found)


def test_component_without_invariants_is_told_to_add_one() -> None:
    text = SWITCH_SPEC.replace("  invariant flips_counted: flips >= 0\n", "")
    component = load_source(text, "switch.spec").components[0]
    names = [m.kind.name for m in missing_sections(component)]
    assert names[0] == "invariants"


def test_stated_failure_mode_is_not_missing() -> None:
    text = SWITCH_SPEC.replace(
        "  invariant flips_counted: flips >= 0\n",
        "  invariant flips_counted: flips >= 0\n\n"
        "  failure crash {\n"
        "    keeps position, flips\n"
        "    ensures counted: flips == old(flips)\n"
        "  }\n",
    )
    component = load_source(text, "switch.spec").components[0]
    assert len(component.failures) == 1
    names = [m.kind.name for m in missing_sections(component)]
    assert "failure modes with recovery" not in names
    assert "performance bounds" in names


def test_stated_kind_of_clause_is_not_missing() -> None:
    # The AST gains one field per kind; a component that has one is complete there.
    component = load_source(SWITCH_SPEC, "switch.spec").components[0]

    @dataclass(frozen=True)
    class WithSafety(ast.Component):
        safety: tuple[str, ...] = ()

    values = {f.name: getattr(component, f.name) for f in fields(component)}
    stated = WithSafety(**values, safety=("always flips >= 0",))
    unstated = WithSafety(**values)
    assert "safety properties" not in [m.kind.name for m in missing_sections(stated)]
    (safety,) = [m for m in missing_sections(unstated) if m.kind.field == "safety"]
    assert safety.expressible
    assert "cannot state" not in safety.message("Switch")


def test_unproved_obligation_is_named(tmp_path: Path) -> None:
    broken = SWITCH_SPEC.replace(
        "flips := flips + 1\n    }\n  }\n\n  operation turn_off",
        "flips := flips - 1\n    }\n  }\n\n  operation turn_off",
    )
    result = gate(write_project(tmp_path, spec=broken))
    found = messages(result, "specifications.obligations-proved")
    (finding,) = found
    assert finding.startswith("Switch.turn_on.preserve.flips_counted is violated")


def test_spec_that_does_not_check_is_a_finding(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    (root / "specs" / "bad.spec").write_text("component Bad {\n  var x: Nope\n}\n")
    result = gate(root)
    (bad,) = [o for o in outcomes(result, "specifications.spec-checks") if not o.passed]
    assert bad.subject == "specs/bad.spec"
    assert any("SF203" in f.message for f in bad.findings)


def test_binding_no_spec_declares_is_unresolved(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[tool.specfirst.components.Swich]\nadapter = "a:B"\n')
    (finding,) = [
        f for f in gate(root).findings if f.criterion.endswith("references-resolve")
    ]
    assert "binds Swich, which no spec declares" in finding.message


def test_orphan_reviews_file_is_unresolved(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    (root / "specs" / "gone.reviews").write_text("", encoding="utf-8")
    found = messages(gate(root), "specifications.references-resolve")
    assert found == [
        "specs/gone.reviews records reviews of specs/gone.spec, which does not exist"
    ]


def test_unreviewed_spec_fails_reviews(tmp_path: Path) -> None:
    (finding,) = messages(gate(write_project(tmp_path)), "specifications.reviews-met")
    assert "0 of 2 approving review cycles" in finding
    assert "specfirst review add specs/switch.spec" in finding


def test_reviewed_spec_meets_reviews(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    approve(root, "specs/switch.spec", "ada", "grace")
    (switch,) = outcomes(gate(root), "specifications.reviews-met")
    assert switch.passed


def test_editing_a_reviewed_spec_fails_phase_0(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    approve(root, "specs/switch.spec", "ada", "grace")
    spec = root / "specs" / "switch.spec"
    spec.write_text(spec.read_text(encoding="utf-8") + "// edited\n", "utf-8")
    result = gate(root)
    assert result.reviews["specs/switch.spec"].cycles == 0
    (switch,) = outcomes(result, "specifications.reviews-met")
    assert not switch.passed
    assert not result.phases[0].passed


def test_liveness_advice_is_valid_syntax() -> None:
    (liveness,) = [kind for kind in SECTIONS if kind.field == "liveness"]
    examples = re.findall(r"`([^`]+)`", liveness.advice)
    assert len(examples) == 3
    filled = {"P": "flips == 1", "Q": "flips >= 2", "N": "2", "action": "turn_on"}
    lines = [re.sub(r"\b(P|Q|N|action)\b", lambda m: filled[m[1]], e) for e in examples]
    members = [f"  {line.replace('eventually', 'eventually e1:', 1)}" for line in lines]
    members = [m.replace("leadsto", "leadsto l1:", 1) for m in members]
    text = SWITCH_SPEC.replace(
        "  query is_lit()", "\n".join(members) + "\n\n  query is_lit()"
    )
    component = load_source(text, "switch.spec").components[0]
    assert len(component.liveness) == 2
    assert len(component.fairness) == 1
