"""Decide whether a concurrent history is linearizable with respect to a model.

A history is linearizable when its operations can be put in one sequential
order that respects real time and in which the sequential model gives every
operation the result it returned. Respecting real time means that an
operation that returned before another was called comes first.

The search is Wing and Gong's: take, among the operations that may go next,
one the model accepts, and backtrack when none does. Lowe's memoization
makes it practical: two search nodes that have linearized the same set of
operations and reached the same model state have the same future, so each
(set, state) pair is explored once. Porcupine uses the same pair of ideas.
The operations that may go next are those called before the first response
still waiting; calls and responses sit in one list sorted by time, from
which a linearized operation is unlinked and relinked on backtracking.

Three reductions keep histories of many concurrent clients tractable. Each
one keeps the search complete, and a property test checks the verdict
against trying every order:

- a read (``reads_only``) that the current state allows is linearized at
  once, without a backtrack point: it changes nothing and nothing must come
  before it, so any order from here can start with it;
- of several candidates alike in operation, arguments and outcome, only the
  one with the earliest response is tried: two such operations can swap
  places in any order without breaking real time;
- each (state, operation) step is computed once, as states are numbered.

Candidates are tried earliest response first, which finds an order without
backtracking in most recorded histories.

Three verdicts, never folded into one another: ``LINEARIZABLE`` with a
witness order, ``VIOLATED`` with the smallest window of overlapping
operations that no order explains, and ``UNKNOWN`` when the time limit ran
out first. Where the caller declares operations on different keys
independent, each key's operations are checked on their own, which turns one
exponential search into many small ones.

A model has four methods: ``initial()`` gives the initial state, ``step(state,
operation)`` gives the state after the operation if the model allows its
outcome there (None otherwise, and a pending operation's unknown outcome is
always allowed), ``fingerprint(state)`` gives a hashable value equal for equal
states, and ``describe(state)`` renders one. ``step`` must not change the
state it is given, and no state may be None. An optional fifth method,
``reads_only(operation)``, tells which operations never change the state.
"""

from __future__ import annotations

import copy
import enum
import logging
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, Protocol, TypeVar

from specfirst.runtime.contract import Outcome
from specfirst.runtime.errors import ModelError, PreconditionViolated
from specfirst.runtime.history import History, Operation
from specfirst.runtime.model import SpecModel

log = logging.getLogger(__name__)

S = TypeVar("S")

# The search reads the clock once every this many steps.
_CLOCK_EVERY = 512
# How many distinct states a violation report lists, at most.
_STATES_SHOWN = 6
# How many states the report gathers before it stops looking for more.
_STATES_GATHERED = 256
# The response time of an operation that never responded, for ordering.
_NEVER = 1 << 63


class Model(Protocol[S]):
    """A sequential specification the checker can run."""

    def initial(self) -> S: ...

    def step(self, state: S, operation: Operation) -> S | None: ...

    def fingerprint(self, state: S) -> Hashable: ...

    def describe(self, state: S) -> str: ...


class Verdict(enum.Enum):
    LINEARIZABLE = "linearizable"
    VIOLATED = "violated"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Window:
    """The smallest stretch of a history that no sequential order explains.

    Attributes:
        failing: the operation whose response first made the history
            impossible: every prefix of the history that ends before it has
            an order, none that includes it has.
        operations: ``failing`` and the operations overlapping it whose
            results rule out every order, sorted by call. Making any one of
            them pending (result ignored, effect optional) gives an order
            again: the window is 1-minimal.
        ignored: how many other operations overlap ``failing`` without
            mattering to the violation.
        states: the model states the rest of the history allows when
            ``failing`` was called (some of the overlapping operations may
            have taken effect already).
        states_complete: False when the time limit stopped the search for
            states, so there may be more.
        minimal: False when the time limit stopped the shrinking, so the
            window may contain operations that do not matter.
    """

    failing: Operation
    operations: tuple[Operation, ...]
    ignored: int
    states: tuple[str, ...]
    states_complete: bool = True
    minimal: bool = True


