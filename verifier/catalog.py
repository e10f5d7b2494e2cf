"""The proof obligations of a checked component.

Each obligation is one query. A validity question ("does the effect
establish the ensures?") asserts its context and the negated goal, so
``unsat`` proves it and a model is a counterexample. An existence question
("can the constants' where clauses hold?") asserts what must be possible, so
``sat`` proves it and the model is the witness.

Contexts follow evaluation order: clauses of one kind are conjunctions read
left to right, so a clause is evaluated only where the ones before it hold.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import z3

from spec_lang import ast
from spec_lang.types import MapT, SetT, contained_types
from verifier.encode import PartialSite, Scope, conjunction
from verifier.obligation import Answer, Obligation, ObligationKind, Section
from verifier.query import ALL_SECTIONS, PRE_SECTIONS, Query, QueryBuilder
from verifier.recheck import Recheck
from verifier.transition import kept_variables
from verifier.vocabulary import EncodingError

log = logging.getLogger(__name__)

QueryFn = Callable[[QueryBuilder], Query]


def build_obligations(component: ast.Component) -> list[Obligation]:
    """Build every proof obligation of a checked component, in a stable order.

    Raises:
        EncodingError: the component does not meet the checked-AST contract.
    """
    try:
        obligations = list(_catalog(component))
    except z3.Z3Exception as exc:
        raise EncodingError(
            f"{component.name}: z3 rejected the encoding: {exc}"
        ) from exc
    log.debug("%s: %d obligations", component.name, len(obligations))
    return obligations


def _catalog(c: ast.Component) -> Iterator[Obligation]:
    yield _const_sat(c)
    yield _inv_sat(c)
    if c.init is not None:
        yield from (_init(c, inv) for inv in c.invariants)
    for op in c.operations:
        yield _pre_sat(c, op)
        yield _feasible(c, op)
        if op.effect is not None:
            yield from (_effect(c, op, ens) for ens in op.ensures)
        yield from (_preserve(c, op, inv) for inv in c.invariants)
        yield from (
            _errors(c, op, index)
            for index, req in enumerate(op.requires)
            if req.error is not None
        )
    if c.init is not None:
        for failure in c.failures:
            goals = (*c.invariants, *failure.ensures)
            yield from (_recover(c, failure, goal) for goal in goals)
    yield from _defined(c)


def _obligation(
    component: ast.Component,
    id_: str,
    kind: ObligationKind,
    clause: tuple[str, ast.Span],
    description: str,
    proved_when: Answer,
    build: QueryFn,
    recheck: Recheck,
    no_witness: str = "",
    candidate_witness: str = "",
) -> Obligation:
    """Build one obligation.

    ``candidate_witness`` says why a model of the query refutes nothing (the
    query tries one candidate witness): such a model reads as unknown.
    """
    builder = QueryBuilder(component)
    query = build(builder)
    smt = builder.render(query)
    incomplete = "; ".join(x for x in (builder.incomplete(), candidate_witness) if x)
    # A model with sets or maps may be infinite, and a bounded one is not.
    structured = not candidate_witness and (
        bool(incomplete) or _has_collections(component)
    )
    return Obligation(
        id=id_,
        kind=kind,
        component=component.name,
        clause_id=clause[0],
        span=clause[1],
        description=description,
        smt=smt,
        proved_when=proved_when,
        symbols=builder.vocab.symbols(query.sections),
        quantified=query.quantified,
        no_witness=no_witness,
        incomplete=incomplete,
        bounded_smt=_bounded_smt(component, build) if structured else "",
        recheck=recheck,
    )


def _has_collections(component: ast.Component) -> bool:
    declared = [
        *(c.type for c in component.consts),
        *(v.type for v in component.vars),
        *(p.type for op in component.operations for p in op.params),
        *(op.result_type for op in component.operations),
    ]
    return any(
        isinstance(inner, SetT | MapT)
        for t in declared
        if t is not None
        for inner in contained_types(t)
    )


def _bounded_smt(component: ast.Component, build: QueryFn) -> str:
    """The query again with few values of each identity type and in each set,
    or empty where that changes nothing."""
    builder = QueryBuilder(component, bounded=True)
    bounded = builder.render(build(builder))
    return "" if not builder.vocab.background else bounded


def short_id(clause_id: str, scope: str) -> str:
    """Strip the scope and kind from a clause id: ``C.invariant.x`` -> ``x``.

    Implicit clauses keep their own suffix: ``C.x.range`` -> ``x.range``.

    >>> short_id("C.op.requires.positive", "C.op")
    'positive'
    >>> short_id("C.count.range", "C")
    'count.range'
    """
    for kind in ("invariant", "requires", "ensures", "where"):
        prefix = f"{scope}.{kind}."
        if clause_id.startswith(prefix):
            return clause_id[len(prefix) :]
    if clause_id.startswith(f"{scope}."):
        return clause_id[len(scope) + 1 :]
    return clause_id


# --- component-wide obligations ---


def _const_sat(c: ast.Component) -> Obligation:
    def build(b: QueryBuilder) -> Query:
        return Query(b.wheres(), (Section.CONSTANTS,))

    return _obligation(
        c,
        f"{c.name}.const-sat",
        ObligationKind.CONST_SAT,
        (c.name, c.span),
        f"the where clauses of {c.name}'s constants can all hold",
        Answer.SAT,
        build,
        Recheck(c, ObligationKind.CONST_SAT),
        "the where clauses contradict each other: no constants satisfy them all",
    )


def _inv_sat(c: ast.Component) -> Obligation:
    def build(b: QueryBuilder) -> Query:
        scope = b.state_scope(Section.PRE_STATE)
        return Query([*b.wheres(), *b.invariants(scope)], PRE_SECTIONS)

    return _obligation(
        c,
        f"{c.name}.inv-sat",
        ObligationKind.INV_SAT,
        (c.name, c.span),
        f"the invariants of {c.name} can all hold at once with the where clauses",
        Answer.SAT,
        build,
        Recheck(c, ObligationKind.INV_SAT),
        "the invariants are vacuous: no state satisfies them all with the where "
        "clauses",
    )


def _init(c: ast.Component, inv: ast.Clause) -> Obligation:
    def build(b: QueryBuilder) -> Query:
        initial = b.initial_state()
        scope = b.state_scope(Section.POST_STATE)
        relation = [scope.state[name] == initial[name] for name in scope.state]
        goal = b.holds(inv, scope)
        return Query(
            [*b.wheres(), *relation, z3.Not(goal)],
            (Section.CONSTANTS, Section.POST_STATE),
        )

    return _obligation(
        c,
        f"{c.name}.init.{short_id(inv.id, c.name)}",
        ObligationKind.INIT,
        (inv.id, inv.span),
        f"init establishes invariant {inv.id} for every choice of constants",
        Answer.UNSAT,
        build,
        Recheck(c, ObligationKind.INIT, clause=inv.id),
    )


def _recover(
    c: ast.Component, failure: ast.FailureMode, goal: ast.Clause
) -> Obligation:
    """Recovery from ``failure`` re-establishes ``goal``: an invariant or an ensures.

    The state after the crash keeps the variables in ``failure.keeps``, and
    the others take the values init gives them. old() reads the state before
    the crash, which satisfies every invariant.
    """

    def build(b: QueryBuilder) -> Query:
        pre = b.state_scope(Section.PRE_STATE)
        initial = b.initial_state()
        post = Scope(b.constants, b.vocab.state(Section.POST_STATE), old=pre.state)
        relation = [
            post.state[name]
            == (pre.state[name] if name in failure.keeps else initial[name])
            for name in post.state
        ]
        context = [*b.wheres(), *b.invariants(pre), *relation]
        return Query(
            [*context, z3.Not(b.holds(goal, post))],
            (Section.CONSTANTS, Section.PRE_STATE, Section.POST_STATE),
        )

    own = goal.id.removeprefix(f"{failure.id}.")
    goal_id = own if own != goal.id else short_id(goal.id, c.name)
    return _obligation(
        c,
        f"{failure.id}.recover.{goal_id}",
        ObligationKind.RECOVER,
        (goal.id, goal.span),
        f"recovery from failure {failure.name} re-establishes {goal.id}",
        Answer.UNSAT,
        build,
        Recheck(c, ObligationKind.RECOVER, clause=goal.id, scope=failure.name),
    )


# --- operation obligations ---


def _op_id(c: ast.Component, op: ast.Operation) -> str:
    return f"{c.name}.{op.name}"


def _pre_sat(c: ast.Component, op: ast.Operation) -> Obligation:
    def build(b: QueryBuilder) -> Query:
        return Query(b.enabled(op, b.pre_scope(op)), PRE_SECTIONS)

    return _obligation(
        c,
        f"{_op_id(c, op)}.pre-sat",
        ObligationKind.PRE_SAT,
        (_op_id(c, op), op.span),
        f"{op.name} is enabled (every requires holds) in some state that "
        "satisfies the where clauses and the invariants",
        Answer.SAT,
        build,
        Recheck(c, ObligationKind.PRE_SAT, op.name),
        f"{op.name} is never enabled: its requires contradict the invariants or "
        "the where clauses",
    )


def _feasible(c: ast.Component, op: ast.Operation) -> Obligation:
    candidate = ""
    if op.effect is not None:
        build, how = _feasible_by_effect(op), "witnessed by its effect"
        candidate = (
            "the effect is the only witness tried, and its post-state breaks an "
            "ensures (see the effect obligations); another post-state may meet them"
        )
    else:
        build, how = (
            _feasible_by_search(op),
            "a forall-exists query over the post-state",
        )
    return _obligation(
        c,
        f"{_op_id(c, op)}.feasible",
        ObligationKind.FEASIBLE,
        (_op_id(c, op), op.span),
        f"whenever {op.name} is enabled, a post-state satisfying its frame and "
        f"ensures exists ({how})",
        Answer.UNSAT,
        build,
        Recheck(c, ObligationKind.FEASIBLE, op.name),
        candidate_witness=candidate,
    )


def _feasible_by_effect(op: ast.Operation) -> QueryFn:
    # Unsat proves feasibility: the effect's post-state meets every ensures. A
    # model only shows that the effect does not, which the effect obligations
    # report; it refutes nothing here (see ``candidate_witness``).
    def build(b: QueryBuilder) -> Query:
        step = b.effect_step(op, b.pre_scope(op))
        goal = conjunction(b.vocab, tuple(b.ensures(op, step.post)))
        context = [*b.enabled(op, step.pre), *step.relation]
        return Query([*context, z3.Not(goal)], ALL_SECTIONS)

    return build


def _feasible_by_search(op: ast.Operation) -> QueryFn:
    def build(b: QueryBuilder) -> Query:
        pre = b.pre_scope(op)
        no_post, quantified = _no_post_state(b, op, pre)
        return Query([*b.enabled(op, pre), no_post], PRE_SECTIONS, quantified)

    return build


def _no_post_state(
    b: QueryBuilder, op: ast.Operation, pre: Scope
) -> tuple[z3.BoolRef, bool]:
    """Return "no post-state satisfies the frame and ensures" from ``pre``, and
    whether that needed a quantifier."""
    fresh = b.post_scope(op, pre)
    # Kept variables are substituted rather than quantified, so the
    # quantifier ranges over exactly what the operation may change.
    kept = set(kept_variables(op, list(pre.state)))
    bound = [v for name, v in fresh.state.items() if name not in kept]
    if fresh.result is not None:
        bound.append(fresh.result)
    state = {n: pre.state[n] if n in kept else v for n, v in fresh.state.items()}
    post = replace(fresh, state=state)
    ensures = conjunction(b.vocab, tuple(b.ensures(op, post)))
    exists = z3.Exists(bound, ensures) if bound else ensures
    return z3.Not(exists), bool(bound)


def _effect(c: ast.Component, op: ast.Operation, ens: ast.Clause) -> Obligation:
    def build(b: QueryBuilder) -> Query:
        step = b.effect_step(op, b.pre_scope(op))
        goal = b.holds(ens, step.post)
        context = [*b.enabled(op, step.pre), *step.relation]
        return Query([*context, z3.Not(goal)], ALL_SECTIONS)

    return _obligation(
        c,
        f"{_op_id(c, op)}.effect.{short_id(ens.id, _op_id(c, op))}",
        ObligationKind.EFFECT,
        (ens.id, ens.span),
        f"the effect of {op.name} establishes {ens.id}",
        Answer.UNSAT,
        build,
        Recheck(c, ObligationKind.EFFECT, op.name, clause=ens.id),
    )


def _preserve(c: ast.Component, op: ast.Operation, inv: ast.Clause) -> Obligation:
    def build(b: QueryBuilder) -> Query:
        step = b.step(op, b.pre_scope(op))
        goal = b.holds(inv, step.post)
        context = [*b.enabled(op, step.pre), *step.relation]
        return Query([*context, z3.Not(goal)], ALL_SECTIONS)

    how = "its effect" if op.effect is not None else "its frame and ensures"
    return _obligation(
        c,
        f"{_op_id(c, op)}.preserve.{short_id(inv.id, c.name)}",
        ObligationKind.PRESERVE,
        (inv.id, inv.span),
        f"{op.kind.value} {op.name} preserves {inv.id} (the step is {how})",
        Answer.UNSAT,
        build,
        Recheck(c, ObligationKind.PRESERVE, op.name, clause=inv.id),
    )


def _errors(c: ast.Component, op: ast.Operation, index: int) -> Obligation:
    req = op.requires[index]
    # The error is returned to a caller that keeps its own obligations (the
    # requires without else, wherever they stand), once the requires before
    # this one have passed.
    later_plain = [r for r in op.requires[index + 1 :] if r.error is None]

    def build(b: QueryBuilder) -> Query:
        pre = b.pre_scope(op)
        earlier = b.requires(op, pre, upto=index)
        callers = [b.holds(r, pre) for r in later_plain]
        context = [*b.wheres(), *b.invariants(pre), *earlier, *callers]
        return Query([*context, z3.Not(b.holds(req, pre))], PRE_SECTIONS)

    return _obligation(
        c,
        f"{_op_id(c, op)}.errors.{short_id(req.id, _op_id(c, op))}",
        ObligationKind.ERRORS,
        (req.id, req.span),
        f"{op.name} can return {req.error}: {req.id} can fail once the "
        "requires before it hold",
        Answer.SAT,
        build,
        Recheck(c, ObligationKind.ERRORS, op.name, index=index),
        f"{req.error} can never be returned: {req.id} cannot fail once the "
        "requires before it hold",
    )


# --- definedness of partial operations ---

_Sites = tuple[list[z3.BoolRef], list[PartialSite]]


@dataclass(frozen=True)
class _PartialScope:
    """A clause or block whose partial operations are checked in one context.

    ``kind``, ``operation`` and ``index`` locate it, for re-checking.
    """

    id: str
    sections: tuple[Section, ...]
    encode: Callable[[QueryBuilder], _Sites]
    kind: str
    operation: str | None = None
    index: int | None = None


def _defined(c: ast.Component) -> Iterator[Obligation]:
    # One scratch builder finds the sites; each obligation then gets its own.
    scratch = QueryBuilder(c)
    for scope in _partial_scopes(c):
        _, sites = scope.encode(scratch)
        for index, site in enumerate(sites):
            yield _defined_site(c, scope, index, site)


def _defined_site(
    c: ast.Component, scope: _PartialScope, index: int, site: PartialSite
) -> Obligation:
    def build(b: QueryBuilder) -> Query:
        context, sites = scope.encode(b)
        here = sites[index]
        return Query([*context, *here.condition, z3.Not(here.defined)], scope.sections)

    recheck = Recheck(
        c,
        ObligationKind.DEFINED,
        scope.operation,
        scope=scope.kind,
        index=scope.index,
        site=site.span,
    )
    return _obligation(
        c,
        f"{scope.id}.defined.{index + 1}",
        ObligationKind.DEFINED,
        (scope.id, site.span),
        f"at {site.span}, {site.what} wherever {scope.id} evaluates it",
        Answer.UNSAT,
        build,
        recheck,
    )


def _partial_scopes(c: ast.Component) -> Iterator[_PartialScope]:
    yield from _where_scopes(c)
    yield from _invariant_scopes(c)
    if c.init is not None:
        yield _PartialScope(f"{c.name}.init", (Section.CONSTANTS,), _init_sites, "init")
    for op in c.operations:
        yield from _operation_scopes(c, op)


def _where_scopes(c: ast.Component) -> Iterator[_PartialScope]:
    clauses = [w for const in c.consts for w in const.where]
    for index, clause in enumerate(clauses):

        def encode(
            b: QueryBuilder, index: int = index, clause: ast.Clause = clause
        ) -> _Sites:
            context = b.wheres(upto=index)
            mark = len(b.exprs.sites)
            b.holds(clause, Scope(b.constants, {}))
            return context, b.sites_since(mark)

        yield _PartialScope(
            clause.id, (Section.CONSTANTS,), encode, "where", None, index
        )


def _invariant_scopes(c: ast.Component) -> Iterator[_PartialScope]:
    for index, clause in enumerate(c.invariants):

        def encode(
            b: QueryBuilder, index: int = index, clause: ast.Clause = clause
        ) -> _Sites:
            scope = b.state_scope(Section.PRE_STATE)
            context = [*b.wheres(), *b.invariants(scope, upto=index)]
            mark = len(b.exprs.sites)
            b.holds(clause, scope)
            return context, b.sites_since(mark)

        yield _PartialScope(clause.id, PRE_SECTIONS, encode, "invariant", None, index)


def _init_sites(b: QueryBuilder) -> _Sites:
    context = b.wheres()
    mark = len(b.exprs.sites)
    b.initial_state()
    return context, b.sites_since(mark)


def _operation_scopes(c: ast.Component, op: ast.Operation) -> Iterator[_PartialScope]:
    for index, clause in enumerate(op.requires):

        def encode_requires(
            b: QueryBuilder, index: int = index, clause: ast.Clause = clause
        ) -> _Sites:
            pre = b.pre_scope(op)
            earlier = b.requires(op, pre, upto=index)
            context = [*b.wheres(), *b.invariants(pre), *earlier]
            mark = len(b.exprs.sites)
            b.holds(clause, pre)
            return context, b.sites_since(mark)

        yield _PartialScope(
            clause.id, PRE_SECTIONS, encode_requires, "requires", op.name, index
        )

    if op.effect is not None:

        def encode_effect(b: QueryBuilder) -> _Sites:
            pre = b.pre_scope(op)
            context = b.enabled(op, pre)
            mark = len(b.exprs.sites)
            b.effect_step(op, pre)
            return context, b.sites_since(mark)

        yield _PartialScope(
            f"{_op_id(c, op)}.effect", PRE_SECTIONS, encode_effect, "effect", op.name
        )

    for index, clause in enumerate(op.ensures):

        def encode_ensures(
            b: QueryBuilder, index: int = index, clause: ast.Clause = clause
        ) -> _Sites:
            pre = b.pre_scope(op)
            if op.effect is not None:
                step = b.effect_step(op, pre)
            else:
                step = b.framed_step(op, pre)
            earlier = b.ensures(op, step.post, upto=index)
            context = [*b.enabled(op, pre), *step.relation, *earlier]
            mark = len(b.exprs.sites)
            b.holds(clause, step.post)
            return context, b.sites_since(mark)

        yield _PartialScope(
            clause.id, ALL_SECTIONS, encode_ensures, "ensures", op.name, index
        )
