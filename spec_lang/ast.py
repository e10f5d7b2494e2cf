"""The abstract syntax tree of a spec file.

Every node is a frozen dataclass that carries the source span it came from.
The parser builds the tree with ``type`` and ``ref`` left empty; name
resolution and type checking (``spec_lang.checker``) return a copy of the
tree with both filled in, so later stages never guess what a name means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spec_lang.types import Type


@dataclass(frozen=True, order=True)
class Span:
    """A region of a source file; lines and columns count from 1."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


# --- type expressions -------------------------------------------------------


@dataclass(frozen=True)
class BoolTypeExpr:
    span: Span


@dataclass(frozen=True)
class IntTypeExpr:
    """``Int`` or ``Int[lo..hi]``; either bound may be any constant expression."""

    span: Span
    low: Expr | None = None
    high: Expr | None = None


@dataclass(frozen=True)
class NamedTypeExpr:
    """A reference to a declared type: an enum, an identity or a record."""

    span: Span
    name: str


@dataclass(frozen=True)
class GenericTypeExpr:
    """``Set[T]``, ``Map[K, V]``, ``Seq[T]`` or ``Option[T]``, by its first word."""

    span: Span
    name: str
    args: tuple[TypeExpr, ...]


TypeExpr = BoolTypeExpr | IntTypeExpr | NamedTypeExpr | GenericTypeExpr


# --- expressions -------------------------------------------------------------


class RefKind(Enum):
    """What a resolved name refers to."""

    CONST = "const"
    VAR = "var"
    PARAM = "param"
    LOCAL = "local"
    DEFINE = "define"
    ENUM_MEMBER = "enum_member"
    BOUND = "bound"  # the variable of a quantifier or a set filter


@dataclass(frozen=True)
class Ref:
    kind: RefKind
    name: str
    # For an enum member: the enum's name; empty for every other kind.
    owner: str = ""


@dataclass(frozen=True)
class IntLit:
    span: Span
    value: int
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BoolLit:
    span: Span
    value: bool
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Name:
    span: Span
    id: str
    type: Type | None = field(default=None, compare=False)
    ref: Ref | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Qualified:
    """``Enum.Member``: a name qualified by the type that declares it."""

    span: Span
    qualifier: str
    member: str
    type: Type | None = field(default=None, compare=False)
    ref: Ref | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ResultRef:
    """``result``: the value an operation returns, in postconditions."""

    span: Span
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Old:
    """``old(e)``: the value of ``e`` in the pre-state, in postconditions."""

    span: Span
    operand: Expr
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Unary:
    span: Span
    op: str  # "not" or "-"
    operand: Expr
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Binary:
    """A binary operator; ``op`` is its canonical spelling (see ``BINARY_OPS``)."""

    span: Span
    op: str
    left: Expr
    right: Expr
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class IfThenElse:
    span: Span
    condition: Expr
    then: Expr
    otherwise: Expr
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Call:
    """A call of a built-in function (see ``BUILTIN_FUNCTIONS``)."""

    span: Span
    function: str
    args: tuple[Expr, ...]
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class NoneLit:
    """``none``: the empty option, whose type comes from its context."""

    span: Span
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SetLit:
    """``{a, b}``. The parser reads ``{}`` as an empty ``SetLit``; the checker
    turns it into an empty ``MapLit`` where its context expects a map."""

    span: Span
    elements: tuple[Expr, ...]
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class MapEntry:
    """``key: value`` inside a map literal."""

    span: Span
    key: Expr
    value: Expr


@dataclass(frozen=True)
class MapLit:
    """``{k: v, ...}``."""

    span: Span
    entries: tuple[MapEntry, ...]
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SeqLit:
    """``[a, b]``, or ``[]``, whose type comes from its context."""

    span: Span
    elements: tuple[Expr, ...]
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class FieldValue:
    """``name: value`` in a record construction or a ``with`` update."""

    span: Span
    name: str
    value: Expr


