"""Unroll a component's runs into one query: states s0..sn and the steps between.

The state after step ``i`` is the constants ``s<i>!x``; the action taken at
step ``i`` is the integer ``act!<i>``, an index into the component's
operations, then into its failure modes when the unrolling counts crashes
(``PAUSE`` where the unrolling lets the run stop early); and the
arguments and result of each operation at step ``i`` are ``a<i>!op!p`` and
``r<i>!op``. A step is an operation, query or environment action whose every
requires holds: a call that returns an error changes nothing, so it is not a
step. Each step is encoded with the catalog's own pieces (``run_effect``, the
frame, the ensures of an effect-less operation), so a run here is a sequence
of the steps that ``preserve`` checks one at a time.

An unrolling with ``crashes`` also lets the environment crash the component
between any two steps, as the generated fault tests do. A crash of failure
mode ``f`` keeps the variables ``f`` keeps and resets the others to the
values init gives them. That is the post-state that the catalog's
``recover`` obligation starts from.

``Layout`` records what each model symbol means, so that a model of the
query reads back as a ``Trace`` in the spec's own names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import z3

from spec_lang import ast
from spec_lang.types import BoolT, EnumT, IntT, Type
from verifier.counterexample import to_counterexample
from verifier.encode import Scope
from verifier.fresh import FRESH_QUANTIFIER, Absence
from verifier.obligation import Answer, ModelSymbol, Obligation, ObligationKind, Section
from verifier.outcome import RawModel
from verifier.query import Query, QueryBuilder
from verifier.trace import CRASH, Trace, TraceStep, with_changes
from verifier.trace import State as ValueState
from verifier.transition import frame, run_effect
from verifier.values import Identity, renumber_identities, walk_values
from verifier.vocabulary import State, constructor_name, type_shape

PAUSE = -1

# The reason a query with quantifiers over arguments may come back unknown.
ENABLED_QUANTIFIER = (
    "whether an action with parameters is enabled is a quantifier over its "
    "arguments, decided by instantiation"
)


# A spec name and the SMT name of the constant that carries its value.
Named = tuple[str, str]


@dataclass
class Layout:
    """The meaning of a query's model symbols: constants, states and steps.

    Every symbol but the constants' is filed under its own SMT name, so that
    one reading of the model numbers the identities of all of them alike.
    """

    constants: list[ModelSymbol] = field(default_factory=list)
    named: list[ModelSymbol] = field(default_factory=list)
    states: list[list[Named]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)  # act!<i> per step
    # Per step, per operation: its arguments and its result.
    arguments: list[dict[str, list[Named]]] = field(default_factory=list)
    results: list[dict[str, str]] = field(default_factory=list)

    def symbols(self) -> tuple[ModelSymbol, ...]:
        actions = [ModelSymbol(Section.ARGUMENTS, a, a, "Int") for a in self.actions]
        return (*self.constants, *self.named, *actions)


@dataclass(frozen=True)
class RunQuery:
    """One query about runs: the obligation a solver runs, and how to read it."""

    obligation: Obligation
    layout: Layout
    component: ast.Component
    # The number of steps unrolled, and the position a decision reads.
    length: int
    position: int = 0


@dataclass(frozen=True)
class ReadTrace:
    """A trace read from a model, with the trace position of every unrolled state
    (pauses leave the trace, so positions after one shift back). ``pending``
    is a call chosen after the last state, whose requires hold there."""

    trace: Trace
    positions: list[int]
    pending: TraceStep | None = None


class Unrolling:
    """The states and steps of one query's runs, built in its own Z3 context."""

    def __init__(self, component: ast.Component, crashes: bool = False) -> None:
        self.component = component
        self.crashes = crashes and bool(component.failures)
        self.builder = QueryBuilder(component)
        self.vocab = self.builder.vocab
        self.constants = self.builder.constants
        self.layout = Layout(constants=list(self.vocab.symbols([Section.CONSTANTS])))
        self.incomplete: set[str] = set()
        self._states: list[State] = []
        self._actions: list[z3.ArithRef] = []
        self._arguments: list[dict[str, State]] = []
        self._results: list[dict[str, z3.ExprRef | None]] = []

    # --- symbols ---

    def state(self, index: int) -> State:
        """The state variables of state ``index``, created on first use."""
        while len(self._states) <= index:
            i = len(self._states)
            names, state = [], {}
            for var in self.component.vars:
                smt = f"s{i}!{var.name}"
                state[var.name] = self._constant(smt, var.type)
                names.append((var.name, smt))
            self._states.append(state)
            self.layout.states.append(names)
        return self._states[index]

    def _step_symbols(self, index: int) -> None:
        while len(self._actions) <= index:
            i = len(self._actions)
            name = f"act!{i}"
            self._actions.append(z3.Int(name, ctx=self.vocab.ctx))
            self.layout.actions.append(name)
            arguments: dict[str, State] = {}
            argument_names: dict[str, list[Named]] = {}
            results: dict[str, z3.ExprRef | None] = {}
            result_names: dict[str, str] = {}
            for op in self.component.operations:
                terms, names = {}, []
                for param in op.params:
                    smt = f"a{i}!{op.name}!{param.name}"
                    terms[param.name] = self._constant(smt, param.type)
                    names.append((param.name, smt))
                arguments[op.name], argument_names[op.name] = terms, names
                results[op.name] = None
                if op.result_type is not None:
                    smt = f"r{i}!{op.name}"
                    results[op.name] = self._constant(smt, op.result_type)
                    result_names[op.name] = smt
            self._arguments.append(arguments)
            self._results.append(results)
            self.layout.arguments.append(argument_names)
            self.layout.results.append(result_names)

    def _constant(self, smt_name: str, type_: Type | None) -> z3.ExprRef:
        term = z3.Const(smt_name, self.vocab.sort(type_))
        self.layout.named.append(
            symbol_of(Section.PRE_STATE, smt_name, smt_name, type_)
        )
        return term

    # --- clauses of runs ---

    def wheres(self) -> list[z3.BoolRef]:
        return self.builder.wheres()

    def initial(self) -> list[z3.BoolRef]:
        """State 0 is the state init builds."""
        if self.component.init is None:  # the checker allows this only without state
            return []
        built = self.builder.initial_state()
        return [self.state(0)[n] == built[n] for n in self.state(0)]

    def invariants(self, index: int) -> list[z3.BoolRef]:
        return self.builder.invariants(Scope(self.constants, self.state(index)))

    def scope(self, index: int, with_old: bool = False) -> Scope:
        old = self.state(index - 1) if with_old else None
        return Scope(self.constants, self.state(index), old=old)

    def holds(self, expr: ast.Expr, index: int, with_old: bool = False) -> z3.BoolRef:
        """``expr`` in state ``index``; ``old(e)`` reads state ``index - 1``."""
        term = self.builder.exprs.encode(expr, self.scope(index, with_old))
        assert isinstance(term, z3.BoolRef)
        return term

    def step(self, index: int, pause: bool = False) -> z3.BoolRef:
        """Step ``index`` leads from state ``index`` to the next: one enabled
        action, or (with ``pause``) no change at all."""
        self._step_symbols(index)
        action = self._actions[index]
        options = [
            z3.And(action == number, *self.move(op, index))
            for number, op in enumerate(self.component.operations)
        ]
        if self.crashes:
            first = len(self.component.operations)
            options.extend(
                z3.And(action == first + number, *self.crash(failure, index))
                for number, failure in enumerate(self.component.failures)
            )
        if pause:
            before, after = self.state(index), self.state(index + 1)
            unchanged = [after[n] == before[n] for n in before]
            options.append(z3.And(action == PAUSE, *unchanged))
        if not options:
            return z3.BoolVal(False, ctx=self.vocab.ctx)
        return z3.Or(*options)

    def steps(self, start: int, stop: int, pause: bool = False) -> list[z3.BoolRef]:
        return [self.step(i, pause) for i in range(start, stop)]

    def move(self, op: ast.Operation, index: int) -> list[z3.BoolRef]:
        """``op`` taken at step ``index``: its requires, then its effect, or its
        frame and ensures."""
        self._step_symbols(index)
        pre, post = self.state(index), self.state(index + 1)
        arguments = self._arguments[index][op.name]
        result = self._results[index][op.name]
        scope = Scope(self.constants, pre, arguments=arguments)
        clauses = [self.builder.holds(r, scope) for r in op.requires]
        if op.effect is not None:
            values, value = run_effect(self.builder.exprs, op, scope)
            clauses.extend(post[n] == values[n] for n in post)
            if result is not None and value is not None:
                clauses.append(result == value)
            return clauses
        after = Scope(self.constants, post, old=pre, arguments=arguments, result=result)
        clauses.extend(frame(op, dict(pre), dict(post)))
        clauses.extend(self.builder.holds(e, after) for e in op.ensures)
        return clauses

    def crash(self, failure: ast.FailureMode, index: int) -> list[z3.BoolRef]:
        """``failure`` crashes the component at step ``index``: the kept
        variables keep their values and the others restart at init's.

        The failure's ensures are not assumed. The recover obligation proves
        them, and assuming one that is false would drop crashes that the
        fault tests make.
        """
        pre, post = self.state(index), self.state(index + 1)
        initial = self.builder.initial_state()
        return [
            post[name] == (pre[name] if name in failure.keeps else initial[name])
            for name in post
        ]

    def taken(self, op: ast.Operation, index: int) -> z3.BoolRef:
        self._step_symbols(index)
        number = self.component.operations.index(op)
        return self._actions[index] == number

    def enabled(self, op: ast.Operation, index: int) -> z3.BoolRef:
        """Some arguments satisfy every requires of ``op`` in state ``index``."""
        bound = {
            p.name: z3.Const(f"en!{index}!{op.name}!{p.name}", self.vocab.sort(p.type))
            for p in op.params
        }
        scope = Scope(self.constants, self.state(index), arguments=bound)
        requires = [self.builder.holds(r, scope) for r in op.requires]
        body = z3.And(*requires) if requires else z3.BoolVal(True, ctx=self.vocab.ctx)
        if not bound:
            return body
        self.incomplete.add(ENABLED_QUANTIFIER)
        return z3.Exists(list(bound.values()), body)

    def witness_enabled(self, op: ast.Operation, index: int) -> list[z3.BoolRef]:
        """Every requires of ``op`` holds in state ``index`` for the arguments of
        step ``index``, which a model then shows."""
        self._step_symbols(index)
        arguments = self._arguments[index][op.name]
        scope = Scope(self.constants, self.state(index), arguments=arguments)
        return [
            self.taken(op, index),
            *(self.builder.holds(r, scope) for r in op.requires),
        ]

    def fresh_identities(self, index: int) -> list[z3.BoolRef]:
        """For each identity type, a value that state ``index`` and the constants
        do not mention; every run of the spec has one (see ``verifier.fresh``)."""
        values = [
            *((self.constants[c.name], c.type) for c in self.component.consts),
            *((self.state(index)[v.name], v.type) for v in self.component.vars),
        ]
        assertions: list[z3.BoolRef] = []
        for decl in self.component.identities:
            sort = self.vocab.identity(decl.name)
            fresh = z3.Const(f"fresh!{index}!{decl.name}", sort)
            absence = Absence(self.vocab, decl.name, fresh)
            assertions.extend(
                absence.absent(term, type_)
                for term, type_ in values
                if type_ is not None and absence.mentions(type_)
            )
            if absence.quantified:
                self.incomplete.add(FRESH_QUANTIFIER)
        return assertions

    def equal(self, first: int, second: int) -> z3.BoolRef:
        a, b = self.state(first), self.state(second)
        same = [a[n] == b[n] for n in a]
        return z3.And(*same) if same else z3.BoolVal(True, ctx=self.vocab.ctx)

    def distinct(self, indices: Sequence[int]) -> list[z3.BoolRef]:
        """No two of the states ``indices`` are equal: the path is simple."""
        return [
            z3.Not(self.equal(a, b))
            for i, a in enumerate(indices)
            for b in indices[i + 1 :]
        ]

    # --- the query ---

    def finish(
        self,
        id_: str,
        kind: ObligationKind,
        clause: tuple[str, ast.Span],
        description: str,
        assertions: Iterable[z3.BoolRef],
        length: int,
        position: int = 0,
    ) -> RunQuery:
        """Render the query. Its answer is ``sat`` when a run of the kind
        ``description`` names exists, so ``proved_when`` is ``UNSAT``."""
        listed = list(assertions)
        text = self.builder.render(Query(listed, (Section.CONSTANTS,)))
        reasons = set(self.incomplete)
        incomplete = getattr(self.builder, "incomplete", None)
        if callable(incomplete) and incomplete():
            reasons.add(incomplete())
        obligation = Obligation(
            id=id_,
            kind=kind,
            component=self.component.name,
            clause_id=clause[0],
            span=clause[1],
            description=description,
            smt=text,
            proved_when=Answer.UNSAT,
            symbols=self.layout.symbols(),
            incomplete="; ".join(sorted(reasons)),
        )
        return RunQuery(obligation, self.layout, self.component, length, position)


