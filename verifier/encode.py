"""Encode checked expressions as Z3 terms.

Arithmetic follows Python, not SMT-LIB: ``/`` is floor division and ``%``
takes the sign of the divisor. SMT-LIB's ``div`` is Euclidean (the remainder
is never negative), which agrees with floor division only for a positive
divisor, so a negative divisor is flipped onto the positive side:
``a / b == If(b > 0, a div b, (-a) div (-b))`` and ``a % b == a - b * (a / b)``.

Every ``/`` and ``%`` the encoder meets is recorded as a ``DivisionSite``
with the path condition under which it is evaluated, so the catalog can ask
whether its divisor can be zero there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import z3

from spec_lang import ast
from verifier.vocabulary import EncodingError, Vocabulary

Path = tuple[z3.BoolRef, ...]


@dataclass(frozen=True)
class Scope:
    """The meaning of each name at the point where an expression is evaluated.

    ``state`` is the current state: the post-state in an ensures, the
    pre-state in a requires, the latest assignments inside an effect.
    ``old`` is the pre-state, only in an ensures.
    """

    constants: Mapping[str, z3.ExprRef]
    state: Mapping[str, z3.ExprRef]
    old: Mapping[str, z3.ExprRef] | None = None
    arguments: Mapping[str, z3.ExprRef] = field(default_factory=dict)
    locals: Mapping[str, z3.ExprRef] = field(default_factory=dict)
    result: z3.ExprRef | None = None


@dataclass(frozen=True)
class DivisionSite:
    """A ``/`` or ``%`` and the condition under which it is evaluated."""

    span: ast.Span
    divisor: z3.ArithRef
    condition: Path


def floor_div(a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    return z3.If(b > 0, a / b, (-a) / (-b))


def python_mod(a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    return a - b * floor_div(a, b)


def conjunction(vocab: Vocabulary, terms: Path) -> z3.BoolRef:
    if not terms:
        return vocab.true()
    if len(terms) == 1:
        return terms[0]
    return z3.And(*terms)


class ExprEncoder:
    """Encoder of one component's expressions, collecting division sites as it goes."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.defines = {d.name: d for d in vocab.component.defines}
        self.sites: list[DivisionSite] = []
        self._expanding: list[str] = []

    def encode(self, expr: ast.Expr, scope: Scope, path: Path = ()) -> z3.ExprRef:
        handler = _HANDLERS.get(type(expr))
        if handler is None:
            raise EncodingError(
                f"no encoding for expression node {type(expr).__name__}"
            )
        return handler(self, expr, scope, path)

    # --- atoms ---

    def _int(self, expr: ast.IntLit, scope: Scope, path: Path) -> z3.ExprRef:
        return self.vocab.int(expr.value)

    def _bool(self, expr: ast.BoolLit, scope: Scope, path: Path) -> z3.ExprRef:
        return self.vocab.bool(expr.value)

    def _result(self, expr: ast.ResultRef, scope: Scope, path: Path) -> z3.ExprRef:
        if scope.result is None:
            raise EncodingError(f"{expr.span}: result read where there is none")
        return scope.result

    def _qualified(self, expr: ast.Qualified, scope: Scope, path: Path) -> z3.ExprRef:
        return self.vocab.member(expr.qualifier, expr.member)

    def _name(self, expr: ast.Name, scope: Scope, path: Path) -> z3.ExprRef:
        ref = expr.ref
        if ref is None:
            raise EncodingError(f"{expr.span}: name {expr.id!r} is not resolved")
        if ref.kind is ast.RefKind.ENUM_MEMBER:
            return self.vocab.member(ref.owner, ref.name)
        if ref.kind is ast.RefKind.DEFINE:
            return self._define(ref.name, expr.span, scope, path)
        table = {
            ast.RefKind.CONST: scope.constants,
            ast.RefKind.VAR: scope.state,
            ast.RefKind.PARAM: scope.arguments,
            ast.RefKind.LOCAL: scope.locals,
        }[ref.kind]
        if ref.name not in table:
            kind = ref.kind.value
            raise EncodingError(f"{expr.span}: {kind} {ref.name!r} has no value here")
        return table[ref.name]

    def _define(
        self, name: str, span: ast.Span, scope: Scope, path: Path
    ) -> z3.ExprRef:
        # A define is inlined and so read in the scope's current state: the
        # post-state in an ensures, the pre-state under old().
        if name not in self.defines:
            raise EncodingError(f"{span}: unknown define {name!r}")
        if name in self._expanding:
            raise EncodingError(f"{span}: define {name!r} refers to itself")
        self._expanding.append(name)
        try:
            return self.encode(self.defines[name].expr, scope, path)
        finally:
            self._expanding.pop()

    # --- compound expressions ---

    def _old(self, expr: ast.Old, scope: Scope, path: Path) -> z3.ExprRef:
        if scope.old is None:
            raise EncodingError(f"{expr.span}: old() where there is no pre-state")
        return self.encode(expr.operand, replace(scope, state=scope.old), path)

    def _unary(self, expr: ast.Unary, scope: Scope, path: Path) -> z3.ExprRef:
        operand = self.encode(expr.operand, scope, path)
        if expr.op == "not":
            return z3.Not(operand)
        if expr.op == "-":
            return -operand
        raise EncodingError(f"{expr.span}: unknown unary operator {expr.op!r}")

    def _if(self, expr: ast.IfThenElse, scope: Scope, path: Path) -> z3.ExprRef:
        condition = self.encode(expr.condition, scope, path)
        then = self.encode(expr.then, scope, (*path, condition))
        otherwise = self.encode(expr.otherwise, scope, (*path, z3.Not(condition)))
        return z3.If(condition, then, otherwise)

    def _call(self, expr: ast.Call, scope: Scope, path: Path) -> z3.ExprRef:
        args = [self.encode(a, scope, path) for a in expr.args]
        if expr.function == "min" and len(args) == 2:
            return z3.If(args[0] <= args[1], args[0], args[1])
        if expr.function == "max" and len(args) == 2:
            return z3.If(args[0] >= args[1], args[0], args[1])
        if expr.function == "abs" and len(args) == 1:
            return z3.If(args[0] >= 0, args[0], -args[0])
        raise EncodingError(
            f"{expr.span}: unknown function {expr.function}/{len(args)}"
        )

    def _binary(self, expr: ast.Binary, scope: Scope, path: Path) -> z3.ExprRef:
        left = self.encode(expr.left, scope, path)
        # The right operand of a connective is evaluated only when the left
        # one leaves the value open, so its divisions are guarded by the left.
        guard = _RIGHT_GUARDS.get(expr.op)
        right_path = path if guard is None else (*path, guard(left))
        right = self.encode(expr.right, scope, right_path)
        if expr.op in ("/", "%"):
            self.sites.append(DivisionSite(expr.span, right, path))
        operator = _BINARY.get(expr.op)
        if operator is None:
            raise EncodingError(f"{expr.span}: unknown binary operator {expr.op!r}")
        return operator(left, right)


_RIGHT_GUARDS: dict[str, Callable[[z3.ExprRef], z3.BoolRef]] = {
    "and": lambda left: left,
    "implies": lambda left: left,
    "or": lambda left: z3.Not(left),
}

_BINARY: dict[str, Callable[[z3.ExprRef, z3.ExprRef], z3.ExprRef]] = {
    "iff": lambda a, b: a == b,
    "implies": z3.Implies,
    "or": lambda a, b: z3.Or(a, b),
    "and": lambda a, b: z3.And(a, b),
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": floor_div,
    "%": python_mod,
}

# Each handler takes its own node type, which a precise Callable cannot express.
_HANDLERS: dict[type, Callable[..., z3.ExprRef]] = {
    ast.IntLit: ExprEncoder._int,
    ast.BoolLit: ExprEncoder._bool,
    ast.Name: ExprEncoder._name,
    ast.Qualified: ExprEncoder._qualified,
    ast.ResultRef: ExprEncoder._result,
    ast.Old: ExprEncoder._old,
    ast.Unary: ExprEncoder._unary,
    ast.Binary: ExprEncoder._binary,
    ast.IfThenElse: ExprEncoder._if,
    ast.Call: ExprEncoder._call,
}