@dataclass(frozen=True)
class RecordLit:
    """``Entry { pid: p, ... }``: a record with every field given."""

    span: Span
    record: str
    fields: tuple[FieldValue, ...]
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Field:
    """``e.name``: a record's field. ``Enum.Member`` parses as ``Qualified``,
    and the checker turns a ``Qualified`` whose left side is a value into this."""

    span: Span
    operand: Expr
    name: str
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class With:
    """``e with { name: value, ... }``: a copy of a record with some fields replaced."""

    span: Span
    operand: Expr
    fields: tuple[FieldValue, ...]
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Index:
    """``m[k]`` (a map lookup) or ``q[i]`` (a sequence element)."""

    span: Span
    operand: Expr
    index: Expr
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Quantifier:
    """``forall``/``exists`` with one bound variable, in one of three forms.

    ``x in s :: P`` sets ``domain`` (a set, a map's keys or a sequence's
    elements); ``i in lo..hi :: P`` sets ``low`` and ``high`` (inclusive, like
    ``Int[lo..hi]``); ``x: T :: P`` sets ``type_expr``. ``variable_type`` is
    the bound variable's type once checked.
    """

    span: Span
    quantifier: str  # "forall" or "exists"
    variable: str
    variable_span: Span
    body: Expr
    domain: Expr | None = None
    low: Expr | None = None
    high: Expr | None = None
    type_expr: TypeExpr | None = None
    variable_type: Type | None = field(default=None, compare=False)
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SetFilter:
    """``{x in s | P}``: the elements of a set (or keys of a map) satisfying P."""

    span: Span
    variable: str
    variable_span: Span
    domain: Expr
    condition: Expr
    variable_type: Type | None = field(default=None, compare=False)
    type: Type | None = field(default=None, compare=False)


Expr = (
    IntLit
    | BoolLit
    | Name
    | Qualified
    | ResultRef
    | Old
    | Unary
    | Binary
    | IfThenElse
    | Call
    | NoneLit
    | SetLit
    | MapLit
    | SeqLit
    | RecordLit
    | Field
    | With
    | Index
    | Quantifier
    | SetFilter
)

# Canonical binary operators, from the loosest binding to the tightest.
BINARY_OPS: tuple[str, ...] = (
    "iff",
    "implies",
    "or",
    "and",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not in",
    "+",
    "-",
    "*",
    "/",
    "%",
)
# Each built-in function with its number of arguments.
BUILTIN_FUNCTIONS: dict[str, int] = {
    "min": 2,
    "max": 2,
    "abs": 1,
    # sets
    "size": 1,
    "insert": 2,
    "remove": 2,
    "union": 2,
    "intersect": 2,
    "difference": 2,
    "subset": 2,
    # maps
    "domain": 1,
    "get": 3,
    "put": 3,
    "delete": 2,
    # sequences
    "append": 2,
    "first": 1,
    "last": 1,
    "rest": 1,
    # options
    "some": 1,
    "is_some": 1,
    "is_none": 1,
    "value": 1,
}


# --- statements (effect and init blocks) --------------------------------------


@dataclass(frozen=True)
class Assign:
    """``target := value``; ``target`` is a state variable or ``result``."""

    span: Span
    target: str
    value: Expr
    target_span: Span


@dataclass(frozen=True)
class Let:
    """``let name = value``: a local binding visible to later statements."""

    span: Span
    name: str
    value: Expr


@dataclass(frozen=True)
class If:
    span: Span
    condition: Expr
    then: tuple[Stmt, ...]
    otherwise: tuple[Stmt, ...]


Stmt = Assign | Let | If


