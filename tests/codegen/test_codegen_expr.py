"""Translated expressions compute what the spec language defines."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codegen.expr import Scope, translate
from codegen.python import source
from spec_lang import ast, load_source

VALUES = [-7, -3, -2, -1, 0, 1, 2, 3, 7]


def spec_expression(text: str, result: str = "Int") -> ast.Expr:
    """Check ``text`` as the result of a query over ``a``, ``b`` (Int), ``p``, ``q``."""
    spec = load_source(
        "component E {\n"
        "  enum Mode { Idle, Busy }\n"
        "  var mode: Mode\n"
        "  init { mode := Idle }\n"
        f"  query f(a: Int, b: Int, p: Bool, q: Bool) -> {result} {{\n"
        f"    effect {{ result := {text} }}\n"
        "  }\n"
        "}\n"
    )
    effect = spec.components[0].operation("f").effect
    assert effect is not None and isinstance(effect[0], ast.Assign)
    return effect[0].value


def python(text: str, result: str = "Int") -> str:
    return source(translate(spec_expression(text, result), Scope()))


def evaluate(text: str, result: str = "Int", **names: Any) -> Any:
    class State:
        mode = "Busy"

    return eval(python(text, result), {}, {"self": State(), **names})


def test_division_is_floor_division() -> None:
    for a, b in itertools.product(VALUES, VALUES):
        if b:
            assert evaluate("a / b", a=a, b=b) == a // b


def test_modulo_takes_the_sign_of_the_divisor() -> None:
    for a, b in itertools.product(VALUES, VALUES):
        if b:
            assert evaluate("a % b", a=a, b=b) == a % b


def test_seven_over_minus_two_is_minus_four() -> None:
    assert evaluate("7 / -2") == -4


def test_implies_is_false_only_from_true_to_false() -> None:
    for p, q in itertools.product([False, True], repeat=2):
        assert evaluate("p implies q", "Bool", p=p, q=q) == ((not p) or q)


def test_implies_groups_to_the_right() -> None:
    for p, q in itertools.product([False, True], repeat=2):
        expected = (not p) or ((not q) or p)
        assert evaluate("p implies q implies p", "Bool", p=p, q=q) == expected


def test_iff_compares_truth_values() -> None:
    for p, q in itertools.product([False, True], repeat=2):
        assert evaluate("p iff q", "Bool", p=p, q=q) == (p == q)


def test_negated_comparison_flips_the_operator() -> None:
    assert python("not (a == b)", "Bool") == "a != b"


def test_literal_on_the_left_is_mirrored() -> None:
    assert python("0 <= a", "Bool") == "a >= 0"


def test_comparison_with_true_is_the_operand() -> None:
    assert python("p == true", "Bool") == "p"


def test_comparison_with_false_is_the_negation() -> None:
    assert python("p != false and q == false", "Bool") == "p and not q"


def test_right_operand_of_subtraction_keeps_its_parentheses() -> None:
    assert evaluate("a - (b - 1)", a=5, b=3) == 5 - (3 - 1)


def test_and_inside_or_is_parenthesized() -> None:
    assert python("p or q and p", "Bool") == "p or (q and p)"


def test_enum_member_is_its_name() -> None:
    assert evaluate("mode == Mode.Busy", "Bool") is True


def test_choice_between_boolean_literals_is_the_condition() -> None:
    assert python("if p then true else false", "Bool") == "p"


def test_min_max_abs_are_the_builtins() -> None:
    for a, b in itertools.product(VALUES, VALUES):
        assert evaluate("min(a, b) + max(a, b) * abs(a)", a=a, b=b) == min(a, b) + max(
            a, b
        ) * abs(a)


def test_old_reads_the_pre_state() -> None:
    spec = load_source(
        "component C { var x: Int init { x := 0 }\n"
        "  operation inc() { ensures x == old(x) + 1 effect { x := x + 1 } } }"
    )
    clause = spec.components[0].operation("inc").ensures[0]
    assert source(translate(clause.expr, Scope(old="pre"))) == "self.x == pre.x + 1"


# --- random expressions against a reference interpreter -------------------------------

INT_OPS = ["+", "-", "*", "/", "%"]


@st.composite
def int_text(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(["a", "b", "1", "2", "-a", "(-b)"]))
    kind = draw(st.sampled_from(["binary", "neg", "call", "if"]))
    left, right = draw(int_text(depth - 1)), draw(int_text(depth - 1))
    if kind == "binary":
        return f"{left} {draw(st.sampled_from(INT_OPS))} {right}"
    if kind == "neg":
        return f"-({left})"
    if kind == "call":
        return f"min({left}, {right})"
    return f"(if {draw(bool_text(depth - 1))} then {left} else {right})"


@st.composite
def bool_text(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        op = draw(st.sampled_from(["<", "<=", "==", "!=", ">", ">="]))
        return f"{draw(int_text(0))} {op} {draw(int_text(0))}"
    op = draw(st.sampled_from(["and", "or", "implies", "iff"]))
    left, right = draw(bool_text(depth - 1)), draw(bool_text(depth - 1))
    if draw(st.booleans()):
        return f"not ({left} {op} {right})"
    return f"{left} {op} {right}"


def interpret(expr: ast.Expr, names: dict[str, int]) -> Any:
    """A direct reading of the language reference, independent of the translator."""
    if isinstance(expr, ast.IntLit | ast.BoolLit):
        return expr.value
    if isinstance(expr, ast.Name):
        return names[expr.id]
    if isinstance(expr, ast.Unary):
        value = interpret(expr.operand, names)
        return (not value) if expr.op == "not" else -value
    if isinstance(expr, ast.IfThenElse):
        chosen = expr.then if interpret(expr.condition, names) else expr.otherwise
        return interpret(chosen, names)
    if isinstance(expr, ast.Call):
        return min(interpret(a, names) for a in expr.args)
    assert isinstance(expr, ast.Binary)
    left, right = interpret(expr.left, names), interpret(expr.right, names)
    table: dict[str, Callable[[], Any]] = {
        "+": lambda: left + right,
        "-": lambda: left - right,
        "*": lambda: left * right,
        "/": lambda: left // right,
        "%": lambda: left % right,
        "<": lambda: left < right,
        "<=": lambda: left <= right,
        "==": lambda: left == right,
        "!=": lambda: left != right,
        ">": lambda: left > right,
        ">=": lambda: left >= right,
        "and": lambda: left and right,
        "or": lambda: left or right,
        "implies": lambda: (not left) or right,
        "iff": lambda: left == right,
    }
    return table[expr.op]()


TYPED = st.one_of(
    int_text().map(lambda text: (text, "Int")),
    bool_text().map(lambda text: (text, "Bool")),
)


@settings(max_examples=150, deadline=None)
@given(typed=TYPED, a=st.sampled_from(VALUES), b=st.sampled_from([-3, -1, 2, 5]))
def test_random_expressions_match_the_reference_reading(
    typed: tuple[str, str], a: int, b: int
) -> None:
    text, result = typed
    expr = spec_expression(text, result)
    translated = source(translate(expr, Scope()))
    try:
        expected = interpret(expr, {"a": a, "b": b})
    except ZeroDivisionError:
        with pytest.raises(ZeroDivisionError):
            eval(translated, {}, {"a": a, "b": b})
        return
    assert eval(translated, {}, {"a": a, "b": b}) == expected
