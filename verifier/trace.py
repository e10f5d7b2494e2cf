"""Traces: runs of a component from an initial state, as plain data.

A temporal counterexample or witness is a trace: the constants, the initial
state, and each step's action, arguments, result and the state after it. A
lasso marks the state that the last state equals, so the steps from there on
repeat forever. Traces are what the CLI prints as a table and what
``specfirst check --export-tests`` turns into a regression test.

``replay`` runs a trace through the spec itself (``verifier.evaluate``): it
recomputes the initial state and every effect, and checks every requires,
frame and ensures. A trace the solver found counts only once it replays, so a
model that satisfies an incomplete encoding but is no run of the spec is
never shown as a counterexample. Nothing here imports z3.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from spec_lang import ast
from spec_lang.types import BoolT, EnumT, IdentityT, Type
from verifier.evaluate import Env, EvaluationError, Evaluator, Undefined
from verifier.transition import kept_variables
from verifier.values import (
    Identity,
    Value,
    contains_unreadable,
    value_from_json,
    value_to_json,
    walk_values,
)

State = dict[str, Value]

# The kind of a step on which a failure mode crashes the component.
CRASH = "crash"

# The most argument tuples ``argument_choices`` enumerates for one action.
MAX_ARGUMENT_CHOICES = 256


@dataclass(frozen=True)
class TraceStep:
    """One step: ``action(arguments)`` returned ``result`` and led to ``state``.

    A step of kind ``CRASH`` is a crash and recovery of the failure mode
    named ``action``, which has no arguments and no result.
    """

    action: str
    kind: str  # "operation", "query", "environment" or CRASH
    arguments: dict[str, Value]
    state: State
    result: Value | None = None
    changed: tuple[str, ...] = ()

    def call(self) -> str:
        """Write the step as a call: ``tick(elapsed=3)``."""
        args = ", ".join(f"{n}={_show(v)}" for n, v in self.arguments.items())
        return f"{self.action}({args})"

    def label(self) -> str:
        """Name the step's action as a trace shows it: ``failure crash`` for a
        crash, else the action's name."""
        return f"failure {self.action}" if self.kind == CRASH else self.action


