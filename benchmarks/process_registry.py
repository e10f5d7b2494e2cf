"""Measure the ProcessRegistry against the Foundation figures.

Four figures, each one a subcommand, each printing one JSON line:

- ``recovery``: after a crash, 10,000 registrations are rebuilt within
  100 ms, and none of a live process is lost. A registry that writes to a
  ``MemoryBackup`` is filled and then dropped, and
  ``ProcessRegistry.recover`` rebuilds it from the backup and the live
  handles. The same run also times a plain dict built from the same
  backup, which states the figure as a ratio, and the sweep that removes
  the dead entries that recovery brings back.
- ``load``: 10,000 operations from 100 threads at once give a mean lookup
  under 1 ms and no errors. The same threads then read a plain dict the same
  number of times: the ratio of the two means is the registry's own cost,
  apart from the interpreter's thread switching, which both pay.
- ``flat``: the mean lookup stays flat from 100 to 1,000,000 entries; the
  ratio of the largest size's mean to the smallest's is the figure.
- ``memory``: after every registered process dies and the liveness sweep
  runs, the registry's memory is back to what it was when empty.

Usage::

    .venv/bin/python benchmarks/process_registry.py recovery
    .venv/bin/python benchmarks/process_registry.py load
    .venv/bin/python benchmarks/process_registry.py flat
    .venv/bin/python benchmarks/process_registry.py memory
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Hashable, Sequence
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reference_impl.clock import ManualClock  # noqa: E402
from reference_impl.process_registry import (  # noqa: E402
    Field,
    MemoryBackup,
    MetadataSchema,
    ProcessRegistry,
)

NAMESPACES = 10
SWEEP_INTERVAL = 10
METADATA = {"role": "worker", "priority": 1}


class Handle:
    """A process the benchmark controls: an id and a liveness flag.

    The registry takes any object with a ``pid`` and ``is_alive()``; real
    threads would measure the operating system, not the registry.
    """

    __slots__ = ("alive", "pid")

    def __init__(self, pid: Hashable) -> None:
        self.pid = pid
        self.alive = True

    def is_alive(self) -> bool:
        return self.alive


def new_schema() -> MetadataSchema:
    return MetadataSchema(
        {
            "role": Field(str, choices=frozenset({"worker", "supervisor"})),
            "priority": Field(int, minimum=0, maximum=9),
        }
    )


def new_registry(backup: MemoryBackup | None = None) -> ProcessRegistry:
    return ProcessRegistry(
        new_schema(),
        sweep_interval=SWEEP_INTERVAL,
        clock=ManualClock(0),
        backup=backup,
    )


def fill(registry: ProcessRegistry, count: int) -> list[Handle]:
    handles = [Handle(n) for n in range(count)]
    for n, handle in enumerate(handles):
        registry.register(handle, METADATA, namespace_of(n))
    return handles


def namespace_of(pid: int) -> str:
    return f"ns-{pid % NAMESPACES}"


# --- recovery ------------------------------------------------------------


def measure_recovery(count: int, dead_share: float, repeats: int) -> dict[str, object]:
    """Crash a backed-up registry and time its recovery, ``repeats`` times.

    Each round fills a new registry that writes to a new backup, kills a
    ``dead_share`` of the processes without telling the registry, and drops
    the registry. Only the backup and the handles survive. The timed step
    is ``ProcessRegistry.recover`` given the live handles. The round then
    times a plain dict built from the same backup contents and handles, and
    the sweep that removes the dead entries recovery brought back.
    """
    times, baselines, sweeps = [], [], []
    lost = lost_after_sweep = 0
    outcome: dict[str, int] = {}
    for _ in range(repeats):
        backup = MemoryBackup()
        registry = new_registry(backup)
        handles = fill(registry, count)
        for handle in random.Random(1).sample(handles, int(count * dead_share)):
            handle.alive = False
        live = [handle for handle in handles if handle.alive]
        expected_live = [(namespace_of(n), h) for n, h in enumerate(handles) if h.alive]
        del registry  # The crash, after which only the backup and the handles survive.
        gc.collect()

        started = time.perf_counter()
        recovered = ProcessRegistry.recover(
            backup,
            live,
            new_schema(),
            sweep_interval=SWEEP_INTERVAL,
            clock=ManualClock(0),
        )
        times.append(time.perf_counter() - started)
        baselines.append(_time_dict_recovery(backup, live))
        recovered_state = _count_recovered(recovered, expected_live)

        started = time.perf_counter()
        removed = recovered.sweep()
        sweeps.append(time.perf_counter() - started)
        swept_state = _count_recovered(recovered, expected_live)
        lost += recovered_state["live_lost"]
        lost_after_sweep += swept_state["live_lost"]
        # Every round kills the same processes, so the last round's counts
        # stand for all of them.
        outcome = {
            "dead_recovered": recovered_state["dead_entries"],
            "removed_by_sweep": removed,
            "entries_after_sweep": len(recovered),
            "dead_after_sweep": swept_state["dead_entries"],
        }
        del recovered, backup, handles, live, expected_live
    median = statistics.median(times)
    baseline = statistics.median(baselines)
    return {
        "figure": "recovery",
        "registrations": count,
        "live": count - int(count * dead_share),
        "median_ms": round(median * 1000, 2),
        "max_ms": round(max(times) * 1000, 2),
        "bound_ms": 100,
        "ratio_to_bound": round(median / 0.100, 3),
        "baseline_dict_median_ms": round(baseline * 1000, 2),
        "ratio_to_dict": round(median / baseline, 1),
        "sweep_median_ms": round(statistics.median(sweeps) * 1000, 2),
        "live_lost_in_all_rounds": lost,
        "live_lost_after_sweep_in_all_rounds": lost_after_sweep,
        **outcome,
        "repeats": repeats,
    }


def _time_dict_recovery(backup: MemoryBackup, live: list[Handle]) -> float:
    """Time building a plain dict of the backed-up entries, by namespace and id.

    It does the least work of the same shape as ``recover``. It reads the
    backup, indexes the live handles by id, and stores each entry with its
    handle or ``None``. It skips the process checks, the metadata copies and
    the ``Registration`` objects.
    """
    gc.collect()
    started = time.perf_counter()
    by_pid = {handle.pid: handle for handle in live}
    table: dict[str, dict[Hashable, tuple[object, Handle | None]]] = {}
    for saved in backup.contents().entries:
        table.setdefault(saved.namespace, {})[saved.pid] = (
            saved,
            by_pid.get(saved.pid),
        )
    return time.perf_counter() - started


def _count_recovered(
    registry: ProcessRegistry, expected_live: list[tuple[str, Handle]]
) -> dict[str, int]:
    """Count the live processes whose entry is missing or not attached to them.

    ``expected_live`` lists each live handle with the namespace it was
    registered in. The dead entries, those whose process is not alive, are
    counted too.
    """
    entries = registry.snapshot()
    lost = 0
    for namespace, handle in expected_live:
        entry = entries.get(namespace, {}).get(handle.pid)
        if entry is None or entry.process is not handle:
            lost += 1
    dead = sum(
        1
        for by_pid in entries.values()
        for entry in by_pid.values()
        if not entry.process.is_alive()
    )
    return {"live_lost": lost, "dead_entries": dead}


# --- load ------------------------------------------------------------


def measure_load(operations: int, threads: int) -> dict[str, object]:
    """Run threads that register their processes, look them up, beat and unregister."""
    registry = new_registry()
    per_thread = operations // threads
    lookups: list[list[int]] = [[] for _ in range(threads)]
    errors: list[str] = []
    start = threading.Barrier(threads)

    def client(number: int) -> None:
        rng = random.Random(number)
        own = [Handle((number, n)) for n in range(max(1, per_thread // 10))]
        namespace = f"ns-{number % NAMESPACES}"
        start.wait()
        try:
            for handle in own:
                registry.register(handle, METADATA, namespace)
            for _ in range(per_thread - 2 * len(own)):
                handle = rng.choice(own)
                if rng.random() < 0.8:
                    began = time.perf_counter_ns()
                    registry.lookup(namespace, handle.pid)
                    lookups[number].append(time.perf_counter_ns() - began)
                else:
                    registry.heartbeat(namespace, handle.pid)
            for handle in own:
                registry.unregister(namespace, handle.pid)
        except Exception as exc:
            errors.append(f"client {number}: {type(exc).__name__}: {exc}")

    _run_clients(client, threads)
    times = [t for per in lookups for t in per]
    baseline = _dict_baseline(threads, [len(per) for per in lookups])
    mean_ms = statistics.fmean(times) / 1e6
    return {
        "figure": "load",
        "operations": operations,
        "threads": threads,
        "lookups": len(times),
        "mean_lookup_ms": round(mean_ms, 4),
        "p99_lookup_ms": round(_percentile(times, 0.99) / 1e6, 4),
        "bound_ms": 1.0,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "baseline_dict_mean_ms": round(baseline / 1e6, 4),
        "ratio_to_dict": round(mean_ms / (baseline / 1e6), 2),
    }


def _run_clients(client: Callable[[int], None], threads: int) -> None:
    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def _dict_baseline(threads: int, counts: Sequence[int]) -> float:
    """Return the mean time of a dict lookup under the same threads, in ns."""
    table = {n: n for n in range(1000)}
    times: list[list[int]] = [[] for _ in range(threads)]
    start = threading.Barrier(threads)

    def client(number: int) -> None:
        rng = random.Random(number)
        start.wait()
        for _ in range(counts[number]):
            key = rng.randrange(1000)
            began = time.perf_counter_ns()
            table.get(key)
            times[number].append(time.perf_counter_ns() - began)

    _run_clients(client, threads)
    return statistics.fmean(t for per in times for t in per)


def _percentile(values: Sequence[int], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- flat lookup ------------------------------------------------------------


def measure_flat(sizes: Sequence[int], lookups: int) -> dict[str, object]:
    """Time random lookups at each size, in the registry and in a plain dict.

    The dict holds the same handles under the same keys and each lookup
    asks the handle whether it is alive, as the registry does: what grows
    in both is the cost of reaching memory, and the ratio is the registry's
    own cost at that size.
    """
    means, baselines = {}, {}
    for size in sizes:
        registry = new_registry()
        handles = fill(registry, size)
        table = {(namespace_of(n), n): h for n, h in enumerate(handles)}
        rng = random.Random(size)
        targets = [
            (namespace_of(k), k) for k in (rng.randrange(size) for _ in range(lookups))
        ]

        means[size] = _best_per_call(partial(_in_registry, registry, targets), lookups)
        baselines[size] = _best_per_call(partial(_in_dict, table, targets), lookups)
        del registry, handles, table
        gc.collect()
    smallest, largest = min(sizes), max(sizes)
    ratios = {size: means[size] / baselines[size] for size in sizes}
    return {
        "figure": "flat",
        "mean_lookup_ns": {str(size): round(mean, 1) for size, mean in means.items()},
        "baseline_dict_ns": {str(s): round(mean, 1) for s, mean in baselines.items()},
        "ratio_to_dict": {str(size): round(r, 2) for size, r in ratios.items()},
        "ratio_largest_to_smallest": round(means[largest] / means[smallest], 2),
        "ratio_to_dict_largest_to_smallest": round(
            ratios[largest] / ratios[smallest], 2
        ),
        "lookups_per_size": lookups,
    }


def _in_registry(registry: ProcessRegistry, targets: list[tuple[str, int]]) -> None:
    for namespace, pid in targets:
        registry.lookup(namespace, pid)


def _in_dict(
    table: dict[tuple[str, int], Handle], targets: list[tuple[str, int]]
) -> None:
    for target in targets:
        table[target].is_alive()


def _best_per_call(run: Callable[[], None], calls: int, repeats: int = 5) -> float:
    """The best of ``repeats`` runs, in ns per call: the least disturbed one."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter_ns()
        run()
        best = min(best, (time.perf_counter_ns() - started) / calls)
    return best


