"""Render the safety properties of a component into its reference model.

The model checks each ``always`` property in checked mode after ``init``
and after every step, as it checks the invariants: through
``SpecModel._sf_invariant``, so a failure is a ``ContractViolation`` naming
the property and the coverage counters see it. A property that reads
``old`` is a property of the step and reads the pre-state as ``pre``.
"""

from __future__ import annotations

from codegen import layout
from codegen.bounds import names_in
from codegen.expr import Scope, translate
from codegen.python import Call, string
from spec_lang import ast

CHECK = "_sf_check_safety"


def reads_old(prop: ast.Property) -> bool:
    return any(isinstance(node, ast.Old) for node in names_in(prop.expr))


def has_safety(component: ast.Component) -> bool:
    return bool(component.safety)


def has_step_safety(component: ast.Component) -> bool:
    """Tell whether a safety property reads ``old``, so each step needs ``pre``."""
    return any(reads_old(p) for p in component.safety)


def safety_code(component: ast.Component, model_class: str) -> str | None:
    """Render ``_sf_check_safety(self, pre)``, or None without safety properties."""
    if not component.safety:
        return None
    lines = [
        f"    def {CHECK}(self, pre: {model_class} | None) -> None:",
        '        """Check the safety properties now, and on the step from ``pre``."""',
    ]
    states = [p for p in component.safety if not reads_old(p)]
    steps = [p for p in component.safety if reads_old(p)]
    lines.extend(_check(p, Scope(), 8) for p in states)
    if steps:
        lines.append("        if pre is not None:")
        lines.extend(_check(p, Scope(state="self", old="pre"), 12) for p in steps)
    return "\n".join(lines)


def _check(prop: ast.Property, scope: Scope, indent: int) -> str:
    call = Call("self._sf_invariant", (string(prop.id), translate(prop.expr, scope)))
    return " " * indent + layout.statement("", call, "", indent)
