"""Render a component's concurrency test and fault test.

Both reuse the component's contract test: the concurrency test draws its
operations with the contract rules' own code, and the fault test runs the
contract state machine with crashes and recoveries among its steps. So this
module only decides which operations may run concurrently, and records why the
others may not.

An operation may run in a concurrent burst when it has an effect (the
checker computes each candidate order's states with the model) and its
caller obligations (``requires`` without ``else``) read no state. In a
burst the state an operation will meet is unknown, so an obligation on it
could not be kept. Environment actions run between bursts, under the
same two conditions.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from codegen.bounds import refers_to
from codegen.errors import GenerationError
from codegen.expr import Scope, attribute_name, translate
from codegen.python import Atom, Call, Keyword, PyExpr, string
from codegen.python import Sequence as PySequence
from codegen.render import ComponentCode, Lines, import_line
from spec_lang import ast

_STATE = frozenset({ast.RefKind.VAR, ast.RefKind.DEFINE})


def concurrency_test_file_name(snake: str) -> str:
    return f"test_{snake}_concurrency.py"


def fault_test_file_name(snake: str) -> str:
    return f"test_{snake}_faults.py"


@dataclass(frozen=True)
class ConcurrencyCode:
    """The parts of the concurrency and fault test templates for one component."""

    operations: dict[str, str]
    environment: dict[str, str]
    excluded: list[str]
    contract: str
    in_flight: list[str]

    @classmethod
    def of(cls, component: ast.Component, code: ComponentCode) -> ConcurrencyCode:
        rules = code.rule_names()
        operations: dict[str, str] = {}
        environment: dict[str, str] = {}
        excluded: list[str] = []
        for op in component.operations:
            reason = _why_not_concurrent(op)
            if reason is not None:
                excluded.append(f"{op.name}: {reason}")
            elif op.kind is ast.OperationKind.ENVIRONMENT:
                environment[op.name] = rules[op.name]
            else:
                operations[op.name] = rules[op.name]
        contract = f"test_{code.snake}_contract:{code.contract_class}"
        # A crash can cut short an operation that changes the state; the
        # fault test then accepts the state with or without its effect.
        in_flight = [
            rules[op.name]
            for op in component.operations
            if op.kind is ast.OperationKind.OPERATION and op.effect is not None
        ]
        return cls(operations, environment, excluded, contract, in_flight)

    def template_values(self) -> dict[str, object]:
        return {
            "contract_literal": f'"{self.contract}"',
            "operations": dict_literal(self.operations),
            "environment": dict_literal(self.environment),
            "excluded": comment_lines(self.excluded),
        }


def _why_not_concurrent(op: ast.Operation) -> str | None:
    if op.effect is None:
        return "it has no effect, so the model cannot compute its post-state"
    reading = [c.id for c in op.requires if c.error is None and _reads_state(c)]
    if reading:
        return f"its caller obligation {', '.join(reading)} reads the state"
    return None


def _reads_state(clause: ast.Clause) -> bool:
    return refers_to(clause.expr, _STATE)


def dict_literal(entries: Mapping[str, str]) -> str:
    """Render a dict of strings, one entry a line with a trailing comma, as ruff does.

    >>> print(dict_literal({"a": "b"}))
    {
        "a": "b",
    }
    >>> dict_literal({})
    '{}'
    """
    if not entries:
        return "{}"
    lines = "".join(f'    "{key}": "{value}",\n' for key, value in entries.items())
    return "{\n" + lines + "}"


def tuple_literal(items: Sequence[str]) -> str:
    """Render a tuple of strings laid out as ruff keeps it.

    >>> tuple_literal(["a"])
    '("a",)'
    >>> print(tuple_literal(["a", "b"]))
    (
        "a",
        "b",
    )
    """
    if not items:
        return "()"
    if len(items) == 1:
        return f'("{items[0]}",)'
    return "(\n" + "".join(f'    "{item}",\n' for item in items) + ")"


def comment_lines(lines: Iterable[str]) -> list[str]:
    """Comment lines of at most 88 characters, continuations indented."""
    out: list[str] = []
    for line in lines:
        out.extend(
            textwrap.wrap(
                line, width=88, initial_indent="#   ", subsequent_indent="#     "
            )
        )
    return out


@dataclass(frozen=True)
class FailureCode:
    """The failure modes of a component, as the fault test declares them."""

    imports: list[str]
    functions: list[str]
    failures: str
    comment: str

    @classmethod
    def of(cls, component: ast.Component) -> FailureCode:
        if not component.failures:
            return cls(
                [import_line("specfirst.runtime.faults", {"run_faults"})],
                [],
                "FAILURES = ()",
                "The spec states no failure mode: a crash must lose nothing.",
            )
        functions = [_ensures_function(f) for f in component.failures if f.ensures]
        modes = tuple(_failure_mode(f) for f in component.failures)
        lines = Lines()
        lines.statement(0, "FAILURES = ", PySequence(modes, "tuple"))
        code = "\n".join(functions)
        imports = []
        if functions:
            imports.append(import_line("collections.abc", {"Iterator"}))
            imports.append(import_line("typing", {"Any"}))
            imports.append("")
            imports.append(import_line("specfirst.runtime", {"Requirement"}))
            if re.search(r"\bsf\.", code):
                imports.append("from specfirst.runtime import values as sf")
        imports.append(
            import_line("specfirst.runtime.faults", {"FailureMode", "run_faults"})
        )
        comment = (
            "What each crash keeps; the other variables restart at their init values."
        )
        return cls(imports, functions, lines.text(), comment)


def _ensures_name(failure: ast.FailureMode) -> str:
    return f"after_{attribute_name(failure.name)}"


def _ensures_function(failure: ast.FailureMode) -> str:
    """Render the failure's ensures, over the recovered and the crashed model."""
    for clause in failure.ensures:
        if _constructs_record(clause.expr):
            raise GenerationError(
                f"{clause.span}: {clause.id}: a record construction in a failure's "
                "ensures is not supported by code generation yet; compare fields"
            )
    scope = Scope(state="model", old="pre")
    lines = Lines()
    lines.add(
        0,
        f"def {_ensures_name(failure)}(model: Any, pre: Any) -> Iterator[Requirement]:",
    )
    lines.add(
        4,
        f'"""The ensures of failure {failure.name}; ``pre`` is the state before the '
        'crash."""',
    )
    for clause in failure.ensures:
        args = (string(clause.id), translate(clause.expr, scope))
        lines.statement(4, "yield ", Call("Requirement", args))
    return lines.text()


