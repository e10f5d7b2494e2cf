"""Induction: queries that generalize from bounded runs to all of them.

- ``safety_step(c, p, k, strengthen)``: the step case of k-induction. It
  asks for a simple path of k steps from any state on which safety property
  ``p`` holds at the first k positions and fails at the last. With
  ``strengthen`` every state of the path also satisfies the invariants,
  which is sound once the invariants are proved (they then hold in every
  reachable state). ``unsat`` together with clean bounded runs to depth k
  proves ``p`` for all depths: the shortest run to a violation would
  otherwise end in such a path. Crashes are steps here as in the bounded
  runs, so the invariants strengthen the path only once recovery is proved
  to re-establish them too.
- ``never_enabled(c, op)`` and ``never_holds(c, a)``: no state satisfying
  the invariants enables ``op`` or satisfies the antecedent ``a``; with
  proved invariants, ``unsat`` means for every reachable state.

A simple path has pairwise distinct states. For a step property (one that
reads ``old``) the last state may repeat an earlier one, since the shortest
run to a violating step need not end in a new state.
"""

from __future__ import annotations

import z3

from spec_lang import ast
from verifier.bmc import first_position
from verifier.obligation import ObligationKind
from verifier.trace import plural
from verifier.unroll import RunQuery, Unrolling, uses_old


def safety_step(
    c: ast.Component, prop: ast.Property, k: int, strengthen: bool
) -> RunQuery:
    u = Unrolling(c, crashes=True)
    step_property = uses_old(prop.expr)
    context = list(u.wheres())
    if strengthen:
        for index in range(k + 1):
            context.extend(u.invariants(index))
    distinct = range(k) if step_property else range(k + 1)
    assumed = [
        u.holds(prop.expr, t, step_property) for t in range(first_position(prop), k)
    ]
    failure = z3.Not(u.holds(prop.expr, k, step_property))
    assertions = [
        *context,
        *u.steps(0, k),
        *u.distinct(list(distinct)),
        *assumed,
        failure,
    ]
    how = "with the invariants" if strengthen else "without the invariants"
    return u.finish(
        f"{prop.id}.induction.{k}{'' if strengthen else '.plain'}",
        ObligationKind.SAFETY,
        (prop.id, prop.span),
        f"a simple path of {plural(k, 'step')} ({how}) on which {prop.id} holds until "
        "it fails at the last state",
        assertions,
        k,
        k,
    )


def never_enabled(c: ast.Component, op: ast.Operation) -> RunQuery:
    u = Unrolling(c)
    assertions = [*u.wheres(), *u.invariants(0), *u.witness_enabled(op, 0)]
    return u.finish(
        f"{c.name}.{op.name}.reach.invariants",
        ObligationKind.REACH,
        (f"{c.name}.{op.name}", op.span),
        f"some state satisfying the invariants enables {op.name}",
        assertions,
        0,
    )


def never_holds(
    c: ast.Component, id_: str, clause: tuple[str, ast.Span], antecedent: ast.Expr
) -> RunQuery:
    u = Unrolling(c)
    step = uses_old(antecedent)
    context = [*u.wheres(), *u.invariants(0)]
    last = 0
    if step:
        context.extend([*u.invariants(1), u.step(0)])
        last = 1
    assertions = [*context, u.holds(antecedent, last, step)]
    return u.finish(
        f"{id_}.invariants",
        ObligationKind.VACUITY,
        clause,
        f"some state satisfying the invariants satisfies the antecedent at "
        f"{antecedent.span}",
        assertions,
        last,
    )
