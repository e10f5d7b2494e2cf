"""Translate checked spec expressions into Python expressions.

The translation keeps the spec's semantics exactly: ``/`` becomes ``//`` and
``%`` stays ``%`` (both floor towards negative infinity, as the language
defines them), ``implies`` becomes ``not a or b``, ``iff`` becomes ``==`` on
booleans, enum members become their names as strings. Parentheses go in by
Python precedence.

A few rewrites keep generated code clean under the project's linters, and
none changes a value. A negated comparison flips its operator, a comparison
with a literal on the left is mirrored, ``x == true`` is ``x``, and an
``and`` inside an ``or`` is parenthesized.

Where a name reads from (``self.x``, ``pre.x``, ``constants["x"]``, a local)
is decided by a :class:`Scope`, so one translator serves the model, the
obligations and the argument bounds of the contract tests.
"""

from __future__ import annotations

import keyword
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from codegen.errors import GenerationError
from codegen.python import (
    ADDITIVE,
    MULTIPLICATIVE,
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
    string,
)
from spec_lang import ast
from spec_lang.types import BoolT, EnumT, IdentityT, MapT


class TranslationError(GenerationError):
    """A checked expression that the translator cannot express."""


# Local names the generated methods use for themselves, and names that read
# badly or shadow the builtins the translation calls.
RESERVED_LOCALS = frozenset(
    {
        "self",
        "pre",
        "result",
        "observed",
        "data",
        "min",
        "max",
        "abs",
        "len",
        "range",
        "all",
        "any",
        "frozenset",
        "dataclasses",
        "sf",
        "l",
        "I",
        "O",
    }
)

# The module the generated code calls for structured values, as it imports it.
RUNTIME = "sf"


def attribute_name(name: str) -> str:
    """Return the Python attribute of a constant, variable, define or operation."""
    return f"{name}_" if keyword.iskeyword(name) else name


def local_name(name: str) -> str:
    """Return the Python name for a spec parameter or ``let`` binding."""
    if keyword.iskeyword(name) or name in RESERVED_LOCALS:
        return f"{name}_"
    return name


@dataclass(frozen=True)
class Scope:
    """Where the names of one expression read from.

    Attributes:
        state: the object that holds the current state (``self`` in the
            model, ``self.model`` in a contract test).
        old: the object that holds the pre-state, for ``old(...)``.
        constants: how a constant reads, with ``{state}``, ``{name}`` (the
            spec's) and ``{attribute}`` placeholders: ``{state}.{attribute}``
            or ``constants["{name}"]``.
        locals: spec parameter and ``let`` names to their Python names.
        result: how ``result`` reads.
    """

    state: str = "self"
    old: str | None = None
    constants: str = "{state}.{attribute}"
    locals: Mapping[str, str] = field(default_factory=dict)
    result: str = "result"

    def in_old(self) -> Scope:
        if self.old is None:
            raise TranslationError("old() where no pre-state is available")
        return replace(self, state=self.old, old=None)


def translate(expr: ast.Expr, scope: Scope) -> PyExpr:
    """Return the Python expression for a checked spec expression."""
    return _Translator(scope).expr(expr)