def _failure_mode(failure: ast.FailureMode) -> Call:
    args: list[PyExpr | Keyword] = [string(failure.name), string(failure.id)]
    keeps = PySequence(tuple(string(k) for k in failure.keeps), "tuple")
    args.append(Keyword("keeps", keeps))
    if failure.ensures:
        args.append(Keyword("ensures", Atom(_ensures_name(failure))))
    return Call("FailureMode", tuple(args))


def _constructs_record(expr: ast.Expr) -> bool:
    """Return whether a record construction appears anywhere in ``expr``."""
    stack: list[object] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.RecordLit):
            return True
        if isinstance(node, tuple):
            stack.extend(node)
        elif dataclasses.is_dataclass(node) and not isinstance(node, ast.Span):
            stack.extend(
                getattr(node, f.name)
                for f in dataclasses.fields(node)
                if f.name not in ("span", "type", "ref")
            )
    return False


def render_runtime_tests(
    component: ast.Component,
    code: ComponentCode,
    header: str,
    environment: TemplateSource,
) -> dict[str, str]:
    """Render the concurrency and fault tests of ``component``, file name to text."""
    parts = ConcurrencyCode.of(component, code)
    common = {"header": header, "name": component.name, "snake": code.snake}
    concurrency = environment.get_template("concurrency_test.py.jinja").render(
        **common, **parts.template_values()
    )
    failures = FailureCode.of(component)
    faults = environment.get_template("fault_test.py.jinja").render(
        **common,
        contract_literal=f'"{parts.contract}"',
        imports=failures.imports,
        functions=failures.functions,
        failures_comment=failures.comment,
        failures=failures.failures,
        in_flight=tuple_literal(parts.in_flight),
    )
    return {
        concurrency_test_file_name(code.snake): concurrency,
        fault_test_file_name(code.snake): faults,
    }


class _Template(Protocol):
    def render(self, **values: object) -> str: ...


class TemplateSource(Protocol):
    """The part of a jinja2 environment this module uses: it imports no jinja2."""

    def get_template(self, name: str) -> _Template: ...
