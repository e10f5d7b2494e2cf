"""Temporal obligations: safety, liveness, reachability and vacuity over runs.

Each temporal obligation is decided by several queries (``verifier.bmc``,
``verifier.induction``, ``verifier.liveness``), solved like the catalog's
(in parallel, cached by their SMT-LIB text), then read together:

- safety: a run to depth k breaks it (violated, with the shortest such
  run); else k-induction proves it (proved); else it "holds to depth k"
  (unknown, with that reason).
- liveness: a fair lasso or a fair window of N steps lacks the response
  (violated); else no fair window from a trigger lacks it (proved); a
  leads-to that holds only for triggers reached within depth k is unknown.
- reach, vacuity: a run to depth k enables the action or makes the
  antecedent true (proved, with the witness); no state satisfying the
  invariants does (violated: a dead action, a vacuous implication); else
  unknown.

Queries that assume the invariants (induction, dead actions, vacuous
antecedents, leads-to from any trigger) are used only when the catalog's
``init``, ``preserve`` and ``recover`` obligations prove every invariant;
otherwise the invariants could exclude reachable states and "proved" could
be false. Safety runs count a crash of each failure mode as a step;
liveness, reach and vacuity runs have no crash (see docs/temporal.md).

Every run a solver returns is replayed through the spec (``verifier.trace``)
before it counts: a violation or witness that does not replay is unknown,
with the reason, never a verdict.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import z3

from spec_lang import ast
from verifier.bmc import antecedent_reached, first_position, reach, safety_base
from verifier.cache import ResultCache
from verifier.catalog import build_obligations
from verifier.emit import emit_smt
from verifier.induction import never_enabled, never_holds, safety_step
from verifier.liveness import (
    fair_actions,
    lasso,
    response_from_invariants,
    response_window,
)
from verifier.obligation import (
    Answer,
    Obligation,
    ObligationKind,
    ObligationResult,
    Status,
)
from verifier.outcome import Limits, Outcome
from verifier.pool import SolverPool
from verifier.solve import VerifyOptions, discharge, z3_version
from verifier.trace import NotReplayed, Replay, Trace, plural, shorten
from verifier.unroll import ReadTrace, RunQuery, read_trace, uses_old
from verifier.vocabulary import EncodingError

log = logging.getLogger(__name__)

DEFAULT_DEPTH = 8


@dataclass(frozen=True)
class TemporalOptions:
    """``depth`` bounds the runs searched from the initial states."""

    depth: int = DEFAULT_DEPTH

    def __post_init__(self) -> None:
        if self.depth < 1:
            raise ValueError(f"depth={self.depth!r}; expected at least 1")


@dataclass(frozen=True)
class TemporalResult(ObligationResult):
    """The verdict on a temporal obligation, with its run.

    ``trace`` is the counterexample of a violated safety or liveness
    obligation and the witness of a proved reach or vacuity one. ``depth`` is
    how deep the bounded search went with every query decided.
    """

    trace: Trace | None = None
    depth: int = 0

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data["trace"] = None if self.trace is None else self.trace.to_json()
        data["depth"] = self.depth
        return data


@dataclass(frozen=True)
class _Solved:
    query: RunQuery
    outcome: Outcome
    cached: bool


@dataclass
class _Context:
    """What every decision may need besides its own queries."""

    depth: int
    invariants_proved: bool
    invariants_reason: str
    replay: Replay


Decide = Callable[[list[_Solved], _Context], TemporalResult]
FollowUp = Callable[[list[_Solved]], list[RunQuery]]


def _nothing_more(solved: list[_Solved]) -> list[RunQuery]:
    return []


@dataclass
class _Plan:
    """The queries of one temporal obligation and how to read their answers.

    ``queries`` are solved first; ``follow_up`` names the queries still
    needed once their answers are in (none when they decide), so that cheap
    queries settle most obligations and costly ones run only when needed.
    """

    queries: list[RunQuery]
    decide: Decide
    follow_up: FollowUp = _nothing_more
    outcomes: list[_Solved] = field(default_factory=list)


# --- the entry points --------------------------------------------------------------


def verify_temporal(
    spec: ast.SpecFile,
    options: VerifyOptions | None = None,
    temporal: TemporalOptions | None = None,
) -> list[TemporalResult]:
    """Decide the temporal obligations of every component of a checked spec."""
    return check_components(spec.components, options, temporal)


def check_temporal(
    component: ast.Component,
    options: VerifyOptions | None = None,
    temporal: TemporalOptions | None = None,
) -> list[TemporalResult]:
    """Decide the temporal obligations of one checked component."""
    return check_components([component], options, temporal)


def check_components(
    components: Sequence[ast.Component],
    options: VerifyOptions | None = None,
    temporal: TemporalOptions | None = None,
) -> list[TemporalResult]:
    """Decide the temporal obligations of checked components, in a stable
    order: per component its safety and liveness properties, then reach, then
    vacuity. The queries of all of them are solved together, round by round.

    Raises:
        EncodingError: a component does not meet the checked-AST contract.
    """
    options = options or VerifyOptions()
    temporal = temporal or TemporalOptions()
    plans: list[tuple[_Plan, _Context]] = []
    for component in components:
        proved, why = _invariants_proved(component, options)
        context = _Context(temporal.depth, proved, why, Replay(component))
        try:
            plans.extend((plan, context) for plan in _plans(component, context))
        except z3.Z3Exception as exc:
            raise EncodingError(
                f"{component.name}: z3 rejected the encoding of a run: {exc}"
            ) from exc
    with RunSolver(options) as solver:
        queries = [plan.queries for plan, _ in plans]
        while any(queries):
            _solve_round(solver, [plan for plan, _ in plans], queries)
            try:
                queries = [plan.follow_up(plan.outcomes) for plan, _ in plans]
            except z3.Z3Exception as exc:
                raise EncodingError(
                    f"z3 rejected the encoding of a run: {exc}"
                ) from exc
    results = [plan.decide(plan.outcomes, context) for plan, context in plans]
    log.debug("%d temporal obligations", len(results))
    return results


def _solve_round(
    solver: RunSolver, plans: list[_Plan], queries: list[list[RunQuery]]
) -> None:
    """Solve one round of queries together, adding each plan's answers to it."""
    flat = [q for group in queries for q in group]
    if not flat:
        return
    if solver.options.emit_smt_dir is not None:
        emit_smt([q.obligation for q in flat], solver.options.emit_smt_dir)
    solved = iter(solver.solve(flat))
    for plan, group in zip(plans, queries, strict=True):
        plan.outcomes.extend(next(solved) for _ in group)


