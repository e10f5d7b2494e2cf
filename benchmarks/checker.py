"""Benchmark the linearizability checker on histories of 1,000 to 100,000 operations.

Three kinds of history, each linearizable by construction (every operation
takes effect at a random instant inside its interval, and its result is
the model's at that instant):

- ``register``: one read/write register shared by every client, so the
  history cannot be partitioned;
- ``kv``: a key-value store of ``--keys`` registers, checked by key
  (``kv``) and as one whole map (``kv-whole``), the same history both ways;
- ``jepsen``: the etcd histories from Jepsen that Porcupine's test suite
  checks, read from a Porcupine checkout given with ``--jepsen``.

Each case runs in a fresh interpreter so that its peak memory is its own:
the time is the check alone, and the memory is the peak of Python
allocations during the check (tracemalloc, in a second, untimed check) and
the growth of the process's peak resident set.

``--export DIR`` writes each synthetic history as JSON lines (client, call,
return, operation, key, value, output) so that another checker can be run on
the same histories.

Usage::

    .venv/bin/python benchmarks/checker.py                 # all sizes
    .venv/bin/python benchmarks/checker.py --sizes 1000 --kinds register
    .venv/bin/python benchmarks/checker.py --jepsen PORCUPINE/test_data/jepsen
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from specfirst.runtime.contract import Outcome  # noqa: E402
from specfirst.runtime.history import History, Operation  # noqa: E402
from specfirst.runtime.linearizability import Verdict, check  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
KINDS = ("register", "kv", "kv-whole")
# The value of a register no operation has written. It is not None, because a
# model's step returns None to reject an outcome.
NIL = -1


# --- models ------------------------------------------------------------


class RegisterModel:
    """A register per part: ``put(key, v)``, ``get(key) -> v``, ``cas(key, a, b)``."""

    def initial(self) -> object:
        return NIL

    def step(self, state: object, op: Operation) -> object | None:
        outcome = op.outcome
        if op.name == "put":
            return op.args[1]
        if op.name == "get":
            return state if outcome is None or outcome.value == state else None
        expected, new = op.args[1], op.args[2]
        swapped = state == expected
        if outcome is not None and outcome.value != swapped:
            return None
        return new if swapped else state

    def fingerprint(self, state: object) -> Hashable:
        return state

    def describe(self, state: object) -> str:
        return repr(state)

    def reads_only(self, op: Operation) -> bool:
        return op.name == "get"


class WholeMapModel:
    """Every key's register in one state: what checking without partitions costs."""

    def __init__(self, keys: int) -> None:
        self.keys = keys
        self._register = RegisterModel()

    def initial(self) -> tuple[object, ...]:
        return (NIL,) * self.keys

    def step(
        self, state: tuple[object, ...], op: Operation
    ) -> tuple[object, ...] | None:
        key = int(op.args[0])  # type: ignore[call-overload]
        after = self._register.step(state[key], op)
        if after is None:
            return None
        return (*state[:key], after, *state[key + 1 :])

    def fingerprint(self, state: tuple[object, ...]) -> Hashable:
        return state

    def describe(self, state: tuple[object, ...]) -> str:
        return repr(state)

    def reads_only(self, op: Operation) -> bool:
        return op.name == "get"


# --- histories ------------------------------------------------------------


def synthetic(size: int, clients: int, keys: int, seed: int) -> History:
    """A linearizable history of ``size`` operations by ``clients`` clients.

    Each client runs one operation at a time, with a random duration and a
    random pause after it. Each operation takes effect at a random instant
    of its interval, and the results are computed in the order of those
    instants.
    """
    rng = random.Random(seed)
    drafts = []
    clocks = [rng.randint(0, 50) for _ in range(clients)]
    for n in range(size):
        client = n % clients
        call = clocks[client]
        ret = call + rng.randint(10, 200)
        clocks[client] = ret + rng.randint(1, 20)
        effect = rng.uniform(call, ret)
        key = rng.randrange(keys)
        choice = rng.random()
        if choice < 0.4:
            args: tuple[object, ...] = (key, rng.randint(0, 9))
            name = "put"
        elif choice < 0.9:
            args, name = (key,), "get"
        else:
            args, name = (key, rng.randint(0, 9), rng.randint(0, 9)), "cas"
        drafts.append((effect, client, name, args, call, ret, key))
    values: dict[int, object] = {}
    ops = []
    for _, client, name, args, call, ret, key in sorted(drafts):
        current = values.get(key, NIL)
        if name == "put":
            values[key] = args[1]
            result: object = None
        elif name == "get":
            result = current
        else:
            result = current == args[1]
            if result:
                values[key] = args[2]
        ops.append(Operation(client, name, args, call, ret, Outcome(value=result), key))
    return History.of(ops)


_JEPSEN = re.compile(
    r"^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*)$"
)


