"""Generated contract tests run with pytest against the model and the real code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from codegen_support import REPO, SPECS, run_pytest

from codegen import generate

# Few examples: these runs check the plumbing, not the implementation at scale.
QUICK = {"SPECFIRST_MAX_EXAMPLES": "30", "SPECFIRST_STEP_COUNT": "30"}

BUGGY_ADAPTER = '''
from adapters.circuit_breaker import CircuitBreakerAdapter


class BuggyAdapter(CircuitBreakerAdapter):
    """The bundled adapter with one planted bug."""

    def record_success(self) -> None:
        if self.breaker.mode.value != "closed":  # the bug: closed keeps its count
            super().record_success()
'''


@pytest.fixture(scope="module")
def breaker_tests(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate([SPECS / "circuit_breaker.spec"], out, root=REPO)
    return out / "test_circuit_breaker_contract.py"


def test_reference_model_passes_its_own_tests(
    breaker_tests: Path, tmp_path: Path
) -> None:
    env = {**QUICK, "SPECFIRST_TARGET": "model", "SPECFIRST_ROOT": str(REPO)}
    done = run_pytest([breaker_tests], env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_real_implementation_passes(breaker_tests: Path, tmp_path: Path) -> None:
    env = {**QUICK, "SPECFIRST_TARGET": "impl", "SPECFIRST_ROOT": str(REPO)}
    done = run_pytest([breaker_tests], env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_run_writes_coverage_for_traceability(
    breaker_tests: Path, tmp_path: Path
) -> None:
    report = tmp_path / "coverage.json"
    env = {
        **QUICK,
        "SPECFIRST_ROOT": str(REPO),
        "SPECFIRST_COVERAGE_FILE": str(report),
    }
    run_pytest([breaker_tests], env, tmp_path)
    data = json.loads(report.read_text())
    assert data["operations"]["CircuitBreaker.record_failure"]["calls"] > 0
    assert data["clauses"]["CircuitBreaker.invariant.opened_in_past"]["held"] > 0


def planted_bug_project(root: Path) -> Path:
    root.mkdir()
    (root / "buggy_breaker.py").write_text(BUGGY_ADAPTER, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        "[tool.specfirst]\n"
        "[tool.specfirst.components.CircuitBreaker]\n"
        'adapter = "buggy_breaker:BuggyAdapter"\n',
        encoding="utf-8",
    )
    return root


def test_planted_bug_fails_with_shrunk_calls(
    breaker_tests: Path, tmp_path: Path
) -> None:
    root = planted_bug_project(tmp_path / "project")
    env = {**QUICK, "SPECFIRST_MAX_EXAMPLES": "100", "SPECFIRST_ROOT": str(root)}
    done = run_pytest([breaker_tests], env, tmp_path, "--hypothesis-seed=1")
    output = done.stdout + done.stderr
    calls = [
        line.strip().removeprefix("E").strip()
        for line in output.splitlines()
        if "implementation." in line
    ]
    assert done.returncode == 1, output
    assert "ContractMismatch: CircuitBreaker: the state differs: failures" in output
    assert calls[-2:] == [
        "implementation.record_failure()  # returned None",
        "implementation.record_success()  # returned None",
    ]
    assert "state.record_success()" in output


def test_missing_adapter_is_one_message(breaker_tests: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.specfirst]\n", encoding="utf-8")
    done = run_pytest([breaker_tests], {**QUICK, "SPECFIRST_ROOT": str(root)}, tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "CircuitBreaker: no adapter is configured" in output
    assert "Traceback" not in output