class _Translator:
    def __init__(self, scope: Scope, bound: Mapping[str, str] | None = None) -> None:
        self.scope = scope
        # The variables of the quantifiers around the expression, as Python names.
        self.bound: dict[str, str] = dict(bound or {})

    def expr(self, expr: ast.Expr) -> PyExpr:
        method = getattr(self, f"_{type(expr).__name__}", None)
        if method is None:
            raise TranslationError(
                f"{getattr(expr, 'span', '?')}: code generation does not support "
                f"{type(expr).__name__} expressions yet"
            )
        result: PyExpr = method(expr)
        return result

    def _IntLit(self, expr: ast.IntLit) -> PyExpr:
        return Atom(str(expr.value))

    def _BoolLit(self, expr: ast.BoolLit) -> PyExpr:
        return Atom("True" if expr.value else "False")

    def _Name(self, expr: ast.Name) -> PyExpr:
        ref = expr.ref
        if ref is None:
            raise TranslationError(f"name {expr.id!r} at {expr.span} is not resolved")
        kind = ref.kind
        if kind is ast.RefKind.ENUM_MEMBER:
            return string(ref.name)
        if kind in (ast.RefKind.PARAM, ast.RefKind.LOCAL):
            return Atom(self.scope.locals.get(ref.name, local_name(ref.name)))
        if kind is ast.RefKind.BOUND:
            return Atom(self.bound.get(ref.name, local_name(ref.name)))
        if kind is ast.RefKind.CONST:
            text = self.scope.constants.format(
                state=self.scope.state,
                name=ref.name,
                attribute=attribute_name(ref.name),
            )
            return Atom(text)
        return Atom(f"{self.scope.state}.{attribute_name(ref.name)}")

    def _Qualified(self, expr: ast.Qualified) -> PyExpr:
        return string(expr.member)

    def _ResultRef(self, expr: ast.ResultRef) -> PyExpr:
        return Atom(self.scope.result)

    def _Old(self, expr: ast.Old) -> PyExpr:
        return _Translator(self.scope.in_old(), self.bound).expr(expr.operand)

    def _Unary(self, expr: ast.Unary) -> PyExpr:
        operand = self.expr(expr.operand)
        if expr.op == "not":
            return negate(operand)
        return Neg(operand if _precedence(operand) >= _ATOM else Paren(operand))

    def _Binary(self, expr: ast.Binary) -> PyExpr:
        op = expr.op
        left, right = self.expr(expr.left), self.expr(expr.right)
        if op in ("and", "or"):
            return bool_op(op, left, right)
        if op == "implies":
            return bool_op("or", negate(left), right)
        if op == "iff":
            return compare(left, "==", right)
        if op in ("in", "not in"):
            return Compare(_wrap_below(left, _ADD), op, _wrap_below(right, _ADD))
        if op in _COMPARISONS:
            return compare(left, op, right)
        return arithmetic(left, "//" if op == "/" else op, right)

    def _IfThenElse(self, expr: ast.IfThenElse) -> PyExpr:
        return ternary(
            self.expr(expr.then), self.expr(expr.condition), self.expr(expr.otherwise)
        )

    def _Call(self, expr: ast.Call) -> PyExpr:
        args = tuple(_unconditional(self.expr(a)) for a in expr.args)
        if expr.function in ("min", "max", "abs"):
            return Call(expr.function, args)
        return _structured_call(expr.function, args)

    # --- structured values ---

    def _NoneLit(self, expr: ast.NoneLit) -> PyExpr:
        return Atom("None")

    def _SetLit(self, expr: ast.SetLit) -> PyExpr:
        if not expr.elements:
            return Call("frozenset", ())
        items = tuple(_unconditional(self.expr(e)) for e in expr.elements)
        return Call("frozenset", (Display(items),))

    def _MapLit(self, expr: ast.MapLit) -> PyExpr:
        if not expr.entries:
            return Call(f"{RUNTIME}.FrozenMap", ())
        items = tuple(
            DictItem(
                _unconditional(self.expr(e.key)), _unconditional(self.expr(e.value))
            )
            for e in expr.entries
        )
        return Call(f"{RUNTIME}.FrozenMap", (Display(items),))

    def _SeqLit(self, expr: ast.SeqLit) -> PyExpr:
        items = tuple(_unconditional(self.expr(e)) for e in expr.elements)
        return Sequence(items, "tuple")

    def _RecordLit(self, expr: ast.RecordLit) -> PyExpr:
        args = tuple(
            Keyword(attribute_name(f.name), _unconditional(self.expr(f.value)))
            for f in expr.fields
        )
        return Call(expr.record, args)

    def _Field(self, expr: ast.Field) -> PyExpr:
        operand = _wrap_below(self.expr(expr.operand), _ATOM)
        return Attribute(operand, attribute_name(expr.name))

    def _With(self, expr: ast.With) -> PyExpr:
        args: list[PyExpr | Keyword] = [_unconditional(self.expr(expr.operand))]
        args.extend(
            Keyword(attribute_name(f.name), _unconditional(self.expr(f.value)))
            for f in expr.fields
        )
        return Call("dataclasses.replace", tuple(args))

    def _Index(self, expr: ast.Index) -> PyExpr:
        operand = self.expr(expr.operand)
        index = _unconditional(self.expr(expr.index))
        if isinstance(expr.operand.type, MapT):
            return Subscript(_wrap_below(operand, _ATOM), index)
        # q[-1] reads from the end in Python but is undefined in the spec.
        return Call(f"{RUNTIME}.at", (_unconditional(operand), index))

    def _Quantifier(self, expr: ast.Quantifier) -> PyExpr:
        name = self._bind(expr.variable)
        body = self._inner(name, expr.variable).expr(expr.body)
        generator = Generator(_unconditional(body), name, self._range(expr, body))
        return Call("all" if expr.quantifier == "forall" else "any", (generator,))

    def _SetFilter(self, expr: ast.SetFilter) -> PyExpr:
        name = self._bind(expr.variable)
        condition = self._inner(name, expr.variable).expr(expr.condition)
        domain = self._collection(expr.domain)
        generator = Generator(Atom(name), name, domain, _unconditional(condition))
        return Call("frozenset", (generator,))

    def _bind(self, variable: str) -> str:
        name = local_name(variable)
        if name in self.scope.locals.values() or name in self.bound.values():
            raise TranslationError(
                f"bound variable {variable!r} would clash with another name as "
                f"{name!r}; rename it"
            )
        return name

    def _inner(self, name: str, variable: str) -> _Translator:
        return _Translator(self.scope, {**self.bound, variable: name})

    def _collection(self, collection: ast.Expr) -> PyExpr:
        """What a quantifier or filter iterates: a set, a map (its keys), a tuple."""
        if isinstance(collection, ast.Call) and collection.function == "domain":
            return _unconditional(self.expr(collection.args[0]))
        return _unconditional(self.expr(collection))

    def _range(self, expr: ast.Quantifier, body: PyExpr) -> PyExpr:
        if expr.domain is not None:
            return self._collection(expr.domain)
        if expr.low is not None and expr.high is not None:
            return Call(
                "range", (_unconditional(self.expr(expr.low)), self._end(expr.high))
            )
        bound_type = expr.variable_type
        if isinstance(bound_type, BoolT):
            return Sequence((Atom("False"), Atom("True")), "tuple")
        if isinstance(bound_type, EnumT):
            return Sequence(tuple(string(m) for m in bound_type.members), "tuple")
        if isinstance(bound_type, IdentityT):
            return self._identities(bound_type.name, expr.body)
        raise TranslationError(f"{expr.span}: cannot range over {bound_type}")

    def _end(self, high: ast.Expr) -> PyExpr:
        """The exclusive end of ``lo..hi``: ``hi + 1``, or ``n`` for ``n - 1``."""
        if (
            isinstance(high, ast.Binary)
            and high.op == "-"
            and isinstance(high.right, ast.IntLit)
            and high.right.value == 1
        ):
            return _unconditional(self.expr(high.left))
        return arithmetic(self.expr(high), "+", Atom("1"))

    def _identities(self, type_name: str, body: ast.Expr) -> PyExpr:
        """The identities the body can tell apart: those its values mention, and
        a fresh one (``specfirst.runtime.values.identities_of``)."""
        roots: list[PyExpr] = [Atom(self.scope.state)]
        seen = {self.scope.state}
        for node in _nodes(body):
            text = None
            if isinstance(node, ast.Old) and self.scope.old is not None:
                text = self.scope.old
            elif isinstance(node, ast.ResultRef):
                text = self.scope.result
            elif isinstance(node, ast.Name) and node.ref is not None:
                if node.ref.kind in (ast.RefKind.PARAM, ast.RefKind.LOCAL):
                    text = self.scope.locals.get(
                        node.ref.name, local_name(node.ref.name)
                    )
                elif node.ref.kind is ast.RefKind.BOUND and node.ref.name in self.bound:
                    text = self.bound[node.ref.name]
            if text is not None and text not in seen:
                seen.add(text)
                roots.append(Atom(text))
        return Call(f"{RUNTIME}.identities_of", (string(type_name), *roots))


