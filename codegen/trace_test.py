"""Render a counterexample trace or a failing example as a pytest regression test.

The test calls ``specfirst.runtime.properties.replay_trace`` with the
trace's constants and calls and the broken property translated to Python,
so it replays the same calls against the bound implementation and the
current reference model and checks the property after each step. A
contract test's failing example has no property: its replay checks each
result and state against the model, as the contract test does. The file
is deterministic: the same trace of the same spec gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

from codegen import layout
from codegen.errors import GenerationError
from codegen.expr import Scope, translate
from codegen.generate import _environment, display_path, header, model_file_name
from codegen.python import (
    Atom,
    Call,
    DictItem,
    Display,
    Keyword,
    PyExpr,
    Sequence,
    string,
)
from codegen.render import import_line, snake_case
from spec_lang import ast

# A check reads the model (with the observed state) as ``state`` and the
# state before the step as ``pre``.
_STATE = Scope(state="state", old="pre")


@dataclass(frozen=True)
class TraceCase:
    """A counterexample to export, as plain values.

    ``calls`` are ``(action, arguments in parameter order)``. ``trigger`` is
    the state where a liveness property's response window starts.
    """

    prop: ast.Property
    constants: dict[str, object]
    calls: tuple[tuple[str, tuple[object, ...]], ...]
    reason: str
    trigger: int | None = None


@dataclass(frozen=True)
class ExampleCase:
    """A failing example of a contract test to export, as plain values.

    ``calls`` are ``(action, arguments in parameter order)``, the failing
    one last. ``problem`` is the failure the contract test reported.
    """

    constants: dict[str, object]
    calls: tuple[tuple[str, tuple[object, ...]], ...]
    problem: str


def trace_test_file_name(prop_id: str) -> str:
    """``C.always.below_six`` -> ``test_trace_c_always_below_six.py``."""
    parts = [snake_case(part) for part in prop_id.split(".")]
    return f"test_trace_{'_'.join(parts)}.py"


def example_test_file_name(component: str) -> str:
    """``CircuitBreaker`` -> ``test_example_circuit_breaker.py``."""
    return f"test_example_{snake_case(component)}.py"


def render_trace_test(
    component: ast.Component,
    spec_file: ast.SpecFile,
    case: TraceCase,
    root: Path | None = None,
) -> str:
    """Render the regression test of one counterexample trace.

    Raises:
        GenerationError: a constant or argument is a value the test cannot
            write as a Python literal (only Bool, Int and enum members can be).
    """
    prop = case.prop
    liveness = prop.kind is not ast.PropertyKind.ALWAYS
    names = ["Call", "replay_trace", *(["Response"] if liveness else [])]
    return _render(
        spec_file,
        root,
        title="Replay a counterexample trace that specfirst check found.",
        summary=f"{prop.id}: {case.reason}. Against a fixed implementation (and "
        "spec) the replay passes.",
        prop_id=prop.id,
        imports=import_line("specfirst.runtime.properties", names),
        constants=_mapping(case.constants, prop.id),
        calls=_calls(component, case.calls, prop.id),
        check_name="response" if liveness else "holds",
        check_doc=("The response of " if liveness else "") + prop.id + ".",
        check=_body(prop.expr),
        trigger=None if prop.trigger is None else _body(prop.trigger),
        test_name=trace_test_file_name(prop.id)[len("test_") : -len(".py")],
        replay=_replay(component, _model(component), case),
    )


def render_example_test(
    component: ast.Component,
    spec_file: ast.SpecFile,
    case: ExampleCase,
    root: Path | None = None,
) -> str:
    """Render the regression test of a contract test's failing example.

    Raises:
        GenerationError: a constant or argument is a value the test cannot
            write as a Python literal (only Bool, Int and enum members can be).
    """
    where = f"the failing example of {component.name}"
    replay = (
        Atom("__file__"),
        Keyword("component", string(component.name)),
        Keyword("model", string(_model(component))),
        Keyword("constants", Atom("CONSTANTS")),
        Keyword("calls", Atom("CALLS")),
    )
    return _render(
        spec_file,
        root,
        title=f"Replay the failing example of the {component.name} contract test.",
        summary=f"{component.name}: {case.problem.rstrip('.')}. Hypothesis shrank "
        "the example to these calls. Against a fixed implementation the replay "
        "passes.",
        prop_id=None,
        imports=import_line("specfirst.runtime.properties", ["Call", "replay_trace"]),
        constants=_mapping(case.constants, where),
        calls=_calls(component, case.calls, where),
        check=None,
        trigger=None,
        test_name=example_test_file_name(component.name)[len("test_") : -len(".py")],
        replay=layout.call_statement("replay_trace", replay, 4),
    )


def _render(
    spec_file: ast.SpecFile, root: Path | None, summary: str, **fields: object
) -> str:
    digest = hashlib.sha256(spec_file.source.encode("utf-8")).hexdigest()
    text = (
        _environment()
        .get_template("trace_test.py.jinja")
        .render(
            header=header(display_path(spec_file.path, root), digest),
            summary=textwrap.fill(_docstring_text(summary), width=79),
            **fields,
        )
    )
    return text.rstrip("\n") + "\n"


def _model(component: ast.Component) -> str:
    return f"{model_file_name(component.name)[:-3]}:{component.name}Model"


def _docstring_text(text: str) -> str:
    """Double backslashes and make triple quotes single, so ``text`` fits in a
    docstring."""
    return text.replace("\\", "\\\\").replace('"""', "'''")


