"""Parse spec text into the AST with lark's LALR parser.

lark's LALR parser is iterative, and ``_Builder`` turns its tree into AST
nodes with an explicit stack, so no input makes either of them recurse: 10,000
nested parentheses parse fine. Later passes (the checker, the verifier, code
generation) do recurse, so the parser bounds the nesting they will see.
Expressions nest at most ``MAX_DEPTH`` operators deep and ``if`` statements at
most ``MAX_STMT_DEPTH`` levels deep, where each ``else if`` counts as a level.
Deeper input is rejected with SF104.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import lark
from lark import Lark, Token

from spec_lang import ast
from spec_lang.diagnostics import Diagnostic, SpecError, error
from spec_lang.syntax_errors import syntax_diagnostic

log = logging.getLogger(__name__)

MAX_DEPTH = 200
MAX_STMT_DEPTH = 50
MAX_INT_DIGITS = 40

_GRAMMAR = Path(__file__).parent / "grammar.lark"

# Grammar rules whose nodes count as operators for the nesting limit.
# Parentheses leave no node of their own, so they do not count.
_OPERATOR_RULES = frozenset(
    {
        "binary",
        "unary",
        "old",
        "call",
        "if_then_else",
        "chained_comparison",
        "field",
        "index",
        "with_update",
        "record_lit",
        "set_lit",
        "map_lit",
        "seq_lit",
        "set_filter",
        "quantifier",
    }
)
_INT_LITERAL = re.compile(r"[0-9]+(_[0-9]+)*")


@cache
def _parser() -> Lark:
    return Lark(
        _GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
    )


class _BuildError(Exception):
    """An error found while building the AST, with the one diagnostic to report."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _meta_span(path: str, meta: Any) -> ast.Span:
    if getattr(meta, "empty", True):
        return ast.Span(path, 1, 1, 1, 1)
    return ast.Span(path, meta.line, meta.column, meta.end_line, meta.end_column)


def _check_depth(tree: lark.Tree[Token], path: str) -> None:
    """Reject over-deep expressions and statements, iteratively, in source order."""
    stack: list[tuple[lark.Tree[Token], int, int]] = [(tree, 0, 0)]
    while stack:
        node, operators, ifs = stack.pop()
        if node.data in _OPERATOR_RULES:
            operators += 1
        elif node.data == "if_stmt":
            ifs += 1
        if operators > MAX_DEPTH:
            message = f"expression nested more than {MAX_DEPTH} operators deep"
            raise _BuildError(error("SF104", message, _meta_span(path, node.meta)))
        if ifs > MAX_STMT_DEPTH:
            message = f"if statements nested more than {MAX_STMT_DEPTH} levels deep"
            raise _BuildError(error("SF104", message, _meta_span(path, node.meta)))
        children = [c for c in node.children if isinstance(c, lark.Tree)]
        stack.extend((c, operators, ifs) for c in reversed(children))


@dataclass(frozen=True)
class _Binder:
    """What a quantifier ranges over, before the quantifier node is built."""

    name: str
    span: ast.Span
    domain: ast.Expr | None = None
    low: ast.Expr | None = None
    high: ast.Expr | None = None
    type_expr: ast.TypeExpr | None = None


@dataclass(frozen=True)
class _Tagged:
    """An operation clause or a result type, before the operation sorts them."""

    tag: str  # "requires", "ensures", "modifies", "effect", "result", "keeps", "within"
    value: Any
    span: ast.Span


