"""SMT-LIB output: one complete, deterministic script per obligation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from verifier_support import CORPUS, REPO, load_text

from verifier import (
    Obligation,
    VerifyOptions,
    build_obligations,
    discharge,
    emit_smt,
    verify_spec,
)


def _obligations() -> list[Obligation]:
    path = CORPUS / "frames.spec"
    spec = load_text(path.read_text(encoding="utf-8"), str(path))
    return [o for c in spec.components for o in build_obligations(c)]


def test_one_file_per_obligation_named_by_id(tmp_path: Path) -> None:
    obligations = _obligations()
    emit_smt(obligations, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"{o.id}.smt2" for o in obligations)


def test_each_script_checks_sat(tmp_path: Path) -> None:
    for path in emit_smt(_obligations(), tmp_path):
        assert path.read_text(encoding="utf-8").rstrip().endswith("(check-sat)")


def test_z3_parses_emitted_files_back(tmp_path: Path) -> None:
    obligations = _obligations()
    paths = emit_smt(obligations, tmp_path)
    reread = [
        replace(o, smt=p.read_text(encoding="utf-8"))
        for o, p in zip(obligations, paths, strict=True)
    ]
    options = VerifyOptions(jobs=1)
    expected = [r.status for r in discharge(obligations, options)]
    assert [r.status for r in discharge(reread, options)] == expected


def test_emission_is_deterministic(tmp_path: Path) -> None:
    first = emit_smt(_obligations(), tmp_path / "first")
    second = emit_smt(_obligations(), tmp_path / "second")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_verify_spec_emits_when_asked(tmp_path: Path) -> None:
    spec = REPO / "specs" / "rate_limiter.spec"
    results = verify_spec(spec, VerifyOptions(jobs=1, emit_smt_dir=tmp_path))
    assert len(list(tmp_path.glob("*.smt2"))) == len(results)
