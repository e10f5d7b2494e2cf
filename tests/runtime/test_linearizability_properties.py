"""Properties of the linearizability checker, over generated histories."""

from __future__ import annotations

import threading
from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st
from linearizability_support import Register, brute_force, op

from specfirst.runtime.contract import Outcome
from specfirst.runtime.history import History, Operation, Recorder
from specfirst.runtime.linearizability import check

# A register operation before it has an outcome: name and arguments.
calls = st.one_of(
    st.tuples(st.just("write"), st.tuples(st.integers(0, 3))),
    st.tuples(st.just("read"), st.just(())),
    st.tuples(st.just("cas"), st.tuples(st.integers(0, 3), st.integers(0, 3))),
)


def _perform(state: int, name: str, args: tuple[int, ...]) -> tuple[int, object]:
    """The register's sequential semantics: the new state and the result."""
    if name == "write":
        return args[0], None
    if name == "read":
        return state, state
    swapped = state == args[0]
    return (args[1] if swapped else state), swapped


@settings(max_examples=200, deadline=None)
@given(st.lists(calls, max_size=30))
def test_sequential_history_is_always_linearizable(
    drawn: list[tuple[str, tuple[int, ...]]],
) -> None:
    state, ops = 0, []
    for n, (name, args) in enumerate(drawn):
        state, value = _perform(state, name, args)
        ops.append(op(n % 3, name, args, 10 * n, 10 * n + 5, value=value))
    assert check(History.of(ops), Register()).linearizable


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(calls, min_size=1, max_size=8), min_size=2, max_size=4))
def test_history_of_a_locked_register_is_linearizable(
    plans: list[list[tuple[str, tuple[int, ...]]]],
) -> None:
    recorder = Recorder()
    lock = threading.Lock()
    cell = [0]

    def perform(name: str, args: tuple[int, ...]) -> object:
        with lock:
            cell[0], value = _perform(cell[0], name, args)
            return value

    def client(n: int) -> None:
        log = recorder.client(n)
        for name, args in plans[n]:
            log.call(name, args, partial(perform, name, args), lambda exc: None)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(plans))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert check(recorder.history(), Register()).linearizable


@st.composite
def small_histories(draw: st.DrawFn) -> History:
    """Up to six register operations with random intervals and outcomes."""
    ops: list[Operation] = []
    for n in range(draw(st.integers(0, 6))):
        name, args = draw(calls)
        call = draw(st.integers(0, 20))
        pending = draw(st.integers(0, 9)) == 0
        ret = None if pending else call + draw(st.integers(0, 10))
        value: object = None
        if name == "read":
            value = draw(st.integers(0, 3))
        elif name == "cas":
            value = draw(st.booleans())
        ops.append(op(n, name, args, call, ret, value=value))
    return History.of(ops)


@settings(max_examples=400, deadline=None)
@given(small_histories())
def test_verdict_agrees_with_trying_every_order(history: History) -> None:
    assert check(history, Register()).linearizable == brute_force(history, Register())


@settings(max_examples=100, deadline=None)
@given(small_histories())
def test_witness_order_is_a_real_linearization(history: History) -> None:
    result = check(history, Register())
    if not result.linearizable:
        return
    state: int | None = 0
    for position, operation in enumerate(result.order):
        assert state is not None
        state = Register().step(state, operation)
        later = result.order[position + 1 :]
        assert all(o.ret is None or o.ret >= operation.call for o in later)
    assert state is not None


@settings(max_examples=100, deadline=None)
@given(small_histories())
def test_window_operations_overlap_the_failing_one(history: History) -> None:
    result = check(history, Register())
    if result.window is None:
        return
    failing = result.window.failing
    assert failing.ret is not None
    for operation in result.window.operations:
        assert operation.call <= failing.ret
        assert operation.ret is None or operation.ret >= failing.call


def test_outcome_of_a_recorded_read_is_its_value() -> None:
    log = Recorder().client(0)
    assert log.call("read", (), lambda: 4, lambda exc: None) == Outcome(value=4)