# --- memory ------------------------------------------------------------


def measure_memory(count: int) -> dict[str, object]:
    gc.collect()
    tracemalloc.start()
    registry = new_registry()
    baseline, _ = tracemalloc.get_traced_memory()
    handles = fill(registry, count)
    full, _ = tracemalloc.get_traced_memory()
    for handle in handles:
        handle.alive = False
    removed = registry.sweep()
    del handles
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    held = full - baseline
    return {
        "figure": "memory",
        "registrations": count,
        "removed_by_sweep": removed,
        "entries_left": len(registry),
        "held_full_kib": round(held / 1024, 1),
        "held_after_death_kib": round((after - baseline) / 1024, 1),
        "ratio_after_to_full": round((after - baseline) / held, 4),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="figure", required=True)
    recovery = commands.add_parser("recovery")
    recovery.add_argument("--registrations", type=int, default=10_000)
    recovery.add_argument("--dead-share", type=float, default=0.1)
    recovery.add_argument("--repeats", type=int, default=11)
    load = commands.add_parser("load")
    load.add_argument("--operations", type=int, default=10_000)
    load.add_argument("--threads", type=int, default=100)
    flat = commands.add_parser("flat")
    flat.add_argument(
        "--sizes",
        type=lambda s: [int(p.replace("_", "")) for p in s.split(",")],
        default=[100, 1_000, 10_000, 100_000, 1_000_000],
    )
    flat.add_argument("--lookups", type=int, default=100_000)
    memory = commands.add_parser("memory")
    memory.add_argument("--registrations", type=int, default=10_000)
    args = parser.parse_args(argv)

    if args.figure == "recovery":
        result = measure_recovery(args.registrations, args.dead_share, args.repeats)
    elif args.figure == "load":
        result = measure_load(args.operations, args.threads)
    elif args.figure == "flat":
        result = measure_flat(args.sizes, args.lookups)
    else:
        result = measure_memory(args.registrations)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
