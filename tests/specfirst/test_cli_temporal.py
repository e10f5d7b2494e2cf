"""``specfirst check`` on temporal properties: traces, --depth, --export-tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run_specfirst

# A bucket whose take forgets to check the level: the spec (and the buggy
# implementation) let the level go below zero.
BUGGY_SPEC = """\
component Bucket {
  error Empty

  var level: Int

  init { level := 0 }

  operation put() {
    effect { level := level + 1 }
  }

  operation take(n: Int) {
    requires n >= 1
    effect { level := level - n }
  }

  always never_negative: level >= 0
}
"""
FIXED_SPEC = BUGGY_SPEC.replace(
    "    requires n >= 1\n",
    "    requires n >= 1\n    requires enough: n <= level else Empty\n",
)

# The fixed bucket with a count of puts that a crash resets while it keeps
# the level, so a put and a crash break level <= puts.
CRASHING_SPEC = (
    FIXED_SPEC.replace("  var level: Int\n", "  var level: Int\n  var puts: Int\n")
    .replace("init { level := 0 }", "init { level := 0  puts := 0 }")
    .replace("level := level + 1 }", "level := level + 1  puts := puts + 1 }")
    .replace(
        "  always never_negative: level >= 0\n",
        "  always counted: level <= puts\n  failure crash { keeps level }\n",
    )
)

IMPLEMENTATION = '''\
"""Two buckets, one that checks the level and one that forgets to."""


class EmptyError(Exception):
    pass


class Bucket:
    def __init__(self, checks_level: bool) -> None:
        self.level = 0
        self.checks_level = checks_level

    def put(self) -> None:
        self.level += 1

    def take(self, n: int) -> None:
        if self.checks_level and n > self.level:
            raise EmptyError(n)
        self.level -= n


class FixedAdapter:
    errors = {EmptyError: "Empty"}

    def __init__(self, constants: object) -> None:
        self.bucket = Bucket(checks_level=True)

    def put(self) -> None:
        self.bucket.put()

    def take(self, n: int) -> None:
        self.bucket.take(n)

    def observe(self) -> dict[str, object]:
        return {"level": self.bucket.level}


class BuggyAdapter(FixedAdapter):
    def __init__(self, constants: object) -> None:
        self.bucket = Bucket(checks_level=False)
'''

CONFIG = """\
[tool.specfirst]
specs = ["specs"]
build_dir = "build"

[tool.specfirst.components.Bucket]
adapter = "bucket:{adapter}"
"""


def _project(root: Path, spec: str, adapter: str = "FixedAdapter") -> Path:
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "specs" / "bucket.spec").write_text(spec, encoding="utf-8")
    (root / "bucket.py").write_text(IMPLEMENTATION, encoding="utf-8")
    _bind(root, adapter)
    return root


def _bind(root: Path, adapter: str) -> None:
    config = CONFIG.format(adapter=adapter)
    (root / "pyproject.toml").write_text(config, encoding="utf-8")


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
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A buggy bucket checked, its counterexample exported, then the spec fixed."""
    root = _project(tmp_path_factory.mktemp("bucket"), BUGGY_SPEC, "BuggyAdapter")
    checked = run_specfirst("check", "--export-tests", "exported", cwd=root)
    assert checked.returncode == 1, checked.stderr
    (root / "specs" / "bucket.spec").write_text(FIXED_SPEC, encoding="utf-8")
    generated = run_specfirst("gen", cwd=root)
    assert generated.returncode == 0, generated.stderr
    return root


def test_violated_property_prints_its_trace(tmp_path: Path) -> None:
    root = _project(tmp_path, BUGGY_SPEC)
    checked = run_specfirst("check", cwd=root)
    assert checked.returncode == 1
    assert "Bucket.always.never_negative" in checked.stdout
    assert "level: 0 -> -1" in checked.stdout
    assert "property fails" in checked.stdout


def test_depth_option_bounds_the_search(tmp_path: Path) -> None:
    spec = BUGGY_SPEC.replace("level >= 0", "level < 3").replace(
        "requires n >= 1\n", "requires n >= 1 and n <= 0\n"
    )
    root = _project(tmp_path, spec)
    checked = run_specfirst("check", "--depth", "2", cwd=root)
    assert checked.returncode == 1
    assert "holds to depth 2" in checked.stdout


def test_nonpositive_depth_is_a_usage_error(tmp_path: Path) -> None:
    root = _project(tmp_path, FIXED_SPEC)
    checked = run_specfirst("check", "--depth", "0", cwd=root)
    assert checked.returncode == 2
    assert "--depth must be positive" in checked.stderr


def test_crash_trace_is_printed_and_not_exported(tmp_path: Path) -> None:
    root = _project(tmp_path, CRASHING_SPEC)
    checked = run_specfirst("check", "--export-tests", "exported", cwd=root)
    assert checked.returncode == 1, checked.stderr
    assert "violated Bucket.always.counted" in checked.stdout
    assert "failure crash" in checked.stdout
    assert "puts: 1 -> 0" in checked.stdout
    assert "step 2 is a crash of failure crash" in checked.stderr
    assert not list((root / "exported").glob("*.py"))


def test_export_writes_one_test_per_counterexample(exported: Path) -> None:
    files = sorted(p.name for p in (exported / "exported").glob("*.py"))
    assert files == ["test_trace_bucket_always_never_negative.py"]


def test_exported_test_is_deterministic(exported: Path, tmp_path: Path) -> None:
    again = _project(tmp_path / "again", BUGGY_SPEC, "BuggyAdapter")
    run_specfirst("check", "--export-tests", "exported", cwd=again)
    name = "test_trace_bucket_always_never_negative.py"
    first = (exported / "exported" / name).read_text(encoding="utf-8")
    second = (again / "exported" / name).read_text(encoding="utf-8")
    assert first == second


def test_exported_test_fails_against_the_buggy_implementation(exported: Path) -> None:
    _bind(exported, "BuggyAdapter")
    run = _pytest(exported / "exported", exported)
    assert run.returncode == 1, run.stdout
    assert "take(1)" in run.stdout


def test_exported_test_passes_against_the_fixed_implementation(
    exported: Path,
) -> None:
    _bind(exported, "FixedAdapter")
    run = _pytest(exported / "exported", exported)
    assert run.returncode == 0, run.stdout
