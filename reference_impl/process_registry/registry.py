"""A thread-safe registry of live processes, with validated metadata, in namespaces.

Entries are keyed by namespace and then by process id, in plain dicts, so a
lookup costs two hash probes whatever the registry's size. Every write takes
one lock. Reads take none. Each entry is an immutable :class:`Registration`
that a write replaces whole, and a read is a dict ``get`` or ``copy``, which
CPython performs atomically. A reader therefore sees an entry as it was
before or after a write, never half-written.

A dead process is removed by the liveness sweep (:meth:`ProcessRegistry.sweep`,
run on schedule by :meth:`ProcessRegistry.poll` or a
:class:`~reference_impl.process_registry.monitor.LivenessMonitor`) or by a
death notice (:meth:`ProcessRegistry.notify_death`). A notice names the
registration's generation, and a newer registration under the same id has a
newer generation, so a late notice never removes it.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from reference_impl._checks import require_positive_int
from reference_impl.clock import Clock, MonotonicClock
from reference_impl.process_registry.backup import BackupEntry, RegistryBackup
from reference_impl.process_registry.processes import Process
from reference_impl.process_registry.schema import InvalidMetadataError, MetadataSchema

__all__ = [
    "AlreadyRegisteredError",
    "InvalidMetadataError",
    "NotRegisteredError",
    "ProcessNotAliveError",
    "ProcessRegistry",
    "ProcessRegistryError",
    "Registration",
]

logger = logging.getLogger(__name__)


class ProcessRegistryError(Exception):
    """Base class of the reasons a registry operation is rejected.

    Attributes:
        namespace: the namespace the operation named.
        pid: the process id the operation named.
    """

    def __init__(self, message: str, namespace: str, pid: Hashable) -> None:
        super().__init__(message)
        self.namespace = namespace
        self.pid = pid


class AlreadyRegisteredError(ProcessRegistryError):
    """A live process with this id is already registered in the namespace.

    Attributes:
        existing: the registration that is in the way.
    """

    def __init__(self, existing: Registration) -> None:
        super().__init__(
            f"process {existing.pid!r} is already registered in namespace "
            f"{existing.namespace!r} (generation {existing.generation}); "
            f"unregister it first",
            existing.namespace,
            existing.pid,
        )
        self.existing = existing


class NotRegisteredError(ProcessRegistryError):
    """No process with this id is registered in the namespace."""

    def __init__(self, namespace: str, pid: Hashable) -> None:
        super().__init__(
            f"process {pid!r} is not registered in namespace {namespace!r}",
            namespace,
            pid,
        )


class ProcessNotAliveError(ProcessRegistryError):
    """The process has ended, so it cannot be registered or served."""

    def __init__(self, namespace: str, pid: Hashable) -> None:
        super().__init__(
            f"process {pid!r} in namespace {namespace!r} is not alive",
            namespace,
            pid,
        )


@dataclass(frozen=True)
class Registration:
    """One process's entry in one namespace; replaced whole, never changed.

    Attributes:
        namespace: the namespace it is registered in.
        pid: the process's id.
        generation: the registry-wide number of this registration. No two
            registrations made by one registry share it, so it
            distinguishes a registration from a later one under a reused id.
        metadata: the validated metadata, read-only.
        registered_at: the clock reading when it was registered.
        last_heartbeat: the clock reading of its last heartbeat, or of its
            registration if none came since.
        process: the handle the registry watches.
    """

    namespace: str
    pid: Hashable
    generation: int
    metadata: Mapping[str, object]
    registered_at: int
    last_heartbeat: int
    process: Process = field(compare=False, repr=False)


class ProcessRegistry:
    """Registers live processes with schema-checked metadata in namespaces.

    Args:
        schema: the schema that metadata must conform to.
        sweep_interval: clock ticks between liveness sweeps run by
            :meth:`poll`. A dead process is removed by the first sweep after
            its death, so within ``sweep_interval`` ticks plus the polling
            period.
        clock: the source of monotonic readings. The default is a
            :class:`~reference_impl.clock.MonotonicClock` in milliseconds.
        backup: where every change is copied, so that :meth:`recover` can
            rebuild the registry after a crash. It should start empty.

    Raises:
        TypeError: if ``schema`` is not a MetadataSchema or ``sweep_interval``
            is not an int.
        ValueError: if ``sweep_interval`` is less than 1.
    """

    def __init__(
        self,
        schema: MetadataSchema,
        *,
        sweep_interval: int,
        clock: Clock | None = None,
        backup: RegistryBackup | None = None,
    ) -> None:
        if not isinstance(schema, MetadataSchema):
            raise TypeError(f"schema must be a MetadataSchema, got {schema!r}")
        self._schema = schema
        self._sweep_interval = require_positive_int("sweep_interval", sweep_interval)
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        # Writers hold the lock. Readers go without it (see the module
        # docstring), so every write replaces a Registration instead of
        # changing one.
        self._lock = threading.Lock()
        self._namespaces: dict[str, dict[Hashable, Registration]] = {}
        self._next_generation = 0
        self._size = 0
        self._last_sweep = self._clock.now()
        self._backup = backup
        if backup is not None:
            backup.store_sweep(self._last_sweep)

    @classmethod
    def recover(
        cls,
        backup: RegistryBackup,
        processes: Iterable[Process],
        schema: MetadataSchema,
        *,
        sweep_interval: int,
        clock: Clock | None = None,
    ) -> ProcessRegistry:
        """Rebuild a crashed registry from its backup and the live processes.

        Every backed-up entry comes back with its generation, metadata and
        times, attached to the process of ``processes`` with its id. An
        entry whose process is not among them is taken for dead: it stays,
        as a dead entry would have, until the next sweep removes it. The
        generation counter and the last sweep come back too, so no
        generation is issued twice. The new registry keeps writing to
        ``backup``.

        Args:
            backup: the backup the crashed registry wrote to.
            processes: the live processes, which announce themselves again.
            schema: the schema for later writes. Backed-up metadata is not
                validated again.
            sweep_interval: as for the constructor.
            clock: as for the constructor.

        Raises:
            TypeError: if a process has no ``pid`` and ``is_alive()``.
        """
        live = {_check_process(process): process for process in processes}
        registry = cls(schema, sweep_interval=sweep_interval, clock=clock)
        contents = backup.contents()
        attached = 0
        for saved in contents.entries:
            process = live.get(saved.pid)
            if process is not None:
                attached += 1
            registry._restore(saved, process or _Unattached(saved.pid))
        registry._next_generation = contents.next_generation
        registry._last_sweep = contents.last_sweep
        registry._backup = backup
        logger.info(
            "recovered %d entries from the backup, %d attached to live processes",
            len(contents.entries),
            attached,
        )
        return registry

    def _restore(self, saved: BackupEntry, process: Process) -> None:
        registration = Registration(
            namespace=saved.namespace,
            pid=saved.pid,
            generation=saved.generation,
            metadata=MappingProxyType(dict(saved.metadata)),
            registered_at=saved.registered_at,
            last_heartbeat=saved.last_heartbeat,
            process=process,
        )
        self._namespaces.setdefault(saved.namespace, {})[saved.pid] = registration
        self._size += 1

    @property
    def schema(self) -> MetadataSchema:
        """The schema that metadata is validated against."""
        return self._schema

    @property
    def sweep_interval(self) -> int:
        """Clock ticks between the liveness sweeps that :meth:`poll` runs."""
        return self._sweep_interval

    @property
    def last_sweep(self) -> int:
        """The clock reading at which the last liveness sweep started."""
        return self._last_sweep

    @property
    def next_generation(self) -> int:
        """The generation the next registration will get."""
        return self._next_generation

    def __len__(self) -> int:
        """Return the number of entries in all namespaces, dead or alive."""
        return self._size

    # --- writes -----------------------------------------------------------------

    def register(
        self, process: Process, metadata: Mapping[str, object], namespace: str
    ) -> Registration:
        """Register a live process with its metadata in a namespace.

        If the namespace contains an entry under the same id whose process has
        died, that entry is replaced: its id has been reused by a new
        process, and the old entry only waits for the sweep.

        Returns:
            The new registration, with a generation no earlier registration
            had.

        Raises:
            TypeError: if ``process`` has no ``pid`` and ``is_alive()``, its
                pid is unhashable, or ``namespace`` is not a str.
            ValueError: if ``namespace`` is empty.
            InvalidMetadataError: if the metadata does not conform to the schema.
            ProcessNotAliveError: if the process has ended.
            AlreadyRegisteredError: if a live process with this id is
                registered in the namespace.
        """
        _check_namespace(namespace)
        pid = _check_process(process)
        stored = self._schema.validate(metadata)
        if not process.is_alive():
            raise ProcessNotAliveError(namespace, pid)
        with self._lock:
            entries = self._namespaces.get(namespace)
            existing = entries.get(pid) if entries is not None else None
            if existing is not None and existing.process.is_alive():
                raise AlreadyRegisteredError(existing)
            now = self._clock.now()
            registration = Registration(
                namespace=namespace,
                pid=pid,
                generation=self._next_generation,
                metadata=stored,
                registered_at=now,
                last_heartbeat=now,
                process=process,
            )
            self._next_generation += 1
            if entries is None:
                entries = {}
                self._namespaces[namespace] = entries
            entries[pid] = registration
            if existing is None:
                self._size += 1
            self._save(registration)
        if existing is not None:
            logger.info(
                "process %r in namespace %r replaced dead generation %d with %d",
                pid,
                namespace,
                existing.generation,
                registration.generation,
            )
        return registration

    def unregister(self, namespace: str, pid: Hashable) -> Registration:
        """Remove a process's entry from a namespace, alive or not.

        Returns:
            The registration that was removed.

        Raises:
            NotRegisteredError: if no process with this id is registered there.
        """
        _check_namespace(namespace)
        with self._lock:
            registration = self._entry(namespace, pid)
            self._remove(registration)
        return registration

    def update_metadata(
        self, namespace: str, pid: Hashable, metadata: Mapping[str, object]
    ) -> Registration:
        """Replace a live process's metadata with new, validated metadata.

        The entry is checked before the metadata, so an update of a missing
        or dead process reports that whatever metadata it carries.

        Returns:
            The updated registration. Its generation and times are unchanged.

        Raises:
            NotRegisteredError: if no process with this id is registered there.
            ProcessNotAliveError: if the registered process has ended.
            InvalidMetadataError: if the metadata does not conform to the schema.
        """
        _check_namespace(namespace)
        with self._lock:
            current = self._live_entry(namespace, pid)
            stored = self._schema.validate(metadata)
            updated = dataclasses.replace(current, metadata=stored)
            self._namespaces[namespace][pid] = updated
            self._save(updated)
        return updated

    def heartbeat(self, namespace: str, pid: Hashable) -> Registration:
        """Record that a live process reported in, at the current clock reading.

        Returns:
            The registration with its new ``last_heartbeat``.

        Raises:
            NotRegisteredError: if no process with this id is registered there.
            ProcessNotAliveError: if the registered process has ended.
        """
        _check_namespace(namespace)
        with self._lock:
            current = self._live_entry(namespace, pid)
            updated = dataclasses.replace(current, last_heartbeat=self._clock.now())
            self._namespaces[namespace][pid] = updated
            self._save(updated)
        return updated

    def notify_death(self, namespace: str, pid: Hashable, generation: int) -> bool:
        """Remove the entry of a registration whose process has died.

        The notice names the registration by its generation. If the entry
        under ``pid`` now has another generation, the notice is about an
        earlier registration and changes nothing. That is how a late notice
        is kept from removing a newer registration of a reused id.

        Returns:
            True if the entry was removed, False if the notice was stale.
        """
        with self._lock:
            entries = self._namespaces.get(namespace)
            current = entries.get(pid) if entries is not None else None
            if current is None or current.generation != generation:
                return False
            self._remove(current)
        logger.info(
            "removed dead process %r from namespace %r (generation %d)",
            pid,
            namespace,
            generation,
        )
        return True

    # --- liveness ---------------------------------------------------------------

    def poll(self) -> bool:
        """Run a liveness sweep if ``sweep_interval`` ticks have passed since the last.

        Returns:
            True if a sweep ran.
        """
        with self._lock:
            now = self._clock.now()
            if now < self._last_sweep + self._sweep_interval:
                return False
            candidates = self._start_sweep(now)
        self._remove_dead(candidates)
        return True

    def sweep(self) -> int:
        """Remove every entry whose process has died, now, whatever the schedule.

        The entries are listed under the lock, but their processes are probed
        without it, because probing an OS process is a system call and
        writers should not wait for it. Each removal then goes through
        :meth:`notify_death`, so an entry replaced while the probes ran is
        kept.

        Returns:
            The number of entries removed.
        """
        with self._lock:
            candidates = self._start_sweep(self._clock.now())
        return self._remove_dead(candidates)

    def _start_sweep(self, now: int) -> list[Registration]:
        # The caller holds the lock.
        self._last_sweep = now
        if self._backup is not None:
            self._backup.store_sweep(now)
        return [
            registration
            for entries in self._namespaces.values()
            for registration in entries.values()
        ]

    def _remove_dead(self, candidates: list[Registration]) -> int:
        removed = 0
        for registration in candidates:
            if _probe_alive(registration):
                continue
            if self.notify_death(
                registration.namespace, registration.pid, registration.generation
            ):
                removed += 1
        return removed

    # --- reads --------------------------------------------------------------------

    def lookup(self, namespace: str, pid: Hashable) -> Registration:
        """Return a live process's registration in a namespace, without locking.

        Raises:
            NotRegisteredError: if no process with this id is registered there.
            ProcessNotAliveError: if the process has died and its entry has
                not been swept yet.
        """
        _check_namespace(namespace)
        entries = self._namespaces.get(namespace)
        registration = entries.get(pid) if entries is not None else None
        if registration is None:
            raise NotRegisteredError(namespace, pid)
        if not registration.process.is_alive():
            raise ProcessNotAliveError(namespace, pid)
        return registration

    def list_namespace(self, namespace: str) -> dict[Hashable, Registration]:
        """Return the live processes registered in a namespace, by id, without locking.

        Entries of processes that have died but have not been swept are left
        out, as :meth:`lookup` would reject them.
        """
        _check_namespace(namespace)
        entries = self._namespaces.get(namespace)
        if entries is None:
            return {}
        # dict.copy() is atomic with respect to writers, where iterating the
        # live dict could meet a resize.
        copied = entries.copy()
        return {pid: entry for pid, entry in copied.items() if entry.process.is_alive()}

    def namespaces(self) -> frozenset[str]:
        """Return the namespaces that hold at least one entry."""
        with self._lock:
            return frozenset(self._namespaces)

    def snapshot(self) -> dict[str, dict[Hashable, Registration]]:
        """Return every entry, dead or alive, by namespace and id, read atomically."""
        with self._lock:
            return {ns: dict(entries) for ns, entries in self._namespaces.items()}

    # --- helpers ------------------------------------------------------------------

    def _entry(self, namespace: str, pid: Hashable) -> Registration:
        entries = self._namespaces.get(namespace)
        registration = entries.get(pid) if entries is not None else None
        if registration is None:
            raise NotRegisteredError(namespace, pid)
        return registration

    def _live_entry(self, namespace: str, pid: Hashable) -> Registration:
        registration = self._entry(namespace, pid)
        if not registration.process.is_alive():
            raise ProcessNotAliveError(namespace, pid)
        return registration

    def _remove(self, registration: Registration) -> None:
        # The caller holds the lock. An emptied namespace is dropped, so the
        # registry keeps nothing for processes that are gone.
        entries = self._namespaces[registration.namespace]
        del entries[registration.pid]
        self._size -= 1
        if not entries:
            del self._namespaces[registration.namespace]
        if self._backup is not None:
            self._backup.discard(registration.namespace, registration.pid)

    def _save(self, registration: Registration) -> None:
        # The caller holds the lock, so the backup sees writes in their order.
        if self._backup is None:
            return
        entry = BackupEntry(
            namespace=registration.namespace,
            pid=registration.pid,
            generation=registration.generation,
            metadata=registration.metadata,
            registered_at=registration.registered_at,
            last_heartbeat=registration.last_heartbeat,
        )
        self._backup.store(entry, self._next_generation)


class _Unattached:
    """The process of a recovered entry that no live process claimed: dead."""

    def __init__(self, pid: Hashable) -> None:
        self._pid = pid

    @property
    def pid(self) -> Hashable:
        return self._pid

    def is_alive(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"_Unattached({self._pid!r})"


def _check_namespace(namespace: object) -> None:
    if not isinstance(namespace, str):
        raise TypeError(f"namespace must be a str, got {namespace!r}")
    if not namespace:
        raise ValueError("namespace must not be empty")


_NO_PID = object()


def _check_process(process: object) -> Hashable:
    # The same test as isinstance(process, Process), written out: the
    # runtime-checkable protocol's isinstance made up most of a recovery's time.
    pid = getattr(process, "pid", _NO_PID)
    if pid is _NO_PID or not callable(getattr(process, "is_alive", None)):
        raise TypeError(
            f"process must have a pid and an is_alive() method, got {process!r}"
        )
    try:
        hash(pid)
    except TypeError:
        raise TypeError(f"process id must be hashable, got {pid!r}") from None
    return pid


def _probe_alive(registration: Registration) -> bool:
    """Return whether the process runs, counting a probe that raises as alive.

    Removing a live process is worse than keeping a dead one one sweep
    longer, so a probe that raises keeps the entry.
    """
    try:
        return registration.process.is_alive()
    except Exception:
        logger.warning(
            "liveness probe of process %r in namespace %r raised; keeping it",
            registration.pid,
            registration.namespace,
            exc_info=True,
        )
        return True
