"""Failure modes in the spec language: what a crash keeps, what recovery restores."""

from __future__ import annotations

import pytest

from spec_lang import load_source
from spec_lang.diagnostics import SpecError

SPEC = """\
component Journal {
  var entries: Int
  var cached: Int
  init {
    entries := 0
    cached := 0
  }
  invariant entries >= 0
  failure crash {
    keeps entries
    ensures nothing_lost: entries == old(entries)
    ensures entries >= 0
    within 100 ms
  }
  failure power_loss {
  }
}
"""


def test_failure_mode_names_what_a_crash_keeps() -> None:
    crash = load_source(SPEC, "journal.spec").components[0].failures[0]
    assert crash.keeps == ("entries",)


def test_failure_mode_has_an_id() -> None:
    crash = load_source(SPEC, "journal.spec").components[0].failures[0]
    assert crash.id == "Journal.failure.crash"


def test_failure_ensures_are_named_in_their_scope() -> None:
    crash = load_source(SPEC, "journal.spec").components[0].failures[0]
    assert [e.id for e in crash.ensures] == [
        "Journal.failure.crash.ensures.nothing_lost",
        "Journal.failure.crash.ensures.1",
    ]


def test_recovery_bound_keeps_its_unit() -> None:
    crash = load_source(SPEC, "journal.spec").components[0].failures[0]
    assert (crash.within, crash.unit) == (100, "ms")


def test_empty_failure_mode_keeps_nothing() -> None:
    power = load_source(SPEC, "journal.spec").components[0].failures[1]
    assert power.keeps == ()
    assert power.within is None


def test_failure_ensures_may_use_old() -> None:
    crash = load_source(SPEC, "journal.spec").components[0].failures[0]
    assert crash.ensures[0].expr.type is not None


def test_two_recovery_bounds_are_rejected() -> None:
    source = SPEC.replace("within 100 ms", "within 100 ms\n    within 2 s")
    with pytest.raises(SpecError) as raised:
        load_source(source, "journal.spec")
    assert "two recovery bounds" in raised.value.diagnostics[0].message


def test_duplicate_failure_mode_is_rejected() -> None:
    source = SPEC.replace("failure power_loss", "failure crash")
    with pytest.raises(SpecError) as raised:
        load_source(source, "journal.spec")
    assert raised.value.diagnostics[0].code == "SF202"


def test_keeps_twice_is_rejected() -> None:
    source = SPEC.replace("keeps entries", "keeps entries, entries")
    with pytest.raises(SpecError) as raised:
        load_source(source, "journal.spec")
    assert "keeps 'entries' twice" in raised.value.diagnostics[0].message


def test_failure_and_keeps_are_reserved_words() -> None:
    with pytest.raises(SpecError) as raised:
        load_source("component C {\n  var keeps: Int\n}\n", "c.spec")
    assert "'keeps' is a reserved word" in raised.value.diagnostics[0].message
