"""The result cache: same verdicts on a rerun, nothing kept for an unknown."""

from __future__ import annotations

from pathlib import Path

import pytest
from verifier_support import CORPUS, REPO, load_text

from verifier import Obligation, Status, VerifyOptions, build_obligations, discharge


def _obligations(path: Path, component: str | None = None) -> list[Obligation]:
    spec = load_text(path.read_text(encoding="utf-8"), str(path))
    chosen = [c for c in spec.components if component in (None, c.name)]
    return [o for c in chosen for o in build_obligations(c)]


def _breaker() -> list[Obligation]:
    return _obligations(REPO / "specs" / "circuit_breaker.spec")[:8]


def _wrong_enums() -> list[Obligation]:
    return _obligations(CORPUS / "enums.spec", "WrongEnums")


_FERMAT = """
component Fermat {
  query cubes(x: Int, y: Int, z: Int) -> Bool {
    requires x >= 1 and y >= 1 and z >= 1
    ensures result == (x * x * x + y * y * y != z * z * z)
    effect { result := true }
  }
}
"""


def test_rerun_reads_every_result_from_the_cache(tmp_path: Path) -> None:
    options = VerifyOptions(jobs=1, cache_dir=tmp_path)
    discharge(_breaker(), options)
    again = discharge(_breaker(), options)
    assert all(r.cached for r in again)


def test_cached_verdicts_match_fresh_ones(tmp_path: Path) -> None:
    options = VerifyOptions(jobs=1, cache_dir=tmp_path)
    fresh = discharge(_wrong_enums(), options)
    cached = discharge(_wrong_enums(), options)
    assert [r.status for r in cached] == [r.status for r in fresh]
    assert [r.counterexample for r in cached] == [r.counterexample for r in fresh]
    assert [r.witness for r in cached] == [r.witness for r in fresh]


def test_unknown_is_not_cached(tmp_path: Path) -> None:
    obligations = build_obligations(load_text(_FERMAT).components[0])
    hard = [o for o in obligations if o.id == "Fermat.cubes.effect.1"]
    [result] = discharge(hard, VerifyOptions(timeout_ms=1, jobs=1, cache_dir=tmp_path))
    assert result.status is Status.UNKNOWN
    assert list(tmp_path.rglob("*.json")) == []


def test_other_limits_miss_the_cache(tmp_path: Path) -> None:
    discharge(_breaker(), VerifyOptions(jobs=1, cache_dir=tmp_path))
    other = discharge(
        _breaker(), VerifyOptions(timeout_ms=20000, jobs=1, cache_dir=tmp_path)
    )
    assert not any(r.cached for r in other)


def test_damaged_entry_is_solved_again(tmp_path: Path) -> None:
    options = VerifyOptions(jobs=1, cache_dir=tmp_path)
    fresh = discharge(_breaker(), options)
    for entry in tmp_path.rglob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    again = discharge(_breaker(), options)
    assert not any(r.cached for r in again)
    assert [r.status for r in again] == [r.status for r in fresh]


def test_without_a_cache_dir_nothing_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    discharge(_breaker(), VerifyOptions(jobs=1))
    again = discharge(_breaker(), VerifyOptions(jobs=1))
    assert not any(r.cached for r in again)
    assert list(tmp_path.iterdir()) == []
