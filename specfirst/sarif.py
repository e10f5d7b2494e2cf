"""The gate's findings as a SARIF 2.1.0 log, for code-scanning tools.

Each criterion is a rule; each finding is a result at its file and line,
relative to the project root (``uriBaseId`` ``SRCROOT``). A finding that
concerns no file, such as a test run that crashed, is placed at the
project's pyproject.toml, because code-scanning services reject a result
without a location.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any
from urllib.parse import quote

from specfirst.criteria import CRITERIA, Criterion, Finding
from specfirst.gate import GateResult
from specfirst.manifest import PYPROJECT

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
    "sarif-schema-2.1.0.json"
)
ROOT_BASE = "SRCROOT"


def gate_sarif(result: GateResult) -> dict[str, Any]:
    """Build the SARIF log of one gate run."""
    index = {criterion.id: n for n, criterion in enumerate(CRITERIA)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "specfirst",
                        "version": _version(),
                        "rules": [_rule(c) for c in CRITERIA],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.criterion]) for f in result.findings],
            }
        ],
    }


def _rule(criterion: Criterion) -> dict[str, Any]:
    return {
        "id": criterion.id,
        "name": "".join(part.capitalize() for part in criterion.name.split("-")),
        "shortDescription": {"text": criterion.title},
        "help": {"text": criterion.help},
        "defaultConfiguration": {"level": "error"},
        "properties": {"group": criterion.group},
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    file = finding.file or PYPROJECT
    line = finding.line if finding.file and finding.line >= 1 else 1
    return {
        "ruleId": finding.criterion,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": quote(file.replace("\\", "/")),
                        "uriBaseId": ROOT_BASE,
                    },
                    "region": {"startLine": line},
                }
            }
        ],
        "properties": {"subject": finding.subject},
    }


def _version() -> str:
    try:
        return metadata.version("specfirst")
    except metadata.PackageNotFoundError:
        return "0+unknown"