@dataclass(frozen=True)
class CheckResult:
    """The verdict on a history, with what supports it.

    Attributes:
        verdict: linearizable, violated, or unknown.
        operations: how many operations the history had.
        partitions: how many independent parts it was checked in.
        explored: search nodes visited, over every part.
        seconds: time the check took.
        order: for a linearizable history of one part, its operations in a
            witness order.
        key: for a violation or an unknown verdict, the part it concerns.
        window: for a violation, where it is; None when the time limit did
            not leave room to find it.
        reason: for an unknown verdict, why the check stopped.
    """

    verdict: Verdict
    operations: int
    partitions: int
    explored: int
    seconds: float
    order: tuple[Operation, ...] = ()
    key: Hashable = None
    window: Window | None = None
    reason: str = ""
    origin: int = 0

    @property
    def linearizable(self) -> bool:
        return self.verdict is Verdict.LINEARIZABLE

    def render(self) -> str:
        """Describe the verdict for a test failure message."""
        counts = (
            f"{self.operations} operations in {self.partitions} "
            f"part{'s' if self.partitions != 1 else ''}, {self.explored} search "
            f"nodes, {self.seconds:.2f} s"
        )
        if self.verdict is Verdict.LINEARIZABLE:
            return f"linearizable ({counts})"
        part = f" in part {self.key!r}" if self.partitions > 1 else ""
        if self.verdict is Verdict.UNKNOWN:
            return f"unknown{part}: {self.reason} ({counts})"
        lines = [
            f"not linearizable{part}: no order of the operations that respects "
            f"real time gives them the results they returned ({counts})"
        ]
        if self.window is None:
            lines.append(f"  (no window: {self.reason})")
        else:
            lines.extend(_render_window(self.window, self.origin))
        return "\n".join(lines)


def _render_window(window: Window, origin: int) -> list[str]:
    lines = ["  the first response that no order explains:"]
    lines.append(f"    {window.failing.describe(origin)}")
    others = len(window.operations) - 1
    shrunk = "1-minimal" if window.minimal else "not shrunk: the time limit ran out"
    ignored = f"{window.ignored} other overlapping operations do not matter"
    if others:
        lines.append(
            f"  the window: it and {others} overlapping operation"
            f"{'s' if others != 1 else ''} whose results no order explains "
            f"({shrunk}; {ignored}):"
        )
    else:
        lines.append(
            "  the window: that response alone, since no state the earlier "
            f"operations allow explains it ({shrunk}; {ignored}):"
        )
    for op in window.operations:
        marker = "  <- first unexplained" if op == window.failing else ""
        lines.append(f"    {op.describe(origin)}{marker}")
    more = "" if window.states_complete else " at least"
    count = len(window.states)
    lines.append(
        f"  when it was called, the model could be in{more} {count} state"
        f"{'s' if count != 1 else ''}:"
    )
    lines.extend(f"    {state}" for state in window.states[:_STATES_SHOWN])
    if count > _STATES_SHOWN:
        lines.append(f"    ... and {count - _STATES_SHOWN} more")
    return lines


# --- checking ---------------------------------------------------------------------