def jepsen(path: Path) -> History:
    """Read an etcd history from Jepsen's log, with the event index as the clock.

    A write or compare-and-set that never returned (``:info``) and a read
    that timed out are pending: they may or may not have taken effect.
    """
    ops: list[Operation] = []
    open_calls: dict[int, tuple[int, str, tuple[object, ...]]] = {}
    for index, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        found = _JEPSEN.match(line)
        if found is None:
            continue
        client, kind, name, value = int(found[1]), found[2], found[3], found[4]
        if kind == "invoke":
            open_calls[client] = (index, name, _jepsen_args(name, value))
            continue
        call, call_name, args = open_calls.pop(client)
        if kind == "info" or value == ":timed-out":
            ops.append(Operation(client, _NAMES[call_name], args, call))
            continue
        if call_name == "read":
            result: object = NIL if value == "nil" else int(value)
        elif call_name == "cas":
            result = kind == "ok"
        else:
            result = None
        ops.append(
            Operation(
                client, _NAMES[call_name], args, call, index, Outcome(value=result)
            )
        )
    for client, (call, name, args) in open_calls.items():
        ops.append(Operation(client, _NAMES[name], args, call))
    return History.of(ops)


_NAMES = {"read": "get", "write": "put", "cas": "cas"}


def _jepsen_args(name: str, value: str) -> tuple[object, ...]:
    if name == "write":
        return (0, int(value))
    if name == "cas":
        first, second = value.strip("[]").split()
        return (0, int(first), int(second))
    return (0,)


def export(history: History, path: Path) -> None:
    """Write ``history`` as JSON lines, one operation each."""
    with path.open("w", encoding="utf-8") as out:
        for op in history:
            outcome = op.outcome
            record = {
                "client": op.client,
                "call": op.call,
                "return": op.ret,
                "operation": op.name,
                "key": op.args[0],
                "args": list(op.args[1:]),
                "output": None if outcome is None else outcome.value,
            }
            out.write(json.dumps(record) + "\n")


# --- measuring ------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    kind: str
    size: int
    clients: int
    keys: int
    seed: int = 1
    log: str = ""

    def history(self) -> History:
        if self.kind == "jepsen":
            return jepsen(Path(self.log))
        keys = 1 if self.kind == "register" else self.keys
        return synthetic(self.size, self.clients, keys, self.seed)

    def run(
        self, history: History, time_limit: float | None, explain: bool = False
    ) -> tuple[Verdict, int]:
        model: RegisterModel | WholeMapModel = RegisterModel()
        if self.kind == "kv-whole":
            model = WholeMapModel(self.keys)
        result = check(
            history,
            model,
            partition=self.kind in ("kv", "jepsen"),
            time_limit=time_limit,
            explain=explain,
        )
        return result.verdict, result.explored


def measure(case: Case, time_limit: float | None) -> dict[str, object]:
    """Check the case's history for time, for memory, then with its window."""
    history = case.history()
    rss_before = _peak_rss()
    started = time.perf_counter()
    verdict, explored = case.run(history, time_limit)
    seconds = time.perf_counter() - started
    rss_after = _peak_rss()
    tracemalloc.start()
    case.run(history, time_limit)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    explained = None
    if verdict is Verdict.VIOLATED:
        started = time.perf_counter()
        case.run(history, time_limit, explain=True)
        explained = round(time.perf_counter() - started, 4)
    return {
        "kind": case.kind,
        "log": Path(case.log).name if case.log else "",
        "operations": len(history),
        "clients": history.clients(),
        "verdict": verdict.value,
        "explored": explored,
        "seconds": round(seconds, 4),
        "seconds_with_window": explained,
        "operations_per_second": round(len(history) / seconds) if seconds else None,
        "peak_traced_mib": round(peak / 2**20, 2),
        "peak_rss_growth_mib": round((rss_after - rss_before) / 1024, 1),
    }


def _peak_rss() -> int:
    """The process's peak resident set so far, in KiB (Linux's unit)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cases(args: argparse.Namespace) -> Iterator[Case]:
    if args.jepsen:
        for log in sorted(Path(args.jepsen).glob("etcd_*.log")):
            yield Case("jepsen", 0, 0, 1, log=str(log))
        return
    for size in args.sizes:
        for kind in args.kinds:
            yield Case(kind, size, args.clients, args.keys, args.seed)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=SIZES)
    parser.add_argument("--kinds", type=lambda s: s.split(","), default=KINDS)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--keys", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--jepsen", help="Porcupine's test_data/jepsen folder")
    parser.add_argument("--export", help="write each synthetic history here as JSON")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.case:
        case = Case(**json.loads(args.case))
        print(json.dumps(measure(case, args.time_limit)))
        return 0
    if args.export:
        folder = Path(args.export)
        folder.mkdir(parents=True, exist_ok=True)
        for case in cases(args):
            name = Path(case.log).stem if case.log else f"{case.kind}_{case.size}"
            if case.kind != "kv-whole":
                export(case.history(), folder / f"{name}.jsonl")
        return 0
    for case in cases(args):
        print(_in_fresh_interpreter(case, args.time_limit), flush=True)
    return 0


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(part.replace("_", "")) for part in text.split(","))


def _in_fresh_interpreter(case: Case, time_limit: float) -> str:
    spec = json.dumps(case.__dict__)
    done = subprocess.run(
        [sys.executable, __file__, "--case", spec, "--time-limit", str(time_limit)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
