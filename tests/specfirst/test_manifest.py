from pathlib import Path

import pytest
from cli_support import REPO

from specfirst.config import ConfigError
from specfirst.manifest import load_manifest, manifest_line
from specfirst.phases import Phase

FOUNDATION = {
    "ProcessRegistry",
    "EventStore",
    "TelemetryService",
    "ConfigServer",
    "LeaseLock",
    "Barrier",
    "LeaderElection",
    "Counters",
    "QuorumVote",
    "CircuitBreaker",
    "RateLimiter",
    "ResourceManager",
}
SYSTEM = {"Integration", "Distribution", "FailureRecovery", "Performance", "Security"}


def write_pyproject(folder: Path, body: str) -> None:
    (folder / "pyproject.toml").write_text(body, encoding="utf-8")


def test_repository_requires_the_foundation_suite() -> None:
    manifest = load_manifest(REPO)
    assert set(manifest.components) == FOUNDATION
    assert set(manifest.system) == SYSTEM
    assert len(manifest.required) == 17


def test_repository_places_each_required_component() -> None:
    manifest = load_manifest(REPO)
    assert set(manifest.implementations) >= FOUNDATION


def test_defaults_without_table(tmp_path: Path) -> None:
    manifest = load_manifest(tmp_path)
    assert manifest.phase is Phase.SPECIFICATIONS
    assert manifest.required == ()
    assert manifest.reviews.cycles == 3
    assert manifest.reviews.reviewers == 2


def test_manifest_read(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path,
        """
[tool.specfirst]
phase = "contracts"

[tool.specfirst.required]
components = ["Counter"]
system = ["Integration"]

[tool.specfirst.reviews]
cycles = 4
reviewers = 3

[tool.specfirst.scale]
max_examples = 7
step_count = 9

[tool.specfirst.components.Counter]
implementation = "src/counter.py"
""",
    )
    manifest = load_manifest(tmp_path)
    assert manifest.phase is Phase.CONTRACTS
    assert manifest.required == ("Counter", "Integration")
    assert manifest.reviews.cycles == 4
    assert manifest.reviews.reviewers == 3
    assert manifest.scale.max_examples == 7
    assert manifest.scale.step_count == 9
    assert manifest.implementation_paths("Counter") == (tmp_path / "src/counter.py",)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('[tool.specfirst]\nphase = "done"', "phase must be one of specifications"),
        ("[tool.specfirst.required]\ncomponents = [1]", "must list spec names, got 1"),
        (
            '[tool.specfirst.required]\ncomponents = ["A", "A"]',
            "components lists A twice",
        ),
        (
            '[tool.specfirst.required]\ncomponents = ["A"]\nsystem = ["A"]',
            "A listed both as a component and as a system-level spec",
        ),
        (
            "[tool.specfirst.reviews]\ncycles = 1\nreviewers = 2",
            "reviewers (2) cannot exceed cycles (1)",
        ),
        ("[tool.specfirst.reviews]\ncycles = 0", "cycles must be at least 1, got 0"),
        ("[tool.specfirst.scale]\nstep_count = 0", "step_count must be at least 1"),
        (
            "[tool.specfirst.components.C]\nimplementation = [3]",
            "components.C: implementation must be a path or a list of paths",
        ),
    ],
)
def test_bad_manifest_names_key(tmp_path: Path, body: str, fragment: str) -> None:
    write_pyproject(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_manifest(tmp_path)
    assert fragment in str(caught.value)


def test_manifest_line_finds_key_in_its_table(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path,
        '[tool.specfirst]\nphase = "x"\n\n[tool.specfirst.required]\nsystem = []\n',
    )
    assert manifest_line(tmp_path, "tool.specfirst", "phase") == 2
    assert manifest_line(tmp_path, "tool.specfirst.required", "system") == 5
    assert manifest_line(tmp_path, "tool.specfirst.required") == 4
    assert manifest_line(tmp_path, "tool.specfirst.nowhere", "x") == 1
