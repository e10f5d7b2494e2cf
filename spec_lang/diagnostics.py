"""Diagnostics: the errors a spec can have, as frozen data with stable codes.

The library produces diagnostics; the CLI renders them. ``CODES`` is the
catalog of every code with its one-line meaning, and a test checks that each
code the stages emit is listed there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from spec_lang.ast import Span


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


CODES: dict[str, str] = {
    # Reading and parsing.
    "SF100": "the file cannot be read or is not UTF-8 text",
    "SF101": "unexpected character",
    "SF102": "unexpected token",
    "SF103": "unexpected end of file",
    "SF104": "expression nested too deeply",
    "SF105": "integer literal too large",
    "SF106": "the file declares no component",
    "SF107": "malformed integer literal",
    # Names.
    "SF201": "unknown name",
    "SF202": "duplicate declaration",
    "SF203": "unknown type",
    "SF204": "unknown error name",
    "SF205": "assignment to something that is not a state variable",
    "SF206": "name shadows another declaration",
    "SF207": "unknown function or wrong number of arguments",
    "SF208": "defines refer to each other in a cycle",
    "SF209": "a name that exists but may not be used here",
    "SF210": "an operation, query or environment action named like an adapter "
    "protocol member",
    "SF211": "a name reserved for generated code: '_sf_...' or a dunder name",
    "SF212": "two components whose generated files would have the same name",
    # Types and placement.
    "SF301": "type mismatch",
    "SF302": "old() outside a postcondition",
    "SF303": "result outside an operation that returns a value",
    "SF304": "a query or the init block assigns state",
    "SF305": "a state variable is not initialised",
    "SF306": "an operation that returns a value does not assign result on every path",
    "SF307": "a bound or constraint refers to state",
    "SF308": "modifies names something that is not a state variable",
    "SF309": "old() nested inside old()",
    "SF310": "an environment action declares an error",
    "SF311": "a define has a bounded type",
    "SF312": "a query declares no result type",
    "SF313": "a bounded integer inside a collection, an option or a record",
    "SF314": "the type of an empty literal or none cannot be told from its context",
    "SF315": "record types contain each other in a cycle",
    "SF316": "a record has no field of this name",
    "SF317": "a record construction misses a field or gives one twice",
    "SF318": "a quantifier over a type that is not an identity, an enum or Bool",
    "SF319": "an option of an option",
    "SF320": "a response bound (within N) below 1",
    "SF321": "fairness names something that is not an operation or environment action",
    "SF322": "keeps names something that is not a state variable",
    "SF323": "a recovery bound below 1 or in a unit other than us, ms and s",
}


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    span: Span

    def short(self) -> str:
        """Render in compiler form: ``file:line:col: error[SF201]: message``."""
        return f"{self.span}: {self.severity.value}[{self.code}]: {self.message}"


def error(code: str, message: str, span: Span) -> Diagnostic:
    if code not in CODES:
        raise ValueError(f"diagnostic code {code!r} is not in the catalog")
    return Diagnostic(Severity.ERROR, code, message, span)


class SpecError(Exception):
    """Raised by a stage when a spec has errors; carries all of them."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.short() for d in diagnostics))


# How much of a source line ``render`` shows, and how wide a caret may run.
_WINDOW = 120
_MAX_CARET = 80
_ELLIPSIS = "..."


def render(diagnostic: Diagnostic, source: str | None) -> str:
    """Render a diagnostic with the source line and a caret under its column.

    A line longer than the window is cut around the column, marked with
    ``...`` on the cut side, so the caret always points at visible text.
    """
    text = diagnostic.short()
    if source is None:
        return text
    # The parser counts lines by "\n" only; str.splitlines would also split
    # at form feeds and other separators and point at the wrong line.
    lines = source.split("\n")
    line_no = diagnostic.span.line
    if not 1 <= line_no <= len(lines):
        return text
    line = lines[line_no - 1].rstrip("\r").expandtabs(1)
    column = max(1, diagnostic.span.column)
    width = 1
    if diagnostic.span.end_line == line_no:
        width = max(1, diagnostic.span.end_column - column)
    shown, offset = _window(line, column - 1)
    # At least one caret, even past the end of the line (the end of the file).
    carets = max(1, min(width, _MAX_CARET, len(shown) - offset))
    caret = " " * offset + "^" * carets
    gutter = f"{line_no:>5} | "
    return f"{text}\n{gutter}{shown}\n{' ' * (len(gutter) - 2)}| {caret}"


def _window(line: str, index: int) -> tuple[str, int]:
    """Cut ``line`` to the window around ``index``; return it and the caret offset."""
    if len(line) <= _WINDOW:
        return line, index
    start = max(0, min(index - _WINDOW // 2, len(line) - _WINDOW))
    start = max(start, index - _WINDOW + 1)  # a column past the end stays in view
    end = start + _WINDOW
    prefix = _ELLIPSIS if start > 0 else ""
    suffix = _ELLIPSIS if end < len(line) else ""
    return prefix + line[start:end] + suffix, len(prefix) + index - start
