"""Re-check a model found under an incomplete encoding against the spec itself.

Z3's model of an obligation whose encoding is incomplete (set sizes given by
facts, quantifiers, lambdas) may satisfy the encoding and still not be a
state of the spec, such as a set of three elements with size one in the
model. Such a model proves nothing. ``reproduce`` evaluates the spec's own
clauses on the model's values, in Python (``verifier.evaluate``), and
confirms the model only when they reproduce what the obligation asks: the
context holds and the goal fails (a counterexample), or everything that must
be possible holds (a witness).

Post-states and results are recomputed from the effect, so a confirmed
counterexample shows what the spec computes, not what the solver guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from spec_lang import ast
from verifier.evaluate import Env, EvaluationError, Evaluator, Undefined
from verifier.obligation import Counterexample, ObligationKind
from verifier.transition import kept_variables
from verifier.values import Unreadable, Value, walk_values


@dataclass(frozen=True)
class Recheck:
    """What an obligation asks, in terms of the spec, so that a model can be
    evaluated against it.

    ``clause`` is the goal clause's id (an invariant, ensures or requires).
    For a ``defined`` obligation, ``scope`` is the kind of scope ("where",
    "invariant", "init", "requires", "effect", "ensures"), ``index`` the
    clause's place in its list, and ``site`` the span of the partial
    operation. For a ``recover`` obligation, ``scope`` is the failure mode's
    name.
    """

    component: ast.Component
    kind: ObligationKind
    operation: str | None = None
    clause: str | None = None
    scope: str | None = None
    index: int | None = None
    site: ast.Span | None = None


@dataclass(frozen=True)
class Reproduction:
    """Whether the spec reproduces a model, and the model as the spec computes it."""

    confirmed: bool
    reason: str = ""
    counterexample: Counterexample | None = None


class _NotReproduced(Exception):
    pass


def reproduce(plan: Recheck, model: Counterexample) -> Reproduction:
    """Evaluate the spec on ``model`` to confirm it is what the obligation asks for."""
    # An effect recomputes the post-state and result, so only the values the
    # evaluation reads must be readable.
    op = None if plan.operation is None else plan.component.operation(plan.operation)
    unreadable = _unreadable(model, op is None or op.effect is None)
    if unreadable:
        return Reproduction(False, unreadable)
    checker = _Checker(plan, model)
    try:
        return _KINDS[plan.kind](checker)
    except _NotReproduced as exc:
        return Reproduction(False, str(exc))
    except Undefined as exc:
        return Reproduction(
            False, f"the spec is undefined on the model at {exc.span}: {exc.what}"
        )
    except EvaluationError as exc:
        return Reproduction(False, f"the model does not fit the spec: {exc}")


def _unreadable(model: Counterexample, with_post: bool) -> str:
    sections = [model.constants, model.pre_state, model.arguments]
    if with_post:
        result = {} if model.result is None else {"result": model.result}
        sections.extend([model.post_state, result])
    for values in sections:
        for name, value in values.items():
            for inner in walk_values(value):
                if isinstance(inner, Unreadable):
                    return f"the model's value of {name} is not finite ({inner.reason})"
    return ""


class _Checker:
    def __init__(self, plan: Recheck, model: Counterexample) -> None:
        self.plan = plan
        self.model = model
        self.component = plan.component
        self.evaluator = Evaluator(plan.component)
        self.op = (
            None if plan.operation is None else plan.component.operation(plan.operation)
        )

    # --- environments ---

    def constants_env(self) -> Env:
        return Env(self.model.constants, {})

    def pre_env(self) -> Env:
        return Env(
            self.model.constants, self.model.pre_state, arguments=self.model.arguments
        )

    def post_env(self, post: dict[str, Value], result: Value | None) -> Env:
        return Env(
            self.model.constants,
            post,
            old=self.model.pre_state,
            arguments=self.model.arguments,
            result=result,
        )

    # --- requirements ---

    def require(self, clause: ast.Clause, env: Env) -> None:
        if not self.evaluator.holds(clause, env):
            raise _NotReproduced(f"the model does not satisfy {clause.id}")

    def refute(self, clause: ast.Clause, env: Env) -> None:
        if self.evaluator.holds(clause, env):
            raise _NotReproduced(f"{clause.id} holds on the model")

    def wheres(self, upto: int | None = None) -> None:
        clauses = [w for c in self.component.consts for w in c.where]
        for clause in clauses[:upto]:
            self.require(clause, self.constants_env())

    def invariants(self, env: Env, upto: int | None = None) -> None:
        for clause in self.component.invariants[:upto]:
            self.require(clause, env)

    def requires(self, upto: int | None = None) -> None:
        for clause in self.operation().requires[:upto]:
            self.require(clause, self.pre_env())

    def enabled(self) -> None:
        self.wheres()
        self.invariants(self.pre_env())
        self.requires()

    def operation(self) -> ast.Operation:
        if self.op is None:
            raise EvaluationError("the obligation names no operation")
        return self.op

    def goal(self, clauses: tuple[ast.Clause, ...]) -> ast.Clause:
        return next(c for c in clauses if c.id == self.plan.clause)

    # --- steps ---

    def step(self) -> tuple[dict[str, Value], Value | None]:
        """The post-state and result: the effect's, or the model's checked
        against the frame and every ensures."""
        op = self.operation()
        if op.effect is not None:
            return self.evaluator.effect(op, self.pre_env())
        post = dict(self.model.post_state)
        for name in kept_variables(op, list(self.model.pre_state)):
            if post.get(name) != self.model.pre_state.get(name):
                raise _NotReproduced(f"the model changes {name}, which {op.name} keeps")
        env = self.post_env(post, self.model.result)
        for clause in op.ensures:
            self.require(clause, env)
        return post, self.model.result

    def confirmed(
        self, post: dict[str, Value] | None = None, result: Value | None = None
    ) -> Reproduction:
        model = self.model
        if post is not None:
            model = replace(model, post_state=post, result=result)
        return Reproduction(True, counterexample=model)


def _const_sat(checker: _Checker) -> Reproduction:
    checker.wheres()
    return checker.confirmed()


def _inv_sat(checker: _Checker) -> Reproduction:
    checker.wheres()
    checker.invariants(checker.pre_env())
    return checker.confirmed()


def _init(checker: _Checker) -> Reproduction:
    checker.wheres()
    post = checker.evaluator.initial_state(checker.model.constants)
    goal = checker.goal(checker.component.invariants)
    checker.refute(goal, Env(checker.model.constants, post))
    model = replace(checker.model, post_state=post)
    return Reproduction(True, counterexample=model)


def _recover(checker: _Checker) -> Reproduction:
    checker.wheres()
    checker.invariants(checker.pre_env())
    component = checker.component
    failure = next(f for f in component.failures if f.name == checker.plan.scope)
    initial = checker.evaluator.initial_state(checker.model.constants)
    pre = checker.model.pre_state
    post = {
        name: pre[name] if name in failure.keeps else value
        for name, value in initial.items()
    }
    goal = checker.goal((*component.invariants, *failure.ensures))
    checker.refute(goal, checker.post_env(post, None))
    return checker.confirmed(post)


def _pre_sat(checker: _Checker) -> Reproduction:
    checker.enabled()
    return checker.confirmed()


def _feasible(checker: _Checker) -> Reproduction:
    # A counterexample claims that no post-state satisfies the ensures, which
    # no evaluation of one post-state can confirm.
    raise _NotReproduced(
        "a counterexample to a forall-exists question (no post-state exists) "
        "cannot be re-checked by evaluation"
    )


def _effect(checker: _Checker) -> Reproduction:
    checker.enabled()
    post, result = checker.step()
    checker.refute(
        checker.goal(checker.operation().ensures), checker.post_env(post, result)
    )
    return checker.confirmed(post, result)


def _preserve(checker: _Checker) -> Reproduction:
    checker.enabled()
    post, result = checker.step()
    goal = checker.goal(checker.component.invariants)
    checker.refute(goal, checker.post_env(post, result))
    return checker.confirmed(post, result)


def _errors(checker: _Checker) -> Reproduction:
    op = checker.operation()
    index = checker.plan.index or 0
    checker.wheres()
    checker.invariants(checker.pre_env())
    checker.requires(upto=index)
    for clause in op.requires[index + 1 :]:
        if clause.error is None:
            checker.require(clause, checker.pre_env())
    checker.refute(op.requires[index], checker.pre_env())
    return checker.confirmed()


def _defined(checker: _Checker) -> Reproduction:
    """Evaluate the scope's context, then its clause or block, expecting the
    partial operation at ``site`` to be undefined."""
    plan = checker.plan
    target = _defined_target(checker, plan.index or 0)
    try:
        target()
    except Undefined as exc:
        if exc.span == plan.site:
            return checker.confirmed()
        raise _NotReproduced(
            f"the model makes {exc.span} undefined first, not {plan.site}"
        ) from None
    raise _NotReproduced("the expression is defined on the model")


def _defined_target(checker: _Checker, index: int) -> Callable[[], object]:
    """Check the context of a ``defined`` scope; return how to evaluate its body."""
    evaluator = checker.evaluator
    scope = checker.plan.scope
    if scope == "where":
        checker.wheres(upto=index)
        clause = [w for c in checker.component.consts for w in c.where][index]
        return partial(evaluator.holds, clause, checker.constants_env())
    if scope == "invariant":
        checker.wheres()
        checker.invariants(checker.pre_env(), upto=index)
        return partial(
            evaluator.holds, checker.component.invariants[index], checker.pre_env()
        )
    if scope == "init":
        checker.wheres()
        return partial(evaluator.initial_state, checker.model.constants)
    if scope == "requires":
        checker.wheres()
        checker.invariants(checker.pre_env())
        checker.requires(upto=index)
        clause = checker.operation().requires[index]
        return partial(evaluator.holds, clause, checker.pre_env())
    if scope == "effect":
        checker.enabled()
        return partial(evaluator.effect, checker.operation(), checker.pre_env())
    return _ensures_target(checker, index)


def _ensures_target(checker: _Checker, index: int) -> Callable[[], object]:
    op = checker.operation()
    checker.enabled()
    if op.effect is not None:
        post, result = checker.evaluator.effect(op, checker.pre_env())
    else:
        post, result = dict(checker.model.post_state), checker.model.result
        for name in kept_variables(op, list(checker.model.pre_state)):
            if post.get(name) != checker.model.pre_state.get(name):
                raise _NotReproduced(f"the model changes {name}, which {op.name} keeps")
    env = checker.post_env(post, result)
    for clause in op.ensures[:index]:
        checker.require(clause, env)
    return partial(checker.evaluator.holds, op.ensures[index], env)


_KINDS: dict[ObligationKind, Callable[[_Checker], Reproduction]] = {
    ObligationKind.CONST_SAT: _const_sat,
    ObligationKind.INV_SAT: _inv_sat,
    ObligationKind.INIT: _init,
    ObligationKind.PRE_SAT: _pre_sat,
    ObligationKind.FEASIBLE: _feasible,
    ObligationKind.EFFECT: _effect,
    ObligationKind.PRESERVE: _preserve,
    ObligationKind.RECOVER: _recover,
    ObligationKind.ERRORS: _errors,
    ObligationKind.DEFINED: _defined,
}
