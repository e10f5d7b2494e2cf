"""Temporal properties and fairness parse, get their ids and type-check."""

from __future__ import annotations

from lang_support import component

import spec_lang
from spec_lang import ast

_COUNTER = component(
    "var x: Int",
    "init { x := 0 }",
    "always x >= 0",
    "always grows: x >= old(x)",
    "always x <= 100",
    "eventually big: x > 3 within 5",
    "eventually x > 1 within 2",
    "leadsto x == 1 ~> x == 2 within 1",
    "fairness weak inc",
    "fairness weak reset,",
    "operation inc() { effect { x := x + 1 } }",
    "environment reset() { effect { x := 0 } }",
)


def _checked() -> ast.Component:
    return spec_lang.load_source(_COUNTER, "t.spec").components[0]


def test_property_ids_count_unlabelled_ones_per_kind() -> None:
    ids = [p.id for p in _checked().properties]
    assert ids == [
        "C.always.1",
        "C.always.grows",
        "C.always.2",
        "C.eventually.big",
        "C.eventually.1",
        "C.leadsto.1",
    ]


def test_property_kinds_follow_their_keyword() -> None:
    kinds = [p.kind.value for p in _checked().properties]
    assert kinds == ["always"] * 3 + ["eventually"] * 2 + ["leadsto"]


def test_response_bound_is_kept() -> None:
    bounds = [p.within for p in _checked().properties]
    assert bounds == [None, None, None, 5, 2, 1]


def test_leadsto_keeps_trigger_and_response() -> None:
    leadsto = _checked().properties[-1]
    assert leadsto.trigger is not None
    assert isinstance(leadsto.trigger, ast.Binary)
    assert isinstance(leadsto.expr, ast.Binary)
    assert leadsto.trigger.type == leadsto.expr.type


def test_old_in_always_is_typed() -> None:
    grows = _checked().properties[1]
    olds = [n for n in _walk(grows.expr) if isinstance(n, ast.Old)]
    assert len(olds) == 1
    assert olds[0].type is not None


def test_fairness_lists_every_named_action() -> None:
    fairness = _checked().fairness
    assert [f.actions for f in fairness] == [("inc",), ("reset",)]
    assert all(f.kind == "weak" for f in fairness)


def test_labels_of_different_kinds_may_repeat() -> None:
    source = component(
        "var x: Int",
        "init { x := 0 }",
        "always a: x >= 0",
        "eventually a: x >= 0 within 1",
    )
    ids = [p.id for p in spec_lang.load_source(source).components[0].properties]
    assert ids == ["C.always.a", "C.eventually.a"]


def _walk(expr: ast.Expr) -> list[object]:
    found: list[object] = []
    stack: list[object] = [expr]
    while stack:
        node = stack.pop()
        found.append(node)
        for name in getattr(node, "__dataclass_fields__", {}):
            value = getattr(node, name)
            if hasattr(value, "span") and not isinstance(value, ast.Span):
                stack.append(value)
    return found
