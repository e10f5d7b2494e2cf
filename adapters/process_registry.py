"""The adapter that drives a ProcessRegistry as ``specs/process_registry.spec``.

The adapter plays the world as well as the caller. Each spec process id
stands for a real thread, parked on an event. The adapter starts the thread
the first time the id is used and ends it when the spec's process dies, so
the registry observes liveness through ``Thread.is_alive()`` as it would in
production. A reused id gets a fresh thread.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Hashable, Mapping
from typing import Any, ClassVar

from reference_impl.clock import ManualClock
from reference_impl.process_registry import (
    AlreadyRegisteredError,
    Field,
    InvalidMetadataError,
    MemoryBackup,
    MetadataSchema,
    NotRegisteredError,
    ProcessNotAliveError,
    ProcessRegistry,
    Registration,
)

__all__ = ["ParkedThread", "ProcessRegistryAdapter"]

# The spec's Role members, which the schema accepts as strings.
_ROLES = frozenset({"Worker", "Supervisor"})


class ParkedThread:
    """A real thread that runs until :meth:`end` is called, under a chosen id.

    It satisfies the registry's process protocol with the id the test chose,
    where a ThreadProcess would use the thread's ident.
    """

    def __init__(self, pid: Hashable) -> None:
        self._pid = pid
        self._release = threading.Event()
        self._thread = threading.Thread(
            target=self._release.wait, name=f"process-{pid!r}", daemon=True
        )
        self._thread.start()

    @property
    def pid(self) -> Hashable:
        """The id the test gave this process."""
        return self._pid

    def is_alive(self) -> bool:
        """Return whether the thread still runs."""
        return self._thread.is_alive()

    def end(self) -> None:
        """End the thread and wait for it, so that its death is observable at once."""
        self._release.set()
        self._thread.join()


class _Namespaces:
    """Namespace names for the test's identity values, in first-use order.

    The concurrency test calls the adapter from many threads, so naming a
    new value is one critical section: two values never get one name.
    """

    def __init__(self) -> None:
        self._names: dict[Hashable, str] = {}
        self._values: dict[str, Hashable] = {}
        self._lock = threading.Lock()

    def name(self, value: Hashable) -> str:
        with self._lock:
            name = self._names.get(value)
            if name is None:
                name = f"ns-{len(self._names)}"
                self._names[value] = name
                self._values[name] = value
            return name

    def value(self, name: str) -> Hashable:
        with self._lock:
            return self._values[name]


class ProcessRegistryAdapter:
    """A ProcessRegistry on a manual clock starting at 0, with threads as processes.

    Args:
        constants: the spec's constants ``max_priority`` and ``sweep_interval``.

    Raises:
        KeyError: if a constant is missing.
    """

    errors: ClassVar[dict[type[BaseException], str]] = {
        InvalidMetadataError: "InvalidMetadata",
        ProcessNotAliveError: "ProcessNotAlive",
        AlreadyRegisteredError: "AlreadyRegistered",
        NotRegisteredError: "NotRegistered",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._clock = ManualClock(0)
        schema = MetadataSchema(
            {
                "role": Field(str, choices=_ROLES),
                "priority": Field(int, minimum=0, maximum=constants["max_priority"]),
                "capacity": Field(int, minimum=0),
            }
        )
        self._schema = schema
        self._sweep_interval = constants["sweep_interval"]
        # The backup outlives a crash of the registry, as a supervisor's copy
        # would.
        self._backup = MemoryBackup()
        self._registry = ProcessRegistry(
            schema,
            sweep_interval=self._sweep_interval,
            clock=self._clock,
            backup=self._backup,
        )
        self._namespaces = _Namespaces()
        # The world: each id's current thread and the deaths so far, guarded
        # by one lock because the concurrency test calls from many threads.
        self._world = threading.Lock()
        self._processes: dict[Hashable, ParkedThread] = {}
        self._died_at: dict[Hashable, int] = {}

    @property
    def registry(self) -> ProcessRegistry:
        """The registry under test."""
        return self._registry

    # --- operations ---------------------------------------------------------------

    def register(self, p: Hashable, metadata: Any, ns: Hashable) -> int:
        """Register process ``p``'s current thread; return the generation."""
        with self._world:
            process = self._process(p)
        registration = self._registry.register(
            process, _fields(metadata), self._namespaces.name(ns)
        )
        return registration.generation

    def lookup(self, ns: Hashable, p: Hashable) -> dict[str, object]:
        """Return the entry as the spec's Entry record."""
        return self._entry(self._registry.lookup(self._namespaces.name(ns), p))

    def unregister(self, ns: Hashable, p: Hashable) -> None:
        """Perform the spec's ``unregister``."""
        self._registry.unregister(self._namespaces.name(ns), p)

    def update_metadata(self, ns: Hashable, p: Hashable, metadata: Any) -> None:
        """Perform the spec's ``update_metadata``."""
        self._registry.update_metadata(self._namespaces.name(ns), p, _fields(metadata))

    def heartbeat(self, ns: Hashable, p: Hashable) -> None:
        """Perform the spec's ``heartbeat``."""
        self._registry.heartbeat(self._namespaces.name(ns), p)

    def list_namespace(self, ns: Hashable) -> frozenset[Hashable]:
        """Return the ids of the live processes in the namespace."""
        return frozenset(self._registry.list_namespace(self._namespaces.name(ns)))

    # --- the world ------------------------------------------------------------------

    def process_dies(self, p: Hashable) -> None:
        """End process ``p``'s thread and wait until it has ended."""
        with self._world:
            self._process(p).end()
            self._died_at[p] = self._clock.now()

    def pid_reused(self, p: Hashable) -> None:
        """Give id ``p`` to a new, live thread."""
        with self._world:
            del self._processes[p]
            del self._died_at[p]
            self._process(p)

    def death_notice(self, ns: Hashable, p: Hashable, generation: int) -> None:
        """Deliver a death notice for registration ``generation`` of ``p``."""
        self._registry.notify_death(self._namespaces.name(ns), p, generation)

    def monitor_sweep(self) -> None:
        """Let the monitor poll; the spec calls this only when a sweep is due."""
        self._registry.poll()

    def tick(self, elapsed: int) -> None:
        """Advance the manual clock by ``elapsed`` ticks, at least 1."""
        self._clock.advance(elapsed)

    def crash(self) -> None:
        """Lose the registry and everything in its memory; the backup survives."""
        del self._registry

    def recover(self) -> None:
        """Rebuild the registry from the backup and the live processes."""
        with self._world:
            live = [p for p in self._processes.values() if p.is_alive()]
        self._registry = ProcessRegistry.recover(
            self._backup,
            live,
            self._schema,
            sweep_interval=self._sweep_interval,
            clock=self._clock,
        )

    def observe(self) -> dict[str, object]:
        """Return the registry's state, and the world's, under the spec's names."""
        entries = {
            self._namespaces.value(ns): {
                pid: self._entry(registration)
                for pid, registration in registrations.items()
            }
            for ns, registrations in self._registry.snapshot().items()
        }
        with self._world:
            dead = dict(self._died_at)
        return {
            "entries": entries,
            "next_generation": self._registry.next_generation,
            "dead": dead,
            "last_sweep": self._registry.last_sweep,
            "now": self._clock.now(),
        }

    def close(self) -> None:
        """End every thread the adapter started."""
        with self._world:
            for process in self._processes.values():
                process.end()
            self._processes.clear()

    # --- helpers --------------------------------------------------------------------

    def _process(self, p: Hashable) -> ParkedThread:
        # The caller holds the world lock.
        process = self._processes.get(p)
        if process is None:
            process = ParkedThread(p)
            self._processes[p] = process
        return process

    def _entry(self, registration: Registration) -> dict[str, object]:
        return {
            "pid": registration.pid,
            "namespace": self._namespaces.value(registration.namespace),
            "generation": registration.generation,
            "metadata": dict(registration.metadata),
            "registered_at": registration.registered_at,
            "last_heartbeat": registration.last_heartbeat,
        }


def _fields(record: Any) -> dict[str, object]:
    """Return a spec record, a dataclass or a mapping, as a dict of its fields."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    return dict(record)