# --- building Python expressions ------------------------------------------------

_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_NEGATED = {
    "==": "!=",
    "!=": "==",
    "<": ">=",
    "<=": ">",
    ">": "<=",
    ">=": "<",
    "in": "not in",
    "not in": "in",
    "is": "is not",
    "is not": "is",
}
_MIRRORED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

# Python precedence, loosest first.
_TERNARY, _OR, _AND, _NOT, _COMPARE, _ADD, _MUL, _NEG, _ATOM = range(1, 10)


def _precedence(expr: PyExpr) -> int:
    if isinstance(expr, Ternary):
        return _TERNARY
    if isinstance(expr, BoolOp):
        return _OR if expr.op == "or" else _AND
    if isinstance(expr, Not):
        return _NOT
    if isinstance(expr, Compare):
        return _COMPARE
    if isinstance(expr, BinOp):
        return _ADD if expr.op in ADDITIVE else _MUL
    if isinstance(expr, Neg):
        return _NEG
    return _ATOM


def _wrap_below(expr: PyExpr, precedence: int) -> PyExpr:
    return Paren(expr) if _precedence(expr) < precedence else expr


def _unconditional(expr: PyExpr) -> PyExpr:
    """Parenthesize a conditional expression used as an operand, for readability."""
    return Paren(expr) if isinstance(expr, Ternary) else expr


