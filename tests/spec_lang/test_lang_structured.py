"""Structured state in the front end: identities, records, collections, options,
quantifiers and set filters, parsed and checked."""

from __future__ import annotations

from typing import Any

import pytest
from lang_support import STRUCTURED_SPEC, component, walk

import spec_lang
from spec_lang import ast, builtins
from spec_lang.diagnostics import SpecError
from spec_lang.parser import parse_source
from spec_lang.types import (
    BOOL,
    INT,
    EnumT,
    IdentityT,
    MapT,
    OptionT,
    RecordT,
    SeqT,
    SetT,
    Type,
)

_DECLS = (
    "identity Pid",
    "record Entry { pid: Pid, n: Int }",
    "enum Mode { On, Off }",
    "const s: Set[Int]",
    "const m: Map[Pid, Entry]",
    "const q: Seq[Int]",
    "const o: Option[Int]",
    "const e: Entry",
    "const p: Pid",
)


def _parsed(text: str) -> ast.Expr:
    source = component(*_DECLS, f"invariant {text}")
    return parse_source(source, "p.spec").components[0].invariants[0].expr


def _checked(text: str) -> ast.Expr:
    source = component(*_DECLS, f"invariant {text}")
    return spec_lang.load_source(source, "c.spec").components[0].invariants[0].expr


def _shape(expr: ast.Expr) -> Any:
    """A nested tuple that shows how a structured expression is grouped."""
    if isinstance(expr, ast.Binary):
        return (expr.op, _shape(expr.left), _shape(expr.right))
    if isinstance(expr, ast.Unary):
        return (expr.op, _shape(expr.operand))
    if isinstance(expr, ast.Call):
        return (expr.function, *(_shape(a) for a in expr.args))
    if isinstance(expr, ast.Field):
        return (".", _shape(expr.operand), expr.name)
    if isinstance(expr, ast.Index):
        return ("[]", _shape(expr.operand), _shape(expr.index))
    if isinstance(expr, ast.With):
        return ("with", _shape(expr.operand), *(f.name for f in expr.fields))
    if isinstance(expr, ast.Quantifier):
        return (expr.quantifier, expr.variable, _shape(expr.body))
    if isinstance(expr, ast.Qualified):
        return f"{expr.qualifier}.{expr.member}"
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.IntLit | ast.BoolLit):
        return expr.value
    return type(expr).__name__


# --- parsing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("p in m and true", ("and", ("in", "p", "m"), True)),
        ("1 not in s", ("not in", 1, "s")),
        ("1 not   in s", ("not in", 1, "s")),
        ("not 1 in s", ("not", ("in", 1, "s"))),
        ("1 + 1 in s", ("in", ("+", 1, 1), "s")),
        ("m[p].n == 1", ("==", (".", ("[]", "m", "p"), "n"), 1)),
        ("-q[0] < 0", ("<", ("-", ("[]", "q", 0)), 0)),
        ("(e with { n: 1 }).n == 1", ("==", (".", ("with", "e", "n"), "n"), 1)),
        ("e with { n: 1 }.n == 1", ("==", (".", ("with", "e", "n"), "n"), 1)),
        (
            "forall x in s :: x > 0 and true",
            ("forall", "x", ("and", (">", "x", 0), True)),
        ),
        (
            "(forall x in s :: x > 0) and true",
            ("and", ("forall", "x", (">", "x", 0)), True),
        ),
        (
            "true and exists x in s :: x > 0",
            ("and", True, ("exists", "x", (">", "x", 0))),
        ),
        ("size(insert(s, 1)) == 2", ("==", ("size", ("insert", "s", 1)), 2)),
        ("e.n == 1", ("==", "e.n", 1)),
    ],
)
def test_structured_operators_group_as_documented(text: str, expected: Any) -> None:
    assert _shape(_parsed(text)) == expected


