"""Tests of the process registry: entries, metadata, liveness and thread safety."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from types import MappingProxyType

import pytest

from reference_impl.clock import ManualClock
from reference_impl.process_registry import (
    AlreadyRegisteredError,
    Field,
    InvalidMetadataError,
    LivenessMonitor,
    MemoryBackup,
    MetadataSchema,
    NotRegisteredError,
    OsProcess,
    ProcessId,
    ProcessNotAliveError,
    ProcessRegistry,
    ProcessRegistryError,
    SubprocessProcess,
    TaskProcess,
    ThreadProcess,
)

INTERVAL = 10
METADATA: dict[str, object] = {"role": "worker", "slots": 4}


def make_schema() -> MetadataSchema:
    return MetadataSchema(
        {
            "role": Field(str, choices=frozenset({"worker", "supervisor"})),
            "slots": Field(int, minimum=1, maximum=64),
            "weight": Field(float, required=False, minimum=0.0),
        }
    )


def make_registry() -> tuple[ProcessRegistry, ManualClock]:
    clock = ManualClock()
    return ProcessRegistry(make_schema(), sweep_interval=INTERVAL, clock=clock), clock


class FakeProcess:
    """A process whose liveness the test sets, under an id the test chooses."""

    def __init__(self, pid: Hashable) -> None:
        self._pid = pid
        self.alive = True

    @property
    def pid(self) -> Hashable:
        return self._pid

    def is_alive(self) -> bool:
        return self.alive


class RaisingProcess(FakeProcess):
    def __init__(self, pid: Hashable) -> None:
        super().__init__(pid)
        self.failing = False

    def is_alive(self) -> bool:
        if self.failing:
            raise OSError("probe failed")
        return True


@pytest.fixture
def parked_thread() -> Iterator[tuple[threading.Thread, threading.Event]]:
    release = threading.Event()
    thread = threading.Thread(target=release.wait, daemon=True)
    thread.start()
    yield thread, release
    release.set()
    thread.join()


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


# Registering and looking up


def test_register_returns_entry() -> None:
    registry, clock = make_registry()
    clock.advance(5)
    process = FakeProcess("a")
    registration = registry.register(process, METADATA, "jobs")
    assert registration.namespace == "jobs"
    assert registration.pid == "a"
    assert registration.generation == 0
    assert registration.metadata == METADATA
    assert registration.registered_at == 5
    assert registration.last_heartbeat == 5
    assert registration.process is process


def test_lookup_returns_registered_entry() -> None:
    registry, _ = make_registry()
    registration = registry.register(FakeProcess("a"), METADATA, "jobs")
    assert registry.lookup("jobs", "a") == registration


def test_generations_increase_across_namespaces() -> None:
    registry, _ = make_registry()
    first = registry.register(FakeProcess("a"), METADATA, "jobs")
    second = registry.register(FakeProcess("a"), METADATA, "web")
    third = registry.register(FakeProcess("b"), METADATA, "jobs")
    assert [first.generation, second.generation, third.generation] == [0, 1, 2]
    assert registry.next_generation == 3


def test_lookup_unknown_raises_not_registered() -> None:
    registry, _ = make_registry()
    with pytest.raises(NotRegisteredError) as caught:
        registry.lookup("jobs", "a")
    assert caught.value.namespace == "jobs"
    assert caught.value.pid == "a"


def test_register_twice_raises_already_registered() -> None:
    registry, _ = make_registry()
    first = registry.register(FakeProcess("a"), METADATA, "jobs")
    with pytest.raises(AlreadyRegisteredError) as caught:
        registry.register(FakeProcess("a"), METADATA, "jobs")
    assert caught.value.existing == first
    assert registry.next_generation == 1
    assert len(registry) == 1


def test_register_dead_process_raises_not_alive() -> None:
    registry, _ = make_registry()
    process = FakeProcess("a")
    process.alive = False
    with pytest.raises(ProcessNotAliveError):
        registry.register(process, METADATA, "jobs")
    assert len(registry) == 0


def test_errors_share_base_class() -> None:
    for error in (AlreadyRegisteredError, NotRegisteredError, ProcessNotAliveError):
        assert issubclass(error, ProcessRegistryError)


# Namespaces


def test_namespaces_are_isolated() -> None:
    registry, _ = make_registry()
    registry.register(FakeProcess("a"), METADATA, "jobs")
    with pytest.raises(NotRegisteredError):
        registry.lookup("web", "a")
    assert registry.list_namespace("web") == {}


def test_same_process_in_two_namespaces() -> None:
    registry, _ = make_registry()
    process = FakeProcess("a")
    registry.register(process, {"role": "worker", "slots": 1}, "jobs")
    registry.register(process, {"role": "supervisor", "slots": 2}, "web")
    assert registry.lookup("jobs", "a").metadata["role"] == "worker"
    assert registry.lookup("web", "a").metadata["role"] == "supervisor"
    assert registry.namespaces() == frozenset({"jobs", "web"})


def test_list_namespace_returns_its_processes() -> None:
    registry, _ = make_registry()
    registry.register(FakeProcess("a"), METADATA, "jobs")
    registry.register(FakeProcess("b"), METADATA, "jobs")
    registry.register(FakeProcess("c"), METADATA, "web")
    assert set(registry.list_namespace("jobs")) == {"a", "b"}


@pytest.mark.parametrize("namespace", ["", None, 3])
def test_rejects_invalid_namespace(namespace: object) -> None:
    registry, _ = make_registry()
    expected = ValueError if namespace == "" else TypeError
    with pytest.raises(expected, match="namespace"):
        registry.register(FakeProcess("a"), METADATA, namespace)  # type: ignore[arg-type]


def test_rejects_object_without_liveness() -> None:
    registry, _ = make_registry()
    with pytest.raises(TypeError, match="is_alive"):
        registry.register(object(), METADATA, "jobs")  # type: ignore[arg-type]


def test_rejects_unhashable_pid() -> None:
    registry, _ = make_registry()
    with pytest.raises(TypeError, match="hashable"):
        registry.register(FakeProcess(("a", [])), METADATA, "jobs")


# Metadata


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"role": "worker"}, "slots is required but missing"),
        ({"role": "chef", "slots": 1}, "role must be one of"),
        ({"role": "worker", "slots": 0}, "slots must be at least 1"),
        ({"role": "worker", "slots": 65}, "slots must be at most 64"),
        ({"role": "worker", "slots": "4"}, "slots must be a int"),
        ({"role": "worker", "slots": True}, "slots must be a int"),
        ({"role": "worker", "slots": 1, "weight": float("nan")}, "weight must be"),
        ({"role": "worker", "slots": 1, "color": "red"}, "'color' is not a declared"),
    ],
)
def test_invalid_metadata_is_rejected(
    metadata: dict[str, object], message: str
) -> None:
    registry, _ = make_registry()
    with pytest.raises(InvalidMetadataError, match=message):
        registry.register(FakeProcess("a"), metadata, "jobs")
    assert len(registry) == 0


def test_invalid_metadata_lists_every_problem() -> None:
    with pytest.raises(InvalidMetadataError) as caught:
        make_schema().validate({"role": 1, "slots": 0})
    assert len(caught.value.problems) == 2


def test_float_field_accepts_int() -> None:
    stored = make_schema().validate({"role": "worker", "slots": 1, "weight": 2})
    assert stored["weight"] == 2


def test_extra_fields_allowed_when_declared() -> None:
    schema = MetadataSchema({"role": Field(str)}, allow_extra=True)
    assert schema.validate({"role": "x", "zone": "eu"})["zone"] == "eu"


def test_extra_field_must_have_field_type() -> None:
    schema = MetadataSchema({}, allow_extra=True)
    with pytest.raises(InvalidMetadataError, match="zone must be"):
        schema.validate({"zone": ["eu"]})


def test_stored_metadata_is_a_read_only_copy() -> None:
    registry, _ = make_registry()
    metadata = dict(METADATA)
    registration = registry.register(FakeProcess("a"), metadata, "jobs")
    metadata["slots"] = 60
    assert registration.metadata["slots"] == 4
    assert isinstance(registration.metadata, MappingProxyType)


def test_metadata_must_be_mapping() -> None:
    with pytest.raises(TypeError, match="mapping"):
        make_schema().validate([("role", "worker")])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"type": list}, "field type must be one of"),
        ({"type": str, "minimum": 1}, "minimum and maximum apply"),
        ({"type": int, "minimum": 5, "maximum": 1}, "greater than maximum"),
        ({"type": str, "choices": frozenset()}, "choices must not be empty"),
    ],
)
def test_invalid_field_is_rejected(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Field(**arguments)  # type: ignore[arg-type]


# Updates


def test_update_metadata_keeps_generation_and_times() -> None:
    registry, clock = make_registry()
    first = registry.register(FakeProcess("a"), METADATA, "jobs")
    clock.advance(3)
    updated = registry.update_metadata("jobs", "a", {"role": "supervisor", "slots": 2})
    assert updated.metadata == {"role": "supervisor", "slots": 2}
    assert updated.generation == first.generation
    assert updated.registered_at == first.registered_at
    assert registry.lookup("jobs", "a") == updated


def test_invalid_update_keeps_metadata() -> None:
    registry, _ = make_registry()
    registry.register(FakeProcess("a"), METADATA, "jobs")
    with pytest.raises(InvalidMetadataError):
        registry.update_metadata("jobs", "a", {"role": "worker"})
    assert registry.lookup("jobs", "a").metadata == METADATA


def test_update_metadata_of_unknown_raises() -> None:
    registry, _ = make_registry()
    with pytest.raises(NotRegisteredError):
        registry.update_metadata("jobs", "a", METADATA)


def test_update_checks_entry_before_metadata() -> None:
    registry, _ = make_registry()
    with pytest.raises(NotRegisteredError):
        registry.update_metadata("jobs", "a", {"role": "chef"})


def test_heartbeat_records_current_reading() -> None:
    registry, clock = make_registry()
    registry.register(FakeProcess("a"), METADATA, "jobs")
    clock.advance(7)
    beat = registry.heartbeat("jobs", "a")
    assert beat.last_heartbeat == 7
    assert beat.registered_at == 0


def test_heartbeat_of_dead_process_raises() -> None:
    registry, _ = make_registry()
    process = FakeProcess("a")
    registry.register(process, METADATA, "jobs")
    process.alive = False
    with pytest.raises(ProcessNotAliveError):
        registry.heartbeat("jobs", "a")


def test_unregister_removes_entry_and_namespace() -> None:
    registry, _ = make_registry()
    registration = registry.register(FakeProcess("a"), METADATA, "jobs")
    assert registry.unregister("jobs", "a") == registration
    assert registry.namespaces() == frozenset()
    assert len(registry) == 0
    with pytest.raises(NotRegisteredError):
        registry.lookup("jobs", "a")


def test_unregister_unknown_raises() -> None:
    registry, _ = make_registry()
    with pytest.raises(NotRegisteredError):
        registry.unregister("jobs", "a")


def test_unregister_keeps_other_entries() -> None:
    registry, _ = make_registry()
    registry.register(FakeProcess("a"), METADATA, "jobs")
    kept = registry.register(FakeProcess("b"), METADATA, "jobs")
    registry.unregister("jobs", "a")
    assert registry.list_namespace("jobs") == {"b": kept}


# Dead processes


def test_dead_entry_is_hidden_until_swept() -> None:
    registry, _ = make_registry()
    process = FakeProcess("a")
    registry.register(process, METADATA, "jobs")
    process.alive = False
    with pytest.raises(ProcessNotAliveError):
        registry.lookup("jobs", "a")
    assert registry.list_namespace("jobs") == {}
    assert len(registry) == 1


def test_sweep_removes_only_dead() -> None:
    registry, _ = make_registry()
    dead = FakeProcess("a")
    registry.register(dead, METADATA, "jobs")
    registry.register(dead, METADATA, "web")
    live = registry.register(FakeProcess("b"), METADATA, "jobs")
    dead.alive = False
    assert registry.sweep() == 2
    assert registry.snapshot() == {"jobs": {"b": live}}


def test_poll_sweeps_only_when_due() -> None:
    registry, clock = make_registry()
    process = FakeProcess("a")
    registry.register(process, METADATA, "jobs")
    process.alive = False
    clock.advance(INTERVAL - 1)
    assert not registry.poll()
    assert len(registry) == 1
    clock.advance(1)
    assert registry.poll()
    assert len(registry) == 0
    assert registry.last_sweep == INTERVAL


def test_sweep_keeps_entry_whose_probe_raises() -> None:
    registry, _ = make_registry()
    process = RaisingProcess("a")
    registry.register(process, METADATA, "jobs")
    process.failing = True
    assert registry.sweep() == 0
    assert len(registry) == 1


def test_death_notice_removes_its_registration() -> None:
    registry, _ = make_registry()
    registration = registry.register(FakeProcess("a"), METADATA, "jobs")
    assert registry.notify_death("jobs", "a", registration.generation)
    assert len(registry) == 0


def test_stale_death_notice_keeps_newer_registration() -> None:
    registry, _ = make_registry()
    old = registry.register(FakeProcess("a"), METADATA, "jobs")
    registry.unregister("jobs", "a")
    newer = registry.register(FakeProcess("a"), METADATA, "jobs")
    assert not registry.notify_death("jobs", "a", old.generation)
    assert registry.lookup("jobs", "a") == newer


def test_death_notice_for_unknown_entry_is_ignored() -> None:
    registry, _ = make_registry()
    assert not registry.notify_death("jobs", "a", 0)


def test_reused_pid_replaces_dead_entry() -> None:
    registry, _ = make_registry()
    old_process = FakeProcess("a")
    old = registry.register(old_process, METADATA, "jobs")
    old_process.alive = False
    newer = registry.register(FakeProcess("a"), METADATA, "jobs")
    assert newer.generation == old.generation + 1
    assert registry.lookup("jobs", "a") == newer
    assert len(registry) == 1
    assert not registry.notify_death("jobs", "a", old.generation)


def test_sweep_skips_entry_replaced_during_probe() -> None:
    registry, _ = make_registry()
    old_process = FakeProcess("a")
    registry.register(old_process, METADATA, "jobs")
    old_process.alive = False
    newer_process = FakeProcess("a")

    # The probe of the old process runs outside the lock; replacing the entry
    # from inside it stands in for a writer that gets in between.
    def probe_then_replace() -> bool:
        registry.unregister("jobs", "a")
        registry.register(newer_process, METADATA, "jobs")
        return False

    old_process.is_alive = probe_then_replace  # type: ignore[method-assign]
    assert registry.sweep() == 0
    assert registry.lookup("jobs", "a").process is newer_process


# Process handles


def test_thread_process_follows_thread(
    parked_thread: tuple[threading.Thread, threading.Event],
) -> None:
    thread, release = parked_thread
    process = ThreadProcess(thread)
    assert process.pid == ProcessId("thread", thread.ident or 0)
    assert process.is_alive()
    release.set()
    thread.join()
    assert not process.is_alive()


def test_thread_process_requires_started_thread() -> None:
    with pytest.raises(ValueError, match="has not been started"):
        ThreadProcess(threading.Thread(target=lambda: None))


def test_task_process_follows_task() -> None:
    async def scenario() -> tuple[bool, bool]:
        release = asyncio.Event()
        task = asyncio.ensure_future(release.wait())
        process = TaskProcess(task)
        alive_before = process.is_alive()
        release.set()
        await task
        return alive_before, process.is_alive()

    alive_before, alive_after = asyncio.run(scenario())
    assert alive_before
    assert not alive_after


def test_task_registration_removed_on_done_callback() -> None:
    registry, _ = make_registry()

    async def scenario() -> None:
        release = asyncio.Event()
        task = asyncio.ensure_future(release.wait())
        registration = registry.register(TaskProcess(task), METADATA, "jobs")
        task.add_done_callback(
            lambda _: registry.notify_death(
                "jobs", registration.pid, registration.generation
            )
        )
        release.set()
        await task
        await asyncio.sleep(0)

    asyncio.run(scenario())
    assert len(registry) == 0


def test_os_and_subprocess_handles_follow_child() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    os_process = OsProcess(child.pid)
    sub_process = SubprocessProcess(child)
    assert os_process.pid == sub_process.pid
    assert os_process.is_alive()
    assert sub_process.is_alive()
    child.kill()
    child.wait()
    assert not os_process.is_alive()
    assert not sub_process.is_alive()
    assert child.stdin is not None
    child.stdin.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_os_process_counts_zombie_as_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    process = OsProcess(child.pid)
    # Wait for the exit without reaping, so the child stays a zombie.
    deadline = time.monotonic() + 30
    while process.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not process.is_alive()
    child.wait()


@pytest.mark.parametrize("pid", [0, -1, True, "1"])
def test_os_process_rejects_invalid_pid(pid: object) -> None:
    with pytest.raises(ValueError, match="pid must be a positive int"):
        OsProcess(pid)  # type: ignore[arg-type]


def test_registers_real_thread(
    parked_thread: tuple[threading.Thread, threading.Event],
) -> None:
    registry, clock = make_registry()
    thread, release = parked_thread
    registry.register(ThreadProcess(thread), METADATA, "jobs")
    release.set()
    thread.join()
    clock.advance(INTERVAL)
    registry.poll()
    assert len(registry) == 0


# Monitor


def test_monitor_sweeps_in_background() -> None:
    registry, clock = make_registry()
    process = FakeProcess("a")
    registry.register(process, METADATA, "jobs")
    process.alive = False
    clock.advance(INTERVAL)
    with LivenessMonitor(registry, period=0.001) as monitor:
        assert monitor.running
        deadline = time.monotonic() + 30
        while len(registry) and time.monotonic() < deadline:
            time.sleep(0.001)
    assert len(registry) == 0
    assert not monitor.running


def test_monitor_rejects_second_start() -> None:
    registry, _ = make_registry()
    monitor = LivenessMonitor(registry, period=10)
    monitor.start()
    try:
        with pytest.raises(RuntimeError, match="already running"):
            monitor.start()
    finally:
        monitor.stop()


@pytest.mark.parametrize("period", [0, -1.0])
def test_monitor_rejects_non_positive_period(period: float) -> None:
    registry, _ = make_registry()
    with pytest.raises(ValueError, match="period"):
        LivenessMonitor(registry, period=period)


def test_rejects_non_positive_sweep_interval() -> None:
    with pytest.raises(ValueError, match="sweep_interval must be at least 1"):
        ProcessRegistry(make_schema(), sweep_interval=0)


# Threads


def test_concurrent_duplicate_registration_admits_one() -> None:
    registry, _ = make_registry()
    threads_count = 16
    admitted: list[int] = []
    rejected: list[int] = []

    def register(index: int) -> None:
        try:
            registry.register(FakeProcess("same"), METADATA, "jobs")
        except AlreadyRegisteredError:
            rejected.append(index)
        else:
            admitted.append(index)

    run_in_threads(threads_count, register)
    assert len(admitted) == 1
    assert len(rejected) == threads_count - 1
    assert len(registry) == 1


def test_concurrent_registrations_get_unique_generations() -> None:
    registry, _ = make_registry()
    threads_count = 8
    per_thread = 250
    generations: list[int] = []

    def register_many(index: int) -> None:
        for n in range(per_thread):
            registration = registry.register(
                FakeProcess((index, n)), METADATA, f"ns-{n % 3}"
            )
            generations.append(registration.generation)

    run_in_threads(threads_count, register_many)
    total = threads_count * per_thread
    assert len(registry) == total
    assert sorted(generations) == list(range(total))


def test_lookups_during_writes_see_whole_entries() -> None:
    registry, _ = make_registry()
    registry.register(FakeProcess("a"), {"role": "worker", "slots": 1}, "jobs")
    stop = threading.Event()
    seen: set[tuple[object, object]] = set()

    def update_forever() -> None:
        slots = 1
        while not stop.is_set():
            slots = slots % 64 + 1
            role = "worker" if slots % 2 else "supervisor"
            registry.update_metadata("jobs", "a", {"role": role, "slots": slots})

    writer = threading.Thread(target=update_forever)
    writer.start()
    try:
        for _ in range(20_000):
            metadata = registry.lookup("jobs", "a").metadata
            seen.add((metadata["role"], metadata["slots"]))
    finally:
        stop.set()
        writer.join()
    for role, slots in seen:
        assert role == ("worker" if slots % 2 else "supervisor")  # type: ignore[operator]


# Crash recovery


def make_backed_registry() -> tuple[ProcessRegistry, ManualClock, MemoryBackup]:
    clock = ManualClock()
    backup = MemoryBackup()
    registry = ProcessRegistry(
        make_schema(), sweep_interval=INTERVAL, clock=clock, backup=backup
    )
    return registry, clock, backup


def recover(backup: MemoryBackup, *processes: FakeProcess) -> ProcessRegistry:
    return ProcessRegistry.recover(
        backup, processes, make_schema(), sweep_interval=INTERVAL, clock=ManualClock()
    )


def test_recovery_restores_every_entry() -> None:
    registry, clock, backup = make_backed_registry()
    first = FakeProcess("a")
    second = FakeProcess("b")
    registry.register(first, METADATA, "jobs")
    registry.register(second, METADATA, "web")
    clock.advance(3)
    registry.heartbeat("web", "b")
    recovered = recover(backup, first, second)
    assert recovered.snapshot() == registry.snapshot()
    assert recovered.lookup("jobs", "a").process is first


def test_recovery_keeps_generation_counter() -> None:
    registry, _, backup = make_backed_registry()
    registry.register(FakeProcess("a"), METADATA, "jobs")
    registry.unregister("jobs", "a")
    process = FakeProcess("b")
    recovered = recover(backup, process)
    assert recovered.next_generation == 1
    assert recovered.register(process, METADATA, "jobs").generation == 1


def test_recovery_forgets_removed_entries() -> None:
    registry, _, backup = make_backed_registry()
    process = FakeProcess("a")
    registry.register(process, METADATA, "jobs")
    registry.register(process, METADATA, "web")
    registry.unregister("jobs", "a")
    recovered = recover(backup, process)
    assert recovered.namespaces() == frozenset({"web"})


def test_unclaimed_entry_recovers_dead() -> None:
    registry, _, backup = make_backed_registry()
    registry.register(FakeProcess("gone"), METADATA, "jobs")
    kept = FakeProcess("kept")
    registry.register(kept, METADATA, "jobs")
    recovered = recover(backup, kept)
    assert len(recovered) == 2
    with pytest.raises(ProcessNotAliveError):
        recovered.lookup("jobs", "gone")
    assert recovered.sweep() == 1
    assert set(recovered.list_namespace("jobs")) == {"kept"}


def test_recovery_keeps_sweep_schedule() -> None:
    registry, clock, backup = make_backed_registry()
    clock.advance(INTERVAL)
    registry.poll()
    recovered = recover(backup)
    assert recovered.last_sweep == INTERVAL


def test_recovered_registry_keeps_backing_up() -> None:
    registry, _, backup = make_backed_registry()
    process = FakeProcess("a")
    recovered = recover(backup, process)
    recovered.register(process, METADATA, "jobs")
    again = recover(backup, process)
    assert again.lookup("jobs", "a").generation == 0
    assert len(backup) == 1
    assert registry.next_generation == 0


def test_backup_copies_metadata() -> None:
    registry, _, backup = make_backed_registry()
    registry.register(FakeProcess("a"), METADATA, "jobs")
    (entry,) = backup.contents().entries
    assert entry.metadata == METADATA
    assert isinstance(entry.metadata, MappingProxyType)
