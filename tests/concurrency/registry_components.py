"""A small durable registry and its adapter, for the fault tests.

The registry keeps its slots in memory and every change in a journal that
survives a crash; recovery replays the journal. ``LossyRegistry`` acknowledges
a registration before it reaches the journal, so the last one is lost when
the registry crashes: the bug a fault test must catch.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import ClassVar

SLOTS = 3


class NoSuchSlotError(LookupError):
    pass


class TakenError(ValueError):
    pass


class FreeError(ValueError):
    pass


class CrashedError(RuntimeError):
    """The registry is down: it crashed and has not recovered yet."""


class JournaledRegistry:
    """Slots in memory, each change journaled before it is acknowledged."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.journal: list[tuple[str, int]] = []  # survives a crash
        self._used: set[int] | None = set()
        self.hits = 0  # lost in a crash

    def register(self, slot: int) -> None:
        with self._lock:
            used = self._live()
            _check(slot)
            if slot in used:
                raise TakenError(slot)
            self._write(("register", slot))
            used.add(slot)

    def unregister(self, slot: int) -> None:
        with self._lock:
            used = self._live()
            _check(slot)
            if slot not in used:
                raise FreeError(slot)
            self._write(("unregister", slot))
            used.discard(slot)

    def registered(self, slot: int) -> bool:
        with self._lock:
            used = self._live()
            _check(slot)
            return slot in used

    def touch(self) -> int:
        with self._lock:
            self._live()
            self.hits += 1
            return self.hits

    def slots(self) -> frozenset[int]:
        with self._lock:
            return frozenset(self._live())

    def crash(self) -> None:
        """Lose everything in memory, as a killed process would."""
        with self._lock:
            self._used = None
            self.hits = 0

    def recover(self) -> None:
        """Rebuild the slots from the journal."""
        with self._lock:
            used: set[int] = set()
            for action, slot in self.journal:
                if action == "register":
                    used.add(slot)
                else:
                    used.discard(slot)
            self._used = used

    def _write(self, entry: tuple[str, int]) -> None:
        self.journal.append(entry)

    def _live(self) -> set[int]:
        if self._used is None:
            raise CrashedError("the registry has crashed")
        return self._used


class LossyRegistry(JournaledRegistry):
    """Acknowledges a registration before journaling it: a crash loses the last."""

    def __init__(self) -> None:
        super().__init__()
        self._unwritten: tuple[str, int] | None = None

    def _write(self, entry: tuple[str, int]) -> None:
        # Write behind: the previous entry is flushed now, this one later.
        if self._unwritten is not None:
            self.journal.append(self._unwritten)
        self._unwritten = entry

    def crash(self) -> None:
        super().crash()
        self._unwritten = None


def _check(slot: int) -> None:
    if not 0 <= slot < SLOTS:
        raise NoSuchSlotError(slot)


class RegistryAdapter:
    """Drives a :class:`JournaledRegistry` as ``specs/slot_registry.spec``."""

    errors: ClassVar[dict[type[BaseException], str]] = {
        NoSuchSlotError: "NoSuchSlot",
        TakenError: "Taken",
        FreeError: "Free",
    }
    crash_during_operations: ClassVar[bool] = True
    registry_class: ClassVar[type[JournaledRegistry]] = JournaledRegistry

    def __init__(self, constants: Mapping[str, int]) -> None:
        self.registry = self.registry_class()

    def register(self, slot: int) -> None:
        self.registry.register(slot)

    def unregister(self, slot: int) -> None:
        self.registry.unregister(slot)

    def registered(self, slot: int) -> bool:
        return self.registry.registered(slot)

    def size(self) -> int:
        return len(self.registry.slots())

    def touch(self) -> int:
        return self.registry.touch()

    def observe(self) -> dict[str, object]:
        used = self.registry.slots()
        state: dict[str, object] = {f"used{n}": n in used for n in range(SLOTS)}
        state["count"] = len(used)
        state["hits"] = self.registry.hits
        return state

    def crash(self) -> None:
        self.registry.crash()

    def recover(self) -> None:
        self.registry.recover()


class LossyRegistryAdapter(RegistryAdapter):
    registry_class: ClassVar[type[JournaledRegistry]] = LossyRegistry


class NoCrashAdapter:
    """An adapter without crash() and recover(): its fault test is skipped."""

    errors: ClassVar[dict[type[BaseException], str]] = RegistryAdapter.errors

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._inner = RegistryAdapter(constants)

    def register(self, slot: int) -> None:
        self._inner.register(slot)

    def unregister(self, slot: int) -> None:
        self._inner.unregister(slot)

    def registered(self, slot: int) -> bool:
        return self._inner.registered(slot)

    def size(self) -> int:
        return self._inner.size()

    def touch(self) -> int:
        return self._inner.touch()