class _Builder:
    """Build AST nodes from lark's tree, with one method named after each rule.

    Clause ids are provisional here, and ``_name_clauses`` gives the full ones.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def build(self, tree: lark.Tree[Token]) -> Any:
        """Build bottom-up with an explicit stack, so depth costs no recursion."""
        done: list[Any] = []
        todo: list[tuple[lark.Tree[Token], bool]] = [(tree, False)]
        while todo:
            node, children_built = todo.pop()
            subtrees = [c for c in node.children if isinstance(c, lark.Tree)]
            if not children_built:
                todo.append((node, True))
                todo.extend((c, False) for c in reversed(subtrees))
                continue
            built = iter(done[len(done) - len(subtrees) :])
            del done[len(done) - len(subtrees) :]
            children = [
                next(built) if isinstance(c, lark.Tree) else c for c in node.children
            ]
            done.append(self._rule(str(node.data))(node.meta, children))
        return done[0]

    def _rule(self, name: str) -> Callable[[Any, list[Any]], Any]:
        method: Callable[[Any, list[Any]], Any] | None = getattr(self, name, None)
        if method is None or name.startswith("_") or name == "build":
            raise NotImplementedError(f"no AST builder for grammar rule {name!r}")
        return method

    # --- spans ---

    def _span(self, meta: Any) -> ast.Span:
        return _meta_span(self.path, meta)

    def _tok_span(self, tok: Token) -> ast.Span:
        return ast.Span(
            self.path,
            tok.line or 1,
            tok.column or 1,
            tok.end_line or tok.line or 1,
            tok.end_column or (tok.column or 1) + len(tok),
        )

    # --- top level ---

    def start(self, meta: Any, children: list[Any]) -> list[ast.Component]:
        return list(children)

    def component(self, meta: Any, children: list[Any]) -> ast.Component:
        name, *members = children
        buckets: dict[type, list[Any]] = defaultdict(list)
        for member in members:
            # One error or identity declaration may list several names.
            for item in member if isinstance(member, list) else [member]:
                buckets[type(item)].append(item)
        inits = buckets[ast.Init]
        if len(inits) > 1:
            message = "duplicate init block; a component has one"
            raise _BuildError(error("SF202", message, inits[1].span))
        return ast.Component(
            span=self._span(meta),
            name=str(name),
            consts=tuple(buckets[ast.Const]),
            enums=tuple(buckets[ast.EnumDecl]),
            errors=tuple(buckets[ast.ErrorDecl]),
            vars=tuple(buckets[ast.Var]),
            defines=tuple(buckets[ast.Define]),
            init=inits[0] if inits else None,
            invariants=tuple(buckets[ast.Clause]),
            operations=tuple(buckets[ast.Operation]),
            identities=tuple(buckets[ast.IdentityDecl]),
            records=tuple(buckets[ast.RecordDecl]),
            properties=tuple(buckets[ast.Property]),
            fairness=tuple(buckets[ast.Fairness]),
            failures=tuple(buckets[ast.FailureMode]),
        )

    def const_decl(self, meta: Any, children: list[Any]) -> ast.Const:
        name, type_expr, *wheres = children
        return ast.Const(self._tok_span(name), str(name), type_expr, tuple(wheres))

    def where_clause(self, meta: Any, children: list[Any]) -> ast.Clause:
        return self._clause(meta, "where", children)

    def invariant_decl(self, meta: Any, children: list[Any]) -> ast.Clause:
        return self._clause(meta, "invariant", children)

    def always_decl(self, meta: Any, children: list[Any]) -> ast.Property:
        label, expr = children
        return self._property(meta, ast.PropertyKind.ALWAYS, label, expr)

    def eventually_decl(self, meta: Any, children: list[Any]) -> ast.Property:
        label, expr, steps = children
        return self._property(meta, ast.PropertyKind.EVENTUALLY, label, expr, steps)

    def leadsto_decl(self, meta: Any, children: list[Any]) -> ast.Property:
        label, trigger, _, expr, steps = children
        return replace(
            self._property(meta, ast.PropertyKind.LEADSTO, label, expr, steps),
            trigger=trigger,
        )

    def _property(
        self,
        meta: Any,
        kind: ast.PropertyKind,
        label: Token | None,
        expr: ast.Expr,
        steps: Token | None = None,
    ) -> ast.Property:
        within = None if steps is None else self.int_lit(meta, [steps])
        return ast.Property(
            self._span(meta),
            kind.value,
            str(label) if label else None,
            kind,
            expr,
            within=None if within is None else within.value,
            within_span=None if within is None else within.span,
        )

    def fairness_decl(self, meta: Any, children: list[Any]) -> ast.Fairness:
        names = [t for t in children if t is not None]
        return ast.Fairness(
            self._span(meta),
            "weak",
            tuple(str(t) for t in names),
            tuple(self._tok_span(t) for t in names),
        )

    def failure_decl(self, meta: Any, children: list[Any]) -> ast.FailureMode:
        name, *clauses = children
        keeps: list[Token] = []
        ensures: list[ast.Clause] = []
        bounds: list[_Tagged] = []
        for clause in clauses:
            if clause.tag == "keeps":
                keeps.extend(clause.value)
            elif clause.tag == "ensures":
                ensures.append(clause.value)
            else:
                bounds.append(clause)
        if len(bounds) > 1:
            message = f"failure {name} has two recovery bounds; give one"
            raise _BuildError(error("SF202", message, bounds[1].span))
        within, unit, within_span = None, None, None
        if bounds:
            (steps, unit_token) = bounds[0].value
            within = self.int_lit(meta, [steps]).value
            unit, within_span = str(unit_token), bounds[0].span
        return ast.FailureMode(
            self._tok_span(name),
            str(name),
            str(name),
            tuple(str(k) for k in keeps),
            tuple(self._tok_span(k) for k in keeps),
            tuple(ensures),
            within,
            unit,
            within_span,
        )

    def keeps_clause(self, meta: Any, children: list[Any]) -> _Tagged:
        return _Tagged("keeps", list(children), self._span(meta))

    def recovery_bound(self, meta: Any, children: list[Any]) -> _Tagged:
        return _Tagged("within", tuple(children), self._span(meta))

    def requires_clause(self, meta: Any, children: list[Any]) -> _Tagged:
        label, expr, else_error = children
        clause = self._clause(meta, "requires", [label, expr])
        if else_error is not None:
            clause = replace(
                clause, error=str(else_error), error_span=self._tok_span(else_error)
            )
        return _Tagged("requires", clause, clause.span)

    def else_error(self, meta: Any, children: list[Any]) -> Token:
        token: Token = children[0]
        return token

    def ensures_clause(self, meta: Any, children: list[Any]) -> _Tagged:
        clause = self._clause(meta, "ensures", children)
        return _Tagged("ensures", clause, clause.span)

    def _clause(self, meta: Any, kind: str, children: list[Any]) -> ast.Clause:
        label, expr = children
        return ast.Clause(self._span(meta), kind, str(label) if label else None, expr)

    def label(self, meta: Any, children: list[Any]) -> Token:
        token: Token = children[0]
        return token

    def enum_decl(self, meta: Any, children: list[Any]) -> ast.EnumDecl:
        name, *members = children
        return ast.EnumDecl(
            self._tok_span(name),
            str(name),
            tuple(str(m) for m in members),
            tuple(self._tok_span(m) for m in members),
        )

    def error_decl(self, meta: Any, children: list[Any]) -> list[ast.ErrorDecl]:
        return [ast.ErrorDecl(self._tok_span(t), str(t)) for t in children]

    def identity_decl(self, meta: Any, children: list[Any]) -> list[ast.IdentityDecl]:
        return [ast.IdentityDecl(self._tok_span(t), str(t)) for t in children]

    def record_decl(self, meta: Any, children: list[Any]) -> ast.RecordDecl:
        name, *fields = children
        return ast.RecordDecl(self._tok_span(name), str(name), tuple(fields))

    def field_decl(self, meta: Any, children: list[Any]) -> ast.FieldDecl:
        name, type_expr = children
        return ast.FieldDecl(self._tok_span(name), str(name), type_expr)

    def var_decl(self, meta: Any, children: list[Any]) -> ast.Var:
        name, type_expr = children
        return ast.Var(self._tok_span(name), str(name), type_expr)

    def define_decl(self, meta: Any, children: list[Any]) -> ast.Define:
        name, type_expr, expr = children
        return ast.Define(self._tok_span(name), str(name), type_expr, expr)

    def init_decl(self, meta: Any, children: list[Any]) -> ast.Init:
        return ast.Init(self._span(meta), children[0])

    def operation_decl(self, meta: Any, children: list[Any]) -> ast.Operation:
        kind_tok, name, *rest = children
        params = [c for c in rest if isinstance(c, ast.Param)]
        tagged = [c for c in rest if isinstance(c, _Tagged)]

        def values(tag: str) -> list[Any]:
            return [t.value for t in tagged if t.tag == tag]

        effects = [t for t in tagged if t.tag == "effect"]
        if len(effects) > 1:
            message = "duplicate effect block; an operation has one"
            raise _BuildError(error("SF202", message, effects[1].span))
        result_types = values("result")
        modifies = values("modifies")
        return ast.Operation(
            span=self._tok_span(name),
            name=str(name),
            kind=ast.OperationKind(str(kind_tok)),
            params=tuple(params),
            result_type_expr=result_types[0] if result_types else None,
            requires=tuple(values("requires")),
            ensures=tuple(values("ensures")),
            modifies=tuple(n for m in modifies for n in m) if modifies else None,
            effect=effects[0].value if effects else None,
        )

    def result_type(self, meta: Any, children: list[Any]) -> _Tagged:
        return _Tagged("result", children[0], self._span(meta))

    def param(self, meta: Any, children: list[Any]) -> ast.Param:
        name, type_expr = children
        return ast.Param(self._tok_span(name), str(name), type_expr)

    def modifies_clause(self, meta: Any, children: list[Any]) -> _Tagged:
        names = tuple(str(t) for t in children)
        return _Tagged("modifies", names, self._span(meta))

    def effect_clause(self, meta: Any, children: list[Any]) -> _Tagged:
        return _Tagged("effect", children[0], self._span(meta))

    # --- statements ---

    def block(self, meta: Any, children: list[Any]) -> tuple[ast.Stmt, ...]:
        return tuple(children)

    def assign(self, meta: Any, children: list[Any]) -> ast.Assign:
        target, value = children
        return ast.Assign(self._span(meta), str(target), value, self._tok_span(target))

    def assign_target(self, meta: Any, children: list[Any]) -> Token:
        token: Token = children[0]
        return token

    def let_stmt(self, meta: Any, children: list[Any]) -> ast.Let:
        name, value = children
        return ast.Let(self._span(meta), str(name), value)

    def if_stmt(self, meta: Any, children: list[Any]) -> ast.If:
        condition, then, otherwise = children
        if otherwise is None:
            otherwise = ()
        elif isinstance(otherwise, ast.If):
            otherwise = (otherwise,)
        return ast.If(self._span(meta), condition, then, otherwise)

    # --- types ---

    def bool_type(self, meta: Any, children: list[Any]) -> ast.BoolTypeExpr:
        return ast.BoolTypeExpr(self._span(meta))

    def int_type(self, meta: Any, children: list[Any]) -> ast.IntTypeExpr:
        low, high = ([*children, None, None])[:2]
        return ast.IntTypeExpr(self._span(meta), low, high)

    def named_type(self, meta: Any, children: list[Any]) -> ast.NamedTypeExpr:
        return ast.NamedTypeExpr(self._span(meta), str(children[0]))

    def set_type(self, meta: Any, children: list[Any]) -> ast.GenericTypeExpr:
        return ast.GenericTypeExpr(self._span(meta), "Set", tuple(children))

    def map_type(self, meta: Any, children: list[Any]) -> ast.GenericTypeExpr:
        return ast.GenericTypeExpr(self._span(meta), "Map", tuple(children))

    def seq_type(self, meta: Any, children: list[Any]) -> ast.GenericTypeExpr:
        return ast.GenericTypeExpr(self._span(meta), "Seq", tuple(children))

    def option_type(self, meta: Any, children: list[Any]) -> ast.GenericTypeExpr:
        return ast.GenericTypeExpr(self._span(meta), "Option", tuple(children))

    # --- expressions ---

    def binary(self, meta: Any, children: list[Any]) -> ast.Binary:
        left, op, right = children
        return ast.Binary(self._span(meta), _canonical(str(op)), left, right)

    def chained_comparison(self, meta: Any, children: list[Any]) -> ast.Binary:
        first, second = children[1], children[3]
        message = (
            f"comparisons do not chain; write 'a {first} b and b {second} c' "
            f"instead of 'a {first} b {second} c'"
        )
        raise _BuildError(error("SF102", message, self._tok_span(second)))

    def unary(self, meta: Any, children: list[Any]) -> ast.Unary:
        op, operand = children
        canonical = "not" if str(op) in ("not", "!") else "-"
        return ast.Unary(self._span(meta), canonical, operand)

    def int_lit(self, meta: Any, children: list[Any]) -> ast.IntLit:
        text = str(children[0])
        span = self._tok_span(children[0])
        if not _INT_LITERAL.fullmatch(text):
            message = (
                f"malformed integer literal {text!r}; write digits, "
                "optionally grouped with single underscores between them (1_000)"
            )
            raise _BuildError(error("SF107", message, span))
        digits = text.replace("_", "")
        if len(digits) > MAX_INT_DIGITS:
            message = (
                f"integer literal {digits[:20]}... has {len(digits)} digits; "
                f"at most {MAX_INT_DIGITS} are allowed"
            )
            raise _BuildError(error("SF105", message, span))
        return ast.IntLit(span, int(digits))

    def true_lit(self, meta: Any, children: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(self._span(meta), True)

    def false_lit(self, meta: Any, children: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(self._span(meta), False)

    def result_ref(self, meta: Any, children: list[Any]) -> ast.ResultRef:
        return ast.ResultRef(self._span(meta))

    def name(self, meta: Any, children: list[Any]) -> ast.Name:
        return ast.Name(self._tok_span(children[0]), str(children[0]))

    def none_lit(self, meta: Any, children: list[Any]) -> ast.NoneLit:
        return ast.NoneLit(self._span(meta))

    def field(self, meta: Any, children: list[Any]) -> ast.Expr:
        operand, name = children
        # "Mode.Open" and "entry.pid" look alike; the checker tells them apart.
        if isinstance(operand, ast.Name):
            return ast.Qualified(self._span(meta), operand.id, str(name))
        return ast.Field(self._span(meta), operand, str(name))

    def index(self, meta: Any, children: list[Any]) -> ast.Index:
        operand, index = children
        return ast.Index(self._span(meta), operand, index)

    def with_update(self, meta: Any, children: list[Any]) -> ast.With:
        operand, *fields = children
        return ast.With(self._span(meta), operand, tuple(fields))

    def field_value(self, meta: Any, children: list[Any]) -> ast.FieldValue:
        name, value = children
        return ast.FieldValue(self._tok_span(name), str(name), value)

    def record_lit(self, meta: Any, children: list[Any]) -> ast.RecordLit:
        name, *fields = children
        present = tuple(f for f in fields if f is not None)
        return ast.RecordLit(self._span(meta), str(name), present)

    def set_lit(self, meta: Any, children: list[Any]) -> ast.SetLit:
        return ast.SetLit(self._span(meta), tuple(c for c in children if c is not None))

    def map_lit(self, meta: Any, children: list[Any]) -> ast.MapLit:
        return ast.MapLit(self._span(meta), tuple(children))

    def map_entry(self, meta: Any, children: list[Any]) -> ast.MapEntry:
        key, value = children
        return ast.MapEntry(self._span(meta), key, value)

    def seq_lit(self, meta: Any, children: list[Any]) -> ast.SeqLit:
        return ast.SeqLit(self._span(meta), tuple(c for c in children if c is not None))

    def set_filter(self, meta: Any, children: list[Any]) -> ast.SetFilter:
        head, condition = children
        if not (
            isinstance(head, ast.Binary)
            and head.op == "in"
            and isinstance(head.left, ast.Name)
        ):
            message = (
                "a set filter names its variable first: write '{x in s | condition}'"
            )
            raise _BuildError(error("SF102", message, self._span(meta)))
        variable = head.left
        return ast.SetFilter(
            self._span(meta), variable.id, variable.span, head.right, condition
        )

    def quantifier(self, meta: Any, children: list[Any]) -> ast.Quantifier:
        word, binder, body = children
        return ast.Quantifier(
            self._span(meta),
            str(word),
            binder.name,
            binder.span,
            body,
            domain=binder.domain,
            low=binder.low,
            high=binder.high,
            type_expr=binder.type_expr,
        )

    def collection_binder(self, meta: Any, children: list[Any]) -> _Binder:
        name, _, domain = children
        return _Binder(str(name), self._tok_span(name), domain=domain)

    def range_binder(self, meta: Any, children: list[Any]) -> _Binder:
        name, _, low, high = children
        return _Binder(str(name), self._tok_span(name), low=low, high=high)

    def type_binder(self, meta: Any, children: list[Any]) -> _Binder:
        name, type_expr = children
        return _Binder(str(name), self._tok_span(name), type_expr=type_expr)

    def old(self, meta: Any, children: list[Any]) -> ast.Old:
        return ast.Old(self._span(meta), children[0])

    def call(self, meta: Any, children: list[Any]) -> ast.Call:
        function, *args = children
        present = tuple(a for a in args if a is not None)
        return ast.Call(self._span(meta), str(function), present)

    def if_then_else(self, meta: Any, children: list[Any]) -> ast.IfThenElse:
        condition, then, otherwise = children
        return ast.IfThenElse(self._span(meta), condition, then, otherwise)


_CANONICAL = {"<=>": "iff", "=>": "implies", "||": "or", "&&": "and"}


def _canonical(op: str) -> str:
    if op.startswith("not"):  # "not in", with any space between the words
        return "not in"
    return _CANONICAL.get(op, op)


def _name_clauses(component: ast.Component) -> ast.Component:
    """Give every clause its full id: ``Component[.operation].kind.label-or-index``."""

    def named(prefix: str, clauses: tuple[ast.Clause, ...]) -> tuple[ast.Clause, ...]:
        # Only unlabelled clauses are counted, so adding or removing a labelled
        # clause never renumbers the others.
        unlabelled = (c for c in clauses if c.label is None)
        numbers = {id(c): i for i, c in enumerate(unlabelled, start=1)}
        return tuple(
            replace(c, id=f"{prefix}.{c.label or numbers[id(c)]}") for c in clauses
        )

    base = component.name
    consts = tuple(
        replace(c, where=named(f"{base}.{c.name}.where", c.where))
        for c in component.consts
    )
    ops = tuple(
        replace(
            op,
            requires=named(f"{base}.{op.name}.requires", op.requires),
            ensures=named(f"{base}.{op.name}.ensures", op.ensures),
        )
        for op in component.operations
    )
    invariants = named(f"{base}.invariant", component.invariants)
    failures = tuple(
        replace(
            f,
            id=f"{base}.failure.{f.name}",
            ensures=named(f"{base}.failure.{f.name}.ensures", f.ensures),
        )
        for f in component.failures
    )
    return replace(
        component,
        consts=consts,
        operations=ops,
        invariants=invariants,
        properties=_name_properties(base, component.properties),
        failures=failures,
    )


def _name_properties(
    base: str, properties: tuple[ast.Property, ...]
) -> tuple[ast.Property, ...]:
    """``C.always.<label or n>`` and likewise per kind; n counts unlabelled ones."""
    counts: dict[ast.PropertyKind, int] = defaultdict(int)
    named = []
    for prop in properties:
        suffix = prop.label
        if suffix is None:
            counts[prop.kind] += 1
            suffix = str(counts[prop.kind])
        named.append(replace(prop, id=f"{base}.{prop.kind.value}.{suffix}"))
    return tuple(named)


def parse_source(source: str, path: str) -> ast.SpecFile:
    """Parse spec text.

    Raises:
        SpecError: with one diagnostic for the first syntax error.
    """
    try:
        tree = _parser().parse(source)
        _check_depth(tree, path)
        components = _Builder(path).build(tree)
    except _BuildError as exc:
        raise SpecError([exc.diagnostic]) from None
    except lark.exceptions.UnexpectedInput as exc:
        raise SpecError([syntax_diagnostic(exc, source, path, _parser())]) from None
    log.debug("parsed %s: %d components", path, len(components))
    return ast.SpecFile(path, source, tuple(_name_clauses(c) for c in components))


def parse_file(path: str | Path, name: str | None = None) -> ast.SpecFile:
    """Read and parse a spec file.

    Args:
        path: the file to read.
        name: the file's name in spans and messages; ``path`` when omitted.

    A leading byte-order mark is skipped, as editors on some systems add one.

    Raises:
        SpecError: SF100 when the file cannot be read, is not UTF-8 or holds a
            NUL byte; otherwise as ``parse_source``.
    """
    name = str(path) if name is None else name
    if Path(path).exists() and not Path(path).is_file():
        # A pipe would block the read and a device would never end it.
        span = ast.Span(name, 1, 1, 1, 1)
        message = "cannot read file: not a regular file (a folder, pipe or device)"
        raise SpecError([error("SF100", message, span)])
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        span = ast.Span(name, 1, 1, 1, 1)
        raise SpecError([error("SF100", f"cannot read file: {reason}", span)]) from None
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError([_invalid_utf8(name, data, exc.start)]) from None
    if "\x00" in source:
        span = _offset_span(name, source, source.index("\x00"))
        message = "NUL byte in file; spec files are text"
        raise SpecError([error("SF100", message, span)])
    return parse_source(source, name)


def _invalid_utf8(name: str, data: bytes, start: int) -> Diagnostic:
    # Columns count characters, so decode the valid prefix of the line.
    line_start = data.rfind(b"\n", 0, start) + 1
    prefix = data[line_start:start].decode("utf-8", errors="replace")
    line = data.count(b"\n", 0, start) + 1
    column = len(prefix) + 1
    span = ast.Span(name, line, column, line, column + 1)
    message = f"invalid UTF-8 byte 0x{data[start]:02x}; spec files are UTF-8 text"
    return error("SF100", message, span)


def _offset_span(name: str, source: str, offset: int) -> ast.Span:
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return ast.Span(name, line, column, line, column + 1)