def check(
    history: History | Iterable[Operation],
    model: Model[Any],
    *,
    partition: Callable[[Operation], Hashable] | bool = False,
    time_limit: float | None = 10.0,
    explain: bool = True,
) -> CheckResult:
    """Decide whether ``history`` is linearizable with respect to ``model``.

    Args:
        history: the operations, from :class:`~specfirst.runtime.history.Recorder`
            or built by hand.
        model: the sequential specification; see the module docstring.
        partition: True to check each operation ``key``'s part on its own,
            or a function giving each operation's part. Only when operations
            on different parts are independent: each part starts from
            ``model.initial()``.
        time_limit: seconds for the whole check, or None for no limit. When
            it runs out the verdict is UNKNOWN, never a pass. Finding the
            window of a violation gets the same time again.
        explain: whether to look for the window of a violation.

    Returns:
        The verdict and what supports it.
    """
    started = time.monotonic()
    whole = history if isinstance(history, History) else History.of(history)
    parts = _split(whole, partition)
    deadline = None if time_limit is None else started + time_limit
    explored = 0
    unknown: tuple[Hashable, str] | None = None
    order: tuple[Operation, ...] = ()
    for key, part in parts.items():
        found = _Search(part.operations, model).run(deadline)
        explored += found.explored
        if found.verdict is Verdict.UNKNOWN:
            unknown = unknown or (key, _time_out(time_limit, found.explored))
            continue
        if found.verdict is Verdict.VIOLATED:
            window, problem = None, ""
            if explain:
                window, problem = explain_violation(part, model, time_limit)
            return CheckResult(
                Verdict.VIOLATED,
                len(whole),
                len(parts),
                explored,
                time.monotonic() - started,
                key=key,
                window=window,
                reason=problem,
                origin=whole.origin,
            )
        if len(parts) == 1:
            order = found.order
    seconds = time.monotonic() - started
    if unknown is not None:
        return CheckResult(
            Verdict.UNKNOWN,
            len(whole),
            len(parts),
            explored,
            seconds,
            key=unknown[0],
            reason=unknown[1],
            origin=whole.origin,
        )
    return CheckResult(
        Verdict.LINEARIZABLE,
        len(whole),
        len(parts),
        explored,
        seconds,
        order=order,
        origin=whole.origin,
    )


def _split(
    history: History, partition: Callable[[Operation], Hashable] | bool
) -> dict[Hashable, History]:
    if partition is False:
        return {None: history}
    if partition is True:
        return history.partitions()
    return history.partitions(partition)


def _time_out(time_limit: float | None, explored: int) -> str:
    return f"the time limit of {time_limit} s ran out after {explored} search nodes"


# --- the search ---------------------------------------------------------------------


@dataclass
class _Found:
    verdict: Verdict
    explored: int
    order: tuple[Operation, ...] = ()