def _body(expr: ast.Expr) -> str:
    """A ``return`` statement laid out at column 4; its first line unindented."""
    return layout.statement("return ", translate(expr, _STATE), "", 4)


def _replay(component: ast.Component, model: str, case: TraceCase) -> str:
    prop = case.prop
    args: list[PyExpr | Keyword] = [
        Atom("__file__"),
        Keyword("component", string(component.name)),
        Keyword("model", string(model)),
        Keyword("prop", string(prop.id)),
        Keyword("constants", Atom("CONSTANTS")),
        Keyword("calls", Atom("CALLS")),
    ]
    if prop.kind is ast.PropertyKind.ALWAYS:
        args.append(Keyword("holds", Atom("holds")))
        if _reads_old(prop.expr):
            args.append(Keyword("step_property", Atom("True")))
    else:
        window: list[PyExpr | Keyword] = [Atom(str(case.trigger or 0))]
        window.append(Atom(str(prop.within)))
        if prop.trigger is not None:
            window.append(Atom("trigger"))
        response = Call("Response", tuple(window))
        args.extend([Keyword("holds", Atom("response")), Keyword("response", response)])
    return layout.call_statement("replay_trace", tuple(args), 4)


def _calls(
    component: ast.Component,
    calls: tuple[tuple[str, tuple[object, ...]], ...],
    where: str,
) -> str:
    items = tuple(Atom(_call(component, a, args, where)) for a, args in calls)
    return layout.statement("CALLS = ", Sequence(items), "", 0)


def _call(
    component: ast.Component, action: str, args: tuple[object, ...], where: str
) -> str:
    if not any(op.name == action for op in component.operations):
        raise GenerationError(
            f"{where}: {action!r} is not an operation, query or environment "
            "action of the component"
        )
    if not args:
        return f"Call({json.dumps(action)})"
    values = ", ".join(_literal(v, where) for v in args)
    comma = "," if len(args) == 1 else ""
    return f"Call({json.dumps(action)}, ({values}{comma}))"


def _mapping(values: dict[str, object], where: str) -> str:
    items = tuple(
        DictItem(Atom(json.dumps(k)), Atom(_literal(v, where)))
        for k, v in values.items()
    )
    return layout.statement("CONSTANTS: dict[str, Any] = ", Display(items), "", 0)


def _literal(value: object, where: str) -> str:
    if isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    raise GenerationError(
        f"{where}: the value {value} cannot be written as a Python literal in an "
        "exported test yet (only Bool, Int and enum values can)"
    )


def _reads_old(expr: ast.Expr) -> bool:
    stack: list[object] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Old):
            return True
        for name in getattr(node, "__dataclass_fields__", {}):
            value = getattr(node, name)
            items = value if isinstance(value, tuple) else (value,)
            stack.extend(
                v for v in items if hasattr(v, "span") and not isinstance(v, ast.Span)
            )
    return False
