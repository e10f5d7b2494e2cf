"""``specfirst test --export-tests``: failing examples become regression tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import replace_once, run_specfirst

SPEC = """\
component Tokens {
  const capacity: Int where capacity >= 1
  error Exhausted

  var available: Int

  init { available := capacity }

  invariant bounded: 0 <= available and available <= capacity

  operation acquire(n: Int) -> Int {
    requires positive: n >= 1
    requires enough: n <= available else Exhausted
    effect {
      available := available - n
      result := available
    }
  }

  environment refill(amount: Int) {
    requires amount >= 1
    effect { available := min(capacity, available + amount) }
  }
}
"""

IMPLEMENTATION = '''\
"""A pool of tokens that refills up to its capacity."""


class ExhaustedError(Exception):
    pass


class Tokens:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.available = capacity

    def acquire(self, n: int) -> int:
        if n > self.available:
            raise ExhaustedError(n)
        self.available -= n
        return self.available

    def refill(self, amount: int) -> None:
        self.available = min(self.capacity, self.available + amount)


class TokensAdapter:
    errors = {ExhaustedError: "Exhausted"}

    def __init__(self, constants: dict[str, int]) -> None:
        self.tokens = Tokens(constants["capacity"])

    def acquire(self, n: int) -> int:
        return self.tokens.acquire(n)

    def refill(self, amount: int) -> None:
        self.tokens.refill(amount)

    def observe(self) -> dict[str, object]:
        return {"available": self.tokens.available}
'''

# The planted bug: a refill adds one token too few, which shows only after
# an acquire has taken the pool below its capacity.
CORRECT_LINE = "min(self.capacity, self.available + amount)"
BUGGY_LINE = "min(self.capacity, self.available + amount - 1)"

CONFIG = """\
[tool.specfirst]
specs = ["specs"]
build_dir = "build"

[tool.specfirst.components.Tokens]
adapter = "tokens:TokensAdapter"
"""

EXPORTED = Path("exported") / "test_example_tokens.py"
# A fixed seed makes Hypothesis find and shrink the same example each run.
TEST_ARGS = ("test", "--export-tests", "exported", "--seed", "7")


def _project(root: Path, buggy: bool) -> Path:
    (root / "specs").mkdir(parents=True)
    (root / "specs" / "tokens.spec").write_text(SPEC, encoding="utf-8")
    (root / "tokens.py").write_text(IMPLEMENTATION, encoding="utf-8")
    (root / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    if buggy:
        replace_once(root / "tokens.py", CORRECT_LINE, BUGGY_LINE)
    return root


def _pytest(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("SPECFIRST_ROOT", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def buggy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the planted bug, tested once with --export-tests."""
    root = _project(tmp_path_factory.mktemp("tokens"), buggy=True)
    tested = run_specfirst(*TEST_ARGS, cwd=root)
    assert tested.returncode == 1, tested.stdout + tested.stderr
    (root / "test-output.txt").write_text(tested.stdout, encoding="utf-8")
    (root / "test-errors.txt").write_text(tested.stderr, encoding="utf-8")
    return root


def test_export_writes_one_file_per_failing_component(buggy: Path) -> None:
    files = sorted(p.name for p in (buggy / "exported").iterdir())
    assert files == ["test_example_tokens.py"]


def test_failure_message_names_the_exported_file(buggy: Path) -> None:
    output = (buggy / "test-output.txt").read_text(encoding="utf-8")
    errors = (buggy / "test-errors.txt").read_text(encoding="utf-8")
    assert f"the failing example is replayed by {EXPORTED}" in output
    assert f"wrote {EXPORTED}" in errors


def test_exported_example_replays_the_shrunk_calls(buggy: Path) -> None:
    text = (buggy / EXPORTED).read_text(encoding="utf-8")
    assert 'CONSTANTS: dict[str, Any] = {"capacity": 1}' in text
    assert 'CALLS = (Call("acquire", (1,)), Call("refill", (1,)))' in text
    assert "the state differs: available: model 1, implementation 0" in text


def test_exported_example_is_deterministic(buggy: Path, tmp_path: Path) -> None:
    again = _project(tmp_path / "again", buggy=True)
    tested = run_specfirst(*TEST_ARGS, cwd=again)
    assert tested.returncode == 1, tested.stdout
    first = (buggy / EXPORTED).read_bytes()
    second = (again / EXPORTED).read_bytes()
    assert first == second


def test_exported_example_is_formatted(buggy: Path) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    for args in (["format", "--check"], ["check", "--no-cache"]):
        checked = subprocess.run(
            [str(ruff), *args, str(buggy / EXPORTED)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_exported_example_fails_against_the_buggy_implementation(
    buggy: Path,
) -> None:
    run = _pytest(buggy / EXPORTED, buggy)
    assert run.returncode == 1, run.stdout
    assert "implementation.refill(1)" in run.stdout
    assert "the state differs" in run.stdout


def test_exported_example_passes_against_the_fixed_implementation(
    buggy: Path, tmp_path: Path
) -> None:
    fixed = _project(tmp_path / "fixed", buggy=False)
    (fixed / "exported").mkdir()
    (fixed / EXPORTED).write_bytes((buggy / EXPORTED).read_bytes())
    generated = run_specfirst("gen", cwd=fixed)
    assert generated.returncode == 0, generated.stderr
    run = _pytest(fixed / EXPORTED, fixed)
    assert run.returncode == 0, run.stdout


def test_passing_run_exports_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path, buggy=False)
    tested = run_specfirst(*TEST_ARGS, cwd=root)
    assert tested.returncode == 0, tested.stdout
    assert not (root / "exported").exists()


def test_failing_example_is_recorded_as_json(buggy: Path) -> None:
    recorded = json.loads(
        (buggy / "build" / "examples" / "Tokens.json").read_text(encoding="utf-8")
    )
    assert recorded["component"] == "Tokens"
    assert recorded["constants"] == {"capacity": 1}
    assert recorded["calls"] == [["acquire", [1]], ["refill", [1]]]


def test_export_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    root = _project(tmp_path, buggy=False)
    (root / "taken").write_text("", encoding="utf-8")
    tested = run_specfirst("test", "--export-tests", "taken", cwd=root)
    assert tested.returncode == 2
    assert "--export-tests must name a folder" in tested.stderr
