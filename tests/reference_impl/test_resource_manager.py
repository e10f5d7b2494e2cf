"""Tests of the resource manager: limits, releases, deaths, pressure, threads."""

from __future__ import annotations

import logging
import random
import threading
from typing import Any

import pytest

from reference_impl.resource_manager import (
    CapacityExceededError,
    InvalidAmountError,
    NotHeldError,
    OwnerLimitExceededError,
    Pressure,
    ResourceError,
    ResourceManager,
    ResourceSnapshot,
)
from reference_impl.resource_manager_store import MemoryAllocationStore

CAPACITY = 10
OWNER_LIMIT = 6


def make_manager(**overrides: Any) -> ResourceManager:
    settings: dict[str, Any] = {"capacity": CAPACITY, "owner_limit": OWNER_LIMIT}
    settings.update(overrides)
    return ResourceManager(**settings)


class Life:
    def __init__(self) -> None:
        self.alive = True

    def __call__(self) -> bool:
        return self.alive


# Construction


def test_new_manager_is_empty() -> None:
    manager = make_manager()
    assert manager.snapshot() == ResourceSnapshot({}, 0, Pressure.NORMAL)
    assert manager.available == CAPACITY


def test_owner_limit_defaults_to_capacity() -> None:
    assert ResourceManager(capacity=7).owner_limit == 7


def test_owner_limit_above_capacity_is_rejected() -> None:
    with pytest.raises(ValueError, match="owner_limit must be at most capacity"):
        ResourceManager(capacity=2, owner_limit=3)


@pytest.mark.parametrize("argument", ["capacity", "owner_limit"])
def test_non_positive_limits_are_rejected(argument: str) -> None:
    settings: dict[str, Any] = {"capacity": 5, "owner_limit": 5, argument: 0}
    with pytest.raises(ValueError, match=f"{argument} must be at least 1"):
        ResourceManager(**settings)


@pytest.mark.parametrize(
    ("elevated", "critical"), [(0, 50), (50, 50), (60, 40), (50, 101)]
)
def test_bad_thresholds_are_rejected(elevated: int, critical: int) -> None:
    with pytest.raises(ValueError, match="thresholds must satisfy"):
        ResourceManager(
            capacity=5, elevated_percent=elevated, critical_percent=critical
        )


# Acquire and release


def test_acquire_returns_holding() -> None:
    manager = make_manager()
    assert manager.acquire("a", 2) == 2
    assert manager.acquire("a", 3) == 5
    assert manager.used == 5


def test_owners_hold_separately() -> None:
    manager = make_manager()
    manager.acquire("a", 2)
    manager.acquire("b", 3)
    assert manager.holding("a") == 2
    assert manager.holding("b") == 3
    assert manager.used == 5


def test_owner_limit_is_enforced() -> None:
    manager = make_manager()
    manager.acquire("a", OWNER_LIMIT - 1)
    with pytest.raises(OwnerLimitExceededError) as caught:
        manager.acquire("a", 2)
    error = caught.value
    assert (error.owner, error.amount, error.held, error.limit) == ("a", 2, 5, 6)
    assert manager.holding("a") == OWNER_LIMIT - 1


def test_capacity_is_enforced() -> None:
    manager = make_manager()
    manager.acquire("a", 6)
    manager.acquire("b", 3)
    with pytest.raises(CapacityExceededError) as caught:
        manager.acquire("c", 2)
    error = caught.value
    assert (error.amount, error.used, error.capacity) == (2, 9, CAPACITY)
    assert manager.used == 9
    assert manager.holding("c") == 0


def test_owner_limit_is_checked_before_capacity() -> None:
    manager = make_manager()
    manager.acquire("a", 6)
    manager.acquire("b", 4)
    with pytest.raises(OwnerLimitExceededError):
        manager.acquire("a", 1)


def test_exact_fit_is_allowed() -> None:
    manager = make_manager()
    manager.acquire("a", 6)
    assert manager.acquire("b", 4) == 4
    assert manager.available == 0


@pytest.mark.parametrize("amount", [0, -2])
def test_non_positive_amount_is_rejected(amount: int) -> None:
    manager = make_manager()
    with pytest.raises(InvalidAmountError, match="amount must be at least 1"):
        manager.acquire("a", amount)
    with pytest.raises(InvalidAmountError):
        manager.release("a", amount)


def test_amount_must_be_int() -> None:
    with pytest.raises(TypeError, match="amount must be an int"):
        make_manager().acquire("a", 1.5)  # type: ignore[arg-type]


def test_release_returns_remaining() -> None:
    manager = make_manager()
    manager.acquire("a", 5)
    assert manager.release("a", 2) == 3
    assert manager.used == 3


def test_full_release_forgets_owner() -> None:
    manager = make_manager()
    manager.acquire("a", 2)
    manager.release("a", 2)
    assert manager.snapshot().held == {}