@dataclass(frozen=True)
class Trace:
    """A run from an initial state; state ``i`` is the state after step ``i``.

    State 0 is ``initial``. ``loop_start`` makes the trace a lasso: the last
    state equals state ``loop_start``, so the steps after it repeat forever.
    ``trigger`` is the state where a leads-to property's trigger held, and
    ``violation`` the state where the property failed (a safety property) or
    the last state of the response window (a liveness property).
    """

    constants: dict[str, Value]
    initial: State
    steps: tuple[TraceStep, ...] = ()
    loop_start: int | None = None
    trigger: int | None = None
    violation: int | None = None

    def states(self) -> list[State]:
        return [self.initial, *(s.state for s in self.steps)]

    def to_json(self) -> dict[str, Any]:
        return {
            "constants": _values_json(self.constants),
            "initial": _values_json(self.initial),
            "steps": [_step_json(s) for s in self.steps],
            "loop_start": self.loop_start,
            "trigger": self.trigger,
            "violation": self.violation,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Trace:
        return cls(
            _values_from_json(data["constants"]),
            _values_from_json(data["initial"]),
            tuple(_step_from_json(s) for s in data["steps"]),
            data.get("loop_start"),
            data.get("trigger"),
            data.get("violation"),
        )


def argument_choices(op: ast.Operation, trace: Trace) -> list[State] | None:
    """Arguments of ``op`` that together decide whether it is enabled in any
    state of ``trace``, or None when a parameter is not a Bool, an enum or an
    identity, or there are more than ``MAX_ARGUMENT_CHOICES``.

    An identity parameter ranges over the identities the trace mentions and
    one it does not: the spec compares identities only with ``==`` and
    ``!=``, so every unmentioned identity behaves as that one does.
    """
    mentioned = _identities(trace)
    per_parameter: list[list[Value]] = []
    for param in op.params:
        values = _parameter_values(param.type, mentioned)
        if values is None:
            return None
        per_parameter.append(values)
    choices = [
        dict(zip([p.name for p in op.params], combination, strict=True))
        for combination in itertools.product(*per_parameter)
    ]
    return choices if len(choices) <= MAX_ARGUMENT_CHOICES else None


def _parameter_values(
    type_: Type | None, mentioned: dict[str, set[int]]
) -> list[Value] | None:
    if isinstance(type_, BoolT):
        return [False, True]
    if isinstance(type_, EnumT):
        return list(type_.members)
    if isinstance(type_, IdentityT):
        numbers = mentioned.get(type_.name, set())
        unmentioned = max(numbers, default=0) + 1
        return [Identity(type_.name, n) for n in sorted({*numbers, unmentioned})]
    return None


def _identities(trace: Trace) -> dict[str, set[int]]:
    """The numbers of the identities ``trace`` mentions, per identity type."""
    sections: list[State] = [trace.constants, trace.initial]
    for step in trace.steps:
        result = {} if step.result is None else {"result": step.result}
        sections.extend([step.arguments, step.state, result])
    found: dict[str, set[int]] = {}
    for values in sections:
        for value in values.values():
            for inner in walk_values(value):
                if isinstance(inner, Identity):
                    found.setdefault(inner.type, set()).add(inner.number)
    return found


def with_changes(trace: Trace) -> Trace:
    """Fill each step's ``changed``: the variables whose value the step altered."""
    steps = []
    before = trace.initial
    for step in trace.steps:
        changed = tuple(n for n, v in step.state.items() if before.get(n) != v)
        steps.append(replace(step, changed=changed))
        before = step.state
    return replace(trace, steps=tuple(steps))


# --- replaying a trace through the spec ------------------------------------------


class NotReplayed(Exception):
    """The trace is not a run of the spec; the message says which step breaks."""


@dataclass
class Replay:
    """Evaluates the clauses of one component on the states of a trace."""

    component: ast.Component
    evaluator: Evaluator = field(init=False)

    def __post_init__(self) -> None:
        self.evaluator = Evaluator(self.component)

    def run(self, trace: Trace) -> Trace:
        """Recompute ``trace`` from its constants and calls.

        Effects are recomputed, so the returned trace shows what the spec
        computes; the states of effect-less operations are the trace's own,
        checked against their frame and ensures.

        Raises:
            NotReplayed: a value is not finite, init or a step disagrees with
                the trace, or a requires, frame or ensures does not hold.
        """
        self._readable(trace)
        try:
            return with_changes(self._run(trace))
        except Undefined as exc:
            raise NotReplayed(
                f"the spec is undefined at {exc.span}: {exc.what}"
            ) from exc
        except EvaluationError as exc:
            raise NotReplayed(f"the trace does not fit the spec: {exc}") from exc

    def holds(
        self, expr: ast.Expr, trace: Trace, position: int, with_old: bool
    ) -> bool:
        """Evaluate ``expr`` in state ``position``; ``old`` reads the one before."""
        states = trace.states()
        old = states[position - 1] if with_old else None
        env = Env(trace.constants, states[position], old=old)
        try:
            value = self.evaluator.expr(expr, env)
        except (Undefined, EvaluationError) as exc:
            raise NotReplayed(f"cannot evaluate the property: {exc}") from exc
        if not isinstance(value, bool):
            raise NotReplayed(f"the property evaluates to {value!r}, not a Bool")
        return value

    def enabled(self, action: str, state: State, trace: Trace, args: State) -> bool:
        """Whether every requires of ``action(args)`` holds in ``state``."""
        op = self.component.operation(action)
        env = Env(trace.constants, state, arguments=args)
        try:
            return all(self.evaluator.holds(r, env) for r in op.requires)
        except (Undefined, EvaluationError):
            return False

    def enabled_for_some(self, action: str, state: State, trace: Trace) -> bool | None:
        """Whether some arguments satisfy every requires of ``action`` in
        ``state``, or None when its parameters cannot be enumerated."""
        choices = argument_choices(self.component.operation(action), trace)
        if choices is None:
            return None
        return any(self.enabled(action, state, trace, args) for args in choices)

    def _run(self, trace: Trace) -> Trace:
        initial = self.evaluator.initial_state(trace.constants)
        if initial != trace.initial:
            raise NotReplayed(f"init builds {initial}, not {trace.initial}")
        state, steps = initial, []
        for number, step in enumerate(trace.steps, start=1):
            step = self._step(number, step, state, trace.constants)
            steps.append(step)
            state = step.state
        return replace(trace, initial=initial, steps=tuple(steps))

    def _step(
        self, number: int, step: TraceStep, state: State, constants: State
    ) -> TraceStep:
        if step.kind == CRASH:
            return self._crash(number, step, state, constants)
        op = self.component.operation(step.action)
        env = Env(constants, state, arguments=step.arguments)
        for clause in op.requires:
            if not self.evaluator.holds(clause, env):
                raise NotReplayed(f"step {number}: {clause.id} does not hold")
        if op.effect is not None:
            post, result = self.evaluator.effect(op, env)
            post = {n: post[n] for n in state}
            return replace(step, state=post, result=result)
        for name in kept_variables(op, list(state)):
            if step.state.get(name) != state[name]:
                raise NotReplayed(f"step {number}: {op.name} changes {name}")
        post_env = Env(
            constants,
            step.state,
            old=state,
            arguments=step.arguments,
            result=step.result,
        )
        for clause in op.ensures:
            if not self.evaluator.holds(clause, post_env):
                raise NotReplayed(f"step {number}: {clause.id} does not hold")
        return step

    def _crash(
        self, number: int, step: TraceStep, state: State, constants: State
    ) -> TraceStep:
        """Recompute a crash: kept variables stay, the others restart at init's."""
        failure = next(
            (f for f in self.component.failures if f.name == step.action), None
        )
        if failure is None:
            raise NotReplayed(f"step {number}: failure mode {step.action} not found")
        initial = self.evaluator.initial_state(constants)
        post = {
            name: value if name in failure.keeps else initial[name]
            for name, value in state.items()
        }
        return replace(step, arguments={}, state=post, result=None)

    def _readable(self, trace: Trace) -> None:
        sections: list[dict[str, Value]] = [trace.constants, trace.initial]
        for step in trace.steps:
            sections.extend([step.arguments, step.state])
        for values in sections:
            for name, value in values.items():
                if contains_unreadable(value):
                    raise NotReplayed(f"the value of {name} is not finite: {value}")


# --- JSON ---------------------------------------------------------------------------


def _show(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _values_json(values: dict[str, Value]) -> dict[str, Any]:
    return {name: value_to_json(value) for name, value in values.items()}


def _values_from_json(data: dict[str, Any]) -> dict[str, Value]:
    return {name: value_from_json(value) for name, value in data.items()}


def _step_json(step: TraceStep) -> dict[str, Any]:
    return {
        "action": step.action,
        "kind": step.kind,
        "arguments": _values_json(step.arguments),
        "result": None if step.result is None else value_to_json(step.result),
        "state": _values_json(step.state),
        "changed": list(step.changed),
    }


def _step_from_json(data: dict[str, Any]) -> TraceStep:
    result = data.get("result")
    return TraceStep(
        action=data["action"],
        kind=data["kind"],
        arguments=_values_from_json(data["arguments"]),
        state=_values_from_json(data["state"]),
        result=None if result is None else value_from_json(result),
        changed=tuple(data.get("changed", ())),
    )


def shorten(trace: Trace, replay: Replay, keeps: Callable[[Trace], bool]) -> Trace:
    """Drop steps while the trace still replays and ``keeps`` still holds of it.

    A witness found with pauses may take detours: it first cuts every loop
    (the steps between two equal states), then tries to drop single steps.
    The result need not be the shortest run, only one without loops from
    which no single step can be dropped.
    """
    current = trace
    for candidate in _candidates(current):
        try:
            shorter = replay.run(candidate)
        except NotReplayed:
            continue
        if keeps(shorter):
            return shorten(shorter, replay, keeps)
    return current


def _candidates(trace: Trace) -> list[Trace]:
    """Traces with a loop cut out, longest loops first, then one step fewer."""
    states = trace.states()
    loops = [
        (i, j)
        for i in range(len(states))
        for j in range(len(states) - 1, i, -1)
        if states[i] == states[j]
    ]
    loops.sort(key=lambda pair: pair[0] - pair[1])
    cuts = [trace.steps[:i] + trace.steps[j:] for i, j in loops]
    cuts.extend(trace.steps[:i] + trace.steps[i + 1 :] for i in range(len(trace.steps)))
    return [replace(trace, steps=steps) for steps in cuts]


def plural(count: int, noun: str) -> str:
    """``1 step``, ``2 steps``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
