"""The layout engine breaks generated lines exactly as ruff format does."""

from __future__ import annotations

import random
import subprocess

import pytest
from codegen_support import ruff

from codegen import layout
from codegen.python import (
    Atom,
    Attribute,
    BinOp,
    BoolOp,
    Call,
    Compare,
    DictItem,
    Display,
    Generator,
    Keyword,
    Neg,
    Not,
    Paren,
    PyExpr,
    Sequence,
    Subscript,
    Ternary,
)

NAMES = [
    "self.mode",
    "pre.failures",
    "self.failure_threshold",
    "cost",
    "self.opened_at",
    "x",
    "1",
    '"HalfOpen"',
    "self.aaaaaaaaaaaaaaaaaaaa",
    "self.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
]


def _operand(expr: PyExpr, *kinds: type) -> PyExpr:
    return Paren(expr) if isinstance(expr, kinds) else expr


def random_expression(rng: random.Random, depth: int) -> PyExpr:
    """A random expression in the shapes the translator produces."""
    if depth <= 0 or rng.random() < 0.15:
        return Atom(rng.choice(NAMES))
    kind = rng.choice(["bool", "arith", "compare", "not", "neg", "call", "ternary"])
    sub = [random_expression(rng, depth - 1) for _ in range(3)]
    if kind == "bool":
        values = tuple(_operand(e, BoolOp, Ternary) for e in sub[: rng.randint(2, 3)])
        return BoolOp(rng.choice(["and", "or"]), values)
    loose: tuple[type, ...]
    if kind == "arith":
        loose = (BoolOp, Compare, Not, Ternary, BinOp)
        return BinOp(
            _operand(sub[0], *loose), rng.choice("+-*%"), _operand(sub[1], *loose)
        )
    if kind == "compare":
        loose = (BoolOp, Compare, Not, Ternary)
        op = rng.choice(["==", "<", ">=", "!="])
        return Compare(_operand(sub[0], *loose), op, _operand(sub[1], *loose))
    if kind == "not":
        return Not(_operand(sub[0], BoolOp, Ternary, Compare))
    if kind == "neg":
        return Neg(sub[0] if isinstance(sub[0], Atom | Call | Paren) else Paren(sub[0]))
    if kind == "call":
        args = tuple(_operand(e, Ternary) for e in sub[: rng.randint(1, 2)])
        return Call(rng.choice(["min", "max", "abs"]), args)
    return Ternary(*(_operand(e, Ternary) for e in sub))


def statements(expr: PyExpr) -> list[tuple[str, PyExpr, str]]:
    """The statement forms generated code puts expressions in."""
    clause = Atom('"CircuitBreaker.record_failure.ensures.trips"')
    bounds = Keyword("high", Sequence((expr, Atom("self.model.x")), "list"))
    return [
        ("if ", expr, ":"),
        ("return ", expr, ""),
        ("self.xxxxxxxxxxxxxxxxxxxxxxxxxxxx = ", expr, ""),
        ("", Call("self._sf_ensure", (clause, expr)), ""),
        ("", Call("self._sf_ensure", (expr,)), ""),
        ("yield ", Call("Requirement", (clause, expr, Atom('"CircuitOpen"'))), ""),
        ("", Call("self.draw_int", (Atom("data"), Atom('"cost"'), bounds)), ""),
        ("", Call("self.x", (Keyword("k", Sequence((expr,), "tuple")),)), ""),
    ]


