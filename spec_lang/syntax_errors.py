"""Turn lark's parse errors into diagnostics a spec author can act on.

lark reports the terminals its LALR state accepts, which for this grammar can
be a dozen names. The author needs less: "an expression", "a declaration", a
reserved word used as a name, a brace that is never closed. This module
groups terminals into such phrases and looks at the brackets and comments of
the source to name the real cause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import lark
from lark import Lark

from spec_lang import ast
from spec_lang.diagnostics import Diagnostic, error

# Terminals that can start an operand of a binary operator.
_OPERAND_START = frozenset(
    {
        "FALSE",
        "IF",
        "INT",
        "LBRACE",
        "LPAR",
        "LSQB",
        "MINUS",
        "NAME",
        "NONE",
        "OLD",
        "QUANTIFIER",
        "RESULT",
        "TRUE",
    }
)
_MEMBER_START = frozenset(
    {
        "ALWAYS",
        "CONST",
        "DEFINE",
        "ENUM",
        "ERROR",
        "EVENTUALLY",
        "FAILURE",
        "FAIRNESS",
        "IDENTITY",
        "INIT",
        "INVARIANT",
        "LEADSTO",
        "OP_KIND",
        "RECORD",
        "VAR",
    }
)
_CLAUSE_START = frozenset({"EFFECT", "ENSURES", "MODIFIES", "REQUIRES"})
_STMT_START = frozenset({"IF", "LET", "NAME", "RESULT"})
_OPERATORS = frozenset(
    {"ADD_OP", "AND", "CMP_OP", "IFF", "IMPLIES", "IN", "MUL_OP", "NOT_IN", "OR"}
)

# A group stands for its terminals once at least ``minimum`` of them are accepted.
_GROUPS: tuple[tuple[frozenset[str], int, str], ...] = (
    (_OPERAND_START, len(_OPERAND_START), "an expression"),
    (_MEMBER_START, len(_MEMBER_START), "a declaration"),
    (_CLAUSE_START, len(_CLAUSE_START), "a clause (requires, ensures, ...)"),
    (_STMT_START, len(_STMT_START), "a statement"),
    (_OPERATORS, 3, "an operator"),
)

_PHRASES = {
    "NAME": "a name",
    "INT": "an integer",
    "$END": "end of file",
    "IFF": "'iff'",
    "IMPLIES": "'implies'",
    "OR": "'or'",
    "AND": "'and'",
    "NOT": "'not'",
    "CMP_OP": "a comparison",
    "ADD_OP": "'+' or '-'",
    "MUL_OP": "'*', '/' or '%'",
    "OP_KIND": "'operation', 'query' or 'environment'",
    "QUANTIFIER": "'forall' or 'exists'",
    "IN": "'in'",
    "NOT_IN": "'not in'",
    "LEADS_TO": "'~>'",
}

_MAX_LISTED = 6
_MAX_QUOTED = 40

_CHARACTER_HINTS = {
    ";": "; clauses and statements need no terminator",
    '"': "; the language has no strings",
    "'": "; the language has no strings",
    "#": "; comments start with '//'",
}

_BRACKETS = {")": "(", "]": "[", "}": "{"}


@dataclass(frozen=True)
class _Mark:
    """A bracket or comment opener: its text, offset and position."""

    text: str
    offset: int
    line: int
    column: int


@dataclass(frozen=True)
class _Brackets:
    still_open: tuple[_Mark, ...]
    # Closing brackets that close nothing, by offset: None when no bracket of
    # their kind is open (a stray closer), else the inner opener left unclosed.
    bad_closers: dict[int, _Mark | None]
    open_comment: _Mark | None


def syntax_diagnostic(
    exc: lark.exceptions.UnexpectedInput, source: str, path: str, parser: Lark
) -> Diagnostic:
    """Describe lark's error ``exc`` on ``source`` as one diagnostic."""
    brackets = _scan(source)
    comment = brackets.open_comment
    if comment is not None and _offset(exc, source) >= comment.offset:
        message = "block comment is never closed; end it with '*/'"
        return error("SF103", message, _mark_span(path, comment))
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        return _unexpected_character(exc, path)
    if isinstance(exc, lark.exceptions.UnexpectedToken):
        if exc.token.type == "$END":
            return _unexpected_end(_accepted(exc), source, path, brackets, parser)
        return _unexpected_token(exc, path, brackets, parser)
    if isinstance(exc, lark.exceptions.UnexpectedEOF):
        return _unexpected_end(set(exc.expected), source, path, brackets, parser)
    return error("SF102", f"cannot parse: {exc}", ast.Span(path, 1, 1, 1, 1))