def _literal(expr: PyExpr) -> bool:
    if isinstance(expr, Neg):
        return _literal(expr.operand)
    if not isinstance(expr, Atom):
        return False
    text = expr.text
    return text in ("True", "False") or text.isdigit() or text.startswith('"')


def _bool_literal(expr: PyExpr) -> bool | None:
    if isinstance(expr, Atom) and expr.text in ("True", "False"):
        return expr.text == "True"
    return None


def negate(expr: PyExpr) -> PyExpr:
    """Build ``not expr``, with comparisons flipped and double negation removed."""
    if isinstance(expr, Compare):
        return Compare(expr.left, _NEGATED[expr.op], expr.right)
    if isinstance(expr, Not):
        return expr.operand
    if isinstance(expr, Paren):
        return negate(expr.inner)
    literal = _bool_literal(expr)
    if literal is not None:
        return Atom("False" if literal else "True")
    return Not(_wrap_below(expr, _NOT))


def bool_op(op: str, left: PyExpr, right: PyExpr) -> PyExpr:
    """Build ``left op right`` for ``and``/``or``, flattening chains of one operator.

    A literal operand decides or drops out, as it does in the spec's logic:
    ``true or x`` is ``True`` and ``true and x`` is ``x``.
    """
    absorbing = op == "or"  # True absorbs an ``or``, False an ``and``
    values: list[PyExpr] = []
    for operand in (left, right):
        literal = _bool_literal(operand)
        if literal is not None:
            if literal == absorbing:
                return Atom(str(absorbing))
            continue
        if isinstance(operand, BoolOp) and operand.op == op:
            values.extend(operand.values)
        elif isinstance(operand, BoolOp | Ternary):
            # An ``and`` inside an ``or`` is bracketed to make the grouping plain.
            values.append(Paren(operand))
        else:
            values.append(operand)
    if op == "or":
        values = _membership(values)
    if not values:
        return Atom(str(not absorbing))
    return values[0] if len(values) == 1 else BoolOp(op, tuple(values))


def _membership(values: list[PyExpr]) -> list[PyExpr]:
    """Merge ``x == a or x == b`` into ``x in (a, b)``, the form linters expect."""
    groups: dict[str, list[PyExpr]] = {}
    for value in values:
        if _name_equality(value):
            assert isinstance(value, Compare) and isinstance(value.left, Atom)
            groups.setdefault(value.left.text, []).append(value.right)
    merged: list[PyExpr] = []
    for value in values:
        if not _name_equality(value):
            merged.append(value)
            continue
        assert isinstance(value, Compare) and isinstance(value.left, Atom)
        options = groups.pop(value.left.text, None)
        if options is None:
            continue
        if len(options) == 1:
            merged.append(value)
        else:
            merged.append(Compare(value.left, "in", Sequence(tuple(options), "tuple")))
    return merged


