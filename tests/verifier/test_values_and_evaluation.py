"""Spec values as Python data, the Python evaluator, and reading Z3 models back."""

from __future__ import annotations

import pytest
import z3
from verifier_support import load_text

from spec_lang import ast
from verifier.counterexample import is_approximate, read_model, to_counterexample
from verifier.evaluate import Env, Evaluator, Undefined
from verifier.obligation import ModelSymbol, Section
from verifier.values import (
    Identity,
    MapValue,
    OptionValue,
    RecordValue,
    SeqValue,
    SetValue,
    Unreadable,
    Value,
    format_value,
    renumber_identities,
    value_from_json,
    value_to_json,
)

_P1, _P2 = Identity("Pid", 1), Identity("Pid", 2)
_ENTRY = RecordValue("Entry", (("pid", _P1), ("live", True)))

_SAMPLES: list[tuple[Value, str]] = [
    (True, "true"),
    (3, "3"),
    ("Open", "Open"),
    (_P1, "Pid#1"),
    (SetValue(frozenset({_P2, _P1})), "{Pid#1, Pid#2}"),
    (SetValue(frozenset()), "{}"),
    (MapValue.of([(2, "b"), (1, "a")]), "{1: a, 2: b}"),
    (SeqValue((3, 1, 2)), "[3, 1, 2]"),
    (OptionValue(None), "none"),
    (OptionValue(4), "some(4)"),
    (_ENTRY, "Entry { pid: Pid#1, live: true }"),
    (MapValue.of([(_P1, SetValue(frozenset({1})))]), "{Pid#1: {1}}"),
]


@pytest.mark.parametrize(("value", "text"), _SAMPLES)
def test_values_print_as_the_spec_writes_them(value: Value, text: str) -> None:
    assert format_value(value) == text


@pytest.mark.parametrize(("value", "text"), _SAMPLES)
def test_values_survive_json(value: Value, text: str) -> None:
    assert value_from_json(value_to_json(value)) == value


def test_unreadable_survives_json() -> None:
    value = Unreadable("an infinite set")
    assert value_from_json(value_to_json(value)) == value


def test_later_pair_for_a_key_replaces_an_earlier_one() -> None:
    assert MapValue.of([(1, 2), (1, 3)]) == MapValue.of([(1, 3)])


def test_records_update_by_field_name() -> None:
    updated = _ENTRY.updated({"live": False})
    assert updated.field("live") is False
    assert updated.field("pid") == _P1


def test_renumbering_reaches_inside_values() -> None:
    value = MapValue.of([(_P2, SeqValue((OptionValue(_P2),)))])
    renumbered = renumber_identities(value, {_P2: _P1})
    assert renumbered == MapValue.of([(_P1, SeqValue((OptionValue(_P1),)))])


def test_malformed_json_value_is_rejected() -> None:
    with pytest.raises(ValueError):
        value_from_json({"nothing": 1})


# --- the evaluator ------------------------------------------------------------


_SPEC = """\
component E {
  identity Pid
  const s: Set[Pid]
  const m: Map[Int, Int]
  const q: Seq[Int]
  const o: Option[Int]
  invariant forall p: Pid :: p in s
  invariant exists p: Pid :: p not in s
  invariant m[0] == 0
  invariant q[5] == 0
  invariant first(q) == 0
  invariant value(o) == 0
  invariant 1 / size(s) == 0
}
"""


@pytest.fixture(scope="module")
def component() -> ast.Component:
    return load_text(_SPEC).components[0]


def _env() -> Env:
    return Env(
        {
            "s": SetValue(frozenset({_P1, _P2})),
            "m": MapValue.of([]),
            "q": SeqValue(()),
            "o": OptionValue(None),
        },
        {},
    )


def _invariant(component: ast.Component, index: int) -> ast.Expr:
    return component.invariants[index].expr


def test_identity_quantifier_ranges_over_a_fresh_identity_too(
    component: ast.Component,
) -> None:
    evaluator = Evaluator(component)
    assert evaluator.expr(_invariant(component, 0), _env()) is False
    assert evaluator.expr(_invariant(component, 1), _env()) is True


@pytest.mark.parametrize(
    ("index", "what"),
    [
        (2, "key 0 is not in the map"),
        (3, "index 5 is outside the sequence"),
        (4, "first() of an empty sequence"),
        (5, "value() of none"),
    ],
)
def test_partial_operations_outside_their_domain_are_undefined(
    component: ast.Component, index: int, what: str
) -> None:
    comparison = _invariant(component, index)
    assert isinstance(comparison, ast.Binary)
    with pytest.raises(Undefined) as raised:
        Evaluator(component).expr(comparison, _env())
    assert raised.value.what == what
    assert raised.value.span == comparison.left.span


def test_division_by_a_size_is_evaluated(component: ast.Component) -> None:
    assert Evaluator(component).expr(_invariant(component, 6), _env()) is True


# --- reading models ------------------------------------------------------------


def _read(term: z3.ExprRef, facts: list[z3.BoolRef], shape: object) -> object:
    solver = z3.Solver(ctx=term.ctx)
    solver.add(*facts)
    assert solver.check() == z3.sat
    symbol = ModelSymbol(Section.CONSTANTS, "x", str(term), "T", shape=shape)
    return read_model(solver.model(), facts, [symbol])[str(term)]


def test_infinite_set_reads_as_its_listed_elements_approximately() -> None:
    x = z3.Array("x", z3.IntSort(), z3.BoolSort())
    facts = [x == z3.Store(z3.K(z3.IntSort(), z3.BoolVal(True)), 3, False)]
    raw = _read(x, facts, {"set": "Int"})
    assert is_approximate({"x": raw})


def test_set_over_identities_reads_through_the_universe() -> None:
    pid = z3.DeclareSort("id!Pid")
    x = z3.Array("x", pid, z3.BoolSort())
    a, b = z3.Const("a", pid), z3.Const("b", pid)
    facts = [a != b, x[a], z3.Not(x[b])]
    raw = _read(x, facts, {"set": {"identity": "Pid"}})
    assert isinstance(raw, dict)
    assert len(raw["set"]) == 1


def test_unconstrained_symbol_reads_as_the_first_value_of_its_type() -> None:
    shape = {"record": "R", "fields": [["n", "Int"], ["s", {"set": "Int"}]]}
    symbol = ModelSymbol(Section.CONSTANTS, "r", "const!r", "R", shape=shape)
    solver = z3.Solver()
    assert solver.check() == z3.sat
    raw = read_model(solver.model(), [], [symbol])
    counterexample = to_counterexample([symbol], raw)
    empty: frozenset[Value] = frozenset()
    assert counterexample.constants["r"] == RecordValue(
        "R", (("n", 0), ("s", SetValue(empty)))
    )