def _invariants_proved(
    component: ast.Component, options: VerifyOptions
) -> tuple[bool, str]:
    """Whether the catalog proves every invariant inductive, so that queries
    may assume the invariants in every reachable state.

    A crash is a step of the safety runs, so recovery from every failure
    mode must re-establish each invariant too.
    """
    invariant_ids = {inv.id for inv in component.invariants}
    try:
        obligations = [
            o
            for o in build_obligations(component)
            if o.kind in (ObligationKind.INIT, ObligationKind.PRESERVE)
            or (o.kind is ObligationKind.RECOVER and o.clause_id in invariant_ids)
        ]
    except EncodingError as exc:
        return False, f"the invariants cannot be encoded: {exc}"
    unproved = [
        r for r in discharge(obligations, options) if r.status is not Status.PROVED
    ]
    if unproved:
        shown = ", ".join(r.obligation.id for r in unproved[:3])
        return False, f"the invariants are not all proved ({shown} is not)"
    return True, ""


def _plans(c: ast.Component, context: _Context) -> Iterator[_Plan]:
    for prop in c.properties:
        if prop.kind is ast.PropertyKind.ALWAYS:
            yield _safety_plan(c, prop, context)
        else:
            yield _liveness_plan(c, prop, context)
    for op in c.operations:
        yield _reach_plan(c, op, context)
    for id_, clause, antecedent in antecedents(c):
        yield _vacuity_plan(c, id_, clause, antecedent, context)


# --- safety ----------------------------------------------------------------------


