"""The parser builds every node kind, with spans, clause ids and operator structure."""

from __future__ import annotations

import re
from typing import Any

import pytest
from lang_support import EVERY_NODE_SPEC, STRUCTURED_SPEC, node_kinds, walk

from spec_lang import ast
from spec_lang.parser import _GRAMMAR, _Builder, _parser, parse_source
from spec_lang.syntax_errors import keywords


def _parse(source: str) -> ast.Component:
    return parse_source(source, "p.spec").components[0]


def _expr(text: str) -> ast.Expr:
    return _parse(f"component C {{\n  invariant {text}\n}}\n").invariants[0].expr


def shape(expr: ast.Expr) -> Any:
    """A nested tuple that shows how an expression is grouped."""
    if isinstance(expr, ast.Binary):
        return (expr.op, shape(expr.left), shape(expr.right))
    if isinstance(expr, ast.Unary):
        return (expr.op, shape(expr.operand))
    if isinstance(expr, ast.IfThenElse):
        return ("if", shape(expr.condition), shape(expr.then), shape(expr.otherwise))
    if isinstance(expr, ast.Call):
        return (expr.function, *(shape(a) for a in expr.args))
    if isinstance(expr, ast.Old):
        return ("old", shape(expr.operand))
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Qualified):
        return f"{expr.qualifier}.{expr.member}"
    if isinstance(expr, ast.IntLit | ast.BoolLit):
        return expr.value
    assert isinstance(expr, ast.ResultRef)
    return "result"


# --- node kinds and the grammar ------------------------------------------------


def test_every_node_kind_is_built_from_source() -> None:
    built = set()
    for source in (EVERY_NODE_SPEC, STRUCTURED_SPEC):
        built |= {type(node) for node in walk(parse_source(source, "every.spec"))}
    # The parser reads "{}" as a set; only the checker makes an empty map of it.
    assert built == node_kinds()


def test_every_grammar_rule_has_a_builder() -> None:
    missing = []
    for rule in _parser().rules:
        name = str(rule.alias or rule.origin.name)
        if name.startswith("_"):  # lark's own helper rules are always inlined
            continue
        kept = [s for s in rule.expansion if not getattr(s, "filter_out", False)]
        inlined = rule.options.expand1 and not rule.alias and len(kept) == 1
        if not inlined and not callable(getattr(_Builder, name, None)):
            missing.append(name)
    assert missing == []


def test_parsing_leaves_types_and_refs_empty() -> None:
    spec = parse_source(EVERY_NODE_SPEC, "every.spec")
    names = [n for n in walk(spec) if isinstance(n, ast.Name)]
    assert names
    assert all(n.ref is None for n in names)
    assert all(n.type is None for n in names)


def test_every_alphabetic_literal_of_the_grammar_is_reserved() -> None:
    text = _GRAMMAR.read_text(encoding="utf-8")
    literals = set(re.findall(r'"([A-Za-z]+)"', text))
    assert literals
    assert literals <= keywords(_parser())


@pytest.mark.parametrize("word", ["iff", "implies", "or", "and", "not"])
def test_word_operators_are_reserved(word: str) -> None:
    assert word in keywords(_parser())


# --- spans ------------------------------------------------------------------


_SPANNED = """\
component Counter {
  const limit: Int
  var value: Int
  init { value := 0 }
  operation bump(by: Int) {
    requires value + by <= limit
  }
}
"""


def test_component_span_covers_the_declaration() -> None:
    span = _parse(_SPANNED).span
    assert (span.line, span.column, span.end_line, span.end_column) == (1, 1, 8, 2)


def test_declaration_spans_point_at_their_names() -> None:
    component = _parse(_SPANNED)
    assert (component.consts[0].span.line, component.consts[0].span.column) == (2, 9)
    assert (component.vars[0].span.line, component.vars[0].span.column) == (3, 7)
    op = component.operations[0]
    assert (op.span.line, op.span.column) == (5, 13)
    assert (op.params[0].span.line, op.params[0].span.column) == (5, 18)