@cache
def keywords(parser: Lark) -> frozenset[str]:
    """Return the reserved words, which the NAME terminal rejects."""
    pattern = _terminal(parser, "NAME").pattern.value
    found = re.match(r"\(\?!\(([^)]*)\)", pattern)
    assert found is not None, "NAME must start with a negative lookahead of keywords"
    return frozenset(found.group(1).split("|"))


def _terminal(parser: Lark, name: str) -> lark.lexer.TerminalDef:
    return next(t for t in parser.terminals if t.name == name)


def _offset(exc: lark.exceptions.UnexpectedInput, source: str) -> int:
    if isinstance(exc, lark.exceptions.UnexpectedToken):
        if exc.token.type == "$END":
            return len(source)
        return exc.token.start_pos or 0
    position = getattr(exc, "pos_in_stream", None)
    return position if isinstance(position, int) else len(source)


def _accepted(exc: lark.exceptions.UnexpectedToken) -> set[str]:
    # ``accepts`` replays each terminal on a copy of the parser, so it drops
    # the ones LALR's merged states list but would reject a step later.
    accepts = exc.accepts or exc.expected
    return set(accepts)


# --- messages ---------------------------------------------------------------


def _unexpected_character(
    exc: lark.exceptions.UnexpectedCharacters, path: str
) -> Diagnostic:
    char = exc.char
    span = ast.Span(path, exc.line, exc.column, exc.line, exc.column + 1)
    hint = _CHARACTER_HINTS.get(char, "")
    if not hint and not char.isascii() and char.isalpha():
        hint = "; names use ASCII letters, digits and '_'"
    return error("SF101", f"unexpected character {char!r}{hint}", span)


def _unexpected_token(
    exc: lark.exceptions.UnexpectedToken,
    path: str,
    brackets: _Brackets,
    parser: Lark,
) -> Diagnostic:
    token = exc.token
    span = ast.Span(
        path,
        token.line or 1,
        token.column or 1,
        token.end_line or token.line or 1,
        token.end_column or (token.column or 1) + 1,
    )
    value = str(token)
    accepts = _accepted(exc)
    if token.start_pos in brackets.bad_closers:
        message = _bad_closer(value, brackets.bad_closers[token.start_pos])
    elif value in keywords(parser) and _wants_name(accepts):
        message = f"{value!r} is a reserved word and cannot be a name"
    elif value == "=" and "CMP_OP" in accepts:
        message = "unexpected '='; to compare values write '=='"
    elif value == ":" and _accepts_text(accepts, ":=", parser):
        message = (
            "unexpected ':'; expected ':='. A record construction 'R { f: v }' "
            "in the condition of an if statement needs parentheses: "
            "'if (R { f: v }) == e { ... }'"
        )
    else:
        message = f"unexpected {_quote(value)}; expected {_expected(accepts, parser)}"
    return error("SF102", message, span)


def _accepts_text(accepts: set[str], text: str, parser: Lark) -> bool:
    return any(_describe(name, parser) == repr(text) for name in accepts)


def _bad_closer(closer: str, unclosed: _Mark | None) -> str:
    if unclosed is None:
        return f"unmatched {closer!r}: no {_BRACKETS[closer]!r} is open here"
    return (
        f"unexpected {closer!r}: the {unclosed.text!r} at line {unclosed.line}, "
        f"column {unclosed.column} is not closed"
    )