def test_braces_read_as_a_set_a_map_or_a_filter() -> None:
    expr = _parsed("{} == {1, 2} and {1: 2} == {x in s | x > 0}")
    found = [type(n) for n in walk(expr) if isinstance(n, ast.SetLit | ast.MapLit)]
    assert found == [ast.SetLit, ast.SetLit, ast.MapLit]
    filters = [n for n in walk(expr) if isinstance(n, ast.SetFilter)]
    assert [(f.variable, _shape(f.domain)) for f in filters] == [("x", "s")]


def test_empty_braces_parse_as_an_empty_set() -> None:
    expr = _parsed("{} == s")
    assert isinstance(expr, ast.Binary)
    assert expr.left == ast.SetLit(expr.left.span, ())


def test_sequence_literals_parse() -> None:
    expr = _parsed("[] == [1, 2,]")
    assert isinstance(expr, ast.Binary)
    assert isinstance(expr.left, ast.SeqLit)
    assert isinstance(expr.right, ast.SeqLit)
    assert len(expr.right.elements) == 2


def test_quantifier_binders_of_three_forms() -> None:
    expr = _parsed("forall x in s :: forall i in 0..2 :: exists y: Mode :: true")
    outer = expr
    assert isinstance(outer, ast.Quantifier)
    assert outer.domain is not None
    middle = outer.body
    assert isinstance(middle, ast.Quantifier)
    assert (middle.low, middle.high) != (None, None)
    inner = middle.body
    assert isinstance(inner, ast.Quantifier)
    assert inner.quantifier == "exists"
    assert isinstance(inner.type_expr, ast.NamedTypeExpr)


def test_record_construction_keeps_its_fields_in_order() -> None:
    expr = _parsed("Entry { n: 1, pid: p, } == e")
    assert isinstance(expr, ast.Binary)
    record = expr.left
    assert isinstance(record, ast.RecordLit)
    assert record.record == "Entry"
    assert [f.name for f in record.fields] == ["n", "pid"]


def test_generic_types_nest() -> None:
    source = component("var v: Map[Int, Seq[Option[Bool]]]")
    var = parse_source(source, "t.spec").components[0].vars[0]
    assert isinstance(var.type_expr, ast.GenericTypeExpr)
    assert var.type_expr.name == "Map"
    value = var.type_expr.args[1]
    assert isinstance(value, ast.GenericTypeExpr)
    assert value.name == "Seq"


def test_identity_declaration_may_name_several_types() -> None:
    spec = parse_source(component("identity Pid, Aid,"), "t.spec")
    assert [i.name for i in spec.components[0].identities] == ["Pid", "Aid"]


def test_record_declaration_keeps_field_spans() -> None:
    spec = parse_source(component("record R { a: Int, b: Bool, }"), "t.spec")
    record = spec.components[0].records[0]
    assert [f.name for f in record.fields] == ["a", "b"]
    assert (record.fields[1].span.line, record.fields[1].span.column) == (2, 22)


def test_if_statement_condition_may_end_in_a_name_before_its_block() -> None:
    source = component(
        "var x: Int",
        "init { x := 0 }",
        "const s: Set[Int]",
        "operation f() {",
        "effect { if x in s { x := 1 } }",
        "}",
    )
    effect = parse_source(source, "t.spec").components[0].operations[0].effect
    assert effect is not None
    statement = effect[0]
    assert isinstance(statement, ast.If)
    assert _shape(statement.condition) == ("in", "x", "s")


def test_record_construction_in_parentheses_may_be_an_if_condition() -> None:
    source = component(
        "record R { a: Int }",
        "var x: Int",
        "init { x := 0 }",
        "operation f() {",
        "effect { if (R { a: 1 }) == (R { a: x }) { x := 1 } }",
        "}",
    )
    spec = spec_lang.load_source(source, "t.spec")
    assert spec.components[0].operations[0].effect


# --- checking: types of expressions -----------------------------------------------

