"""Every corpus spec's stated verdicts, read from its `// expect` lines.

A corpus file pairs specs that are known to be wrong (each must be refuted)
with correct twins (each must be proved), one file per encoding choice.
Files under ``structured/`` cover identities, records and collections.
``// expect <obligation id> <status>`` states one verdict;
``// expect-all-proved <component>`` states that every obligation of that
component is proved.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from verifier_support import CORPUS, Results

from verifier import Status

_EXPECT = re.compile(r"^// expect (\S+) (proved|violated|unknown)$", re.MULTILINE)
_ALL_PROVED = re.compile(r"^// expect-all-proved (\S+)$", re.MULTILINE)


def _corpus_files() -> list[str]:
    return sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.spec"))


def _expectations() -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for name in _corpus_files():
        text = (CORPUS / name).read_text(encoding="utf-8")
        found.extend((name, i, s) for i, s in _EXPECT.findall(text))
    return found


def _proved_components() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name in _corpus_files():
        text = (CORPUS / name).read_text(encoding="utf-8")
        found.extend((name, c) for c in _ALL_PROVED.findall(text))
    return found


@pytest.mark.parametrize(("name", "obligation_id", "status"), _expectations())
def test_stated_verdict(
    corpus_results: Callable[[str], Results],
    name: str,
    obligation_id: str,
    status: str,
) -> None:
    results = corpus_results(name)
    assert obligation_id in results, sorted(results)
    result = results[obligation_id]
    assert result.status is Status(status), (result.reason, result.counterexample)


@pytest.mark.parametrize(("name", "component"), _proved_components())
def test_correct_twin_is_proved_throughout(
    corpus_results: Callable[[str], Results], name: str, component: str
) -> None:
    results = corpus_results(name)
    mine = {i: r for i, r in results.items() if r.obligation.component == component}
    assert mine, f"{component} has no obligations in {name}"
    unproved = {i: r.reason for i, r in mine.items() if r.status is not Status.PROVED}
    assert unproved == {}


def test_corpus_files_state_both_verdicts() -> None:
    for name in _corpus_files():
        text = (CORPUS / name).read_text(encoding="utf-8")
        statuses = {s for _, s in _EXPECT.findall(text)}
        assert {"proved", "violated"} <= statuses, name