def _safety_plan(c: ast.Component, prop: ast.Property, context: _Context) -> _Plan:
    """Bounded runs to depth 1 and 1-induction first, which prove most safety
    properties; the deeper runs and induction at the full depth only if not."""
    depth, first = context.depth, first_position(prop)
    strengthen = context.invariants_proved

    def base(depths: range) -> list[RunQuery]:
        return [safety_base(c, prop, d) for d in depths]

    cheap = [*base(range(first, 2)), safety_step(c, prop, 1, strengthen)]

    def follow_up(solved: list[_Solved]) -> list[RunQuery]:
        if len(solved) > len(cheap) or _proved_by_induction(solved) is not None:
            return []
        deeper = base(range(2, depth + 1))
        return deeper + ([safety_step(c, prop, depth, strengthen)] if depth > 1 else [])

    def decide(solved: list[_Solved], ctx: _Context) -> TemporalResult:
        runs = sorted((s for s in solved if _is_run(s)), key=lambda s: s.query.length)
        steps = [s for s in solved if not _is_run(s)]
        return _decide_safety(prop, runs, steps, ctx)

    return _Plan(cheap, decide, follow_up)


def _is_run(item: _Solved) -> bool:
    return ".bmc." in item.query.obligation.id


def _proved_by_induction(solved: list[_Solved]) -> _Solved | None:
    """The induction query that proves the property, if any: k-induction needs
    every bounded run shorter than k to be clean."""
    runs = [s for s in solved if _is_run(s)]
    clean = {s.query.length for s in runs if s.outcome.answer is Answer.UNSAT}
    lowest = min((s.query.length for s in runs), default=0)
    for item in solved:
        if _is_run(item) or item.outcome.answer is not Answer.UNSAT:
            continue
        if all(d in clean for d in range(lowest, item.query.length)):
            return item
    return None


def _decide_safety(
    prop: ast.Property,
    runs: list[_Solved],
    steps: list[_Solved],
    ctx: _Context,
) -> TemporalResult:
    step_property = uses_old(prop.expr)
    what = "on every step" if step_property else "in every reachable state"
    description = f"{prop.id} holds {what}"
    everything = [*runs, *steps]
    reached = first_position(prop) - 1
    gap = ""
    for item in runs:
        outcome = item.outcome
        if outcome.answer is Answer.UNSAT:
            reached = reached if gap else item.query.length
            continue
        if outcome.answer is Answer.SAT:
            trace, why = _safety_trace(prop, item, ctx.replay)
            if trace is not None:
                shortest = "" if gap else "; no shorter run breaks it"
                length = plural(item.query.length, "step")
                reason = f"a run of {length} breaks it{shortest}"
                return _result(
                    item,
                    prop.id,
                    description,
                    Status.VIOLATED,
                    reason,
                    everything,
                    trace=trace,
                    depth=reached,
                )
            gap = gap or f"depth {item.query.length}: {why}"
        else:
            gap = gap or f"depth {item.query.length}: {outcome.reason}"
    proof = _proved_by_induction(everything)
    if proof is not None:
        how = " strengthened by the invariants" if ctx.invariants_proved else ""
        reason = f"proved for all depths by {proof.query.length}-induction{how}"
        return _result(
            proof,
            prop.id,
            description,
            Status.PROVED,
            reason,
            everything,
            depth=reached,
        )
    if gap:
        reason = gap
        if reached >= first_position(prop):
            reason = f"holds to depth {reached}; {gap}"
        return _result(
            runs[-1],
            prop.id,
            description,
            Status.UNKNOWN,
            reason,
            everything,
            depth=reached,
        )
    return _result(
        steps[-1],
        prop.id,
        description,
        Status.UNKNOWN,
        _holds_to_depth(reached, steps[-1], ctx),
        everything,
        depth=reached,
    )


def _holds_to_depth(reached: int, step: _Solved, ctx: _Context) -> str:
    k = step.query.length
    if step.outcome.answer is Answer.UNKNOWN:
        why = f"{k}-induction gave no answer ({step.outcome.reason})"
    else:
        why = (
            f"{k}-induction finds a path of {plural(k, 'step')} on which it holds "
            f"and then fails, from a state that no run of up to {plural(k, 'step')} "
            "reaches"
        )
    if not ctx.invariants_proved:
        why += f"; the invariants do not strengthen it: {ctx.invariants_reason}"
    return f"holds to depth {reached}, not proved for all depths: {why}"


def _safety_trace(
    prop: ast.Property, item: _Solved, replay: Replay
) -> tuple[Trace | None, str]:
    try:
        read = _replayed(item, replay)
        position = read.positions[item.query.position]
        step_property = uses_old(prop.expr)
        if replay.holds(prop.expr, read.trace, position, step_property):
            return None, "the solver's run does not break the property when replayed"
    except NotReplayed as exc:
        return None, f"the solver's run is not a run of the spec: {exc}"
    return replace(read.trace, violation=position), ""