def _wants_name(accepts: set[str]) -> bool:
    # Where an operand may start, a keyword is more likely a missing operand
    # than a name that happens to be reserved.
    return "NAME" in accepts and not _OPERAND_START.issubset(accepts)


def _unexpected_end(
    accepts: set[str],
    source: str,
    path: str,
    brackets: _Brackets,
    parser: Lark,
) -> Diagnostic:
    span = _end_span(path, source)
    if brackets.still_open:
        mark = brackets.still_open[-1]
        message = (
            f"unexpected end of file: {mark.text!r} at line {mark.line}, "
            f"column {mark.column} is never closed"
        )
    else:
        message = f"unexpected end of file; expected {_expected(accepts, parser)}"
    return error("SF103", message, span)


def _quote(value: str) -> str:
    if len(value) > _MAX_QUOTED:
        value = value[:_MAX_QUOTED] + "..."
    return repr(value)


def _expected(accepts: Iterable[str], parser: Lark) -> str:
    """Name what the parser would accept, briefly: "an expression or ')'"."""
    remaining = set(accepts)
    phrases: list[str] = []
    for members, minimum, phrase in _GROUPS:
        if len(members & remaining) >= minimum:
            phrases.append(phrase)
            remaining -= members
    if "an expression" in phrases:  # "not" starts an expression too
        remaining.discard("NOT")
    quoted = sorted(_describe(name, parser) for name in remaining)
    items = sorted(set(quoted), key=_listing_order) + phrases
    if len(items) > _MAX_LISTED:
        items = [*items[: _MAX_LISTED - 1], "..."]
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


def _listing_order(item: str) -> tuple[int, str]:
    # Punctuation and keywords first, then phrases such as "a name".
    return (0 if item.startswith("'") else 1, item)


def _describe(name: str, parser: Lark) -> str:
    if name in _PHRASES:
        return _PHRASES[name]
    try:
        pattern = _terminal(parser, name).pattern
    except StopIteration:
        return name.lower()
    if pattern.type == "str":
        return repr(pattern.value)
    return name.lower()


# --- positions --------------------------------------------------------------


def _end_span(path: str, source: str) -> ast.Span:
    """Point just past the last character that is not whitespace."""
    text = source.rstrip()
    line = text.count("\n") + 1
    column = len(text) - (text.rfind("\n") + 1) + 1
    return ast.Span(path, line, column, line, column + 1)


def _mark_span(path: str, mark: _Mark) -> ast.Span:
    end = mark.column + len(mark.text)
    return ast.Span(path, mark.line, mark.column, mark.line, end)


def _scan(source: str) -> _Brackets:
    """Match brackets outside comments; the language has no string literals."""
    still_open: list[_Mark] = []
    bad: dict[int, _Mark | None] = {}
    line, line_start, i = 1, 0, 0
    while i < len(source):
        char = source[i]
        if source.startswith("//", i):
            end = source.find("\n", i)
            i = len(source) if end < 0 else end
            continue
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                mark = _Mark("/*", i, line, i - line_start + 1)
                return _Brackets(tuple(still_open), bad, mark)
            line += source.count("\n", i, end)
            newline = source.rfind("\n", i, end)
            if newline >= 0:
                line_start = newline + 1
            i = end + 2
            continue
        if char == "\n":
            line, line_start = line + 1, i + 1
        elif char in "([{":
            still_open.append(_Mark(char, i, line, i - line_start + 1))
        elif char in _BRACKETS:
            _close(still_open, bad, char, i)
        i += 1
    return _Brackets(tuple(still_open), bad, None)


def _close(
    still_open: list[_Mark], bad: dict[int, _Mark | None], closer: str, offset: int
) -> None:
    opener = _BRACKETS[closer]
    if still_open and still_open[-1].text == opener:
        still_open.pop()
        return
    kinds = [mark.text for mark in still_open]
    if opener not in kinds:  # a stray closer; the open brackets stay open
        bad[offset] = None
        return
    # The inner brackets were left unclosed; this closes the matching outer one.
    bad[offset] = still_open[-1]
    del still_open[len(kinds) - 1 - kinds[::-1].index(opener) :]