_PID = IdentityT("Pid")
_ENTRY = RecordT("Entry")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("size(s)", INT),
        ("size(m)", INT),
        ("size(q)", INT),
        ("insert(s, 1)", SetT(INT)),
        ("remove(s, 1)", SetT(INT)),
        ("union(s, {2})", SetT(INT)),
        ("intersect(s, s)", SetT(INT)),
        ("difference(s, {})", SetT(INT)),
        ("subset({}, s)", BOOL),
        ("domain(m)", SetT(_PID)),
        ("get(m, p, e)", _ENTRY),
        ("put(m, p, e)", MapT(_PID, _ENTRY)),
        ("delete(m, p)", MapT(_PID, _ENTRY)),
        ("append(q, 1)", SeqT(INT)),
        ("first(q)", INT),
        ("last(q)", INT),
        ("rest(q)", SeqT(INT)),
        ("some(p)", OptionT(_PID)),
        ("is_some(o)", BOOL),
        ("is_none(o)", BOOL),
        ("value(o)", INT),
        ("m[p]", _ENTRY),
        ("q[0]", INT),
        ("m[p].pid", _PID),
        ("e with { n: 2 }", _ENTRY),
        ("Entry { pid: p, n: 1 }", _ENTRY),
        ("{x in s | x > 1}", SetT(INT)),
        ("{k in m | m[k].n > 1}", SetT(_PID)),
        ("{p: 1}", MapT(_PID, INT)),
        ("[p, p]", SeqT(_PID)),
        ("{On, Off}", SetT(EnumT("Mode", ("On", "Off")))),
        ("if true then {} else s", SetT(INT)),
        ("if true then s else {}", SetT(INT)),
    ],
)
def test_structured_expression_types(text: str, expected: Type) -> None:
    expr = _checked(f"({text}) == ({text})")
    assert isinstance(expr, ast.Binary)
    assert expr.left.type == expected


@pytest.mark.parametrize(
    "text",
    [
        "p in m",
        "1 in s",
        "1 not in q",
        "forall x in s :: x > 0",
        "exists k in m :: m[k].pid == k",
        "forall x in q :: x > 0",
        "forall i in 0..size(q) - 1 :: q[i] > 0",
        "forall a: Pid :: a == a",
        "forall mode: Mode :: mode == On or mode == Off",
        "forall b: Bool :: b or not b",
        "o == none",
        "none == o",
        "s == {}",
        "{} == s",
        "m == {}",
        "q == []",
    ],
)
def test_boolean_structured_expressions_check(text: str) -> None:
    assert _checked(text).type == BOOL


def test_empty_braces_become_a_map_where_a_map_is_expected() -> None:
    expr = _checked("m == {}")
    assert isinstance(expr, ast.Binary)
    assert isinstance(expr.right, ast.MapLit)
    assert expr.right.entries == ()
    assert expr.right.type == MapT(_PID, _ENTRY)


def test_empty_braces_stay_a_set_where_a_set_is_expected() -> None:
    expr = _checked("{} == s")
    assert isinstance(expr, ast.Binary)
    assert isinstance(expr.left, ast.SetLit)
    assert expr.left.type == SetT(INT)


def test_empty_literal_argument_takes_its_type_from_the_others() -> None:
    expr = _checked("get(put({}, p, e), p, e) == e")
    calls = [n for n in walk(expr) if isinstance(n, ast.MapLit)]
    assert [c.type for c in calls] == [MapT(_PID, _ENTRY)]


def test_some_of_an_empty_literal_takes_its_type_from_the_context() -> None:
    source = component("var o: Option[Seq[Int]]", "init { o := some([]) }")
    init = spec_lang.load_source(source).components[0].init
    assert init is not None
    assign = init.body[0]
    assert isinstance(assign, ast.Assign)
    assert assign.value.type == OptionT(SeqT(INT))
    literal = [n for n in walk(assign.value) if isinstance(n, ast.SeqLit)]
    assert literal[0].type == SeqT(INT)