def symbol_of(
    section: Section, name: str, smt_name: str, type_: Type | None
) -> ModelSymbol:
    """The model symbol of one constant, as ``verifier.vocabulary`` makes them."""
    if isinstance(type_, EnumT):
        constructors = tuple(constructor_name(type_.name, m) for m in type_.members)
        return ModelSymbol(
            section, name, smt_name, type_.name, type_.members, constructors
        )
    if isinstance(type_, BoolT | IntT) or type_ is None:
        return ModelSymbol(section, name, smt_name, str(type_))
    return ModelSymbol(section, name, smt_name, str(type_), shape=type_shape(type_))


def read_trace(query: RunQuery, raw: RawModel) -> ReadTrace:
    """Read a model of ``query`` as a trace; pauses are left out."""
    layout = query.layout
    read = to_counterexample(layout.symbols(), raw)
    values = read.pre_state

    def named(pairs: list[Named]) -> ValueState:
        return {name: values[smt] for name, smt in pairs if smt in values}

    states = [named(pairs) for pairs in layout.states]
    steps: list[TraceStep] = []
    positions = [0]
    pending = None
    operations = query.component.operations
    failures = query.component.failures
    for index, name in enumerate(layout.actions):
        number = raw.get(name)
        if not isinstance(number, int) or not 0 <= number < len(operations):
            crash = _crash_step(failures, number, len(operations))
            if crash is not None and index + 1 < len(states):
                steps.append(replace(crash, state=states[index + 1]))
                positions.append(len(steps))
                continue
            positions.append(positions[-1])
            continue
        op = operations[number]
        arguments = named(layout.arguments[index][op.name])
        if index + 1 >= len(states):
            pending = TraceStep(op.name, op.kind.value, arguments, {})
            break
        smt = layout.results[index].get(op.name)
        result = None if smt is None else values.get(smt)
        steps.append(
            TraceStep(op.name, op.kind.value, arguments, states[index + 1], result)
        )
        positions.append(len(steps))
    trace = Trace(read.constants, states[0] if states else {}, tuple(steps))
    trace, pending = _renumbered(trace, pending)
    return ReadTrace(with_changes(trace), positions, pending)