def test_expression_spans_cover_their_operands() -> None:
    clause = _parse(_SPANNED).operations[0].requires[0]
    assert isinstance(clause.expr, ast.Binary)
    comparison = clause.expr.span
    assert (comparison.line, comparison.column, comparison.end_column) == (6, 14, 33)
    assert isinstance(clause.expr.left, ast.Binary)
    by = clause.expr.left.right
    assert isinstance(by, ast.Name)
    assert (by.span.column, by.span.end_column) == (22, 24)


def test_clause_span_starts_at_its_keyword() -> None:
    clause = _parse(_SPANNED).operations[0].requires[0]
    assert (clause.span.line, clause.span.column) == (6, 5)


def test_assignment_keeps_the_span_of_its_target() -> None:
    init = _parse(_SPANNED).init
    assert init is not None
    assign = init.body[0]
    assert isinstance(assign, ast.Assign)
    assert (assign.target_span.column, assign.target_span.end_column) == (10, 15)
    assert (assign.span.column, assign.span.end_column) == (10, 20)


def test_enum_member_and_error_spans_point_at_each_name() -> None:
    component = _parse("component C {\n  enum M { A, Bb }\n  error E, Ff\n}\n")
    members = [(s.line, s.column) for s in component.enums[0].member_spans]
    assert members == [(2, 12), (2, 15)]
    assert [(e.span.line, e.span.column) for e in component.errors] == [(3, 9), (3, 12)]


def test_spans_after_a_multiline_block_comment_keep_their_lines() -> None:
    source = "component C {\n  /* one\n     two */ const k: Int\n}\n"
    const = _parse(source).consts[0]
    assert (const.span.line, const.span.column) == (3, 19)


def test_spans_name_the_file() -> None:
    assert _parse(_SPANNED).span.file == "p.spec"


# --- clause ids -------------------------------------------------------------

_CLAUSES = """\
component C {
  const k: Int where k >= 1 where upper: k <= 9
  invariant first: true
  invariant true
  operation op() {
    requires true
    requires ready: true else Busy
    ensures true
    ensures tidy: true
    ensures true
  }
}
"""


def test_where_clause_ids_are_derived_and_given() -> None:
    ids = [w.id for w in _parse(_CLAUSES).consts[0].where]
    assert ids == ["C.k.where.1", "C.k.where.upper"]


def test_invariant_ids_count_only_unlabelled_invariants() -> None:
    ids = [i.id for i in _parse(_CLAUSES).invariants]
    assert ids == ["C.invariant.first", "C.invariant.1"]


def test_requires_ids_are_derived_and_given() -> None:
    ids = [r.id for r in _parse(_CLAUSES).operations[0].requires]
    assert ids == ["C.op.requires.1", "C.op.requires.ready"]


def test_ensures_ids_are_derived_and_given() -> None:
    ids = [e.id for e in _parse(_CLAUSES).operations[0].ensures]
    assert ids == ["C.op.ensures.1", "C.op.ensures.tidy", "C.op.ensures.2"]


def test_adding_a_labelled_clause_renumbers_no_other() -> None:
    before = _parse("component C {\n  invariant true\n  invariant false\n}\n")
    after = _parse(
        "component C {\n  invariant added: true\n  invariant true\n"
        "  invariant false\n}\n"
    )
    assert [i.id for i in before.invariants] == ["C.invariant.1", "C.invariant.2"]
    assert [i.id for i in after.invariants][1:] == ["C.invariant.1", "C.invariant.2"]


def test_labels_are_kept_apart_from_ids() -> None:
    labels = [e.label for e in _parse(_CLAUSES).operations[0].ensures]
    assert labels == [None, "tidy", None]


def test_requires_keeps_its_error_and_where_it_is_named() -> None:
    clause = _parse(_CLAUSES).operations[0].requires[1]
    assert clause.error == "Busy"
    assert clause.error_span is not None
    assert (clause.error_span.line, clause.error_span.column) == (7, 31)


def test_requires_without_else_has_no_error() -> None:
    clause = _parse(_CLAUSES).operations[0].requires[0]
    assert clause.error is None
    assert clause.error_span is None