def test_assignment_types_empty_literals_from_the_variable() -> None:
    source = component(
        "var m: Map[Int, Set[Int]]",
        "var o: Option[Int]",
        "init { m := {}\n o := none }",
    )
    init = spec_lang.load_source(source).components[0].init
    assert init is not None
    values = [s.value for s in init.body if isinstance(s, ast.Assign)]
    assert isinstance(values[0], ast.MapLit)
    assert values[0].type == MapT(INT, SetT(INT))
    assert values[1].type == OptionT(INT)


def test_field_access_on_a_value_becomes_a_field_node() -> None:
    expr = _checked("e.n == 1")
    assert isinstance(expr, ast.Binary)
    access = expr.left
    assert isinstance(access, ast.Field)
    assert access.name == "n"
    assert isinstance(access.operand, ast.Name)
    assert access.operand.ref == ast.Ref(ast.RefKind.CONST, "e")


def test_enum_member_stays_qualified() -> None:
    expr = _checked("Mode.On != Mode.Off")
    assert isinstance(expr, ast.Binary)
    assert isinstance(expr.left, ast.Qualified)


def test_bound_variables_resolve_as_bound() -> None:
    expr = _checked("forall x in s :: x > 0")
    names = [n for n in walk(expr) if isinstance(n, ast.Name) and n.id == "x"]
    assert [n.ref for n in names] == [ast.Ref(ast.RefKind.BOUND, "x")]
    assert isinstance(expr, ast.Quantifier)
    assert expr.variable_type == INT


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("forall k in m :: true", _PID),
        ("forall k in domain(m) :: true", _PID),
        ("forall x in q :: true", INT),
        ("forall i in 0..3 :: true", INT),
        ("forall a: Pid :: true", _PID),
    ],
)
def test_quantifier_variable_types(text: str, bound: Type) -> None:
    expr = _checked(text)
    assert isinstance(expr, ast.Quantifier)
    assert expr.variable_type == bound


def test_sibling_quantifiers_may_reuse_a_name() -> None:
    expr = _checked("(forall x in s :: x > 0) and (exists x in s :: x > 1)")
    assert expr.type == BOOL


def test_nested_quantifier_may_not_reuse_a_name() -> None:
    with pytest.raises(SpecError) as raised:
        _checked("forall x in s :: exists x in s :: x > 1")
    assert [d.code for d in raised.value.diagnostics] == ["SF206"]


def test_records_may_name_records_declared_later() -> None:
    source = component("record A { b: B }", "record B { n: Int }", "const a: A")
    checked = spec_lang.load_source(source).components[0]
    a_type = checked.consts[0].type
    assert isinstance(a_type, RecordT)
    assert a_type.field_type("b") == RecordT("B")
    assert [f.type for f in checked.records[0].fields] == [RecordT("B")]


def test_record_type_keeps_fields_in_declaration_order() -> None:
    registry = spec_lang.load_source(STRUCTURED_SPEC).components[0]
    entry = next(v for v in registry.records if v.name == "Entry")
    assert [f.name for f in entry.fields] == ["pid", "namespace", "since", "tags"]
    assert entry.fields[3].type == SetT(INT)


def test_set_filter_binds_its_variable_for_the_condition_only() -> None:
    with pytest.raises(SpecError) as raised:
        _checked("{x in s | x > 0} == {x}")
    assert raised.value.diagnostics[0].message.startswith("unknown name 'x'")


def test_signatures_agree_with_the_arity_table() -> None:
    arities = {name: len(params) for name, (params, _) in builtins.SIGNATURES.items()}
    arities.update({name: 1 for name in builtins.COLLECTION_FUNCTIONS})
    assert arities == ast.BUILTIN_FUNCTIONS


def test_signature_text_reads_like_the_language() -> None:
    assert builtins.signature_text("put") == "put(Map[K, V], K, V) -> Map[K, V]"
    assert builtins.signature_text("size") == (
        "size(a set, a map or a sequence) -> Int"
    )
