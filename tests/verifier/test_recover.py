"""The recover obligation: recovery from a failure re-establishes the invariants."""

from __future__ import annotations

from verifier_support import load_text, results_by_id

from verifier import (
    ObligationKind,
    Status,
    VerifyOptions,
    build_obligations,
    verify_spec,
)

JOURNAL = """\
component Journal {
  const limit: Int where limit >= 1
  var entries: Int
  var cached: Int
  init {
    entries := 0
    cached := 0
  }
  invariant within_limit: 0 <= entries and entries <= limit
  invariant cache_bounded: cached <= entries
  failure crash {
    keeps entries
    ensures nothing_lost: entries == old(entries)
    within 100 ms
  }
}
"""


def _results(source: str) -> dict[str, Status]:
    options = VerifyOptions(cache_dir=None, jobs=1)
    found = results_by_id(verify_spec(load_text(source), options))
    return {
        name: result.status
        for name, result in found.items()
        if result.obligation.kind is ObligationKind.RECOVER
    }


def test_every_invariant_and_ensures_has_a_recover_obligation() -> None:
    component = load_text(JOURNAL).components[0]
    ids = [
        o.id for o in build_obligations(component) if o.kind is ObligationKind.RECOVER
    ]
    assert ids == [
        "Journal.failure.crash.recover.within_limit",
        "Journal.failure.crash.recover.cache_bounded",
        "Journal.failure.crash.recover.ensures.nothing_lost",
    ]


def test_recovery_that_keeps_what_it_must_is_proved() -> None:
    statuses = _results(JOURNAL)
    assert set(statuses.values()) == {Status.PROVED}


def test_keeping_too_little_breaks_the_ensures() -> None:
    statuses = _results(JOURNAL.replace("keeps entries", "keeps cached"))
    assert statuses["Journal.failure.crash.recover.ensures.nothing_lost"] is (
        Status.VIOLATED
    )


def test_keeping_only_the_cache_breaks_an_invariant() -> None:
    statuses = _results(JOURNAL.replace("keeps entries", "keeps cached"))
    assert statuses["Journal.failure.crash.recover.cache_bounded"] is Status.VIOLATED


def test_violation_shows_both_states() -> None:
    options = VerifyOptions(cache_dir=None, jobs=1)
    source = JOURNAL.replace("keeps entries", "keeps cached")
    found = results_by_id(verify_spec(load_text(source), options))
    result = found["Journal.failure.crash.recover.ensures.nothing_lost"]
    assert result.counterexample is not None
    pre, post = result.counterexample.pre_state, result.counterexample.post_state
    assert post["entries"] == 0
    assert pre["entries"] != 0


def test_component_without_failure_modes_has_no_recover_obligation() -> None:
    source = JOURNAL[: JOURNAL.index("  failure crash")] + "}\n"
    component = load_text(source).components[0]
    kinds = {o.kind for o in build_obligations(component)}
    assert ObligationKind.RECOVER not in kinds
