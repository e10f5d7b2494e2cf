"""The linearizability checker on hand-made histories: each verdict and its evidence."""

from __future__ import annotations

import asyncio
import threading

import pytest
from linearizability_support import Counter, Register, op

from specfirst.runtime.contract import Outcome
from specfirst.runtime.history import History, Operation, Recorder, Sequential
from specfirst.runtime.linearizability import Verdict, check, freeze


def test_overlapping_read_may_see_either_value() -> None:
    history = History.of(
        [
            op(0, "write", (1,), 0, 10),
            op(1, "read", (), 5, 15, value=1),
            op(2, "read", (), 6, 16, value=0),
        ]
    )
    assert check(history, Register()).verdict is Verdict.LINEARIZABLE


def test_witness_order_puts_the_old_read_first() -> None:
    history = History.of(
        [
            op(0, "write", (1,), 0, 10),
            op(1, "read", (), 5, 15, value=1),
            op(2, "read", (), 6, 16, value=0),
        ]
    )
    order = [(o.name, o.client) for o in check(history, Register()).order]
    assert order == [("read", 2), ("write", 0), ("read", 1)]


def test_stale_read_is_a_violation() -> None:
    history = History.of(
        [
            op(0, "write", (1,), 0, 10),
            op(1, "read", (), 20, 30, value=0),
        ]
    )
    assert check(history, Register()).verdict is Verdict.VIOLATED


def test_window_names_the_first_unexplained_response() -> None:
    history = History.of(
        [
            op(0, "write", (1,), 0, 10),
            op(1, "read", (), 20, 30, value=1),
            op(2, "read", (), 40, 50, value=0),
            op(1, "read", (), 60, 70, value=0),
        ]
    )
    window = check(history, Register()).window
    assert window is not None
    assert (window.failing.client, window.failing.call) == (2, 40)


def test_window_leaves_out_an_overlapping_operation_that_does_not_matter() -> None:
    history = History.of(
        [
            op(0, "write", (1,), 0, 10),
            op(1, "read", (), 20, 30, value=0),
            op(2, "cas", (7, 8), 15, 35, value=False),
        ]
    )
    window = check(history, Register()).window
    assert window is not None
    assert [o.name for o in window.operations] == ["read"]
    assert window.ignored == 1


def test_window_keeps_the_overlapping_operations_that_rule_out_every_order() -> None:
    # Two compare-and-swaps from 0 both succeed: only one can.
    history = History.of(
        [
            op(0, "cas", (0, 1), 0, 10, value=True),
            op(1, "cas", (0, 2), 5, 15, value=True),
            op(2, "read", (), 6, 12, value=0),
        ]
    )
    window = check(history, Register()).window
    assert window is not None
    assert sorted(o.client for o in window.operations) == [0, 1]
    assert window.minimal


def test_window_lists_the_states_when_the_failing_operation_was_called() -> None:
    history = History.of(
        [
            op(0, "write", (1,), 0, 10),
            op(3, "write", (5,), 0, 30),
            op(1, "read", (), 11, 15, value=1),
            op(2, "read", (), 16, 20, value=0),
        ]
    )
    window = check(history, Register()).window
    assert window is not None
    assert window.states == ("value 1", "value 5")


def test_violation_report_shows_the_window() -> None:
    history = History.of(
        [op(0, "write", (1,), 0, 10), op(1, "read", (), 20, 30, value=0)]
    )
    text = check(history, Register()).render()
    assert "not linearizable" in text
    assert "client 1: read() returned 0" in text


def test_pending_write_may_have_taken_effect() -> None:
    history = History.of(
        [op(0, "write", (1,), 0, None), op(1, "read", (), 5, 9, value=1)]
    )
    assert check(history, Register()).linearizable


def test_pending_write_may_not_have_taken_effect() -> None:
    history = History.of(
        [op(0, "write", (1,), 0, None), op(1, "read", (), 5, 9, value=0)]
    )
    assert check(history, Register()).linearizable


def test_pending_write_cannot_take_effect_before_its_call() -> None:
    history = History.of(
        [op(1, "read", (), 0, 4, value=1), op(0, "write", (1,), 5, None)]
    )
    assert check(history, Register()).verdict is Verdict.VIOLATED


def test_partitioned_keys_are_checked_against_their_own_model() -> None:
    history = History.of(
        [
            op(0, "write", (1,), 0, 10, key="a"),
            op(1, "read", (), 20, 30, value=0, key="b"),
        ]
    )
    result = check(history, Register(), partition=True)
    assert result.linearizable
    assert result.partitions == 2


def test_unpartitioned_keys_share_one_model() -> None:
    history = History.of(
        [
            op(0, "write", (1,), 0, 10, key="a"),
            op(1, "read", (), 20, 30, value=0, key="b"),
        ]
    )
    assert check(history, Register()).verdict is Verdict.VIOLATED