def test_release_beyond_holding_is_refused() -> None:
    manager = make_manager()
    manager.acquire("a", 2)
    with pytest.raises(NotHeldError) as caught:
        manager.release("a", 3)
    assert (caught.value.amount, caught.value.held) == (3, 2)
    assert manager.used == 2


def test_release_by_stranger_is_refused() -> None:
    with pytest.raises(NotHeldError):
        make_manager().release("a", 1)


def test_release_all_returns_amount() -> None:
    manager = make_manager()
    manager.acquire("a", 4)
    assert manager.release_all("a") == 4
    assert manager.release_all("a") == 0
    assert manager.used == 0


def test_hold_releases_after_block() -> None:
    manager = make_manager()
    with manager.hold("a", 3) as held:
        assert held == 3
        assert manager.used == 3
    assert manager.used == 0


def test_hold_releases_when_block_fails() -> None:
    manager = make_manager()
    with pytest.raises(RuntimeError), manager.hold("a", 3):
        raise RuntimeError("work failed")
    assert manager.used == 0


def test_hold_tolerates_release_inside_block() -> None:
    manager = make_manager()
    with manager.hold("a", 3):
        manager.release_all("a")
    assert manager.used == 0


def test_errors_share_base_class() -> None:
    for error in (
        InvalidAmountError,
        OwnerLimitExceededError,
        CapacityExceededError,
        NotHeldError,
    ):
        assert issubclass(error, ResourceError)


# Deaths


def test_reap_releases_dead_owner() -> None:
    manager = make_manager()
    life = Life()
    manager.acquire("a", 3, liveness=life)
    manager.acquire("b", 2)
    life.alive = False
    assert manager.reap_dead() == {"a": 3}
    assert manager.snapshot().held == {"b": 2}
    assert manager.used == 2


def test_reap_keeps_live_owners() -> None:
    manager = make_manager()
    manager.acquire("a", 3, liveness=Life())
    assert manager.reap_dead() == {}
    assert manager.holding("a") == 3


def test_full_pool_reaps_before_refusing() -> None:
    manager = make_manager()
    life = Life()
    manager.acquire("a", 6, liveness=life)
    manager.acquire("b", 4)
    life.alive = False
    assert manager.acquire("c", 5) == 5
    assert manager.holding("a") == 0


def test_full_pool_of_live_owners_still_refuses() -> None:
    manager = make_manager()
    manager.acquire("a", 6, liveness=Life())
    manager.acquire("b", 4)
    with pytest.raises(CapacityExceededError):
        manager.acquire("c", 1)


def test_probe_is_kept_from_first_acquisition() -> None:
    manager = make_manager()
    first = Life()
    manager.acquire("a", 1, liveness=first)
    manager.acquire("a", 1, liveness=Life())
    first.alive = False
    assert manager.reap_dead() == {"a": 2}


def test_new_holding_gets_new_probe() -> None:
    manager = make_manager()
    old = Life()
    manager.acquire("a", 1, liveness=old)
    manager.release("a", 1)
    manager.acquire("a", 1, liveness=Life())
    old.alive = False
    assert manager.reap_dead() == {}


def test_failing_probe_counts_as_alive(caplog: pytest.LogCaptureFixture) -> None:
    manager = make_manager()

    def broken() -> bool:
        raise OSError("probe failed")

    manager.acquire("a", 2, liveness=broken)
    with caplog.at_level(logging.WARNING):
        assert manager.reap_dead() == {}
    assert manager.holding("a") == 2
    assert "liveness probe of owner 'a' failed" in caplog.text


def test_thread_owner_released_after_it_ends() -> None:
    from reference_impl.coordination import thread_liveness

    manager = make_manager()
    done = threading.Event()
    worker = threading.Thread(target=done.wait)
    worker.start()
    manager.acquire(worker.name, 4, liveness=thread_liveness(worker))
    assert manager.reap_dead() == {}
    done.set()
    worker.join()
    assert manager.reap_dead() == {worker.name: 4}


# Pressure


@pytest.mark.parametrize(
    ("used", "level"),
    [
        (0, Pressure.NORMAL),
        (74, Pressure.NORMAL),
        (75, Pressure.ELEVATED),
        (89, Pressure.ELEVATED),
        (90, Pressure.CRITICAL),
        (100, Pressure.CRITICAL),
    ],
)
def test_pressure_thresholds(used: int, level: Pressure) -> None:
    manager = ResourceManager(capacity=100, elevated_percent=75, critical_percent=90)
    if used:
        manager.acquire("a", used)
    assert manager.pressure is level


def test_pressure_uses_exact_fractions() -> None:
    manager = ResourceManager(capacity=3, elevated_percent=66, critical_percent=67)
    manager.acquire("a", 2)
    assert manager.pressure is Pressure.ELEVATED


def test_pressure_falls_after_release() -> None:
    manager = ResourceManager(capacity=10, elevated_percent=50, critical_percent=80)
    manager.acquire("a", 8)
    manager.release("a", 5)
    assert manager.pressure is Pressure.NORMAL


