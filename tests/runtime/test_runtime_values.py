"""Spec value types as the runtime checks them."""

from __future__ import annotations

from specfirst.runtime import BOOL, INT, enum_type


def test_bool_is_not_an_int() -> None:
    assert not INT.conforms(True)


def test_int_is_an_int() -> None:
    assert INT.conforms(-3)


def test_int_is_not_a_bool() -> None:
    assert not BOOL.conforms(1)


def test_enum_value_is_a_member_name() -> None:
    mode = enum_type("Mode", ("Open", "Closed"))
    assert mode.conforms("Open")


def test_enum_value_must_be_a_member() -> None:
    mode = enum_type("Mode", ("Open", "Closed"))
    assert not mode.conforms("open")