# --- precedence and associativity ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a implies b implies c", ("implies", "a", ("implies", "b", "c"))),
        ("a iff b iff c", ("iff", ("iff", "a", "b"), "c")),
        ("a implies b iff c", ("iff", ("implies", "a", "b"), "c")),
        ("a iff b implies c", ("iff", "a", ("implies", "b", "c"))),
        ("a or b implies c", ("implies", ("or", "a", "b"), "c")),
        ("a or b and c", ("or", "a", ("and", "b", "c"))),
        ("a and b or c", ("or", ("and", "a", "b"), "c")),
        ("a or b or c", ("or", ("or", "a", "b"), "c")),
        ("a and b and c", ("and", ("and", "a", "b"), "c")),
        ("not a and b", ("and", ("not", "a"), "b")),
        ("not not a", ("not", ("not", "a"))),
        ("not a == b", ("not", ("==", "a", "b"))),
        ("a == b and c != d", ("and", ("==", "a", "b"), ("!=", "c", "d"))),
        ("a + b < c * d", ("<", ("+", "a", "b"), ("*", "c", "d"))),
        ("1 + 2 * 3", ("+", 1, ("*", 2, 3))),
        ("1 - 2 - 3", ("-", ("-", 1, 2), 3)),
        ("8 / 4 / 2", ("/", ("/", 8, 4), 2)),
        ("7 % 4 * 2", ("*", ("%", 7, 4), 2)),
        ("-a * b", ("*", ("-", "a"), "b")),
        ("- -a", ("-", ("-", "a"))),
        ("a - -1", ("-", "a", ("-", 1))),
        ("(a implies b) implies c", ("implies", ("implies", "a", "b"), "c")),
        ("(1 + 2) * 3", ("*", ("+", 1, 2), 3)),
        ("if a then 1 else 2 + 3", ("if", "a", 1, ("+", 2, 3))),
        ("(if a then 1 else 2) + 3", ("+", ("if", "a", 1, 2), 3)),
        ("old(x) + 1 == x", ("==", ("+", ("old", "x"), 1), "x")),
        ("min(a, b) <= abs(-c)", ("<=", ("min", "a", "b"), ("abs", ("-", "c")))),
        ("M.A == m", ("==", "M.A", "m")),
        ("result == 1_000", ("==", "result", 1000)),
        ("true and false", ("and", True, False)),
    ],
)
def test_operators_group_as_documented(text: str, expected: Any) -> None:
    assert shape(_expr(text)) == expected


@pytest.mark.parametrize(
    ("symbol", "word"),
    [("=>", "implies"), ("<=>", "iff"), ("&&", "and"), ("||", "or")],
)
def test_symbolic_binary_operators_have_canonical_names(symbol: str, word: str) -> None:
    assert shape(_expr(f"a {symbol} b")) == (word, "a", "b")


def test_bang_is_not() -> None:
    assert shape(_expr("!a && b")) == ("and", ("not", "a"), "b")


def test_symbols_and_words_group_alike() -> None:
    symbols = shape(_expr("!a || b && c => d <=> e"))
    words = shape(_expr("not a or b and c implies d iff e"))
    assert symbols == words


def test_names_may_start_with_a_keyword() -> None:
    assert shape(_expr("iffy or order and android")) == (
        "or",
        "iffy",
        ("and", "order", "android"),
    )


# --- comments, commas, chains ---------------------------------------------------


def test_comments_are_ignored() -> None:
    source = (
        "// leading\ncomponent C { // trailing\n"
        "  /* block */ const k: Int /* inside */ where k > 0 // end\n"
        "  /* multi\n  line */\n}\n"
    )
    component = _parse(source)
    assert [k.name for k in component.consts] == ["k"]
    assert shape(component.consts[0].where[0].expr) == (">", "k", 0)


def test_comment_markers_inside_a_block_comment_are_plain_text() -> None:
    component = _parse("component C {\n  /* a // b /* c */ const k: Int\n}\n")
    assert [k.name for k in component.consts] == ["k"]


