"""The malformed-spec catalogue through the real ``specfirst check`` command.

``test_malformed.py`` checks each case's diagnostic through the library.
These tests run the installed command on the same cases, as a user would,
and check what reaches the terminal: the exit status, the position in
``file:line:col`` form, the stable code, the message, a caret, and no
traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from malformed_cases import CASES, Malformed

NUMBER = {case.name: number for number, case in enumerate(CASES)}
# One case for each code, so that every kind of error is run on its own.
FIRST_OF_EACH_CODE = list({case.code: case for case in reversed(CASES)}.values())


def as_file(case: Malformed) -> Malformed:
    """Return the case as the command reports it when the text comes from a file."""
    if isinstance(case.source, str) and "\x00" in case.source:
        # Reading a file rejects a NUL byte before parsing, as for binary input.
        return replace(case, code="SF100", fragment="NUL byte in file")
    return case


def file_name(case: Malformed) -> str:
    # Case names are sentences, so the file is named by the case's place.
    return f"case{NUMBER[case.name]:03d}.spec"


def write_case(folder: Path, case: Malformed) -> Path:
    path = folder / file_name(case)
    if isinstance(case.source, bytes):
        path.write_bytes(case.source)
    else:
        path.write_text(case.source, encoding="utf-8")
    return path


def run_check(folder: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "specfirst"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "specfirst"]
    # A wide terminal keeps each diagnostic on one line, so it can be matched.
    env = {**os.environ, "COLUMNS": "2000", "NO_COLOR": "1"}
    return subprocess.run(
        [*command, "check", *(path.name for path in paths)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def diagnostic_line(stderr: str, case: Malformed) -> str:
    prefix = f"{file_name(case)}:{case.line}:{case.column}: error[{case.code}]"
    found = [line for line in stderr.splitlines() if line.startswith(prefix)]
    assert found, f"{case.name}: no line starts with {prefix!r}"
    return found[0]


def test_every_case_is_reported_in_one_run(tmp_path: Path) -> None:
    paths = [write_case(tmp_path, case) for case in CASES]
    completed = run_check(tmp_path, *paths)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    for case in CASES:
        line = diagnostic_line(completed.stderr, as_file(case))
        assert as_file(case).fragment in line, line
    assert "proved" not in completed.stdout


@pytest.mark.parametrize(
    "case", FIRST_OF_EACH_CODE, ids=[c.code for c in FIRST_OF_EACH_CODE]
)
def test_each_code_exits_2_with_caret(tmp_path: Path, case: Malformed) -> None:
    path = write_case(tmp_path, case)
    completed = run_check(tmp_path, path)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    line = diagnostic_line(completed.stderr, as_file(case))
    assert as_file(case).fragment in line
    lines = completed.stderr.splitlines()
    source, caret = lines[lines.index(line) + 1 : lines.index(line) + 3]
    assert source.split("|", 1)[0].strip() == str(case.line)
    assert "^" in caret.split("|", 1)[1]