class _Search(Generic[S]):
    """One Wing and Gong search over the operations of one part.

    Args:
        operations: in call order.
        model: the sequential specification.
        optional: indices of operations that need not be linearized (as if
            still running when the history was cut); an operation without a
            response is always optional. An optional operation keeps its
            outcome, if it has one, for when it is linearized.
        start: the state to start from, ``model.initial()`` by default.
    """

    def __init__(
        self,
        operations: Sequence[Operation],
        model: Model[S],
        optional: frozenset[int] = frozenset(),
        start: S | None = None,
    ) -> None:
        self.operations = operations
        self.model = model
        self.start = start
        self.explored = 0
        # Required operations are numbered by rank in call order, the
        # optional ones apart, so that an early pending operation does not
        # keep the compact form of the linearized set from advancing.
        self.rank = [-1] * len(operations)
        self.spare = [-1] * len(operations)
        self.required = 0
        spares = 0
        for i, op in enumerate(operations):
            if op.ret is not None and i not in optional:
                self.rank[i] = self.required
                self.required += 1
            else:
                self.spare[i] = spares
                spares += 1

    def run(
        self, deadline: float | None, gather: dict[Hashable, S] | None = None
    ) -> _Found:
        """Search for an order; with ``gather``, collect every reachable end state.

        In gathering mode the search does not stop at the first order: it
        records the state at every node where all required operations are
        linearized (optional ones may continue), until it has explored
        everything (LINEARIZABLE, meaning complete) or gathered
        ``_STATES_GATHERED`` states or run out of time (UNKNOWN).
        """
        ops, model, rank, spare = self.operations, self.model, self.rank, self.spare
        nxt, prv, is_call, index, returns = self._links()
        reads_only = getattr(model, "reads_only", None)
        reads = [bool(reads_only and reads_only(op)) for op in ops]
        # Candidates are tried earliest response first, pending ones last.
        deadline_of = [op.ret if op.ret is not None else _NEVER for op in ops]
        kind = self._kinds()

        # States are numbered as they are met, and each (state, operation)
        # step is taken once: candidates are tried again and again in the
        # same states, and the model is the expensive part of a search.
        states: list[S] = []
        numbers: dict[Hashable, int] = {}
        steps_taken: dict[int, int] = {}
        width = len(ops)

        def number(state: S) -> int:
            fingerprint = model.fingerprint(state)
            found = numbers.get(fingerprint)
            if found is None:
                found = numbers[fingerprint] = len(states)
                states.append(state)
            return found

        def step(current: int, i: int) -> int:
            key = current * width + i
            after = steps_taken.get(key)
            if after is None:
                result = model.step(states[current], ops[i])
                after = -1 if result is None else number(result)
                steps_taken[key] = after
            return after

        def candidates(current: int) -> list[int]:
            """The calls before the first waiting response, in the order to try.

            A read the current state allows is the only candidate: it
            changes nothing and nothing must come before it, so any order
            from here can be rearranged to start with it, and trying the
            others first would only repeat the same search.

            Of candidates alike in operation, arguments, outcome and being
            required, only the one with the earliest response is tried:
            in any order that takes a later one first, the two can swap
            places without breaking real time or the model.
            """
            found = []
            node = nxt[0]
            while node and is_call[node]:
                i = index[node]
                if reads[i] and step(current, i) == current:
                    return [node]
                found.append(node)
                node = nxt[node]
            found.sort(key=lambda n: deadline_of[index[n]])
            alike: set[int] = set()
            chosen = []
            for node in found:
                k = kind[index[node]]
                if k not in alike:
                    alike.add(k)
                    chosen.append(node)
            return chosen

        current = number(self.start if self.start is not None else model.initial())
        # The linearized required operations, by rank: all below `done`, and
        # those above it in the bits of `extra` (bit j is rank done + j).
        # Searches linearize roughly in call order, so both stay small.
        done, extra, spares = 0, 0, 0
        remaining = self.required
        visited: set[tuple[int, int, int, int]] = set()
        stack: list[tuple[list[int], int, int, int, int, int]] = []
        if remaining == 0:
            if gather is None:
                return _Found(Verdict.LINEARIZABLE, 0)
            gather.setdefault(current, states[current])
        choices, position = candidates(current), 0
        tries = 0
        while True:
            advanced = False
            while position < len(choices):
                tries += 1
                if (
                    deadline is not None
                    and tries % _CLOCK_EVERY == 0
                    and time.monotonic() > deadline
                ):
                    return _Found(Verdict.UNKNOWN, self.explored)
                node = choices[position]
                i = index[node]
                after = step(current, i)
                if after < 0:
                    position += 1
                    continue
                if rank[i] >= 0:
                    new_done, new_extra = _linearize(done, extra, rank[i])
                    new_spares = spares
                else:
                    new_done, new_extra = done, extra
                    new_spares = spares | (1 << spare[i])
                seen = (new_done, new_extra, new_spares, after)
                if seen in visited:
                    position += 1
                    continue
                visited.add(seen)
                self.explored += 1
                stack.append((choices, position, current, done, extra, spares))
                current, done, extra, spares = after, new_done, new_extra, new_spares
                p, n = prv[node], nxt[node]
                nxt[p] = n
                prv[n] = p
                back = returns[node]
                if back:
                    p, n = prv[back], nxt[back]
                    nxt[p] = n
                    prv[n] = p
                if rank[i] >= 0:
                    remaining -= 1
                if remaining == 0:
                    if gather is None:
                        order = tuple(ops[index[f[0][f[1]]]] for f in stack)
                        return _Found(Verdict.LINEARIZABLE, self.explored, order)
                    gather.setdefault(current, states[current])
                    if len(gather) >= _STATES_GATHERED:
                        return _Found(Verdict.UNKNOWN, self.explored)
                choices, position = candidates(current), 0
                advanced = True
                break
            if advanced:
                continue

            # Every candidate failed: undo the last choice, try the next one.
            if not stack:
                if gather is not None:
                    return _Found(Verdict.LINEARIZABLE, self.explored)
                return _Found(Verdict.VIOLATED, self.explored)
            choices, position, current, done, extra, spares = stack.pop()
            node = choices[position]
            back = returns[node]
            if back:
                nxt[prv[back]] = back
                prv[nxt[back]] = back
            nxt[prv[node]] = node
            prv[nxt[node]] = node
            if rank[index[node]] >= 0:
                remaining += 1
            position += 1

    def _kinds(self) -> list[int]:
        """A number per operation, equal for interchangeable operations."""
        numbers: dict[Hashable, int] = {}
        kinds = []
        for i, op in enumerate(self.operations):
            outcome = None if op.outcome is None else freeze(op.outcome.value)
            error = None if op.outcome is None else op.outcome.error
            alike = (op.name, freeze(op.args), outcome, error, self.rank[i] >= 0)
            kinds.append(numbers.setdefault(alike, len(numbers)))
        return kinds

    def _links(self) -> tuple[list[int], list[int], list[bool], list[int], list[int]]:
        """The calls and responses, sorted by time, as a circular list.

        A call sorts before a response at the same reading, so that ties
        count as overlapping. Nodes 1..m are the events, node 0 the head;
        ``returns[call]`` is the node of the call's response, 0 for none.
        """
        ops, rank = self.operations, self.rank
        events = [(op.call, 0, i) for i, op in enumerate(ops)]
        events.extend((op.ret or 0, 1, i) for i, op in enumerate(ops) if rank[i] >= 0)
        events.sort()
        m = len(events)
        nxt = [*range(1, m + 1), 0]
        prv = [m, *range(m)]
        is_call = [False] * (m + 1)
        index = [0] * (m + 1)
        returns = [0] * (m + 1)
        call_node = [0] * len(ops)
        for node, (_, kind, i) in enumerate(events, start=1):
            index[node] = i
            if kind == 0:
                is_call[node] = True
                call_node[i] = node
            else:
                returns[call_node[i]] = node
        return nxt, prv, is_call, index, returns


