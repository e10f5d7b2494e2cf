"""Tests of the ResourceManager adapter's mapping onto the spec's names."""

from __future__ import annotations

from adapters import ResourceManagerAdapter

CONSTANTS = {
    "capacity": 10,
    "owner_limit": 6,
    "elevated_percent": 50,
    "critical_percent": 80,
}


def test_initial_state_matches_spec_init() -> None:
    adapter = ResourceManagerAdapter(CONSTANTS)
    assert adapter.observe() == {"held": {}, "used": 0, "dead": frozenset()}


def test_constants_reach_manager() -> None:
    manager = ResourceManagerAdapter(CONSTANTS).manager
    assert (manager.capacity, manager.owner_limit) == (10, 6)
    assert (manager.elevated_percent, manager.critical_percent) == (50, 80)


def test_death_releases_through_probe() -> None:
    adapter = ResourceManagerAdapter(CONSTANTS)
    adapter.acquire("a", 4)
    adapter.acquire("b", 1)
    adapter.owner_dies("a")
    assert adapter.observe() == {"held": {"b": 1}, "used": 1, "dead": frozenset({"a"})}


def test_pressure_names_are_spec_members() -> None:
    adapter = ResourceManagerAdapter(CONSTANTS)
    assert adapter.pressure() == "Normal"
    adapter.acquire("a", 5)
    assert adapter.pressure() == "Elevated"
    adapter.acquire("b", 3)
    assert adapter.pressure() == "Critical"


def test_crash_and_recover_keep_state() -> None:
    adapter = ResourceManagerAdapter(CONSTANTS)
    adapter.acquire("a", 4)
    adapter.acquire("b", 2)
    adapter.owner_dies("b")
    before = adapter.observe()
    adapter.crash()
    adapter.recover()
    assert adapter.observe() == before


def test_recovered_owner_still_dies() -> None:
    adapter = ResourceManagerAdapter(CONSTANTS)
    adapter.acquire("a", 4)
    adapter.crash()
    adapter.recover()
    adapter.owner_dies("a")
    assert adapter.observe() == {"held": {}, "used": 0, "dead": frozenset({"a"})}