# --- liveness ---------------------------------------------------------------------


def _liveness_plan(c: ast.Component, prop: ast.Property, context: _Context) -> _Plan:
    lassos = [lasso(c, prop, m) for m in range(1, context.depth + 1)]
    window = response_window(c, prop, context.depth)
    general = []
    if prop.trigger is not None and context.invariants_proved:
        general = [response_from_invariants(c, prop)]

    def decide(solved: list[_Solved], ctx: _Context) -> TemporalResult:
        count = len(lassos)
        rest = solved[count + 1 :]
        return _decide_liveness(
            prop, solved[:count], solved[count], rest[0] if rest else None, ctx
        )

    return _Plan([*lassos, window, *general], decide)


def _decide_liveness(
    prop: ast.Property,
    lassos: list[_Solved],
    window: _Solved,
    general: _Solved | None,
    ctx: _Context,
) -> TemporalResult:
    everything = [*lassos, window, *([general] if general else [])]
    trigger = "from init" if prop.trigger is None else "after each trigger"
    within = plural(prop.within or 0, "step")
    description = (
        f"{prop.id}: the response holds within {within} {trigger} on every fair path"
    )
    for item in lassos:
        if item.outcome.answer is Answer.SAT:
            trace = _lasso_trace(prop, item, ctx.replay)
            if trace is not None:
                loop = item.query.length - (trace.loop_start or 0)
                reason = (
                    f"a fair loop of {plural(loop, 'step')} repeats forever and "
                    "the response never holds on it"
                )
                return _result(
                    item,
                    prop.id,
                    description,
                    Status.VIOLATED,
                    reason,
                    everything,
                    trace=trace,
                    depth=ctx.depth,
                )
    outcome = window.outcome
    if outcome.answer is Answer.SAT:
        trace, why = _window_trace(prop, window, ctx.replay)
        if trace is not None:
            reason = f"a fair path of {within} on which the response never holds"
            return _result(
                window,
                prop.id,
                description,
                Status.VIOLATED,
                reason,
                everything,
                trace=trace,
                depth=ctx.depth,
            )
        return _result(
            window,
            prop.id,
            description,
            Status.UNKNOWN,
            why,
            everything,
            depth=ctx.depth,
        )
    if outcome.answer is Answer.UNKNOWN:
        return _result(
            window,
            prop.id,
            description,
            Status.UNKNOWN,
            outcome.reason,
            everything,
            depth=ctx.depth,
        )
    if prop.trigger is None:
        reason = f"no fair path of {within} from init lacks the response"
        return _result(
            window,
            prop.id,
            description,
            Status.PROVED,
            reason,
            everything,
            depth=ctx.depth,
        )
    return _decide_leadsto(prop, window, general, description, everything, ctx)


def _decide_leadsto(
    prop: ast.Property,
    window: _Solved,
    general: _Solved | None,
    description: str,
    everything: list[_Solved],
    ctx: _Context,
) -> TemporalResult:
    bounded = (
        f"holds for every trigger reached within depth {ctx.depth}, not proved for all"
    )
    if general is None:
        reason = f"{bounded}: {ctx.invariants_reason}"
    elif general.outcome.answer is Answer.UNSAT:
        reason = (
            f"no fair path of {plural(prop.within or 0, 'step')} from a trigger "
            "satisfying the invariants lacks the response"
        )
        return _result(
            general,
            prop.id,
            description,
            Status.PROVED,
            reason,
            everything,
            depth=ctx.depth,
        )
    elif general.outcome.answer is Answer.SAT:
        reason = (
            f"{bounded}: from some trigger that satisfies the invariants but is not "
            "reached within the depth, the response may not come"
        )
    else:
        reason = f"{bounded}: {general.outcome.reason}"
    return _result(
        window,
        prop.id,
        description,
        Status.UNKNOWN,
        reason,
        everything,
        depth=ctx.depth,
    )


