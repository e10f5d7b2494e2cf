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
    """A reference to a declared type, such as an enum."""

    span: Span
    name: str


TypeExpr = BoolTypeExpr | IntTypeExpr | NamedTypeExpr


# --- expressions -------------------------------------------------------------


class RefKind(Enum):
    """What a resolved name refers to."""

    CONST = "const"
    VAR = "var"
    PARAM = "param"
    LOCAL = "local"
    DEFINE = "define"
    ENUM_MEMBER = "enum_member"


@dataclass(frozen=True)
class Ref:
    kind: RefKind
    name: str
    # For an enum member: the enum's name. For a local: the binding's index.
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
    """A call of a built-in function (``min``, ``max``, ``abs``)."""

    span: Span
    function: str
    args: tuple[Expr, ...]
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
    "+",
    "-",
    "*",
    "/",
    "%",
)
BUILTIN_FUNCTIONS: dict[str, int] = {"min": 2, "max": 2, "abs": 1}


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