# Threads


def test_concurrent_acquisitions_never_exceed_capacity() -> None:
    threads_count = 8
    attempts = 500
    manager = ResourceManager(capacity=100, owner_limit=20)
    granted: list[int] = []
    guard = threading.Lock()

    def grab(owner: int) -> None:
        for _ in range(attempts):
            try:
                manager.acquire(owner, 1)
            except (CapacityExceededError, OwnerLimitExceededError):
                continue
            with guard:
                granted.append(owner)

    threads = [threading.Thread(target=grab, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 100
    assert manager.used == 100
    assert max(manager.snapshot().held.values()) <= 20
    assert sum(manager.snapshot().held.values()) == 100


def test_concurrent_churn_keeps_usage_consistent() -> None:
    threads_count = 8
    steps = 1000
    manager = ResourceManager(capacity=20, owner_limit=5)
    bad_reads: list[ResourceSnapshot] = []

    def churn(owner: int) -> None:
        rng = random.Random(owner)
        for _ in range(steps):
            try:
                if rng.random() < 0.6:
                    manager.acquire(owner, rng.randint(1, 3))
                else:
                    manager.release(owner, rng.randint(1, 3))
            except (CapacityExceededError, OwnerLimitExceededError, NotHeldError):
                pass
            state = manager.snapshot()
            if not 0 <= state.used <= 20 or state.used != sum(state.held.values()):
                bad_reads.append(state)
        manager.release_all(owner)

    threads = [threading.Thread(target=churn, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert bad_reads == []
    assert manager.snapshot() == ResourceSnapshot({}, 0, Pressure.NORMAL)


# Crash recovery


def make_stored_manager() -> tuple[ResourceManager, MemoryAllocationStore]:
    store = MemoryAllocationStore()
    return make_manager(store=store), store


def recover(store: MemoryAllocationStore, **overrides: Any) -> ResourceManager:
    settings: dict[str, Any] = {"capacity": CAPACITY, "owner_limit": OWNER_LIMIT}
    settings.update(overrides)
    return ResourceManager.recover(store, **settings)


def test_recovery_restores_holdings_and_usage() -> None:
    manager, store = make_stored_manager()
    manager.acquire("a", 3)
    manager.acquire("b", 2)
    manager.release("a", 1)
    recovered = recover(store)
    assert recovered.snapshot() == manager.snapshot()
    assert recovered.used == 4


def test_recovery_never_oversubscribes() -> None:
    manager, store = make_stored_manager()
    manager.acquire("a", OWNER_LIMIT)
    manager.acquire("b", CAPACITY - OWNER_LIMIT)
    recovered = recover(store)
    with pytest.raises(CapacityExceededError):
        recovered.acquire("c", 1)


def test_recovery_forgets_released_owners() -> None:
    manager, store = make_stored_manager()
    manager.acquire("a", 2)
    manager.release("a", 2)
    manager.acquire("b", 1)
    manager.release_all("b")
    assert len(store) == 0
    assert recover(store).snapshot().held == {}


def test_recovery_frees_reaped_owners() -> None:
    manager, store = make_stored_manager()
    life = Life()
    manager.acquire("a", 2, liveness=life)
    life.alive = False
    manager.reap_dead()
    assert recover(store).used == 0


def test_recovered_manager_keeps_storing() -> None:
    manager, store = make_stored_manager()
    manager.acquire("a", 2)
    first = recover(store)
    first.acquire("b", 1)
    first.release("a", 1)
    assert recover(store).snapshot().held == {"a": 1, "b": 1}


def test_recovery_attaches_probes() -> None:
    manager, store = make_stored_manager()
    life = Life()
    manager.acquire("a", 2, liveness=life)
    manager.acquire("b", 1)
    recovered = recover(store, liveness={"a": life})
    life.alive = False
    assert recovered.reap_dead() == {"a": 2}
    assert recovered.holding("b") == 1


def test_recovery_rejects_smaller_capacity() -> None:
    manager, store = make_stored_manager()
    manager.acquire("a", 6)
    manager.acquire("b", 4)
    with pytest.raises(ValueError, match="exceed the capacity"):
        recover(store, capacity=8, owner_limit=6)


def test_recovery_rejects_smaller_owner_limit() -> None:
    manager, store = make_stored_manager()
    manager.acquire("a", 5)
    with pytest.raises(ValueError, match="owner limit"):
        recover(store, owner_limit=4)


def test_store_matches_manager_under_threads() -> None:
    manager, store = make_stored_manager()
    owners = ["a", "b", "c", "d"]

    def churn(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(300):
            owner = rng.choice(owners)
            try:
                if rng.random() < 0.5:
                    manager.acquire(owner, rng.randint(1, 3))
                else:
                    manager.release(owner, rng.randint(1, 3))
            except ResourceError:
                pass

    threads = [threading.Thread(target=churn, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert dict(store.holdings()) == manager.snapshot().held
    assert recover(store).snapshot() == manager.snapshot()
