"""Tests of the counters: arithmetic, underflow, swaps, storage, threads."""

from __future__ import annotations

import threading

import pytest

from reference_impl.coordination import (
    CounterError,
    Counters,
    CounterUnderflowError,
    InvalidAmountError,
)


def test_unknown_counter_is_zero() -> None:
    assert Counters().value("x") == 0


def test_increment_returns_new_value() -> None:
    counters = Counters()
    assert counters.increment("x") == 1
    assert counters.increment("x", 4) == 5


def test_counters_are_independent() -> None:
    counters = Counters()
    counters.increment("x", 2)
    counters.increment("y", 3)
    assert counters.value("x") == 2
    assert counters.value("y") == 3


def test_decrement_returns_new_value() -> None:
    counters = Counters()
    counters.increment("x", 5)
    assert counters.decrement("x", 2) == 3


def test_decrement_below_zero_is_refused() -> None:
    counters = Counters()
    counters.increment("x", 1)
    with pytest.raises(CounterUnderflowError) as caught:
        counters.decrement("x", 2)
    assert (caught.value.key, caught.value.value, caught.value.amount) == ("x", 1, 2)
    assert counters.value("x") == 1


@pytest.mark.parametrize("amount", [0, -1])
def test_non_positive_amount_is_refused(amount: int) -> None:
    counters = Counters()
    with pytest.raises(InvalidAmountError, match="by must be at least 1"):
        counters.increment("x", amount)
    with pytest.raises(InvalidAmountError):
        counters.decrement("x", amount)


def test_amount_must_be_int() -> None:
    with pytest.raises(TypeError, match="by must be an int"):
        Counters().increment("x", True)


def test_compare_and_set_swaps_on_match() -> None:
    counters = Counters()
    counters.increment("x", 3)
    assert counters.compare_and_set("x", 3, 7)
    assert counters.value("x") == 7


def test_compare_and_set_keeps_on_mismatch() -> None:
    counters = Counters()
    counters.increment("x", 3)
    assert not counters.compare_and_set("x", 2, 7)
    assert counters.value("x") == 3


def test_compare_and_set_from_zero() -> None:
    counters = Counters()
    assert counters.compare_and_set("x", 0, 4)
    assert counters.value("x") == 4


def test_compare_and_set_to_negative_is_refused() -> None:
    with pytest.raises(InvalidAmountError, match="new must be at least 0"):
        Counters().compare_and_set("x", 0, -1)


def test_reset_returns_old_value() -> None:
    counters = Counters()
    counters.increment("x", 3)
    assert counters.reset("x") == 3
    assert counters.value("x") == 0


def test_zero_counters_are_not_stored() -> None:
    counters = Counters()
    counters.increment("x", 2)
    counters.decrement("x", 2)
    counters.increment("y")
    counters.compare_and_set("y", 1, 0)
    assert counters.snapshot() == {}


def test_errors_share_base_class() -> None:
    assert issubclass(CounterUnderflowError, CounterError)
    assert issubclass(InvalidAmountError, ValueError)


def test_concurrent_increments_are_exact() -> None:
    threads_count = 8
    per_thread = 2000
    counters = Counters()

    def add() -> None:
        for _ in range(per_thread):
            counters.increment("x")

    threads = [threading.Thread(target=add) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counters.value("x") == threads_count * per_thread


def test_concurrent_decrements_never_underflow() -> None:
    threads_count = 8
    start = 1000
    counters = Counters()
    counters.increment("x", start)
    taken: list[int] = []

    def take() -> None:
        while True:
            try:
                counters.decrement("x")
            except CounterUnderflowError:
                return
            taken.append(1)

    threads = [threading.Thread(target=take) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == start
    assert counters.value("x") == 0