def _lasso_trace(prop: ast.Property, item: _Solved, replay: Replay) -> Trace | None:
    try:
        read = _replayed(item, replay)
    except NotReplayed as exc:
        log.debug("%s: lasso not replayed: %s", item.query.obligation.id, exc)
        return None
    trace = read.trace
    states = trace.states()
    last = len(states) - 1
    for loop in range(last - 1, -1, -1):
        if states[loop] != states[last] or not _fair_loop(replay, trace, loop, last):
            continue
        start = _quiet_since(prop, trace, replay, loop, last)
        if start is not None:
            trigger = None if prop.trigger is None else start
            return replace(trace, loop_start=loop, trigger=trigger, violation=last)
    return None


def _quiet_since(
    prop: ast.Property, trace: Trace, replay: Replay, loop: int, last: int
) -> int | None:
    """The trigger from which the response never holds to the end, or None."""
    starts = [0] if prop.trigger is None else range(loop + 1)
    for start in starts:
        trigger = prop.trigger
        if trigger is not None and not replay.holds(trigger, trace, start, False):
            continue
        if not any(
            replay.holds(prop.expr, trace, t, False) for t in range(start, last + 1)
        ):
            return start
    return None


def _fair_loop(replay: Replay, trace: Trace, start: int, stop: int) -> bool:
    """Each weakly fair action is taken between states ``start`` and ``stop``,
    or disabled in one of them. An action whose arguments cannot be
    enumerated (an Int parameter) is not checked here, so for it the
    solver's answer stands."""
    taken = {step.action for step in trace.steps[start:stop]}
    states = trace.states()
    for op in fair_actions(replay.component):
        if op.name in taken:
            continue
        enabled = [
            replay.enabled_for_some(op.name, states[t], trace)
            for t in range(start, stop)
        ]
        if all(e is True for e in enabled):
            return False
    return True


def _window_trace(
    prop: ast.Property, item: _Solved, replay: Replay
) -> tuple[Trace | None, str]:
    try:
        read = _replayed(item, replay)
        start = read.positions[item.query.position]
        stop = len(read.trace.states()) - 1
        trace = read.trace
        if prop.trigger is not None and not replay.holds(
            prop.trigger, trace, start, False
        ):
            return None, "the solver's path does not start at a trigger when replayed"
        if any(
            replay.holds(prop.expr, trace, t, False) for t in range(start, stop + 1)
        ):
            return None, "the response holds on the solver's path when replayed"
        if not _fair_loop(replay, trace, start, stop):
            return None, "the solver's path is not fair when replayed"
    except NotReplayed as exc:
        return None, f"the solver's path is not a run of the spec: {exc}"
    trigger = None if prop.trigger is None else start
    return replace(trace, trigger=trigger, violation=stop), ""


# --- reach and vacuity -------------------------------------------------------------


def _search_depths(depth: int) -> list[int]:
    """The depths a witness search tries in turn: most actions are enabled in
    the initial state or one step after it, and deep unrollings are costly."""
    return sorted({0, min(2, depth), depth})


def _reach_plan(c: ast.Component, op: ast.Operation, context: _Context) -> _Plan:
    id_ = f"{c.name}.{op.name}.reach"
    description = f"{op.kind.value} {op.name} is enabled in some reachable state"

    def witness(item: _Solved) -> tuple[Trace | None, str]:
        return _witness_trace(item, context.replay, op.name, None)

    return _witness_plan(
        id_,
        description,
        (f"{op.name} is dead", f"no run of up to {{depth}} steps enables {op.name}"),
        [reach(c, op, d) for d in _search_depths(context.depth)],
        lambda: never_enabled(c, op),
        witness,
    )


def _vacuity_plan(
    c: ast.Component,
    id_: str,
    clause: tuple[str, ast.Span],
    antecedent: ast.Expr,
    context: _Context,
) -> _Plan:
    description = (
        f"the antecedent at {antecedent.span} of {clause[0]} holds in some "
        "reachable state"
    )

    def witness(item: _Solved) -> tuple[Trace | None, str]:
        return _witness_trace(item, context.replay, None, antecedent)

    searches = [
        antecedent_reached(c, id_, clause, antecedent, d)
        for d in _search_depths(context.depth)
    ]
    return _witness_plan(
        id_,
        description,
        (
            f"{clause[0]} is vacuous",
            "no run of up to {depth} steps makes the antecedent true",
        ),
        searches,
        lambda: never_holds(c, id_, clause, antecedent),
        witness,
    )


Witness = Callable[[_Solved], tuple[Trace | None, str]]


