"""Lay out generated Python statements the way ``ruff format`` would.

Generated files must come out formatted without running a formatter, so
that the output is the same on every machine whatever ruff is installed.
This module is a small Wadler-style pretty printer (groups that print flat
when they fit and break otherwise) plus the layout rules ruff applies to
the few expression forms the translator produces: boolean, comparison and
arithmetic chains, ``not``, unary minus, calls, tuples and lists,
conditional expressions, field reads, subscripts, set and dict displays and
generators, in argument position and in the ``if``, ``return``,
``yield`` and assignment statements.

The rules mirror ruff's documented behaviour: a statement's expression gets
parentheses only if it does not fit, unless breaking the brackets it already
has (the last call, or a parenthesized first or last operand) is enough; a
chain breaks before every operator of its loosest precedence; arguments go
on one indented line if they fit there, else one per line with a trailing
comma. ``tests/codegen/test_layout.py`` compares the output with ruff's on
generated expressions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeAlias

from codegen.python import (
    ADDITIVE,
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
    source,
)

LINE_WIDTH = 88
INDENT = 4

# --- the document --------------------------------------------------------------


class LineKind(Enum):
    SOFT = ""  # nothing when flat
    SOFT_OR_SPACE = " "  # a space when flat


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Line:
    kind: LineKind


@dataclass(frozen=True)
class Group:
    """Print flat if everything up to the next line break fits, else break."""

    content: Doc
    id: int | None = None


@dataclass(frozen=True)
class ConditionalGroup:
    """A group while group ``when_broken`` is broken, and transparent otherwise."""

    content: Doc
    when_broken: int


@dataclass(frozen=True)
class Indent:
    content: Doc


@dataclass(frozen=True)
class IndentIfBroken:
    content: Doc
    group: int


@dataclass(frozen=True)
class IfBroken:
    """``broken`` if the group (the enclosing one by default) breaks, else ``flat``."""

    broken: Doc
    flat: Doc = ()
    group: int | None = None


@dataclass(frozen=True)
class FitsExpanded:
    """Brackets that may expand without forcing the optional parentheses around them.

    While the group ``while_flat`` is being measured as flat, this content is
    measured expanded: only the text before its first line break and after
    its last one must fit.
    """

    content: Doc
    while_flat: int


Doc: TypeAlias = (
    Text
    | Line
    | Group
    | ConditionalGroup
    | Indent
    | IndentIfBroken
    | IfBroken
    | FitsExpanded
    | tuple["Doc", ...]
)

SOFT = Line(LineKind.SOFT)
SOFT_OR_SPACE = Line(LineKind.SOFT_OR_SPACE)


# --- the printer ---------------------------------------------------------------


class _Mode(Enum):
    FLAT = "flat"
    BREAK = "break"


@dataclass
class _Command:
    indent: int
    mode: _Mode
    doc: Doc
    overflow: bool = False  # inside FitsExpanded content being measured


@dataclass
class _Printer:
    width: int
    modes: dict[int, _Mode] = field(default_factory=dict)
    out: list[str] = field(default_factory=list)
    column: int = 0

    def print(self, doc: Doc, indent: int) -> str:
        stack = [_Command(indent, _Mode.BREAK, doc)]
        while stack:
            command = stack.pop()
            self._print_one(command, stack)
        return "".join(self.out)

    def _print_one(self, command: _Command, stack: list[_Command]) -> None:
        doc, indent, mode = command.doc, command.indent, command.mode
        if isinstance(doc, tuple):
            stack.extend(_Command(indent, mode, d) for d in reversed(doc))
        elif isinstance(doc, Text):
            self.out.append(doc.text)
            self.column += len(doc.text)
        elif isinstance(doc, Line):
            if mode is _Mode.BREAK:
                self.out.append("\n" + " " * indent)
                self.column = indent
            else:
                self.out.append(doc.kind.value)
                self.column += len(doc.kind.value)
        elif isinstance(doc, Group):
            self._print_group(doc.content, doc.id, command, stack)
        elif isinstance(doc, ConditionalGroup):
            if self.modes.get(doc.when_broken) is _Mode.BREAK:
                self._print_group(doc.content, None, command, stack)
            else:
                stack.append(_Command(indent, mode, doc.content))
        elif isinstance(doc, Indent):
            stack.append(_Command(indent + INDENT, mode, doc.content))
        elif isinstance(doc, IndentIfBroken):
            broken = self.modes.get(doc.group) is _Mode.BREAK
            stack.append(_Command(indent + INDENT * broken, mode, doc.content))
        elif isinstance(doc, IfBroken):
            group_mode = mode if doc.group is None else self.modes.get(doc.group)
            chosen = doc.broken if group_mode is _Mode.BREAK else doc.flat
            stack.append(_Command(indent, mode, chosen))
        elif mode is _Mode.FLAT and self.modes.get(doc.while_flat) is _Mode.FLAT:
            # The optional parentheses stayed off because these brackets may
            # expand: their group decides for itself.
            stack.append(_Command(indent, _Mode.BREAK, doc.content))
        else:
            stack.append(_Command(indent, mode, doc.content))

    def _print_group(
        self,
        content: Doc,
        group_id: int | None,
        command: _Command,
        stack: list[_Command],
    ) -> None:
        mode = _Mode.FLAT
        if command.mode is _Mode.BREAK:
            flat = _Command(command.indent, _Mode.FLAT, content)
            if group_id is not None:
                self.modes[group_id] = _Mode.FLAT
            if not self._fits(flat, stack):
                mode = _Mode.BREAK
        if group_id is not None:
            self.modes[group_id] = mode
        stack.append(_Command(command.indent, mode, content))

    def _fits(self, first: _Command, rest: list[_Command]) -> bool:
        """Return whether ``first`` and what follows, up to the next line break, fit."""
        remaining = self.width - self.column
        line_start = False  # only text alone on its line may overflow
        pending = [first]
        rest_index = len(rest)
        modes = dict(self.modes)
        while True:
            if not pending:
                if rest_index == 0:
                    return True
                rest_index -= 1
                pending.append(rest[rest_index])
                continue
            command = pending.pop()
            doc, mode = command.doc, command.mode
            if isinstance(doc, tuple):
                pending.extend(
                    _Command(command.indent, mode, d, command.overflow)
                    for d in reversed(doc)
                )
            elif isinstance(doc, Text):
                remaining -= len(doc.text)
                if remaining < 0 and not (command.overflow and line_start):
                    return False
                line_start = line_start and not doc.text
            elif isinstance(doc, Line) and mode is _Mode.BREAK:
                if not command.overflow:
                    return True
                remaining = self.width - command.indent
                line_start = True
            elif isinstance(doc, Line):
                remaining -= len(doc.kind.value)
                if remaining < 0:
                    return False
            else:
                pending.append(self._measure_child(command, modes))

    def _measure_child(self, command: _Command, modes: dict[int, _Mode]) -> _Command:
        doc, mode, indent = command.doc, command.mode, command.indent
        overflow = command.overflow

        def child(content: Doc, child_mode: _Mode = mode, extra: int = 0) -> _Command:
            return _Command(indent + extra, child_mode, content, overflow)

        if isinstance(doc, Group):
            if doc.id is not None:
                modes[doc.id] = mode
            return child(doc.content)
        if isinstance(doc, ConditionalGroup):
            return child(doc.content)
        if isinstance(doc, Indent):
            return child(doc.content, extra=INDENT)
        if isinstance(doc, IndentIfBroken):
            broken = modes.get(doc.group) is _Mode.BREAK
            return child(doc.content, extra=INDENT * broken)
        if isinstance(doc, IfBroken):
            group_mode = mode if doc.group is None else modes.get(doc.group, mode)
            return child(doc.broken if group_mode is _Mode.BREAK else doc.flat)
        assert isinstance(doc, FitsExpanded)
        if mode is _Mode.FLAT and modes.get(doc.while_flat) is _Mode.FLAT:
            return _Command(indent, _Mode.BREAK, doc.content, True)
        return child(doc.content)


def render(doc: Doc, indent: int, width: int = LINE_WIDTH) -> str:
    """Print ``doc`` starting at column ``indent`` (the statement's indentation)."""
    return _Printer(width, column=indent).print(doc, indent)


# --- expressions ---------------------------------------------------------------

_ids = itertools.count(1)


@dataclass(frozen=True)
class _Level:
    """Where an expression sits: what its soft breaks and groups do.

    ``optional`` is the id of the enclosing optional parentheses of a
    statement; ``expanding`` says whether brackets inside may expand without
    them (ruff's "omit optional parentheses" layout).
    """

    parenthesized: bool = False
    optional: int | None = None
    expanding: bool = False


_TOP = _Level()
_IN_BRACKETS = _Level(parenthesized=True)


def _chain_line(level: _Level) -> Doc:
    if level.parenthesized:
        return SOFT_OR_SPACE
    if level.optional is not None:
        return (
            IfBroken(SOFT_OR_SPACE, (), level.optional),
            IfBroken((), Text(" "), level.optional),
        )
    return Text(" ")


def _chain_group(content: Doc, level: _Level) -> Doc:
    if level.parenthesized:
        return Group(content)
    if level.optional is not None:
        return ConditionalGroup(content, level.optional)
    return content


def _bracketed(open_: str, content: Doc, close: str, level: _Level) -> Doc:
    inner = Group((Text(open_), Indent((SOFT, content)), SOFT, Text(close)))
    if level.optional is not None and level.expanding:
        return FitsExpanded(inner, level.optional)
    return inner


def expression(expr: PyExpr | Keyword | DictItem, level: _Level = _IN_BRACKETS) -> Doc:
    """Build the document of an expression at ``level``."""
    if isinstance(expr, Atom):
        return Text(expr.text)
    if isinstance(expr, Attribute | Subscript | Display | DictItem | Generator):
        return _structured(expr, level)
    if isinstance(expr, Keyword):
        return (Text(f"{expr.name}="), expression(expr.value, level))
    if isinstance(expr, Paren):
        return _bracketed("(", expression(expr.inner), ")", level)
    if isinstance(expr, Call):
        call_args = _items(
            "(",
            expr.args,
            ")",
            level,
            False,
            is_display=False,
            single_comma=expr.parameters,
        )
        return (Text(expr.function), call_args)
    if isinstance(expr, Sequence):
        open_, close = ("[", "]") if expr.kind == "list" else ("(", ")")
        single_tuple = expr.kind == "tuple" and len(expr.items) == 1
        return _items(open_, expr.items, close, level, single_tuple)
    if isinstance(expr, Not):
        return (Text("not "), expression(expr.operand, level))
    if isinstance(expr, Neg):
        return (Text("-"), expression(expr.operand, level))
    if isinstance(expr, Ternary):
        line = _chain_line(level)
        parts = (
            expression(expr.body, level),
            line,
            Text("if "),
            expression(expr.test, level),
            line,
            Text("else "),
            expression(expr.orelse, level),
        )
        return _chain_group(parts, level)
    return _chain(expr, level)


def _structured(
    expr: Attribute | Subscript | Display | DictItem | Generator, level: _Level
) -> Doc:
    """Attribute reads, subscripts, set and dict displays and generators."""
    if isinstance(expr, Attribute):
        return (expression(expr.value, level), Text(f".{expr.name}"))
    if isinstance(expr, Subscript):
        index = _bracketed("[", expression(expr.index), "]", level)
        return (expression(expr.value, level), index)
    if isinstance(expr, DictItem):
        return (expression(expr.key), Text(": "), expression(expr.value))
    if isinstance(expr, Display):
        return _items("{", expr.items, "}", level, False)
    # A generator breaks before "for" and "if", each part at the same indent.
    parts: list[Doc] = [
        expression(expr.element),
        SOFT_OR_SPACE,
        Text(f"for {expr.target} in "),
        expression(expr.iterable),
    ]
    if expr.condition is not None:
        parts.extend((SOFT_OR_SPACE, Text("if "), expression(expr.condition)))
    return Group(tuple(parts))


def _items(
    open_: str,
    items: tuple[PyExpr | Keyword | DictItem, ...],
    close: str,
    level: _Level,
    single_tuple: bool,
    is_display: bool = True,
    single_comma: bool = False,
) -> Doc:
    if not items:
        return Text(open_ + close)
    docs = [expression(item, _IN_BRACKETS) for item in items]
    if single_tuple:
        content: Doc = (docs[0], Text(","))
    elif len(docs) == 1:
        # A lone parameter of a def gets a trailing comma when it breaks.
        content = (docs[0], IfBroken(Text(","))) if single_comma else docs[0]
    else:
        joined: list[Doc] = []
        for i, doc in enumerate(docs):
            if i:
                joined.extend((Text(","), SOFT_OR_SPACE))
            joined.append(doc)
        joined.append(IfBroken(Text(",")))
        # Call arguments may share one indented line; display items may not.
        content = tuple(joined) if is_display else Group(tuple(joined))
    return _bracketed(open_, content, close, level)


def _chain(expr: BoolOp | BinOp | Compare, level: _Level) -> Doc:
    operands, operators = _flatten(expr)
    line = _chain_line(level)
    parts: list[Doc] = [expression(operands[0], level)]
    for op, operand in zip(operators, operands[1:], strict=True):
        parts.extend((line, Text(f"{op} "), expression(operand, level)))
    return _chain_group(tuple(parts), level)


def _flatten(expr: BoolOp | BinOp | Compare) -> tuple[list[PyExpr], list[str]]:
    """Split a chain into the operands and operators of its loosest precedence."""
    if isinstance(expr, BoolOp):
        return list(expr.values), [expr.op] * (len(expr.values) - 1)
    if isinstance(expr, Compare):
        return [expr.left, expr.right], [expr.op]
    same = ADDITIVE if expr.op in ADDITIVE else frozenset({"*", "//", "%"})
    operands: list[PyExpr] = [expr.right]
    operators = [expr.op]
    left = expr.left
    while isinstance(left, BinOp) and left.op in same:
        operands.append(left.right)
        operators.append(left.op)
        left = left.left
    operands.append(left)
    return operands[::-1], operators[::-1]


# --- statements ----------------------------------------------------------------


def statement(prefix: str, expr: PyExpr, suffix: str = "", indent: int = 0) -> str:
    """Lay out ``prefix expr suffix`` at column ``indent``: ``if x:``, ``y = x``.

    Returns the text without the indentation of its first line.
    """
    while isinstance(expr, Paren):  # ruff drops redundant outer parentheses
        expr = expr.inner
    flat = f"{prefix}{source(expr)}{suffix}"
    if indent + len(flat) <= LINE_WIDTH:
        return flat
    doc = (Text(prefix), _maybe_parenthesized(expr), Text(suffix))
    return render(doc, indent)


def call_statement(
    function: str, args: tuple[PyExpr | Keyword, ...], indent: int
) -> str:
    """Lay out an expression statement that is a call, such as ``self.check(...)``."""
    return statement("", Call(function, args), "", indent)


def _maybe_parenthesized(expr: PyExpr) -> Doc:
    # A field read is not atomic here: ruff parenthesizes a long one.
    if isinstance(expr, Atom | Call | Sequence | Paren | Subscript | Display):
        return expression(expr, _TOP)
    group_id = next(_ids)
    expanding = _can_omit_parentheses(expr)
    content = expression(expr, _Level(optional=group_id, expanding=expanding))
    return Group(
        (
            IfBroken(Text("("), (), group_id),
            IndentIfBroken((SOFT, content), group_id),
            SOFT,
            IfBroken(Text(")"), (), group_id),
        ),
        group_id,
    )


# Looser operators have larger numbers, as in ruff's precedence order.
_PRECEDENCE = {"*": 1, "//": 1, "%": 1, "+": 2, "-": 2}
_COMPARATOR = 3
_BOOLEAN = 4
_CONDITIONAL = 5


@dataclass
class _OmitScan:
    """The facts ruff uses to decide whether a statement's brackets may expand."""

    loosest: int = 0
    count: int = 0
    any_brackets: bool = False
    first: PyExpr | None = None
    first_is_token: bool = False
    last: PyExpr | None = None

    def operator(self, precedence: int, count: int = 1) -> None:
        if precedence > self.loosest:
            self.loosest, self.count = precedence, count
        elif precedence == self.loosest:
            self.count += count

    def visit(self, expr: PyExpr) -> None:
        self.last = expr
        if isinstance(expr, Paren):
            self.any_brackets = True
        else:
            self._visit_unparenthesized(expr)
        if self.first is None and not self.first_is_token:
            self.first = expr

    def _visit_unparenthesized(self, expr: PyExpr) -> None:
        if isinstance(expr, Sequence | Display):
            self.any_brackets = True
        elif isinstance(expr, Attribute):
            self.visit(expr.value)
            self.last = expr
        elif isinstance(expr, Subscript):
            self.any_brackets = True
            self.visit(expr.value)
            self.last = expr
        elif isinstance(expr, Call):
            self.any_brackets = True
            self.visit(Atom(expr.function))
            self.last = expr
        elif isinstance(expr, BoolOp):
            self.operator(_BOOLEAN, len(expr.values) - 1)
            for value in expr.values:
                self.visit(value)
        elif isinstance(expr, BinOp | Compare):
            if isinstance(expr, Compare):
                self.operator(_COMPARATOR)
            else:
                self.operator(_PRECEDENCE[expr.op])
            self.visit(expr.left)
            self.visit(expr.right)
        elif isinstance(expr, Not | Neg):
            if self.first is None:
                self.first_is_token = True
            self.visit(expr.operand)
        elif isinstance(expr, Ternary):
            self.operator(_CONDITIONAL, 2)
            self.visit(expr.body)
            self.visit(expr.test)
            self.visit(expr.orelse)


def _can_omit_parentheses(expr: PyExpr) -> bool:
    scan = _OmitScan()
    scan._visit_unparenthesized(expr)
    if not scan.any_brackets or scan.count > 1:
        return False
    if scan.loosest == 0:
        return True
    return _has_brackets(scan.last) or _has_brackets(scan.first)


def _has_brackets(expr: PyExpr | None) -> bool:
    if isinstance(expr, Paren | Subscript):
        return True
    if isinstance(expr, Display):
        return bool(expr.items)
    if isinstance(expr, Call | Sequence):
        return bool(expr.args if isinstance(expr, Call) else expr.items)
    return False
