"""Tests of the barrier: rounds, arrival indices, breaking, reset, threads."""

from __future__ import annotations

import threading

import pytest

from reference_impl.coordination import (
    AlreadyArrivedError,
    Barrier,
    BarrierBrokenError,
    BarrierError,
    BarrierSnapshot,
)


def wait_in_thread(
    barrier: Barrier, party: str
) -> tuple[threading.Thread, list[object]]:
    """Start ``party`` waiting on ``barrier``; the list gets its index or error."""
    outcome: list[object] = []

    def wait() -> None:
        try:
            outcome.append(barrier.wait(party))
        except BarrierBrokenError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=wait)
    thread.start()
    return thread, outcome


def until_waiting(barrier: Barrier, count: int) -> None:
    """Block until ``count`` parties have arrived in the open round."""
    while barrier.waiting < count:
        threading.Event().wait(0.001)


def test_new_barrier_is_empty() -> None:
    barrier = Barrier(3)
    assert barrier.snapshot() == BarrierSnapshot(frozenset(), 0, False)


def test_arrivals_get_indices_in_order() -> None:
    barrier = Barrier(3)
    assert barrier.arrive("a") == 0
    assert barrier.arrive("b") == 1
    assert barrier.snapshot().arrived == {"a", "b"}


def test_last_arrival_releases_round() -> None:
    barrier = Barrier(3)
    barrier.arrive("a")
    barrier.arrive("b")
    assert barrier.arrive("c") == 2
    assert barrier.snapshot() == BarrierSnapshot(frozenset(), 1, False)


def test_party_arrives_once_per_round() -> None:
    barrier = Barrier(3)
    barrier.arrive("a")
    with pytest.raises(AlreadyArrivedError) as caught:
        barrier.arrive("a")
    assert caught.value.party == "a"
    assert barrier.waiting == 1


def test_party_arrives_again_in_next_round() -> None:
    barrier = Barrier(2)
    barrier.arrive("a")
    barrier.arrive("b")
    assert barrier.arrive("a") == 0
    assert barrier.generation == 1


def test_abort_breaks_barrier() -> None:
    barrier = Barrier(3)
    barrier.arrive("a")
    barrier.abort()
    assert barrier.snapshot() == BarrierSnapshot(frozenset(), 0, True)
    with pytest.raises(BarrierBrokenError):
        barrier.arrive("b")


def test_reset_repairs_barrier() -> None:
    barrier = Barrier(2)
    barrier.abort()
    barrier.reset()
    assert not barrier.broken
    assert barrier.arrive("a") == 0


def test_reset_empties_open_round() -> None:
    barrier = Barrier(3)
    barrier.arrive("a")
    barrier.reset()
    assert barrier.waiting == 0
    assert barrier.arrive("a") == 0


def test_wait_returns_when_round_fills() -> None:
    barrier = Barrier(2)
    thread, outcome = wait_in_thread(barrier, "a")
    until_waiting(barrier, 1)
    assert barrier.wait("b") == 1
    thread.join()
    assert outcome == [0]


def test_abort_releases_waiter_with_error() -> None:
    barrier = Barrier(2)
    thread, outcome = wait_in_thread(barrier, "a")
    until_waiting(barrier, 1)
    barrier.abort()
    thread.join()
    assert isinstance(outcome[0], BarrierBrokenError)


def test_reset_releases_waiter_with_error() -> None:
    barrier = Barrier(2)
    thread, outcome = wait_in_thread(barrier, "a")
    until_waiting(barrier, 1)
    barrier.reset()
    thread.join()
    assert isinstance(outcome[0], BarrierBrokenError)
    assert not barrier.broken


def test_expired_wait_breaks_barrier() -> None:
    barrier = Barrier(2)
    with pytest.raises(BarrierBrokenError):
        barrier.wait("a", timeout=0)
    assert barrier.broken


def test_wait_on_broken_barrier_fails_at_once() -> None:
    barrier = Barrier(2)
    barrier.abort()
    with pytest.raises(BarrierBrokenError):
        barrier.wait("a")


def test_negative_timeout_is_rejected() -> None:
    with pytest.raises(ValueError, match="timeout"):
        Barrier(2).wait("a", timeout=-1)


@pytest.mark.parametrize("parties", [1, 0, -2])
def test_rejects_fewer_than_two_parties(parties: int) -> None:
    with pytest.raises(ValueError, match="parties must be at least 2"):
        Barrier(parties)


def test_rejects_unhashable_party() -> None:
    with pytest.raises(TypeError, match="hashable"):
        Barrier(2).arrive({})


def test_errors_share_base_class() -> None:
    assert issubclass(BarrierBrokenError, BarrierError)
    assert issubclass(AlreadyArrivedError, BarrierError)


def test_threads_pass_many_rounds_together() -> None:
    parties = 6
    rounds = 50
    barrier = Barrier(parties)
    indices: list[list[int]] = [[] for _ in range(rounds)]
    guard = threading.Lock()

    def run(party: int) -> None:
        for round_number in range(rounds):
            index = barrier.wait(party)
            with guard:
                indices[round_number].append(index)

    threads = [threading.Thread(target=run, args=(p,)) for p in range(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(sorted(got) == list(range(parties)) for got in indices)
    assert barrier.generation == rounds
