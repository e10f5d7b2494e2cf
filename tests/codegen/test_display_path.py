from pathlib import Path

import pytest

from codegen.generate import display_path


def test_root_relative_path_not_doubled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI loads specs with paths relative to the project root, and may run
    # from a folder below it: the header must not join the two.
    spec = tmp_path / "sub" / "counter.spec"
    spec.parent.mkdir()
    spec.write_text("component C {}\n", encoding="utf-8")
    monkeypatch.chdir(spec.parent)
    assert display_path("sub/counter.spec", tmp_path) == "sub/counter.spec"


def test_cwd_relative_path_without_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.spec").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert display_path("a.spec") == "a.spec"
