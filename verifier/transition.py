"""Encode statements (effects and init) and the transitions they define.

Statements are run symbolically in order, static single assignment style: the
running state maps each variable to the Z3 term of its latest value, so a
read gets the latest assignment before it. An ``if`` runs both branches from
the same state and merges them with ``If(condition, then, else)`` per
variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import z3

from spec_lang import ast
from verifier.encode import ExprEncoder, Path, Scope
from verifier.vocabulary import EncodingError, State


@dataclass(frozen=True)
class Run:
    """The symbolic state part way through a block of statements."""

    state: Mapping[str, z3.ExprRef]
    locals: Mapping[str, z3.ExprRef]
    result: z3.ExprRef | None = None


def run_block(
    encoder: ExprEncoder,
    body: tuple[ast.Stmt, ...],
    scope: Scope,
    run: Run,
    path: Path = (),
) -> Run:
    """Run ``body`` from ``run``; ``scope`` supplies constants and arguments."""
    for stmt in body:
        run = _run_stmt(encoder, stmt, scope, run, path)
    return run


def _run_stmt(
    encoder: ExprEncoder, stmt: ast.Stmt, scope: Scope, run: Run, path: Path
) -> Run:
    here = replace(scope, state=run.state, locals=run.locals)
    if isinstance(stmt, ast.Assign):
        value = encoder.encode(stmt.value, here, path)
        if stmt.target == "result":
            return replace(run, result=value)
        return replace(run, state={**run.state, stmt.target: value})
    if isinstance(stmt, ast.Let):
        value = encoder.encode(stmt.value, here, path)
        return replace(run, locals={**run.locals, stmt.name: value})
    if isinstance(stmt, ast.If):
        return _run_if(encoder, stmt, scope, run, here, path)
    raise EncodingError(f"no encoding for statement node {type(stmt).__name__}")


def _run_if(
    encoder: ExprEncoder, stmt: ast.If, scope: Scope, run: Run, here: Scope, path: Path
) -> Run:
    condition = encoder.encode(stmt.condition, here, path)
    then = run_block(encoder, stmt.then, scope, run, (*path, condition))
    otherwise_path = (*path, z3.Not(condition))
    otherwise = run_block(encoder, stmt.otherwise, scope, run, otherwise_path)
    # A variable assigned on one branch only (possible in init) is not
    # definitely assigned after the if, so it leaves the state.
    state = {
        name: _merge(condition, then.state[name], otherwise.state[name])
        for name in then.state
        if name in otherwise.state
    }
    result = None
    if then.result is not None and otherwise.result is not None:
        result = _merge(condition, then.result, otherwise.result)
    # Lets inside a branch are scoped to it.
    return Run(state, run.locals, result)


def _merge(
    condition: z3.BoolRef, then: z3.ExprRef, otherwise: z3.ExprRef
) -> z3.ExprRef:
    if then.eq(otherwise):
        return then
    return z3.If(condition, then, otherwise)


def run_effect(
    encoder: ExprEncoder, op: ast.Operation, pre_scope: Scope
) -> tuple[State, z3.ExprRef | None]:
    """Run an operation's effect on the pre-state, returning post-state and result."""
    if op.effect is None:
        raise EncodingError(f"operation {op.name} has no effect")
    start = Run(dict(pre_scope.state), {})
    end = run_block(encoder, op.effect, pre_scope, start)
    if op.result_type is not None and end.result is None:
        raise EncodingError(f"{op.span}: the effect of {op.name} may not set result")
    return dict(end.state), end.result


def run_init(encoder: ExprEncoder, init: ast.Init, scope: Scope) -> State:
    """Run the init block, returning the state it builds from the constants."""
    end = run_block(encoder, init.body, scope, Run({}, {}))
    missing = [v.name for v in encoder.vocab.component.vars if v.name not in end.state]
    if missing:
        raise EncodingError(f"{init.span}: init may leave {', '.join(missing)} unset")
    return dict(end.state)


def kept_variables(op: ast.Operation, names: list[str]) -> list[str]:
    """List the variables an effect-less operation keeps: all of them for a
    query, else those outside ``modifies`` (none when ``modifies`` is absent)."""
    if op.kind is ast.OperationKind.QUERY:
        return list(names)
    if op.modifies is None:
        return []
    return [name for name in names if name not in op.modifies]


def frame(op: ast.Operation, pre: State, post: State) -> list[z3.BoolRef]:
    """Build the frame condition of an effect-less operation: kept variables agree."""
    return [post[name] == pre[name] for name in kept_variables(op, list(pre))]
