"""A diagram of each component's states and operations, derived from its effects.

For every enum-valued state variable, each member is a state. An operation
moves from state ``a`` to state ``b`` when, with the variable equal to ``a``,
no ``requires`` is surely false and some path through its effect assigns
``b``. Conditions are evaluated three-valued: whatever depends on other
variables is unknown, so both branches are followed and the diagram shows
every transition that may happen, never fewer. A component without enum
state is drawn as one state with a loop for each operation that changes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from spec_lang import ast
from spec_lang.types import EnumT

# The known value of an expression: a Bool, an enum member's name, or None.
Known = bool | str | None
Env = dict[str, Known]


@dataclass(frozen=True)
class StateDiagram:
    component: str
    variable: str | None  # None: the component as one state
    states: tuple[str, ...]
    initial: tuple[str, ...]
    transitions: tuple[tuple[str, str, str], ...]  # from, to, operations

    def mermaid(self) -> str:
        lines = ["stateDiagram-v2"]
        lines.extend(f"    [*] --> {state}" for state in self.initial)
        lines.extend(f"    {a} --> {b}: {label}" for a, b, label in self.transitions)
        return "\n".join(lines) + "\n"


def state_diagrams(component: ast.Component) -> list[StateDiagram]:
    """Draw one diagram per enum-valued variable, or one of the whole component."""
    diagrams = [
        _diagram(component, var.name, var.type.members)
        for var in component.vars
        if isinstance(var.type, EnumT)
    ]
    return diagrams or [_single_state(component)]


def _diagram(
    component: ast.Component, variable: str, members: tuple[str, ...]
) -> StateDiagram:
    initial = _ends(component.init.body if component.init else (), {}, variable)
    edges: dict[tuple[str, str], list[str]] = {}
    for op in component.operations:
        for source in members:
            for target in _targets(op, variable, source):
                if target != source:
                    edges.setdefault((source, target), []).append(op.name)
    order = {m: n for n, m in enumerate(members)}
    transitions = tuple(
        (a, b, ", ".join(names))
        for (a, b), names in sorted(
            edges.items(), key=lambda e: (order[e[0][0]], order[e[0][1]])
        )
    )
    known = tuple(m for m in members if m in initial)
    return StateDiagram(component.name, variable, members, known, transitions)


def _single_state(component: ast.Component) -> StateDiagram:
    name = component.name
    loops = tuple(
        (name, name, op.name)
        for op in component.operations
        if op.kind is not ast.OperationKind.QUERY
    )
    return StateDiagram(name, None, (name,), (name,), loops)


def _targets(op: ast.Operation, variable: str, source: str) -> set[str]:
    """Collect the values ``op`` may leave ``variable`` at, from ``source``."""
    env: Env = {variable: source}
    if any(_value(clause.expr, env) is False for clause in op.requires):
        return set()
    if op.kind is ast.OperationKind.QUERY:
        return {source}
    if op.effect is None:
        return set()  # no effect to read the change from
    ends = _ends(op.effect, env, variable)
    return {end for end in ends if end is not None}


def _ends(body: tuple[ast.Stmt, ...], env: Env, variable: str) -> set[str | None]:
    """Collect the values ``variable`` may have after ``body`` runs from ``env``."""
    return {_member(e.get(variable)) for e in _run(body, env, variable)}


def _step(stmt: ast.Stmt, env: Env, variable: str) -> list[Env]:
    if isinstance(stmt, ast.Assign):
        if stmt.target != variable:
            return [env]
        return [{**env, variable: _value(stmt.value, env)}]
    if isinstance(stmt, ast.If):
        condition = _value(stmt.condition, env)
        branches = []
        if condition is not False:
            branches.append(stmt.then)
        if condition is not True:
            branches.append(stmt.otherwise)
        return [after for branch in branches for after in _run(branch, env, variable)]
    return [env]


def _run(body: tuple[ast.Stmt, ...], env: Env, variable: str) -> list[Env]:
    envs = [env]
    for stmt in body:
        envs = [after for before in envs for after in _step(stmt, before, variable)]
    return envs


def _member(value: Known) -> str | None:
    return value if isinstance(value, str) else None


def _value(expr: ast.Expr, env: Env) -> Known:
    """Evaluate ``expr`` in ``env``, or return None where it depends on more."""
    if isinstance(expr, ast.BoolLit):
        return expr.value
    if isinstance(expr, ast.Qualified):
        return expr.member
    if isinstance(expr, ast.Name):
        if expr.ref is not None and expr.ref.kind is ast.RefKind.ENUM_MEMBER:
            return expr.id
        return env.get(expr.id)
    if isinstance(expr, ast.Unary) and expr.op == "not":
        operand = _value(expr.operand, env)
        return (not operand) if isinstance(operand, bool) else None
    if isinstance(expr, ast.Binary):
        return _binary(expr.op, _value(expr.left, env), _value(expr.right, env))
    if isinstance(expr, ast.IfThenElse):
        condition = _value(expr.condition, env)
        then, otherwise = _value(expr.then, env), _value(expr.otherwise, env)
        if condition is None:
            return then if then == otherwise else None
        return then if condition else otherwise
    return None


def _binary(op: str, left: Known, right: Known) -> Known:
    if op in ("==", "!="):
        if left is None or right is None:
            return None
        return (left == right) == (op == "==")
    if op == "and":
        if left is False or right is False:
            return False
        return True if left is True and right is True else None
    if op == "or":
        if left is True or right is True:
            return True
        return False if left is False and right is False else None
    if op == "implies":
        return _binary("or", _negate(left), right)
    if op == "iff" and isinstance(left, bool) and isinstance(right, bool):
        return left == right
    return None


def _negate(value: Known) -> Known:
    return (not value) if isinstance(value, bool) else None
