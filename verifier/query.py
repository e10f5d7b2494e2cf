"""The building blocks of queries: clause contexts, steps and SMT-LIB text.

A ``QueryBuilder`` owns one fresh vocabulary and encoder, so each obligation
is built from scratch in its own Z3 context (see ``verifier.vocabulary``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from spec_lang import ast
from verifier.cardinality import cardinality_facts
from verifier.encode import SEQUENCES, ExprEncoder, PartialSite, Path, Scope
from verifier.obligation import Section
from verifier.transition import frame, run_effect, run_init
from verifier.vocabulary import State, Vocabulary


@dataclass(frozen=True)
class Query:
    """The assertions of one query and the model sections worth reading back."""

    assertions: list[z3.BoolRef]
    sections: tuple[Section, ...]
    quantified: bool = False


@dataclass(frozen=True)
class Step:
    """One transition of an operation from the pre-state of ``pre``.

    ``relation`` ties the post-state (and result) to the pre-state: the
    effect's values, or for an effect-less operation only its frame.
    ``post`` reads ensures: post-state current, pre-state under old().
    """

    pre: Scope
    post: Scope
    relation: list[z3.BoolRef]


@dataclass
class QueryBuilder:
    """Builds one query; ``bounded`` gives identity types finitely many values
    (see ``verifier.vocabulary``), for the counterexample search only."""

    component: ast.Component
    bounded: bool = False
    vocab: Vocabulary = field(init=False)
    exprs: ExprEncoder = field(init=False)
    constants: State = field(init=False)

    def __post_init__(self) -> None:
        self.vocab = Vocabulary(self.component, self.bounded)
        self.exprs = ExprEncoder(self.vocab)
        self.constants = self.vocab.constants()

    def holds(self, clause: ast.Clause, scope: Scope, path: Path = ()) -> z3.BoolRef:
        return self.exprs.encode(clause.expr, scope, path)

    def sites_since(self, mark: int) -> list[PartialSite]:
        return self.exprs.sites[mark:]

    # --- component-wide clauses ---

    def where_clauses(self) -> list[ast.Clause]:
        return [w for c in self.component.consts for w in c.where]

    def wheres(self, upto: int | None = None) -> list[z3.BoolRef]:
        """Encode the where clauses in declaration order, or only the first ``upto``."""
        scope = Scope(self.constants, {})
        return [self.holds(w, scope) for w in self.where_clauses()[:upto]]

    def state_scope(self, section: Section) -> Scope:
        return Scope(self.constants, self.vocab.state(section))

    def invariants(self, scope: Scope, upto: int | None = None) -> list[z3.BoolRef]:
        return [self.holds(i, scope) for i in self.component.invariants[:upto]]

    def initial_state(self) -> State:
        assert self.component.init is not None
        return run_init(self.exprs, self.component.init, Scope(self.constants, {}))

    # --- operations ---

    def pre_scope(self, op: ast.Operation) -> Scope:
        state = self.vocab.state(Section.PRE_STATE)
        return Scope(self.constants, state, arguments=self.vocab.arguments(op))

    def requires(
        self, op: ast.Operation, scope: Scope, upto: int | None = None
    ) -> list[z3.BoolRef]:
        return [self.holds(r, scope) for r in op.requires[:upto]]

    def enabled(self, op: ast.Operation, scope: Scope) -> list[z3.BoolRef]:
        """Encode where, the invariants and every requires in ``scope``'s pre-state."""
        return [*self.wheres(), *self.invariants(scope), *self.requires(op, scope)]

    def effect_step(self, op: ast.Operation, pre: Scope) -> Step:
        values, result_value = run_effect(self.exprs, op, pre)
        post = self.post_scope(op, pre)
        relation = [post.state[name] == values[name] for name in post.state]
        if post.result is not None:
            relation.append(post.result == result_value)
        return Step(pre, post, relation)

    def framed_step(self, op: ast.Operation, pre: Scope) -> Step:
        post = self.post_scope(op, pre)
        return Step(pre, post, frame(op, dict(pre.state), dict(post.state)))

    def step(self, op: ast.Operation, pre: Scope) -> Step:
        """Encode the step: the effect, or else the frame and the ensures."""
        if op.effect is not None:
            return self.effect_step(op, pre)
        framed = self.framed_step(op, pre)
        ensures = self.ensures(op, framed.post)
        return Step(pre, framed.post, [*framed.relation, *ensures])

    def ensures(
        self, op: ast.Operation, post: Scope, upto: int | None = None
    ) -> list[z3.BoolRef]:
        return [self.holds(e, post) for e in op.ensures[:upto]]

    def post_scope(self, op: ast.Operation, pre: Scope) -> Scope:
        """Create post-state and result constants; old() in this scope reads ``pre``."""
        return Scope(
            self.constants,
            self.vocab.state(Section.POST_STATE),
            old=pre.state,
            arguments=pre.arguments,
            result=self.vocab.result(op),
        )

    def render(self, query: Query) -> str:
        """Render the query as a complete SMT-LIB script ending in ``(check-sat)``.

        The script also asserts the vocabulary's background facts (bounded
        universes) and the size facts about the query's set terms.
        """
        solver = z3.Solver(ctx=self.vocab.ctx)
        assertions = [*self.vocab.background, *query.assertions]
        for assertion in assertions:
            solver.add(assertion)
        for fact in cardinality_facts(self.exprs, query.assertions):
            solver.add(fact)
        text: str = solver.to_smt2()
        return text

    def incomplete(self) -> str:
        """Why the terms built so far leave Z3 incomplete, or an empty string."""
        reasons = set(self.exprs.incomplete)
        if self.vocab.nested_sequences:
            reasons.add(SEQUENCES)
        return "; ".join(sorted(reasons))


ALL_SECTIONS = tuple(Section)
PRE_SECTIONS = (Section.CONSTANTS, Section.PRE_STATE, Section.ARGUMENTS)