def _linearize(done: int, extra: int, rank: int) -> tuple[int, int]:
    """Add ``rank`` to the set (``done``, ``extra``) and renormalize it.

    >>> _linearize(0, 0, 0)
    (1, 0)
    >>> _linearize(0, 0b10, 0)
    (2, 0)
    >>> _linearize(3, 0, 5)
    (3, 4)
    """
    extra |= 1 << (rank - done)
    while extra & 1:
        extra >>= 1
        done += 1
    return done, extra


# --- explaining a violation ---------------------------------------------------------


def explain_violation(
    history: History, model: Model[Any], time_limit: float | None
) -> tuple[Window | None, str]:
    """Find the window of a history that is known not to be linearizable.

    First the shortest prefix, cut at a response, that has no order: its last
    response is the failing operation. Then the operations overlapping it
    are made pending (result ignored, effect optional) as long as the prefix
    stays without an order, in halving chunks, so that every operation left
    matters. Last, the states the earlier history allows when the failing
    operation was called are gathered.

    Returns:
        The window, or None and the reason when the time limit ran out
        before the failing operation was found.
    """
    deadline = None if time_limit is None else time.monotonic() + time_limit
    ops = history.operations
    responses = sorted((op.ret, i) for i, op in enumerate(ops) if op.ret is not None)
    cut = _first_failing_cut(ops, responses, model, deadline)
    if cut is None:
        return None, "the time limit ran out while looking for the failing operation"
    failing_index = responses[cut][1]
    prefix, optional = _prefix(ops, responses, cut)
    failing = ops[failing_index]
    position = {id(op): n for n, op in enumerate(prefix)}
    candidates = [
        position[id(op)]
        for op in prefix
        if op is not failing and _running_at(op, failing.call)
    ]
    relaxed, minimal = _shrink(prefix, optional, candidates, model, deadline)
    kept = sorted(
        (prefix[n] for n in candidates if n not in relaxed),
        key=lambda op: (op.call, op.client),
    )
    window_ops = tuple(sorted([*kept, failing], key=lambda op: (op.call, op.client)))
    states, complete = _states_at(prefix, optional, relaxed, failing, model, deadline)
    return (
        Window(
            failing=failing,
            operations=window_ops,
            ignored=len(relaxed),
            states=states,
            states_complete=complete,
            minimal=minimal,
        ),
        "",
    )


