"""Tests of the ConfigServer adapter's mapping onto the spec's names and values."""

from __future__ import annotations

import pytest

from adapters import ConfigServerAdapter
from reference_impl.config_server import OutOfRangeError, WrongTypeError

INT_7 = {"kind": "Integer", "number": 7}
TRUE = {"kind": "Boolean", "number": 1}


def test_initial_state_matches_spec_init() -> None:
    adapter = ConfigServerAdapter({})
    assert adapter.observe() == {
        "schema": {},
        "values": {},
        "version": 0,
        "history": (),
        "topics": {},
        "now": 0,
    }


def test_paths_of_identities_round_trip() -> None:
    adapter = ConfigServerAdapter({})
    adapter.declare_integer((10, 20), 0, 9)
    adapter.set((10, 20), INT_7)
    state = adapter.observe()
    assert state["schema"] == {(10, 20): {"kind": "Integer", "low": 0, "high": 9}}
    assert state["values"] == {(10, 20): INT_7}
    assert adapter.server.get("s0.s1") == 7


def test_boolean_values_are_bools() -> None:
    adapter = ConfigServerAdapter({})
    adapter.declare_boolean(("flag",))
    adapter.set(("flag",), TRUE)
    assert adapter.server.get("s0") is True
    assert adapter.read(("flag",)) == TRUE


def test_kind_mismatch_raises_wrong_type() -> None:
    adapter = ConfigServerAdapter({})
    adapter.declare_boolean(("flag",))
    with pytest.raises(WrongTypeError):
        adapter.set(("flag",), INT_7)


def test_bounds_raise_out_of_range() -> None:
    adapter = ConfigServerAdapter({})
    adapter.declare_integer(("n",), 0, 5)
    with pytest.raises(OutOfRangeError):
        adapter.set(("n",), INT_7)


def test_update_returns_notified_subscribers() -> None:
    adapter = ConfigServerAdapter({})
    adapter.declare_integer(("a", "b"), 0, 9)
    adapter.subscribe("above", ("a",))
    adapter.subscribe("below", ("a", "b", "c"))
    adapter.subscribe("aside", ("z",))
    assert adapter.set(("a", "b"), INT_7) == {"above", "below"}


def test_replace_notifies_section_and_below() -> None:
    adapter = ConfigServerAdapter({})
    adapter.declare_integer(("a", "b"), 0, 9)
    adapter.subscribe("leaf", ("a", "b"))
    adapter.subscribe("root", ())
    assert adapter.replace(("a",), {("a", "b"): INT_7}) == {"leaf", "root"}


def test_unsubscribed_subscriber_is_not_reported() -> None:
    adapter = ConfigServerAdapter({})
    adapter.declare_integer(("a",), 0, 9)
    adapter.subscribe("s", ("a",))
    adapter.unsubscribe("s")
    assert adapter.set(("a",), INT_7) == frozenset()
    assert adapter.observe()["topics"] == {}


def test_history_in_spec_form() -> None:
    adapter = ConfigServerAdapter({})
    adapter.declare_integer(("a",), 0, 9)
    adapter.tick(3)
    adapter.set(("a",), INT_7)
    assert adapter.observe()["history"] == ({"version": 1, "path": ("a",), "at": 3},)


def test_read_of_unset_leaf_is_none() -> None:
    adapter = ConfigServerAdapter({})
    adapter.declare_integer(("a",), 0, 9)
    assert adapter.read(("a",)) is None


def test_notified_by_maps_back_to_subscribers() -> None:
    adapter = ConfigServerAdapter({})
    adapter.subscribe("above", ("a",))
    adapter.subscribe("aside", ("z",))
    assert adapter.notified_by(("a", "b")) == {"above"}


def test_crash_keeps_state_but_not_topics() -> None:
    adapter = ConfigServerAdapter({})
    adapter.declare_integer(("a",), 0, 9)
    adapter.subscribe("watcher", ("a",))
    adapter.set(("a",), INT_7)
    before = adapter.observe()
    adapter.crash()
    adapter.recover()
    assert adapter.observe() == {**before, "topics": {}}


def test_subscriber_returns_after_recovery() -> None:
    adapter = ConfigServerAdapter({})
    adapter.declare_integer(("a",), 0, 9)
    adapter.subscribe("watcher", ("a",))
    adapter.crash()
    adapter.recover()
    assert adapter.set(("a",), INT_7) == frozenset()
    adapter.subscribe("watcher", ("a",))
    assert adapter.set(("a",), INT_7) == frozenset({"watcher"})
