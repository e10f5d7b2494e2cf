"""Bounded liveness: queries for runs on which a response never comes.

A liveness property says that ``Q`` holds within ``N`` steps of a trigger
(the initial state for ``eventually``, any reachable state where ``P`` holds
for ``leadsto``) on every fair path. Two kinds of run refute it:

- a **window**: ``N`` steps from a trigger on which ``Q`` never holds and
  which is fair: every weakly fair action is taken in it, or is disabled in
  one of its states (``response_window``);
- a **lasso**: a run of ``m`` steps whose last state equals an earlier one,
  ``Q`` false from the trigger on, and whose loop is fair in the same sense,
  so that repeating the loop forever is a fair path on which ``Q`` never
  holds at all (``lasso``).

``response_window`` of an ``eventually`` starts at the initial state, so its
``unsat`` proves the property. A ``leadsto`` window starts at a trigger
reached within the depth; ``response_from_invariants`` starts at any state
satisfying the invariants, which covers every reachable trigger once the
invariants are proved.
"""

from __future__ import annotations

from collections.abc import Iterable

import z3

from spec_lang import ast
from verifier.obligation import ObligationKind
from verifier.trace import plural
from verifier.unroll import RunQuery, Unrolling


def fair_actions(c: ast.Component) -> list[ast.Operation]:
    names = {name for decl in c.fairness for name in decl.actions}
    return [op for op in c.operations if op.name in names]


def fair_between(u: Unrolling, start: int, stop: int) -> list[z3.BoolRef]:
    """Steps ``start`` to ``stop - 1`` take each weakly fair action, or it is
    disabled in one of their states."""
    clauses = []
    for op in fair_actions(u.component):
        taken = [u.taken(op, t) for t in range(start, stop)]
        disabled = [z3.Not(u.enabled(op, t)) for t in range(start, stop)]
        clauses.append(z3.Or(*taken, *disabled))
    return clauses


def fresh_between(u: Unrolling, start: int, stop: int) -> list[z3.BoolRef]:
    """States ``start`` to ``stop`` each leave a value of every identity type
    unmentioned, as every state of a run does. Without this Z3 may choose a
    universe so small that no action with an identity parameter is enabled,
    which makes an unfair loop look fair."""
    return [a for t in range(start, stop + 1) for a in u.fresh_identities(t)]


def _never(
    u: Unrolling, prop: ast.Property, positions: Iterable[int]
) -> list[z3.BoolRef]:
    return [z3.Not(u.holds(prop.expr, t)) for t in positions]


def _trigger(u: Unrolling, prop: ast.Property, position: int) -> list[z3.BoolRef]:
    if prop.trigger is None:
        return []
    return [u.holds(prop.trigger, position)]


def _within(prop: ast.Property) -> int:
    if prop.within is None:
        raise ValueError(f"{prop.id} has no response bound")
    return prop.within


def response_window(c: ast.Component, prop: ast.Property, depth: int) -> RunQuery:
    """Ask for a fair window of ``N`` steps without ``Q``: from init for
    ``eventually``, from a trigger reached within ``depth`` steps for ``leadsto``."""
    u = Unrolling(c)
    within = _within(prop)
    start = 0 if prop.trigger is None else depth
    stop = start + within
    assertions = [
        *u.wheres(),
        *u.initial(),
        *u.steps(0, start, pause=True),
        *_trigger(u, prop, start),
        *u.steps(start, stop),
        *_never(u, prop, range(start, stop + 1)),
        *fair_between(u, start, stop),
        *fresh_between(u, start, stop),
    ]
    where = "from init" if prop.trigger is None else f"from a trigger within {depth}"
    return u.finish(
        f"{prop.id}.window",
        ObligationKind.LIVENESS,
        (prop.id, prop.span),
        f"a fair path of {plural(within, 'step')} {where} on which the response "
        "never holds",
        assertions,
        stop,
        start,
    )


def response_from_invariants(c: ast.Component, prop: ast.Property) -> RunQuery:
    u = Unrolling(c)
    within = _within(prop)
    context = list(u.wheres())
    for index in range(within + 1):
        context.extend(u.invariants(index))
    assertions = [
        *context,
        *_trigger(u, prop, 0),
        *u.steps(0, within),
        *_never(u, prop, range(within + 1)),
        *fair_between(u, 0, within),
        *fresh_between(u, 0, within),
    ]
    return u.finish(
        f"{prop.id}.window.invariants",
        ObligationKind.LIVENESS,
        (prop.id, prop.span),
        f"a fair path of {plural(within, 'step')} from a trigger state satisfying the "
        "invariants on which the response never holds",
        assertions,
        within,
    )


def lasso(c: ast.Component, prop: ast.Property, length: int) -> RunQuery:
    """A run of ``length`` steps from init whose last state closes a fair loop
    on which the response never holds after the trigger."""
    u = Unrolling(c)
    options = []
    for loop in range(length):
        starts = [0] if prop.trigger is None else range(loop + 1)
        closed = [u.equal(length, loop), *fair_between(u, loop, length)]
        for trigger in starts:
            never = _never(u, prop, range(trigger, length + 1))
            options.append(z3.And(*_trigger(u, prop, trigger), *never, *closed))
    assertions = [
        *u.wheres(),
        *u.initial(),
        *u.steps(0, length),
        z3.Or(*options),
        *fresh_between(u, 0, length),
    ]
    return u.finish(
        f"{prop.id}.lasso.{length}",
        ObligationKind.LIVENESS,
        (prop.id, prop.span),
        f"a fair loop closed after {plural(length, 'step')} from init on which the "
        "response never holds",
        assertions,
        length,
    )
