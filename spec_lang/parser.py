"""Parse spec text into the AST with lark's LALR parser.

The transformer runs inside the parser (lark's inline callbacks), so the tree
is built bottom-up without recursion: 10,000 nested parentheses parse fine.
Expressions deeper than ``MAX_DEPTH`` operators are rejected with SF104,
which keeps every later recursive pass within Python's stack.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import lark
from lark import Lark, Token, Transformer, v_args

from spec_lang import ast
from spec_lang.diagnostics import Diagnostic, SpecError, error

log = logging.getLogger(__name__)

MAX_DEPTH = 200
MAX_INT_DIGITS = 40

_TOKEN_NAMES = {
    "NAME": "a name",
    "INT": "an integer",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COLON": "':'",
    "COMMA": "','",
    "DOT": "'.'",
    "EQUAL": "'='",
    "$END": "end of file",
}


_GRAMMAR = Path(__file__).parent / "grammar.lark"


@cache
def _parser() -> Lark:
    return Lark(
        _GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
    )


def _check_depth(tree: lark.Tree[Token], path: str) -> None:
    """Reject trees deeper than MAX_DEPTH, iteratively, before any recursive pass.

    Parentheses leave no node of their own, so only operators count.
    """
    stack: list[tuple[lark.Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            meta = node.meta
            span = ast.Span(
                path, meta.line, meta.column, meta.end_line, meta.end_column
            )
            raise _DepthError(span)
        stack.extend((c, depth + 1) for c in node.children if isinstance(c, lark.Tree))


class _DepthError(Exception):
    def __init__(self, span: ast.Span) -> None:
        self.span = span


class _IntError(Exception):
    def __init__(self, span: ast.Span, text: str) -> None:
        self.span = span
        self.text = text


@v_args(meta=True)
class _Builder(Transformer[Any, Any]):
    """Build AST nodes from lark's reductions; clause ids are filled in later."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    # --- spans and depth ---

    def _span(self, meta: Any) -> ast.Span:
        if getattr(meta, "empty", True):
            return ast.Span(self.path, 1, 1, 1, 1)
        return ast.Span(
            self.path, meta.line, meta.column, meta.end_line, meta.end_column
        )

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
            if isinstance(member, list):  # one error declaration lists several names
                buckets[ast.ErrorDecl].extend(member)
            else:
                buckets[type(member)].append(member)
        inits = buckets[ast.Init]
        if len(inits) > 1:
            raise _DuplicateInit(inits[1].span)
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
        )

    def const_decl(self, meta: Any, children: list[Any]) -> ast.Const:
        name, type_expr, *wheres = children
        return ast.Const(self._span(meta), str(name), type_expr, tuple(wheres))

    def where_clause(self, meta: Any, children: list[Any]) -> ast.Clause:
        return self._clause(meta, "where", children)

    def invariant_decl(self, meta: Any, children: list[Any]) -> ast.Clause:
        return self._clause(meta, "invariant", children)

    def requires_clause(self, meta: Any, children: list[Any]) -> tuple[str, ast.Clause]:
        label, expr, else_error = children
        clause = self._clause(meta, "requires", [label, expr])
        if else_error is not None:
            clause = replace(
                clause, error=str(else_error), error_span=self._tok_span(else_error)
            )
        return ("requires", clause)

    def else_error(self, meta: Any, children: list[Any]) -> Token:
        token: Token = children[0]
        return token

    def ensures_clause(self, meta: Any, children: list[Any]) -> tuple[str, ast.Clause]:
        return ("ensures", self._clause(meta, "ensures", children))

    def _clause(self, meta: Any, kind: str, children: list[Any]) -> ast.Clause:
        label, expr = children
        # The id is provisional ("where"); ``_name_clauses`` gives the full one.
        return ast.Clause(self._span(meta), kind, str(label) if label else None, expr)

    def label(self, meta: Any, children: list[Any]) -> Token:
        token: Token = children[0]
        return token

    def enum_decl(self, meta: Any, children: list[Any]) -> ast.EnumDecl:
        name, *members = children
        return ast.EnumDecl(
            self._span(meta),
            str(name),
            tuple(str(m) for m in members),
            tuple(self._tok_span(m) for m in members),
        )

    def error_decl(self, meta: Any, children: list[Any]) -> list[ast.ErrorDecl]:
        return [ast.ErrorDecl(self._tok_span(t), str(t)) for t in children]

    def var_decl(self, meta: Any, children: list[Any]) -> ast.Var:
        name, type_expr = children
        return ast.Var(self._tok_span(name), str(name), type_expr)

    def define_decl(self, meta: Any, children: list[Any]) -> ast.Define:
        name, type_expr, expr = children
        return ast.Define(self._tok_span(name), str(name), type_expr, expr)

    def init_decl(self, meta: Any, children: list[Any]) -> ast.Init:
        return ast.Init(self._span(meta), children[0])

    def operation_decl(self, meta: Any, children: list[Any]) -> ast.Operation:
        kind_tok, name = children[0], children[1]
        rest = children[2:]
        params = [c for c in rest if isinstance(c, ast.Param)]
        result_types = [c for c in rest if isinstance(c, _ResultType)]
        clauses = [c for c in rest if isinstance(c, tuple) and len(c) == 2]
        requires = [c for tag, c in clauses if tag == "requires"]
        ensures = [c for tag, c in clauses if tag == "ensures"]
        modifies = [c for tag, c in clauses if tag == "modifies"]
        effects = [c for tag, c in clauses if tag == "effect"]
        return ast.Operation(
            span=self._tok_span(name),
            name=str(name),
            kind=ast.OperationKind(str(kind_tok)),
            params=tuple(params),
            result_type_expr=result_types[0].type_expr if result_types else None,
            requires=tuple(requires),
            ensures=tuple(ensures),
            modifies=tuple(n for m in modifies for n in m) if modifies else None,
            effect=tuple(s for e in effects for s in e) if effects else None,
        )

    def result_type(self, meta: Any, children: list[Any]) -> _ResultType:
        return _ResultType(children[0])

    def param(self, meta: Any, children: list[Any]) -> ast.Param:
        name, type_expr = children
        return ast.Param(self._tok_span(name), str(name), type_expr)

    def modifies_clause(
        self, meta: Any, children: list[Any]
    ) -> tuple[str, tuple[str, ...]]:
        return ("modifies", tuple(str(t) for t in children))

    def effect_clause(
        self, meta: Any, children: list[Any]
    ) -> tuple[str, tuple[ast.Stmt, ...]]:
        return ("effect", children[0])

    def __default__(self, data: Any, children: list[Any], meta: Any) -> Any:
        raise lark.exceptions.GrammarError(f"no AST builder for grammar rule {data!r}")

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

    # --- expressions ---

    def binary(self, meta: Any, children: list[Any]) -> ast.Binary:
        left, op, right = children
        node = ast.Binary(self._span(meta), _canonical(str(op)), left, right)
        return node

    def unary(self, meta: Any, children: list[Any]) -> ast.Unary:
        op, operand = children
        node = ast.Unary(
            self._span(meta), "not" if str(op) in ("not", "!") else "-", operand
        )
        return node

    def int_lit(self, meta: Any, children: list[Any]) -> ast.IntLit:
        text = str(children[0])
        span = self._tok_span(children[0])
        if len(text.replace("_", "")) > MAX_INT_DIGITS:
            raise _IntError(span, text)
        return ast.IntLit(span, int(text.replace("_", "")))

    def true_lit(self, meta: Any, children: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(self._span(meta), True)

    def false_lit(self, meta: Any, children: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(self._span(meta), False)

    def result_ref(self, meta: Any, children: list[Any]) -> ast.ResultRef:
        return ast.ResultRef(self._span(meta))

    def name(self, meta: Any, children: list[Any]) -> ast.Name:
        return ast.Name(self._tok_span(children[0]), str(children[0]))

    def qualified(self, meta: Any, children: list[Any]) -> ast.Qualified:
        qualifier, member = children
        return ast.Qualified(self._span(meta), str(qualifier), str(member))

    def old(self, meta: Any, children: list[Any]) -> ast.Old:
        node = ast.Old(self._span(meta), children[0])
        return node

    def call(self, meta: Any, children: list[Any]) -> ast.Call:
        function, *args = children
        args = [a for a in args if a is not None]
        node = ast.Call(self._span(meta), str(function), tuple(args))
        return node

    def if_then_else(self, meta: Any, children: list[Any]) -> ast.IfThenElse:
        condition, then, otherwise = children
        node = ast.IfThenElse(self._span(meta), condition, then, otherwise)
        return node


class _ResultType:
    def __init__(self, type_expr: ast.TypeExpr) -> None:
        self.type_expr = type_expr


class _DuplicateInit(Exception):
    def __init__(self, span: ast.Span) -> None:
        self.span = span


_CANONICAL = {"<=>": "iff", "=>": "implies", "||": "or", "&&": "and"}


def _canonical(op: str) -> str:
    return _CANONICAL.get(op, op)


def _expected(tokens: set[str]) -> str:
    names = sorted({_TOKEN_NAMES.get(t, _describe_terminal(t)) for t in tokens})
    if len(names) > 8:
        names = [*names[:8], "..."]
    return ", ".join(names)


def _describe_terminal(name: str) -> str:
    try:
        pattern = next(t for t in _parser().terminals if t.name == name).pattern
    except StopIteration:
        return name
    if pattern.type == "str":
        return repr(pattern.value)
    return name.lower()


def _syntax_error(path: str, exc: lark.exceptions.LarkError) -> Diagnostic:
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        span = ast.Span(path, exc.line, exc.column, exc.line, exc.column + 1)
        char = exc.char
        return error("SF101", f"unexpected character {char!r}", span)
    if isinstance(exc, lark.exceptions.UnexpectedEOF):
        span = ast.Span(path, 1, 1, 1, 1)
        return error(
            "SF103",
            f"unexpected end of file; expected {_expected(set(exc.expected))}",
            span,
        )
    if isinstance(exc, lark.exceptions.UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            line = getattr(exc, "line", 1) or 1
            column = getattr(exc, "column", 1) or 1
            span = ast.Span(path, line, column, line, column + 1)
            return error(
                "SF103",
                f"unexpected end of file; expected {_expected(exc.expected)}",
                span,
            )
        span = ast.Span(
            path, tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 2
        )
        return error(
            "SF102",
            f"unexpected {str(tok)!r}; expected {_expected(exc.expected)}",
            span,
        )
    span = ast.Span(path, 1, 1, 1, 1)
    return error("SF102", f"cannot parse: {exc}", span)


def _end_span(path: str, source: str) -> ast.Span:
    lines = source.splitlines() or [""]
    line = len(lines)
    column = len(lines[-1]) + 1
    return ast.Span(path, line, column, line, column + 1)


def _name_clauses(component: ast.Component) -> ast.Component:
    """Give every clause its full id: ``Component[.operation].kind.label-or-index``."""

    def named(prefix: str, clauses: tuple[ast.Clause, ...]) -> tuple[ast.Clause, ...]:
        return tuple(
            replace(c, id=f"{prefix}.{c.label or i}")
            for i, c in enumerate(clauses, start=1)
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
    return replace(component, consts=consts, operations=ops, invariants=invariants)


def _raise_builder_error(orig: Exception) -> ast.SpecFile:
    if isinstance(orig, _IntError):
        message = (
            f"integer literal {orig.text[:20]}... has more than {MAX_INT_DIGITS} digits"
        )
        raise SpecError([error("SF105", message, orig.span)]) from None
    assert isinstance(orig, _DuplicateInit)
    raise SpecError(
        [error("SF202", "duplicate init block; a component has one", orig.span)]
    ) from None


def parse_source(source: str, path: str) -> ast.SpecFile:
    """Parse spec text.

    Raises:
        SpecError: with one diagnostic for the first syntax error.
    """
    try:
        tree = _parser().parse(source)
        _check_depth(tree, path)
        components = _Builder(path).transform(tree)
    except lark.exceptions.VisitError as exc:
        orig = exc.orig_exc
        if not isinstance(orig, (_IntError, _DuplicateInit)):
            raise
        return _raise_builder_error(orig)
    except _DepthError as orig:
        raise SpecError(
            [
                error(
                    "SF104",
                    f"expression nested more than {MAX_DEPTH} levels deep",
                    orig.span,
                )
            ]
        ) from None
    except (lark.exceptions.UnexpectedEOF, lark.exceptions.UnexpectedToken) as exc:
        diag = _syntax_error(path, exc)
        if diag.code == "SF103":
            diag = replace(diag, span=_end_span(path, source))
        raise SpecError([diag]) from None
    except lark.exceptions.UnexpectedInput as exc:
        raise SpecError([_syntax_error(path, exc)]) from None
    return ast.SpecFile(path, source, tuple(_name_clauses(c) for c in components))


def parse_file(path: str | Path, name: str | None = None) -> ast.SpecFile:
    """Read and parse a spec file; unreadable or non-UTF-8 files raise SF100."""
    name = str(path) if name is None else name
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SpecError(
            [
                error(
                    "SF100",
                    f"cannot read file: {exc.strerror}",
                    ast.Span(name, 1, 1, 1, 1),
                )
            ]
        ) from None
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        span = ast.Span(name, line, column, line, column + 1)
        raise SpecError(
            [
                error(
                    "SF100",
                    f"invalid UTF-8 byte 0x{data[exc.start]:02x}; "
                    "spec files are UTF-8 text",
                    span,
                )
            ]
        ) from None
    if "\x00" in source:
        offset = source.index("\x00")
        line = source.count("\n", 0, offset) + 1
        column = offset - (source.rfind("\n", 0, offset) + 1) + 1
        span = ast.Span(name, line, column, line, column + 1)
        raise SpecError([error("SF100", "NUL byte in file; spec files are text", span)])
    return parse_source(source, name)