def _witness_plan(
    id_: str,
    description: str,
    findings: tuple[str, str],
    searches: list[RunQuery],
    impossible: Callable[[], RunQuery],
    witness: Witness,
) -> _Plan:
    """Reach and vacuity: search ever deeper runs for a witness, and failing
    that ask whether any state satisfying the invariants allows it.
    ``findings`` word the two failures: refuted, and not found in the depth
    (a template with ``{depth}``)."""

    def follow_up(solved: list[_Solved]) -> list[RunQuery]:
        tried = [s for s in solved if not _is_impossible(s)]
        if len(tried) < len(solved):
            return []
        if any(witness(s)[0] is not None for s in tried if s.outcome.model):
            return []
        # A deeper unrolling of a query the solver gave up on costs more and
        # would fare no better.
        gave_up = tried[-1].outcome.answer is Answer.UNKNOWN
        if len(tried) < len(searches) and not gave_up:
            return [searches[len(tried)]]
        return [impossible()]

    def decide(solved: list[_Solved], ctx: _Context) -> TemporalResult:
        tried = [s for s in solved if not _is_impossible(s)]
        refuting = [s for s in solved if _is_impossible(s)]
        return _decide_witness(
            id_, description, *findings, tried, refuting, witness, ctx
        )

    return _Plan(searches[:1], decide, follow_up)


def _is_impossible(item: _Solved) -> bool:
    """Whether ``item`` asks about every state satisfying the invariants,
    rather than searching runs."""
    return item.query.obligation.id.endswith(".invariants")


def _decide_witness(
    id_: str,
    description: str,
    finding: str,
    missing: str,
    searches: list[_Solved],
    impossible: list[_Solved],
    witness: Witness,
    ctx: _Context,
) -> TemporalResult:
    """A witness run proves it; no state satisfying the invariants (when they
    are proved) refutes it; otherwise it is unknown."""
    everything = [*searches, *impossible]
    unknown = ""
    for item in searches:
        if item.outcome.answer is Answer.SAT:
            trace, reason = witness(item)
            if trace is not None:
                return _result(
                    item,
                    id_,
                    description,
                    Status.PROVED,
                    reason,
                    everything,
                    trace=trace,
                    depth=item.query.length,
                )
            unknown = unknown or reason
        elif item.outcome.answer is Answer.UNKNOWN:
            depth = item.query.length
            unknown = unknown or f"depth {depth}: {item.outcome.reason}"
    last = searches[-1]
    if not unknown:
        unknown = missing.format(depth=last.query.length)
    if impossible and impossible[0].outcome.answer is Answer.UNSAT:
        if ctx.invariants_proved:
            reason = f"{finding}: no state satisfying the invariants allows it"
            return _result(
                impossible[0],
                id_,
                description,
                Status.VIOLATED,
                reason,
                everything,
                depth=last.query.length,
            )
        unknown += (
            "; no state satisfying the invariants allows it, but "
            f"{ctx.invariants_reason}"
        )
    return _result(
        last,
        id_,
        description,
        Status.UNKNOWN,
        unknown,
        everything,
        depth=last.query.length,
    )


def _witness_trace(
    item: _Solved, replay: Replay, action: str | None, antecedent: ast.Expr | None
) -> tuple[Trace | None, str]:
    try:
        read = _replayed(item, replay)
    except NotReplayed as exc:
        return None, f"the solver's witness is not a run of the spec: {exc}"
    if action is not None:
        pending = read.pending
        if pending is None:
            return None, "the solver's witness names no call"
        arguments = pending.arguments

        def keeps(trace: Trace) -> bool:
            assert action is not None
            return replay.enabled(action, trace.states()[-1], trace, arguments)

        if not keeps(read.trace):
            return None, "the solver's witness does not enable it when replayed"
        trace = shorten(read.trace, replay, keeps)
        return (
            trace,
            f"enabled after {plural(len(trace.steps), 'step')}: {pending.call()}",
        )
    assert antecedent is not None
    step = uses_old(antecedent)

    def reached(trace: Trace) -> bool:
        assert antecedent is not None
        last = len(trace.steps)
        if step and last == 0:
            return False
        try:
            return replay.holds(antecedent, trace, last, step)
        except NotReplayed:
            return False

    if not reached(read.trace):
        return None, "the antecedent does not hold on the solver's run when replayed"
    trace = shorten(read.trace, replay, reached)
    return trace, f"the antecedent holds after {plural(len(trace.steps), 'step')}"