# --- declarations ------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """A named boolean clause: an invariant, a ``where``, a requires or an ensures.

    ``id`` is the clause's full name, given (``CircuitBreaker.record_failure.
    ensures.trips``) or derived from its place (``...ensures.1``).
    """

    span: Span
    id: str
    label: str | None
    expr: Expr
    # For a ``requires``: the named error the operation returns when it fails.
    error: str | None = None
    error_span: Span | None = None


@dataclass(frozen=True)
class Const:
    span: Span
    name: str
    type_expr: TypeExpr
    where: tuple[Clause, ...]
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EnumDecl:
    span: Span
    name: str
    members: tuple[str, ...]
    member_spans: tuple[Span, ...]


@dataclass(frozen=True)
class ErrorDecl:
    span: Span
    name: str


@dataclass(frozen=True)
class IdentityDecl:
    """``identity Pid``: an uninterpreted type; its values compare only for equality."""

    span: Span
    name: str


@dataclass(frozen=True)
class FieldDecl:
    span: Span
    name: str
    type_expr: TypeExpr
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class RecordDecl:
    """``record Entry { pid: Pid, ... }``."""

    span: Span
    name: str
    fields: tuple[FieldDecl, ...]


@dataclass(frozen=True)
class Var:
    span: Span
    name: str
    type_expr: TypeExpr
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Define:
    """``define name: T = e``: a named expression over constants and state."""

    span: Span
    name: str
    type_expr: TypeExpr
    expr: Expr
    type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Param:
    span: Span
    name: str
    type_expr: TypeExpr
    type: Type | None = field(default=None, compare=False)


class OperationKind(Enum):
    OPERATION = "operation"
    QUERY = "query"
    ENVIRONMENT = "environment"


@dataclass(frozen=True)
class Operation:
    """An operation, a query (changes no state) or an environment action.

    ``modifies`` lists the variables an effect-less operation may change;
    ``None`` means any. An operation with an effect modifies exactly the
    variables its effect assigns.
    """

    span: Span
    name: str
    kind: OperationKind
    params: tuple[Param, ...]
    result_type_expr: TypeExpr | None
    requires: tuple[Clause, ...]
    ensures: tuple[Clause, ...]
    modifies: tuple[str, ...] | None
    effect: tuple[Stmt, ...] | None
    result_type: Type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Init:
    span: Span
    body: tuple[Stmt, ...]


class PropertyKind(Enum):
    ALWAYS = "always"
    EVENTUALLY = "eventually"
    LEADSTO = "leadsto"


@dataclass(frozen=True)
class Property:
    """A temporal property of the component's runs.

    ``always P`` (``expr`` is P; ``old(e)`` reads the previous state of a
    step), ``eventually Q within N`` (``expr`` is Q) and
    ``leadsto P ~> Q within N`` (``trigger`` is P, ``expr`` is Q). ``within``
    is N, the number of steps, for the two liveness kinds.
    """

    span: Span
    id: str
    label: str | None
    kind: PropertyKind
    expr: Expr
    trigger: Expr | None = None
    within: int | None = None
    within_span: Span | None = None


@dataclass(frozen=True)
class Fairness:
    """``fairness weak a, b``: operations or environment actions that a fair
    run never leaves enabled and untaken forever."""

    span: Span
    kind: str  # "weak"
    actions: tuple[str, ...]
    action_spans: tuple[Span, ...]


@dataclass(frozen=True)
class FailureMode:
    """``failure crash { keeps a, b  ensures P  within 100 ms }``.

    A crash keeps the variables in ``keeps``; the others restart at the values
    ``init`` gives them. After recovery every invariant and every ``ensures``
    must hold, where ``old(e)`` reads the state before the crash. ``within``
    bounds how long recovery may take, in ``unit`` (``us``, ``ms`` or ``s``);
    benchmarks measure it, tests never assert it.
    """

    span: Span
    name: str
    id: str  # ``Component.failure.name``
    keeps: tuple[str, ...]
    keep_spans: tuple[Span, ...]
    ensures: tuple[Clause, ...] = ()
    within: int | None = None
    unit: str | None = None
    within_span: Span | None = None


@dataclass(frozen=True)
class Component:
    span: Span
    name: str
    consts: tuple[Const, ...]
    enums: tuple[EnumDecl, ...]
    errors: tuple[ErrorDecl, ...]
    vars: tuple[Var, ...]
    defines: tuple[Define, ...]
    init: Init | None
    invariants: tuple[Clause, ...]
    operations: tuple[Operation, ...]
    identities: tuple[IdentityDecl, ...] = ()
    records: tuple[RecordDecl, ...] = ()
    properties: tuple[Property, ...] = ()
    fairness: tuple[Fairness, ...] = ()
    failures: tuple[FailureMode, ...] = ()

    @property
    def safety(self) -> tuple[Property, ...]:
        """The ``always`` properties."""
        return tuple(p for p in self.properties if p.kind is PropertyKind.ALWAYS)

    @property
    def liveness(self) -> tuple[Property, ...]:
        """The ``eventually`` and ``leadsto`` properties."""
        return tuple(p for p in self.properties if p.kind is not PropertyKind.ALWAYS)

    def operation(self, name: str) -> Operation:
        for op in self.operations:
            if op.name == name:
                return op
        raise KeyError(name)


@dataclass(frozen=True)
class SpecFile:
    path: str
    source: str
    components: tuple[Component, ...]