def _name_equality(expr: PyExpr) -> bool:
    return (
        isinstance(expr, Compare)
        and expr.op == "=="
        and isinstance(expr.left, Atom)
        and expr.left.text.isidentifier()
        and not _literal(expr.left)
    )


def compare(left: PyExpr, op: str, right: PyExpr) -> PyExpr:
    """Build ``left op right``, mirrored when only the left side is a literal.

    An equality with ``None`` (an option against ``none``) becomes ``is``.
    """
    for side, other in ((right, left), (left, right)):
        if op in ("==", "!=") and _is_none(side) and not _is_none(other):
            return Compare(_wrap_below(other, _ADD), _IS[op], Atom("None"))
    for side, other in ((right, left), (left, right)):
        literal = _bool_literal(side)
        if op in ("==", "!=") and literal is not None and _bool_literal(other) is None:
            return other if (op == "==") == literal else negate(other)
    if _literal(left) and not _literal(right):
        left, right, op = right, left, _MIRRORED[op]
    return Compare(_wrap_below(left, _ADD), op, _wrap_below(right, _ADD))


def arithmetic(left: PyExpr, op: str, right: PyExpr) -> PyExpr:
    """Build ``left op right`` for ``+ - * // %``, grouped to the left as in Python."""
    level = _MUL if op in MULTIPLICATIVE else _ADD
    return BinOp(_wrap_below(left, level), op, _wrap_below(right, level + 1))


def ternary(body: PyExpr, test: PyExpr, orelse: PyExpr) -> PyExpr:
    """Build ``body if test else orelse``, or the test alone for a true-false choice."""
    then_literal, else_literal = _bool_literal(body), _bool_literal(orelse)
    if None not in (then_literal, else_literal) and then_literal != else_literal:
        return _unwrap(test) if then_literal else negate(test)
    return Ternary(
        _wrap_below(body, _OR), _wrap_below(test, _OR), _unconditional(orelse)
    )


def _unwrap(expr: PyExpr) -> PyExpr:
    return expr.inner if isinstance(expr, Paren) else expr


_IS = {"==": "is", "!=": "is not"}


def _is_none(expr: PyExpr) -> bool:
    return isinstance(expr, Atom) and expr.text == "None"


# Built-in functions of structured values: each becomes a call of the runtime
# helper of the same meaning (``specfirst.runtime.values``), except where
# plain Python is as clear (len, "is None").
_RUNTIME_CALLS = frozenset(
    {
        "insert",
        "remove",
        "union",
        "intersect",
        "difference",
        "subset",
        "domain",
        "get",
        "put",
        "delete",
        "append",
        "first",
        "last",
        "rest",
        "value",
    }
)


def _structured_call(function: str, args: tuple[PyExpr, ...]) -> PyExpr:
    if function == "size":
        return Call("len", args)
    if function == "some":
        return args[0]
    if function in ("is_some", "is_none"):
        if _literal(args[0]) or _is_none(args[0]):
            # Python warns about "is" with a literal: decide it here.
            present = not _is_none(args[0])
            return Atom(str(present == (function == "is_some")))
        op = "is not" if function == "is_some" else "is"
        return Compare(_wrap_below(args[0], _ADD), op, Atom("None"))
    if function in _RUNTIME_CALLS:
        return Call(f"{RUNTIME}.{function}", args)
    raise TranslationError(f"no translation for the function {function!r}")


_EXPRESSIONS: tuple[type, ...] = typing.get_args(ast.Expr)


def _nodes(expr: ast.Expr) -> list[ast.Expr]:
    """Every expression node inside ``expr``, ``expr`` first."""
    found: list[ast.Expr] = []
    stack: list[object] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, _EXPRESSIONS):
            found.append(node)  # type: ignore[arg-type]
        for name in getattr(node, "__dataclass_fields__", {}):
            value = getattr(node, name)
            values = value if isinstance(value, tuple) else (value,)
            stack.extend(
                v
                for v in values
                if isinstance(v, (*_EXPRESSIONS, ast.MapEntry, ast.FieldValue))
            )
    return found