def test_violation_names_its_partition() -> None:
    history = History.of(
        [
            op(0, "write", (1,), 0, 10, key="a"),
            op(1, "read", (), 20, 30, value=1, key="a"),
            op(2, "read", (), 20, 30, value=3, key="b"),
        ]
    )
    assert check(history, Register(), partition=True).key == "b"


def test_partition_function_chooses_the_parts() -> None:
    history = History.of(
        [
            op(0, "write", (1,), 0, 10),
            op(1, "read", (), 20, 30, value=0),
        ]
    )
    result = check(history, Register(), partition=lambda o: o.client)
    assert result.linearizable


def _hard_history(writers: int) -> History:
    # Writes of distinct values, all overlapping, then a read of a value none
    # wrote: every order of the writes must be tried before the verdict.
    ops = [op(n, "write", (n + 1,), n, 1000 + n) for n in range(writers)]
    ops.append(op(writers, "read", (), 2000, 2001, value=-1))
    return History.of(ops)


def test_tiny_time_limit_gives_unknown() -> None:
    result = check(_hard_history(14), Register(), time_limit=1e-9)
    assert result.verdict is Verdict.UNKNOWN


def test_unknown_is_not_linearizable() -> None:
    result = check(_hard_history(14), Register(), time_limit=1e-9)
    assert not result.linearizable


def test_unknown_gives_its_reason() -> None:
    result = check(_hard_history(14), Register(), time_limit=1e-9)
    assert "time limit" in result.reason


def test_hard_history_is_decided_without_a_limit() -> None:
    result = check(_hard_history(10), Register(), time_limit=None)
    assert result.verdict is Verdict.VIOLATED


def test_identical_concurrent_operations_are_tried_once() -> None:
    # Forty overlapping increments of a counter: interchangeable, so the
    # search visits one node per increment instead of every subset.
    history = History.of(op(n, "add", (), n, 100 + n) for n in range(40))
    result = check(history, _AddOnly(), time_limit=None)
    assert result.linearizable
    assert result.explored == 40


class _AddOnly(Counter):
    """A counter whose increments return nothing."""

    def step(self, state: int, operation: Operation) -> int | None:
        return state + 1


def test_counter_results_pin_the_order() -> None:
    history = History.of(
        [
            op(0, "add", (), 0, 10, value=2),
            op(1, "add", (), 1, 11, value=1),
            op(2, "get", (), 20, 30, value=2),
        ]
    )
    order = check(history, Counter()).order
    assert [o.client for o in order] == [1, 0, 2]


def test_empty_history_is_linearizable() -> None:
    assert check(History(), Register()).linearizable


def test_sequential_builder_makes_disjoint_intervals() -> None:
    history = Sequential().add("write", 3).add("read", value=3).history()
    first, second = history.operations
    assert first.ret is not None
    assert first.ret < second.call


def test_history_rejects_a_response_before_its_call() -> None:
    with pytest.raises(ValueError, match="returned before it was called"):
        History.of([op(0, "read", (), 10, 5, value=0)])


def test_recorder_records_calls_from_threads() -> None:
    recorder = Recorder()
    lock = threading.Lock()
    value = [0]

    def add() -> int:
        with lock:
            value[0] += 1
            return value[0]

    def client(n: int) -> None:
        log = recorder.client(n)
        for _ in range(20):
            log.call("add", (), add, lambda exc: None)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    history = recorder.history()
    assert len(history) == 80
    assert check(history, Counter()).linearizable


def test_recorder_records_calls_from_asyncio_tasks() -> None:
    recorder = Recorder()
    value = [0]

    async def add() -> int:
        await asyncio.sleep(0)
        value[0] += 1
        return value[0]

    async def client(n: int) -> None:
        log = recorder.client(n)
        for _ in range(10):
            await log.call_async("add", (), add, lambda exc: None)

    async def main() -> None:
        await asyncio.gather(*(client(n) for n in range(5)))

    asyncio.run(main())
    history = recorder.history()
    assert history.clients() == 5
    assert check(history, Counter()).linearizable


def test_recorder_maps_spec_errors_to_outcomes() -> None:
    log = Recorder().client(0)

    def reject() -> None:
        raise KeyError("full")

    outcome = log.call("add", (), reject, lambda exc: "Full")
    assert outcome == Outcome(error="Full")


def test_recorder_records_an_unexplained_exception_as_pending() -> None:
    recorder = Recorder()
    log = recorder.client(0)

    def crash() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        log.call("add", (), crash, lambda exc: None)
    assert recorder.history().operations[0].pending


def test_freeze_makes_equal_structures_equal() -> None:
    assert freeze({"a": {1, 2}, "b": [3]}) == freeze(
        {"b": (3,), "a": frozenset({2, 1})}
    )


def test_freeze_tells_maps_from_sets() -> None:
    assert freeze({}) != freeze(set())
