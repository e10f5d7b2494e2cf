"""Render a temporal obligation's trace as a table of steps, with rich.

Row 0 is the initial state with every variable; each later row is one step:
the action, its arguments, what it returned and the variables it changed,
``name: before -> after``. The note column marks the trigger of a leads-to,
the state where the property fails, and where a lasso's loop starts.
"""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from verifier.trace import Trace
from verifier.values import Value, format_value


def trace_table(trace: Trace, title: str = "trace", liveness: bool = False) -> Table:
    """Lay out ``trace`` one row per state, the initial one first; ``liveness``
    words the last state as the end of a response window."""
    table = Table(title=title, title_justify="left", show_edge=False)
    table.add_column("step", justify="right", style="dim")
    table.add_column("action")
    table.add_column("arguments")
    table.add_column("result")
    table.add_column("state changes")
    table.add_column("note", style="bold")

    if trace.constants:
        shown = _assignments(trace.constants)
        table.add_row("", "[dim]constants[/dim]", "", "", escape(shown), "")
    initial = escape(_assignments(trace.initial))
    table.add_row("0", "init", "", "", initial, _note(trace, 0, liveness))

    before = trace.initial
    for number, step in enumerate(trace.steps, start=1):
        changes = ", ".join(
            f"{name}: {_show(before.get(name))} -> {_show(step.state[name])}"
            for name in step.changed
        )
        result = "" if step.result is None else _show(step.result)
        table.add_row(
            str(number),
            escape(step.label()),
            escape(_assignments(step.arguments)),
            escape(result),
            escape(changes) if changes else "[dim]no change[/dim]",
            _note(trace, number, liveness),
        )
        before = step.state
    return table


def _note(trace: Trace, position: int, liveness: bool) -> str:
    notes = []
    if trace.loop_start == position:
        notes.append("loop starts")
    if trace.trigger == position:
        notes.append("trigger holds")
    last = len(trace.steps)
    if trace.loop_start is not None and position == last:
        notes.append(f"same state as step {trace.loop_start}: the loop repeats")
    elif trace.violation == position:
        notes.append("no response yet" if liveness else "property fails")
    return escape("; ".join(notes))


def _assignments(values: dict[str, Value]) -> str:
    return ", ".join(f"{name}={_show(value)}" for name, value in values.items())


def _show(value: Value | None) -> str:
    return "" if value is None else format_value(value)