def antecedents(
    c: ast.Component,
) -> Iterator[tuple[str, tuple[str, ast.Span], ast.Expr]]:
    """The antecedents whose reachability keeps an implication from being vacuous:
    of each top-level ``implies`` in an invariant or an always property, and the
    trigger of each leads-to. Yields the obligation id, the clause and the
    antecedent."""
    clauses: list[tuple[str, ast.Span, ast.Expr]] = [
        (i.id, i.span, i.expr) for i in c.invariants
    ]
    clauses.extend(
        (p.id, p.span, p.expr)
        for p in c.properties
        if p.kind is ast.PropertyKind.ALWAYS
    )
    for clause_id, span, expr in clauses:
        found = _antecedents_of(expr)
        for number, antecedent in enumerate(found, start=1):
            suffix = "" if len(found) == 1 else f".{number}"
            yield f"{clause_id}.vacuity{suffix}", (clause_id, span), antecedent
    for prop in c.properties:
        if prop.trigger is not None:
            yield f"{prop.id}.vacuity", (prop.id, prop.span), prop.trigger


def _conjuncts(expr: ast.Expr) -> list[ast.Expr]:
    if isinstance(expr, ast.Binary) and expr.op == "and":
        return [*_conjuncts(expr.left), *_conjuncts(expr.right)]
    return [expr]


def _antecedents_of(expr: ast.Expr) -> list[ast.Expr]:
    return [
        part.left
        for part in _conjuncts(expr)
        if isinstance(part, ast.Binary) and part.op == "implies"
    ]


# --- reading answers ----------------------------------------------------------------


def _replayed(item: _Solved, replay: Replay) -> ReadTrace:
    if item.outcome.model is None:
        raise NotReplayed("the solver returned no model")
    read = read_trace(item.query, item.outcome.model)
    return replace(read, trace=replay.run(read.trace))


def _result(
    deciding: _Solved,
    id_: str,
    description: str,
    status: Status,
    reason: str,
    solved: Sequence[_Solved],
    trace: Trace | None = None,
    depth: int = 0,
) -> TemporalResult:
    obligation = replace(deciding.query.obligation, id=id_, description=description)
    return TemporalResult(
        obligation,
        status,
        reason,
        seconds=sum(s.outcome.seconds for s in solved),
        cached=all(s.cached for s in solved),
        trace=trace,
        depth=depth,
    )


# --- solving -------------------------------------------------------------------------


class RunSolver:
    """Solves batches of queries, from the cache where possible, on one pool
    of worker processes kept for every batch of a check.

    Unlike ``discharge`` it reads no verdict: a temporal decision reads the
    outcomes of several queries together.
    """

    def __init__(self, options: VerifyOptions) -> None:
        self.options = options
        self.limits = Limits(options.timeout_ms, options.rlimit)
        self.version = z3_version()
        folder = options.cache_dir
        self.cache = None if folder is None else ResultCache(Path(folder))
        self._pool: SolverPool | None = None

    def __enter__(self) -> RunSolver:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def solve(self, queries: Sequence[RunQuery]) -> list[_Solved]:
        """Solve every query; answers come back in input order."""
        found: list[_Solved | None] = [None] * len(queries)
        pending = []
        for index, query in enumerate(queries):
            hit = self._cached(query.obligation)
            if hit is None:
                pending.append(index)
            else:
                found[index] = _Solved(query, hit, True)
        outcomes = self._run([queries[i].obligation for i in pending])
        for index, outcome in zip(pending, outcomes, strict=True):
            if self.cache is not None:
                self.cache.put(
                    queries[index].obligation.smt, self.limits, self.version, outcome
                )
            found[index] = _Solved(queries[index], outcome, False)
        return [f for f in found if f is not None]

    def _cached(self, obligation: Obligation) -> Outcome | None:
        if self.cache is None:
            return None
        return self.cache.get(obligation.smt, self.limits, self.version)

    def _run(self, obligations: list[Obligation]) -> list[Outcome]:
        if not obligations:
            return []
        if self._pool is None:
            self._pool = SolverPool(self.options.jobs, self.limits)
        return self._pool.solve(obligations)
