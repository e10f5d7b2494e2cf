"""Tests of the lease lock: grants, leases, fencing tokens, liveness, threads."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from reference_impl.clock import ManualClock
from reference_impl.coordination import (
    LeaseLock,
    LeaseLockSnapshot,
    LockError,
    LockHeldError,
    NotHolderError,
)

LEASE = 10


def make_lock(lease_ticks: int = LEASE) -> tuple[LeaseLock, ManualClock]:
    clock = ManualClock()
    return LeaseLock(lease_ticks=lease_ticks, clock=clock), clock


class Life:
    """A liveness probe that a test can switch off."""

    def __init__(self) -> None:
        self.alive = True

    def __call__(self) -> bool:
        return self.alive


def run_in_threads(threads_count: int, work: Callable[[int], None]) -> None:
    barrier = threading.Barrier(threads_count)

    def start_together(index: int) -> None:
        barrier.wait()
        work(index)

    threads = [
        threading.Thread(target=start_together, args=(i,)) for i in range(threads_count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_new_lock_is_free() -> None:
    lock, _ = make_lock()
    assert lock.holder() is None
    assert lock.snapshot() == LeaseLockSnapshot(None, 0, 0, 0)


def test_acquire_grants_first_token() -> None:
    lock, _ = make_lock()
    assert lock.acquire("a") == 1
    assert lock.holder() == "a"
    assert lock.token == 1


def test_acquire_sets_lease_end() -> None:
    lock, clock = make_lock()
    clock.advance(3)
    lock.acquire("a")
    assert lock.snapshot().expires_at == 3 + LEASE


def test_held_lock_refuses_others() -> None:
    lock, _ = make_lock()
    lock.acquire("a")
    with pytest.raises(LockHeldError) as caught:
        lock.acquire("b")
    assert caught.value.expires_at == LEASE
    assert lock.holder() == "a"


def test_lock_is_not_reentrant() -> None:
    lock, _ = make_lock()
    lock.acquire("a")
    with pytest.raises(LockHeldError):
        lock.acquire("a")


def test_refusal_changes_nothing() -> None:
    lock, _ = make_lock()
    lock.acquire("a")
    before = lock.snapshot()
    with pytest.raises(LockHeldError):
        lock.acquire("b")
    assert lock.snapshot() == before


def test_lease_holds_until_last_tick() -> None:
    lock, clock = make_lock()
    lock.acquire("a")
    clock.advance(LEASE - 1)
    assert lock.holder() == "a"


def test_lease_expires_on_the_clock() -> None:
    lock, clock = make_lock()
    lock.acquire("a")
    clock.advance(LEASE)
    assert lock.holder() is None
    assert lock.acquire("b") == 2


def test_expired_holder_stays_recorded_until_next_grant() -> None:
    lock, clock = make_lock()
    lock.acquire("a")
    clock.advance(LEASE)
    assert lock.snapshot().holder == "a"


def test_renew_extends_lease() -> None:
    lock, clock = make_lock()
    lock.acquire("a")
    clock.advance(LEASE - 1)
    assert lock.renew("a") == 2 * LEASE - 1
    clock.advance(LEASE - 1)
    assert lock.holder() == "a"


def test_renew_keeps_token() -> None:
    lock, _ = make_lock()
    lock.acquire("a")
    lock.renew("a")
    assert lock.token == 1


def test_renew_by_other_is_refused() -> None:
    lock, _ = make_lock()
    lock.acquire("a")
    with pytest.raises(NotHolderError) as caught:
        lock.renew("b")
    assert caught.value.holder == "b"


def test_renew_after_expiry_is_refused() -> None:
    lock, clock = make_lock()
    lock.acquire("a")
    clock.advance(LEASE)
    with pytest.raises(NotHolderError):
        lock.renew("a")


def test_release_frees_lock() -> None:
    lock, _ = make_lock()
    lock.acquire("a")
    lock.release("a")
    assert lock.holder() is None
    assert lock.acquire("b") == 2


def test_release_keeps_lease_end_and_token() -> None:
    lock, _ = make_lock()
    lock.acquire("a")
    lock.release("a")
    assert lock.snapshot() == LeaseLockSnapshot(None, LEASE, 1, 0)


def test_release_by_other_is_refused() -> None:
    lock, _ = make_lock()
    lock.acquire("a")
    with pytest.raises(NotHolderError):
        lock.release("b")
    assert lock.holder() == "a"


def test_second_release_is_refused() -> None:
    lock, _ = make_lock()
    lock.acquire("a")
    lock.release("a")
    with pytest.raises(NotHolderError):
        lock.release("a")


def test_dead_holder_loses_lock() -> None:
    lock, _ = make_lock()
    life = Life()
    lock.acquire("a", liveness=life)
    life.alive = False
    assert lock.holder() is None
    assert lock.acquire("b") == 2


def test_dead_holder_cannot_renew() -> None:
    lock, _ = make_lock()
    life = Life()
    lock.acquire("a", liveness=life)
    life.alive = False
    with pytest.raises(NotHolderError):
        lock.renew("a")


def test_thread_holder_loses_lock_when_thread_ends() -> None:
    from reference_impl.coordination import thread_liveness

    lock, _ = make_lock()
    done = threading.Event()
    worker = threading.Thread(target=done.wait)
    worker.start()
    lock.acquire("worker", liveness=thread_liveness(worker))
    assert lock.holder() == "worker"
    done.set()
    worker.join()
    assert lock.holder() is None


def test_tokens_increase_across_grants() -> None:
    lock, clock = make_lock()
    tokens = []
    for holder in "abc":
        tokens.append(lock.acquire(holder))
        clock.advance(LEASE)
    assert tokens == [1, 2, 3]


def test_errors_share_base_class() -> None:
    assert issubclass(LockHeldError, LockError)
    assert issubclass(NotHolderError, LockError)


@pytest.mark.parametrize("value", [0, -3])
def test_rejects_non_positive_lease(value: int) -> None:
    with pytest.raises(ValueError, match="lease_ticks must be at least 1"):
        LeaseLock(lease_ticks=value)


def test_rejects_none_holder() -> None:
    lock, _ = make_lock()
    with pytest.raises(TypeError, match="holder must be an identity"):
        lock.acquire(None)


def test_rejects_unhashable_holder() -> None:
    lock, _ = make_lock()
    with pytest.raises(TypeError, match="hashable"):
        lock.acquire(["a"])


def test_rejects_non_callable_liveness() -> None:
    lock, _ = make_lock()
    with pytest.raises(TypeError, match="liveness must be a callable"):
        lock.acquire("a", liveness=True)  # type: ignore[arg-type]


def test_concurrent_holders_never_overlap() -> None:
    threads_count = 8
    attempts = 300
    lock, _ = make_lock()
    guard = threading.Lock()
    inside: list[int] = []
    overlaps: list[int] = []
    tokens: list[int] = []

    def contend(index: int) -> None:
        for _ in range(attempts):
            try:
                token = lock.acquire(index)
            except LockHeldError:
                continue
            with guard:
                inside.append(index)
                if len(inside) > 1:
                    overlaps.append(index)
                tokens.append(token)
            with guard:
                inside.remove(index)
            lock.release(index)

    run_in_threads(threads_count, contend)
    assert overlaps == []
    assert sorted(tokens) == list(range(1, len(tokens) + 1))
    assert lock.token == len(tokens)
