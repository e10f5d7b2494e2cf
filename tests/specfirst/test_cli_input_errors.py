"""User input that used to end in a traceback: each now gets a message and exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_support import run_specfirst

COUNTER = "component Counter {\n  var n: Int\n  init { n := 0 }\n}\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "counter.spec").write_text(COUNTER, encoding="utf-8")
    return tmp_path


def test_pipe_named_spec_is_rejected(project: Path) -> None:
    os.mkfifo(project / "specs" / "pipe.spec")
    completed = run_specfirst("check", "specs/pipe.spec", cwd=project, timeout=60)
    assert completed.returncode == 2
    assert "specs/pipe.spec:1:1: error[SF100]" in completed.stderr
    assert "not a regular file" in completed.stderr


def test_gen_out_naming_a_file_exits_2(project: Path) -> None:
    (project / "taken").write_text("", encoding="utf-8")
    completed = run_specfirst("gen", "--out", "taken", cwd=project)
    assert completed.returncode == 2
    assert "error: cannot use taken" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_emit_smt_under_a_file_exits_2(project: Path) -> None:
    (project / "taken").write_text("", encoding="utf-8")
    completed = run_specfirst(
        "check", "specs/counter.spec", "--emit-smt", "taken/smt", cwd=project
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert "taken" in completed.stderr


def test_markup_in_a_path_is_printed_as_text(project: Path) -> None:
    completed = run_specfirst("check", "[/]nope.spec", cwd=project)
    assert completed.returncode == 2
    assert "no such file or folder: [/]nope.spec" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_markup_in_a_reviewer_is_recorded_as_text(project: Path) -> None:
    completed = run_specfirst(
        "review",
        "add",
        "specs/counter.spec",
        "--reviewer",
        "[/]",
        "--verdict",
        "approve",
        cwd=project,
    )
    assert completed.returncode == 0, completed.stderr
    assert "recorded approve by [/] of specs/counter.spec" in completed.stdout
    reviews = (project / "specs" / "counter.reviews").read_text(encoding="utf-8")
    assert 'reviewer = "[/]"' in reviews


def test_deeply_nested_type_exits_2(project: Path) -> None:
    nested = "Seq[" * 400 + "Int" + "]" * 400
    spec = f"component Deep {{\n  var x: {nested}\n}}\n"
    (project / "specs" / "deep.spec").write_text(spec, encoding="utf-8")
    completed = run_specfirst("check", "specs/deep.spec", cwd=project)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