def _prefix(
    ops: Sequence[Operation], responses: Sequence[tuple[int, int]], cut: int
) -> tuple[list[Operation], frozenset[int]]:
    """The history up to response ``cut``: operations called by then.

    Those that had not responded by then are optional, with their outcome:
    they may or may not have taken effect yet.
    """
    limit = responses[cut][0]
    answered = {i for _, i in responses[: cut + 1]}
    chosen = [i for i, op in enumerate(ops) if op.call <= limit]
    optional = frozenset(n for n, i in enumerate(chosen) if i not in answered)
    return [ops[i] for i in chosen], optional


def _first_failing_cut(
    ops: Sequence[Operation],
    responses: Sequence[tuple[int, int]],
    model: Model[Any],
    deadline: float | None,
) -> int | None:
    """Binary search for the first response after which no order exists.

    Prefixes only lose orders as they grow, so the search is exact.
    """
    low, high = 0, len(responses) - 1
    while low < high:
        middle = (low + high) // 2
        prefix, optional = _prefix(ops, responses, middle)
        found = _Search(prefix, model, optional).run(deadline)
        if found.verdict is Verdict.UNKNOWN:
            return None
        if found.verdict is Verdict.VIOLATED:
            high = middle
        else:
            low = middle + 1
    return low


def _running_at(op: Operation, instant: int) -> bool:
    """Whether ``op`` had not yet responded at ``instant``."""
    return op.ret is None or op.ret >= instant


def _relax(ops: Sequence[Operation], relaxed: Iterable[int]) -> list[Operation]:
    chosen = set(relaxed)
    return [
        replace(op, ret=None, outcome=None) if n in chosen else op
        for n, op in enumerate(ops)
    ]


