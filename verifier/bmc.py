"""Bounded model checking: queries about the runs of at most k steps from init.

Each query asserts the where clauses, that state 0 is the initial state, and
the steps; it is ``sat`` exactly when a run of the asked kind exists, and its
model is that run.

- ``safety_base(c, p, d)``: a run of exactly ``d`` steps on which safety
  property ``p`` holds at every earlier position and fails at the last. The
  smallest such ``d`` gives the shortest counterexample. A crash of any
  failure mode counts as a step (see ``verifier.unroll``).
- ``reach(c, op, k)``: a run of at most ``k`` steps (pauses let it stop
  early) after which ``op`` is enabled; the model's arguments show for what.
- ``antecedent_reached(c, clause, a, k)``: a run of at most ``k`` steps after
  which the antecedent ``a`` of an implication in an invariant or property
  holds, so the implication is not vacuous there.
"""

from __future__ import annotations

import z3

from spec_lang import ast
from verifier.obligation import ObligationKind
from verifier.trace import plural
from verifier.unroll import RunQuery, Unrolling, uses_old


def first_position(prop: ast.Property) -> int:
    """Return the first position of a property: a step property (one that reads
    ``old``) has no value in the initial state, which no step leads to."""
    return 1 if uses_old(prop.expr) else 0


def safety_base(c: ast.Component, prop: ast.Property, depth: int) -> RunQuery:
    u = Unrolling(c, crashes=True)
    step_property = uses_old(prop.expr)
    earlier = [
        u.holds(prop.expr, t, step_property) for t in range(first_position(prop), depth)
    ]
    failure = z3.Not(u.holds(prop.expr, depth, step_property))
    assertions = [*u.wheres(), *u.initial(), *u.steps(0, depth), *earlier, failure]
    return u.finish(
        f"{prop.id}.bmc.{depth}",
        ObligationKind.SAFETY,
        (prop.id, prop.span),
        f"a run of {plural(depth, 'step')} from init breaks {prop.id} at its last "
        "state",
        assertions,
        depth,
        depth,
    )


def reach(c: ast.Component, op: ast.Operation, depth: int) -> RunQuery:
    u = Unrolling(c)
    assertions = [
        *u.wheres(),
        *u.initial(),
        *u.steps(0, depth, pause=True),
        *u.witness_enabled(op, depth),
    ]
    return u.finish(
        f"{c.name}.{op.name}.reach.bmc",
        ObligationKind.REACH,
        (f"{c.name}.{op.name}", op.span),
        f"a run of at most {plural(depth, 'step')} from init ends in a state where "
        f"{op.name} is enabled",
        assertions,
        depth,
        depth,
    )


def antecedent_reached(
    c: ast.Component,
    id_: str,
    clause: tuple[str, ast.Span],
    antecedent: ast.Expr,
    depth: int,
) -> RunQuery:
    """Ask for a run of at most ``depth`` steps to a state where ``antecedent``
    is true. An antecedent over a step (with ``old``) needs a real last step."""
    u = Unrolling(c)
    step = uses_old(antecedent)
    steps = u.steps(0, depth, pause=True)
    last = depth
    if step:
        steps.append(u.step(depth))
        last = depth + 1
    assertions = [
        *u.wheres(),
        *u.initial(),
        *steps,
        u.holds(antecedent, last, step),
    ]
    return u.finish(
        f"{id_}.bmc",
        ObligationKind.VACUITY,
        clause,
        f"a run of at most {plural(last, 'step')} from init reaches a state where the "
        f"antecedent at {antecedent.span} holds",
        assertions,
        last,
        last,
    )


def run_exists(c: ast.Component, depth: int) -> RunQuery:
    """Ask for any run of exactly ``depth`` steps: the cost of the unrolling
    alone, which the benchmarks measure per depth."""
    u = Unrolling(c)
    assertions = [*u.wheres(), *u.initial(), *u.steps(0, depth)]
    return u.finish(
        f"{c.name}.run.{depth}",
        ObligationKind.SAFETY,
        (c.name, c.span),
        f"a run of {plural(depth, 'step')} from init exists",
        assertions,
        depth,
        depth,
    )