def _crash_step(
    failures: tuple[ast.FailureMode, ...], number: object, first: int
) -> TraceStep | None:
    """Return the crash step that action number ``number`` encodes, or None
    when the number is no crash."""
    if not isinstance(number, int) or not first <= number < first + len(failures):
        return None
    return TraceStep(failures[number - first].name, CRASH, {}, {})


def _renumbered(
    trace: Trace, pending: TraceStep | None
) -> tuple[Trace, TraceStep | None]:
    """Number identities from 1 per type in the order the trace shows them,
    so that the arguments of calls never made take no numbers."""
    sections: list[ValueState] = [trace.constants, trace.initial]
    for step in trace.steps:
        sections.extend([step.arguments, step.state])
    if pending is not None:
        sections.append(pending.arguments)
    renumber: dict[Identity, Identity] = {}
    counts: dict[str, int] = {}
    for values in sections:
        for value in values.values():
            for inner in walk_values(value):
                if isinstance(inner, Identity) and inner not in renumber:
                    counts[inner.type] = counts.get(inner.type, 0) + 1
                    renumber[inner] = Identity(inner.type, counts[inner.type])

    def apply(values: ValueState) -> ValueState:
        return {n: renumber_identities(v, renumber) for n, v in values.items()}

    steps = tuple(
        replace(
            s,
            arguments=apply(s.arguments),
            state=apply(s.state),
            result=None
            if s.result is None
            else renumber_identities(s.result, renumber),
        )
        for s in trace.steps
    )
    renamed = replace(
        trace,
        constants=apply(trace.constants),
        initial=apply(trace.initial),
        steps=steps,
    )
    if pending is not None:
        pending = replace(pending, arguments=apply(pending.arguments))
    return renamed, pending


def uses_old(expr: ast.Expr) -> bool:
    """Whether ``expr`` reads the previous state, which makes it a step property."""
    stack: list[object] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Old):
            return True
        for name in getattr(node, "__dataclass_fields__", {}):
            value = getattr(node, name)
            items = value if isinstance(value, tuple) else (value,)
            stack.extend(
                v for v in items if hasattr(v, "span") and not isinstance(v, ast.Span)
            )
    return False