def test_trailing_commas_are_accepted() -> None:
    source = (
        "component C {\n  enum M { A, B, }\n  error E, F,\n  var x: Int\n"
        "  operation f(a: Int, b: Bool,) { modifies x, }\n"
        "  invariant min(x, 1,) >= 0\n}\n"
    )
    component = _parse(source)
    assert component.enums[0].members == ("A", "B")
    assert [e.name for e in component.errors] == ["E", "F"]
    assert [p.name for p in component.operations[0].params] == ["a", "b"]
    assert component.operations[0].modifies == ("x",)
    assert shape(component.invariants[0].expr) == (">=", ("min", "x", 1), 0)


def test_else_if_chain_nests_in_the_else_branch() -> None:
    source = (
        "component C {\n  var x: Int\n  init {\n"
        "    if x == 0 { x := 1 } else if x == 1 { x := 2 } else { x := 3 }\n"
        "  }\n}\n"
    )
    init = _parse(source).init
    assert init is not None
    first = init.body[0]
    assert isinstance(first, ast.If)
    assert len(first.otherwise) == 1
    second = first.otherwise[0]
    assert isinstance(second, ast.If)
    assert shape(second.condition) == ("==", "x", 1)
    assert [type(s) for s in second.otherwise] == [ast.Assign]


def test_if_without_else_has_an_empty_else_branch() -> None:
    source = "component C {\n  var x: Int\n  init { if true { x := 1 } }\n}\n"
    init = _parse(source).init
    assert init is not None
    statement = init.body[0]
    assert isinstance(statement, ast.If)
    assert statement.otherwise == ()


# --- declarations -------------------------------------------------------------


def test_operation_kinds_are_kept() -> None:
    spec = parse_source(EVERY_NODE_SPEC, "every.spec").components[0]
    kinds = {op.name: op.kind for op in spec.operations}
    assert kinds == {
        "put": ast.OperationKind.OPERATION,
        "take": ast.OperationKind.OPERATION,
        "level": ast.OperationKind.QUERY,
        "wake": ast.OperationKind.ENVIRONMENT,
    }


def test_modifies_and_effect_are_none_when_absent() -> None:
    op = _parse("component C {\n  operation f() {}\n}\n").operations[0]
    assert op.modifies is None
    assert op.effect is None
    assert op.result_type_expr is None


def test_several_modifies_clauses_are_joined() -> None:
    source = "component C {\n  operation f() { modifies a\n modifies b, c }\n}\n"
    assert _parse(source).operations[0].modifies == ("a", "b", "c")


def test_empty_modifies_and_effect_differ_from_absent_ones() -> None:
    op = _parse("component C {\n  operation f() { effect {} }\n}\n").operations[0]
    assert op.effect == ()


def test_bounded_int_type_keeps_both_bounds() -> None:
    var = _parse("component C {\n  var x: Int[0..k + 1]\n}\n").vars[0]
    assert isinstance(var.type_expr, ast.IntTypeExpr)
    assert var.type_expr.low is not None
    assert var.type_expr.high is not None
    assert shape(var.type_expr.low) == 0
    assert shape(var.type_expr.high) == ("+", "k", 1)


def test_plain_int_type_has_no_bounds() -> None:
    var = _parse("component C {\n  var x: Int\n}\n").vars[0]
    assert var.type_expr == ast.IntTypeExpr(var.type_expr.span)


def test_named_type_keeps_its_name() -> None:
    var = _parse("component C {\n  var m: Mode\n}\n").vars[0]
    assert isinstance(var.type_expr, ast.NamedTypeExpr)
    assert var.type_expr.name == "Mode"


def test_one_error_declaration_may_name_several_errors() -> None:
    component = _parse("component C {\n  error A, B\n  error D\n}\n")
    assert [e.name for e in component.errors] == ["A", "B", "D"]


def test_a_file_may_declare_several_components() -> None:
    spec = parse_source("component A {}\ncomponent B {}\n", "two.spec")
    assert [c.name for c in spec.components] == ["A", "B"]


def test_forty_digit_literal_is_accepted() -> None:
    assert shape(_expr("x < " + "9" * 40)) == ("<", "x", int("9" * 40))


def test_spec_file_keeps_path_and_source() -> None:
    spec = parse_source(_SPANNED, "p.spec")
    assert spec.path == "p.spec"
    assert spec.source == _SPANNED
