"""Integer bounds for drawing arguments and constants, read off simple clauses.

A clause like ``requires cost >= 1 else InvalidCost`` or ``where b > a`` is a
conjunction of atoms. An atom that compares the subject with an expression
that does not mention it, in either order, bounds the subject. The contract
tests evaluate those expressions when they draw, so a bound may depend on
constants and, for arguments, on the current state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from codegen.expr import Scope, arithmetic, translate
from codegen.python import Atom, PyExpr
from spec_lang import ast

_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}


@dataclass
class Bounds:
    """Lower and upper bounds, combined by the runtime with max and min."""

    low: list[PyExpr] = field(default_factory=list)
    high: list[PyExpr] = field(default_factory=list)


def conjuncts(expr: ast.Expr) -> Iterator[ast.Expr]:
    """Yield the operands of a top-level chain of ``and``."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Binary) and node.op == "and":
            stack.extend((node.right, node.left))
        else:
            yield node


def bounds_of(
    subject: Callable[[ast.Expr], bool],
    clauses: Iterable[ast.Clause],
    usable: Callable[[ast.Expr], bool],
    scope: Scope,
) -> Bounds:
    """Collect the bounds on ``subject`` stated in ``clauses`` by usable expressions."""
    found = Bounds()
    for clause in clauses:
        for atom in conjuncts(clause.expr):
            _add_atom(atom, subject, usable, scope, found)
    return found


def _add_atom(
    atom: ast.Expr,
    subject: Callable[[ast.Expr], bool],
    usable: Callable[[ast.Expr], bool],
    scope: Scope,
    found: Bounds,
) -> None:
    if not (isinstance(atom, ast.Binary) and atom.op in _MIRRORED):
        return
    if subject(atom.left) and usable(atom.right):
        op, other = atom.op, atom.right
    elif subject(atom.right) and usable(atom.left):
        op, other = _MIRRORED[atom.op], atom.left
    else:
        return
    value = translate(other, scope)
    if op in (">=", "=="):
        found.low.append(value)
    if op in ("<=", "=="):
        found.high.append(value)
    if op == ">":
        found.low.append(arithmetic(value, "+", Atom("1")))
    if op == "<":
        found.high.append(arithmetic(value, "-", Atom("1")))


def names_in(expr: ast.Expr) -> Iterator[ast.Expr]:
    """Every node of an expression, including ``old`` and ``result``."""
    stack: list[ast.Expr] = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.Old | ast.Unary):
            stack.append(node.operand)
        elif isinstance(node, ast.Binary):
            stack.extend((node.left, node.right))
        elif isinstance(node, ast.IfThenElse):
            stack.extend((node.condition, node.then, node.otherwise))
        elif isinstance(node, ast.Call):
            stack.extend(node.args)
        else:
            stack.extend(_structured_children(node))


def _structured_children(node: ast.Expr) -> list[ast.Expr]:
    """The operands of a structured expression: literals, fields, quantifiers."""
    if isinstance(node, ast.SetLit | ast.SeqLit):
        return list(node.elements)
    if isinstance(node, ast.MapLit):
        return [part for e in node.entries for part in (e.key, e.value)]
    if isinstance(node, ast.RecordLit):
        return [f.value for f in node.fields]
    if isinstance(node, ast.With):
        return [node.operand, *(f.value for f in node.fields)]
    if isinstance(node, ast.Field):
        return [node.operand]
    if isinstance(node, ast.Index):
        return [node.operand, node.index]
    if isinstance(node, ast.Quantifier):
        parts = [node.domain, node.low, node.high, node.body]
        return [p for p in parts if p is not None]
    if isinstance(node, ast.SetFilter):
        return [node.domain, node.condition]
    return []


def refers_to(expr: ast.Expr, kinds: frozenset[ast.RefKind]) -> bool:
    """Whether ``expr`` reads a name of one of ``kinds``, ``old`` or ``result``."""
    for node in names_in(expr):
        if isinstance(node, ast.Old | ast.ResultRef):
            return True
        if (
            isinstance(node, ast.Name)
            and node.ref is not None
            and node.ref.kind in kinds
        ):
            return True
    return False


def is_name(kind: ast.RefKind, name: str) -> Callable[[ast.Expr], bool]:
    def matches(expr: ast.Expr) -> bool:
        return (
            isinstance(expr, ast.Name)
            and expr.ref is not None
            and expr.ref.kind is kind
            and expr.ref.name == name
        )

    return matches