def ruff_format(source: str) -> str:
    executable = ruff()
    if executable is None:
        pytest.skip("ruff is not installed")
    done = subprocess.run(
        [executable, "format", "--isolated", "--line-length", "88", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def as_method(lines: list[str]) -> str:
    body = "".join(
        f"        {line}\n" + ("            pass\n" if line.endswith(":") else "")
        for line in lines
    )
    return f"class A:\n    def f(self):\n{body}"


@pytest.mark.parametrize("seed", [1, 2])
def test_random_statements_are_laid_out_like_ruff(seed: int) -> None:
    rng = random.Random(seed)
    lines = []
    for _ in range(25):
        expr = random_expression(rng, rng.randint(1, 5))
        for prefix, value, suffix in statements(expr):
            lines.append(layout.statement(prefix, value, suffix, indent=8))
    source = as_method(lines)
    assert ruff_format(source) == source


def test_short_statement_stays_on_one_line() -> None:
    expr = BoolOp("and", (Atom("self.a"), Atom("self.b")))
    assert layout.statement("if ", expr, ":", 8) == "if self.a and self.b:"


def test_long_chain_breaks_before_each_operator() -> None:
    names = tuple(Atom(f"self.{c * 30}") for c in "abc")
    text = layout.statement("return ", BoolOp("or", names), "", 8)
    assert text.splitlines()[1:4] == [
        f"            self.{'a' * 30}",
        f"            or self.{'b' * 30}",
        f"            or self.{'c' * 30}",
    ]


def test_arguments_that_fit_share_one_indented_line() -> None:
    args = (Atom(f'"{"i" * 40}"'), Atom("holds"), Atom('"CircuitOpen"'))
    text = layout.call_statement("self._sf_require", args, 8)
    assert text.splitlines()[1].strip() == f'"{"i" * 40}", holds, "CircuitOpen"'


def test_long_arguments_go_one_per_line() -> None:
    args = tuple(Atom(f"self.{c * 30}") for c in "abc")
    text = layout.call_statement("self.check", args, 8)
    assert text.splitlines()[-2].strip() == f"self.{'c' * 30},"


def test_lone_broken_argument_gets_no_trailing_comma() -> None:
    chain = BinOp(Atom(f"self.{'a' * 50}"), "+", Atom(f"self.{'b' * 40}"))
    text = layout.call_statement("self.check", (chain,), 8)
    assert not text.splitlines()[-2].endswith(",")


def random_structured(rng: random.Random, depth: int) -> PyExpr:
    """A random expression of the shapes structured state adds: field reads,
    lookups, set and dict displays and generators, over the older shapes."""
    if depth <= 0 or rng.random() < 0.15:
        return Atom(rng.choice(NAMES))
    sub = [random_structured(rng, depth - 1) for _ in range(3)]
    kind = rng.choice(["attribute", "subscript", "set", "dict", "all", "filter", "old"])
    primary = (BoolOp, BinOp, Compare, Not, Neg, Ternary)
    if isinstance(sub[0], Atom) and sub[0].text.isdigit():
        sub[0] = Atom("self.mode")  # no field of a number
    if kind == "attribute":
        return Attribute(_operand(sub[0], *primary), rng.choice(["pid", "namespace"]))
    if kind == "subscript":
        return Subscript(_operand(sub[0], *primary), _operand(sub[1], Ternary))
    if kind == "set":
        items = tuple(_operand(e, Ternary) for e in sub[: rng.randint(1, 3)])
        return Call("frozenset", (Display(items),))
    if kind == "dict":
        pairs = tuple(
            DictItem(_operand(sub[i], Ternary), _operand(sub[(i + 1) % 3], Ternary))
            for i in range(rng.randint(1, 3))
        )
        return Call("sf.FrozenMap", (Display(pairs),))
    if kind == "all":
        element = _operand(sub[0], Ternary)
        iterable = _operand(sub[1], Ternary)
        return Call(rng.choice(["all", "any"]), (Generator(element, "x", iterable),))
    if kind == "filter":
        condition = _operand(sub[1], Ternary)
        domain = _operand(sub[0], Ternary)
        return Call("frozenset", (Generator(Atom("x"), "x", domain, condition),))
    return random_expression(rng, depth)


@pytest.mark.parametrize("seed", [3, 4])
def test_structured_statements_are_laid_out_like_ruff(seed: int) -> None:
    rng = random.Random(seed)
    lines = []
    for _ in range(25):
        expr = random_structured(rng, rng.randint(1, 4))
        for prefix, value, suffix in statements(expr):
            lines.append(layout.statement(prefix, value, suffix, indent=8))
    source = as_method(lines)
    assert ruff_format(source) == source