def _shrink(
    prefix: Sequence[Operation],
    optional: frozenset[int],
    candidates: Sequence[int],
    model: Model[Any],
    deadline: float | None,
) -> tuple[set[int], bool]:
    """Make pending as many ``candidates`` as keep the prefix without an order."""
    relaxed: set[int] = set()
    kept = list(candidates)
    chunk = max(1, len(kept))
    while True:
        start = 0
        while start < len(kept):
            trial = kept[start : start + chunk]
            found = _Search(_relax(prefix, relaxed.union(trial)), model, optional).run(
                deadline
            )
            if found.verdict is Verdict.UNKNOWN:
                return relaxed, False
            if found.verdict is Verdict.VIOLATED:
                relaxed.update(trial)
                del kept[start : start + chunk]
            else:
                start += chunk
        if chunk == 1:
            return relaxed, True
        chunk = max(1, chunk // 2)


def _states_at(
    prefix: Sequence[Operation],
    optional: frozenset[int],
    relaxed: set[int],
    failing: Operation,
    model: Model[Any],
    deadline: float | None,
) -> tuple[tuple[str, ...], bool]:
    """The model states the history allows at the instant ``failing`` was called."""
    ops = _relax(prefix, relaxed)
    before = [n for n, op in enumerate(ops) if op.call < failing.call]
    earlier = [ops[n] for n in before]
    still_running = frozenset(
        k
        for k, n in enumerate(before)
        if n in optional or _running_at(ops[n], failing.call)
    )
    gathered: dict[Hashable, Any] = {}
    found = _Search(earlier, model, still_running).run(deadline, gather=gathered)
    states = tuple(sorted(model.describe(s) for s in gathered.values()))
    return states, found.verdict is not Verdict.UNKNOWN


# --- the reference model as a checker model -----------------------------------------


OBSERVE = "observe"


class ReferenceModel:
    """A generated reference model, run by the checker.

    The state is an unchecked model instance; ``step`` copies it before it
    performs an operation. An operation whose spec error matches, or whose
    value equals the model's (types compared strictly), is allowed. The
    pseudo-operation ``observe`` (an adapter's ``observe()`` taken while no
    other operation ran) is allowed when every reported variable equals the
    model's.

    Args:
        model_class: the generated ``<Component>Model``.
        constants: the constants the implementation was built with.
    """

    def __init__(
        self, model_class: type[SpecModel], constants: Mapping[str, Any]
    ) -> None:
        self.model_class = model_class
        self.constants = dict(constants)
        self._signatures = {s.name: s for s in model_class._sf_operations}

    def initial(self) -> SpecModel:
        return self.model_class(self.constants, checked=False)

    def step(self, state: SpecModel, operation: Operation) -> SpecModel | None:
        if operation.name == OBSERVE:
            return state if _observed(state, operation) else None
        signature = self._signatures[operation.name]
        # A query changes nothing, so it runs on the state itself.
        after = state if signature.kind == "query" else self._clone(state)
        try:
            value = getattr(after, signature.method)(*operation.args)
        except ModelError as exc:
            expected = Outcome(error=exc.error)
            after = state
        except PreconditionViolated:
            return None
        else:
            expected = Outcome(value=value)
        actual = operation.outcome
        if actual is None or _same_outcome(signature.result, expected, actual):
            return after
        return None

    def reads_only(self, operation: Operation) -> bool:
        """Whether ``operation`` never changes the state: a query or an observation."""
        if operation.name == OBSERVE:
            return True
        return self._signatures[operation.name].kind == "query"

    def fingerprint(self, state: SpecModel) -> Hashable:
        return freeze(state._sf_state())

    def describe(self, state: SpecModel) -> str:
        return _describe_state(state._sf_state())

    def _clone(self, state: SpecModel) -> SpecModel:
        return clone_model(state)


def clone_model(model: SpecModel) -> SpecModel:
    """A copy of ``model`` whose state can change without changing ``model``.

    Spec values are immutable (frozen sets and maps, tuples, frozen records),
    and effects build new ones, so a shallow copy suffices for them. A plain
    ``dict``, ``list`` or ``set``, which a hand-written model might hold, is
    copied deeply. The coverage recorder and the constants are shared.
    """
    other = copy.copy(model)
    for variable in model._sf_variables:
        value = getattr(other, variable.attribute)
        if type(value) in _MUTABLE:
            setattr(other, variable.attribute, copy.deepcopy(value))
    return other


_MUTABLE = (dict, list, set)


def _observed(state: SpecModel, operation: Operation) -> bool:
    if operation.outcome is None:
        return True
    reported = operation.outcome.value
    if not isinstance(reported, Mapping):
        return False
    actual = state._sf_state()
    return all(name in actual and actual[name] == v for name, v in reported.items())


def _same_outcome(result: Any, expected: Outcome, actual: Outcome) -> bool:
    if expected.error != actual.error:
        return False
    if expected.error is not None:
        return True
    if result is None:
        return actual.value is None
    conforms: bool = result.conforms(actual.value)
    return conforms and actual.value == expected.value


def freeze(value: object) -> Hashable:
    """A hashable value equal for structurally equal spec values.

    >>> freeze({"a": [1, {2}]}) == freeze({"a": (1, frozenset({2}))})
    True
    """
    if isinstance(value, Mapping):
        return ("map", frozenset((freeze(k), freeze(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return frozenset(freeze(v) for v in value)
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    if isinstance(value, Hashable):
        return value
    return repr(value)


def _describe_state(state: Mapping[str, object]) -> str:
    return "{" + ", ".join(f"{k}: {v!r}" for k, v in state.items()) + "}"
