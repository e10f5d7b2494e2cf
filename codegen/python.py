"""A small tree of Python expressions, which the translator builds and layout prints.

Generated code is built from these nodes rather than from strings so that
``codegen.layout`` can break long expressions the way ``ruff format`` does,
and so that parentheses are placed once, by precedence, in the translator.
The nodes carry no precedence themselves: the translator writes a ``Paren``
wherever one is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True)
class Atom:
    """A name, an attribute chain, a number or a string, written as is."""

    text: str


@dataclass(frozen=True)
class Paren:
    inner: PyExpr


@dataclass(frozen=True)
class Keyword:
    """``name=value`` in a call's arguments."""

    name: str
    value: PyExpr


@dataclass(frozen=True)
class Call:
    """A call, or with ``parameters`` the parameter list of a ``def``."""

    function: str
    args: tuple[PyExpr | Keyword, ...]
    parameters: bool = False


@dataclass(frozen=True)
class Sequence:
    """A tuple or list display; a one-element tuple keeps its comma."""

    items: tuple[PyExpr, ...]
    kind: str = "tuple"  # "tuple" or "list"


@dataclass(frozen=True)
class BoolOp:
    """``a and b and c``: one operator, flattened."""

    op: str
    values: tuple[PyExpr, ...]


@dataclass(frozen=True)
class BinOp:
    """An arithmetic operator: ``+ - * // %``."""

    left: PyExpr
    op: str
    right: PyExpr


@dataclass(frozen=True)
class Compare:
    left: PyExpr
    op: str
    right: PyExpr


@dataclass(frozen=True)
class Not:
    operand: PyExpr


@dataclass(frozen=True)
class Neg:
    operand: PyExpr


@dataclass(frozen=True)
class Ternary:
    """``body if test else orelse``."""

    body: PyExpr
    test: PyExpr
    orelse: PyExpr


@dataclass(frozen=True)
class Attribute:
    """``value.name``; the translator parenthesizes a ``value`` that needs it."""

    value: PyExpr
    name: str


@dataclass(frozen=True)
class Subscript:
    """``value[index]``."""

    value: PyExpr
    index: PyExpr


@dataclass(frozen=True)
class DictItem:
    """``key: value`` in a dict display."""

    key: PyExpr
    value: PyExpr


@dataclass(frozen=True)
class Display:
    """A set display ``{a, b}``, or with ``DictItem`` items a dict display."""

    items: tuple[PyExpr | DictItem, ...]


@dataclass(frozen=True)
class Generator:
    """``element for target in iterable [if condition]``, the sole argument of a
    call such as ``all(...)`` or ``frozenset(...)``."""

    element: PyExpr
    target: str
    iterable: PyExpr
    condition: PyExpr | None = None


PyExpr: TypeAlias = (
    Atom
    | Paren
    | Call
    | Sequence
    | BoolOp
    | BinOp
    | Compare
    | Not
    | Neg
    | Ternary
    | Attribute
    | Subscript
    | Display
    | Generator
)

MULTIPLICATIVE = frozenset({"*", "//", "%"})
ADDITIVE = frozenset({"+", "-"})


def source(expr: PyExpr | Keyword | DictItem) -> str:
    """Return the expression on one line.

    >>> source(BinOp(Atom("a"), "+", Paren(BinOp(Atom("b"), "-", Atom("c")))))
    'a + (b - c)'
    """
    if isinstance(expr, Atom):
        return expr.text
    if isinstance(expr, Paren):
        return f"({source(expr.inner)})"
    if isinstance(expr, Keyword):
        return f"{expr.name}={source(expr.value)}"
    if isinstance(expr, Call):
        return f"{expr.function}({', '.join(source(a) for a in expr.args)})"
    if isinstance(expr, Sequence):
        return _sequence_source(expr)
    if isinstance(expr, BoolOp):
        return f" {expr.op} ".join(source(v) for v in expr.values)
    if isinstance(expr, BinOp | Compare):
        return f"{source(expr.left)} {expr.op} {source(expr.right)}"
    if isinstance(expr, Not):
        return f"not {source(expr.operand)}"
    if isinstance(expr, Neg):
        return f"-{source(expr.operand)}"
    if isinstance(expr, Attribute):
        return f"{source(expr.value)}.{expr.name}"
    if isinstance(expr, Subscript):
        return f"{source(expr.value)}[{source(expr.index)}]"
    if isinstance(expr, DictItem):
        return f"{source(expr.key)}: {source(expr.value)}"
    if isinstance(expr, Display):
        return "{" + ", ".join(source(item) for item in expr.items) + "}"
    if isinstance(expr, Generator):
        text = f"{source(expr.element)} for {expr.target} in {source(expr.iterable)}"
        if expr.condition is not None:
            text += f" if {source(expr.condition)}"
        return text
    return f"{source(expr.body)} if {source(expr.test)} else {source(expr.orelse)}"


def _sequence_source(expr: Sequence) -> str:
    inner = ", ".join(source(item) for item in expr.items)
    if expr.kind == "list":
        return f"[{inner}]"
    if len(expr.items) == 1:
        return f"({inner},)"
    return f"({inner})"


def string(text: str) -> Atom:
    """Build a string literal in the double quotes that ruff format prefers."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return Atom(f'"{escaped}"')


def call(function: str, *args: PyExpr | Keyword) -> Call:
    return Call(function, tuple(args))
