"""The engine of generated concurrency tests: many threads, one history, one verdict.

A generated ``test_<component>_concurrency.py`` names the component's
contract test class and the operations that may run concurrently, and calls
:func:`run_concurrency`. Each run chooses the constants, builds the
implementation through its adapter, and then alternates two phases:

- **between bursts**, with every worker thread waiting, the environment
  actions (time passing) are performed and the adapter's ``observe()`` is
  taken. Both are recorded in the history, at a moment when no operation is
  in flight, so they pin the model's clock and state at a point every
  order must pass through;
- **a burst**: the worker threads start together at a barrier and each
  performs its share of the drawn operations on the one shared
  implementation, recording each call and response.

The spec's time never moves during a burst: an operation's result may
depend on the clock, and a clock read at an unknown instant inside an
overlapping interval would make the model ambiguous. The history is then
checked for linearizability against the reference model
(:mod:`specfirst.runtime.linearizability`).

Operations are drawn the way the contract test draws them: the plan calls
the generated contract rules' own code, with a :class:`ConcurrencyPlan` in
the place of the state machine, so arguments come from the same bounds.
Drawing happens before a burst starts, so that the threads spend the burst
in the implementation.

An adapter with a ``partition(key)`` method offers independent parts of one
implementation (one rate limiter, many keys): operations are spread over
``SPECFIRST_CONCURRENCY_KEYS`` parts, environment actions act on all of
them, and each part's history is checked against its own model.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import keyword
import logging
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

from specfirst.runtime import values
from specfirst.runtime.binding import Binding, Target, bind
from specfirst.runtime.contract import (
    CONSTANT_SPAN,
    ContractMachine,
    int_range,
    load_model,
)
from specfirst.runtime.errors import BindingError, ConstantsRejected, ContractViolation
from specfirst.runtime.history import ClientLog, History, Recorder
from specfirst.runtime.linearizability import (
    OBSERVE,
    CheckResult,
    ReferenceModel,
    Verdict,
    check,
)
from specfirst.runtime.model import SpecModel

log = logging.getLogger(__name__)

SCALE_ENV = "SPECFIRST_CONCURRENCY_SCALE"
RUNS_ENV = "SPECFIRST_CONCURRENCY_RUNS"
THREADS_ENV = "SPECFIRST_CONCURRENCY_THREADS"
OPERATIONS_ENV = "SPECFIRST_CONCURRENCY_OPERATIONS"
BURSTS_ENV = "SPECFIRST_CONCURRENCY_BURSTS"
KEYS_ENV = "SPECFIRST_CONCURRENCY_KEYS"
SEED_ENV = "SPECFIRST_CONCURRENCY_SEED"
TIME_LIMIT_ENV = "SPECFIRST_CHECK_TIME_LIMIT"
PREEMPTION_ENV = "SPECFIRST_CONCURRENCY_PREEMPTION"

ENVIRONMENT_CLIENT = -1
# How long a burst may take before the workers count as stuck (a deadlock).
BURST_TIMEOUT = 120.0
# A short switch interval makes the interpreter hand the GIL between threads
# more often, so that more interleavings happen in a short burst.
SWITCH_INTERVAL = 1e-5
# Attempts at drawing constants that satisfy the where clauses, and at
# drawing arguments that satisfy an operation's caller obligations.
DRAW_ATTEMPTS = 50
# Structured arguments: identities per type, elements per collection, and
# the range of integers inside them. Few identities, so operations collide.
IDENTITY_POOL = 4
COLLECTION_SIZE = 3
COLLECTION_INTS = 8


@dataclass(frozen=True)
class Sizes:
    """The sizes of a component's concurrency test.

    Attributes:
        runs: independent runs, each with its own constants and implementation.
        threads: worker threads, all issuing operations at once.
        operations: operations per run, over all threads and bursts.
        bursts: bursts per run; environment actions run between them.
        keys: parts of a partitionable implementation the operations spread over.
        time_limit: seconds for each run's linearizability check; past it the
            verdict is unknown, and the test fails.
        seed: the first run's random seed.
        preemption: the chance, at each line the implementation runs in a
            worker, that the worker yields the interpreter to another thread.
    """

    runs: int = 4
    threads: int = 8
    operations: int = 240
    bursts: int = 6
    keys: int = 4
    time_limit: float = 30.0
    seed: int = 0
    preemption: float = 0.1


DEFAULT_SIZES = Sizes()
SCALE_SIZES = Sizes(runs=1, threads=100, operations=10_000, bursts=10, time_limit=300.0)


def sizes_from_environment(base: Sizes | None = None) -> Sizes:
    """Return the sizes the environment variables choose, over ``base``.

    ``SPECFIRST_CONCURRENCY_SCALE=1`` selects 10,000 operations at
    concurrency 100; the other variables then override single sizes.

    Raises:
        BindingError: for a value that is not a positive number.
    """
    chosen = base or DEFAULT_SIZES
    if _flag(SCALE_ENV):
        chosen = SCALE_SIZES
    return Sizes(
        runs=_count(RUNS_ENV, chosen.runs),
        threads=_count(THREADS_ENV, chosen.threads),
        operations=_count(OPERATIONS_ENV, chosen.operations),
        bursts=_count(BURSTS_ENV, chosen.bursts),
        keys=_count(KEYS_ENV, chosen.keys),
        time_limit=_seconds(TIME_LIMIT_ENV, chosen.time_limit),
        seed=_count(SEED_ENV, chosen.seed, minimum=0),
        preemption=_chance(PREEMPTION_ENV, chosen.preemption),
    )


def _flag(name: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in ("", "0", "no", "false"):
        return False
    if value in ("1", "yes", "true"):
        return True
    raise BindingError(f"{name}={value!r}: use 1 to run at scale, or 0")


def _count(name: str, default: int, minimum: int = 1) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise BindingError(f"{name}={value!r} must be an integer >= {minimum}")
    return number


def _chance(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:
        raise BindingError(f"{name}={value!r} must be a probability from 0 to 1")
    return number


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if number <= 0:
        raise BindingError(f"{name}={value!r} must be a positive number of seconds")
    return number


# --- drawing a plan -----------------------------------------------------------------


class _Undrawable(Exception):
    """The rule's draws or obligations could not be met: draw something else."""


@dataclass(frozen=True)
class Call:
    """One drawn operation: what to call, with what, on which part."""

    operation: str
    args: tuple[object, ...]
    key: Hashable = None


class ConcurrencyPlan:
    """Stands in for the contract state machine while its rules draw operations.

    It offers the drawing methods of
    :class:`~specfirst.runtime.contract.ContractMachine` under the same
    signatures, from a seeded ``random.Random`` instead of Hypothesis, and
    its ``step`` records the call instead of performing it.

    Args:
        model_class: the generated reference model.
        pinned: the constants the config pins.
        rng: the run's random source.
    """

    def __init__(
        self,
        model_class: type[SpecModel],
        pinned: Mapping[str, Any],
        rng: random.Random,
    ) -> None:
        self.model_class = model_class
        self.pinned = dict(pinned)
        self.rng = rng
        self.constants: dict[str, Any] = {}
        self.drawn: list[Call] = []
        self._model: SpecModel | None = None

    @property
    def model(self) -> SpecModel:
        """The model in its initial state: draws read their bounds from it."""
        if self._model is None:
            raise RuntimeError("the plan has no constants yet")
        return self._model

    # --- the contract machine's drawing interface ---

    def constant(
        self,
        data: object,
        name: str,
        low: Sequence[int] = (),
        high: Sequence[int] = (),
    ) -> int:
        if name in self.pinned:
            value: int = self.pinned[name]
        else:
            lo, hi = int_range(low, high, span=CONSTANT_SPAN)
            if lo > hi:
                raise _Undrawable(name)
            # As the contract test does: half the draws near the lower bound.
            top = min(hi, lo + 2) if self.rng.random() < 0.5 else hi
            value = self.rng.randint(lo, top)
        self.constants[name] = value
        return value

    def constant_of(self, data: object, name: str, values: Sequence[object]) -> object:
        value = self.pinned.get(name)
        if value is None:
            value = self.rng.choice(tuple(values))
        self.constants[name] = value
        return value

    def begin(self) -> None:
        try:
            self._model = self.model_class(self.constants, checked=False)
        except ConstantsRejected as exc:
            raise _Undrawable(exc.clause_id) from None

    def draw_int(
        self,
        data: object,
        name: str,
        low: Sequence[int] = (),
        high: Sequence[int] = (),
        error_low: Sequence[int] = (),
        error_high: Sequence[int] = (),
    ) -> int:
        lo, hi = int_range(low, high, error_low, error_high)
        if lo > hi:
            raise _Undrawable(name)
        return self.rng.randint(lo, hi)

    def draw_bool(self, data: object, name: str) -> bool:
        return self.rng.random() < 0.5

    def draw_member(self, data: object, name: str, members: Sequence[str]) -> str:
        return self.rng.choice(tuple(members))

    def step(self, operation: str, *args: object) -> None:
        if not self.model._sf_obligations_hold(operation, args):
            raise _Undrawable(operation)
        self.drawn.append(Call(operation, args))

    def draw_param(self, data: object, operation: str, name: str) -> object:
        signature = self.model._sf_signature(operation)
        param = next(p for p in signature.params if p.name == name)
        return self.random_value(param.type)

    def draw_constant(self, data: object, name: str) -> object:
        value = self.pinned.get(name)
        if value is None:
            constants = self.model_class._sf_constants
            constant = next(c for c in constants if c.name == name)
            value = self.random_value(constant.type)
        self.constants[name] = value
        return value

    def random_value(self, value_type: Any) -> object:
        """A random value of a spec type, as the contract test's strategies give.

        Identities come from a pool of ``IDENTITY_POOL`` per type, so that
        concurrent operations meet the same processes and keys.
        """
        kind = getattr(value_type, "kind", "")
        rng = self.rng
        if kind in _COLLECTIONS:
            size = rng.randint(0, COLLECTION_SIZE)
            items = [
                tuple(map(self.random_value, value_type.args)) for _ in range(size)
            ]
            return _COLLECTIONS[kind](items)
        if kind == "option":
            return None if rng.random() < 0.3 else self.random_value(value_type.args[0])
        if kind == "identity":
            identity = getattr(values, "Identity")  # noqa: B009 - see _frozen_map
            return identity(value_type.name, rng.randint(1, IDENTITY_POOL))
        if kind == "record":
            fields = {
                _field_name(name): self.random_value(field_type)
                for name, field_type in value_type.fields
            }
            return value_type.record(**fields)
        if value_type.name == "Bool":
            return rng.random() < 0.5
        if value_type.name == "Int":
            return rng.randint(-COLLECTION_INTS, COLLECTION_INTS)
        return rng.choice(tuple(value_type.members))

    # --- drawing ---

    def choose_constants(self, contract: type[ContractMachine]) -> dict[str, Any]:
        """Run the contract's ``start`` until its constants satisfy the spec.

        Raises:
            BindingError: when no draw satisfies the where clauses.
        """
        for _ in range(DRAW_ATTEMPTS):
            self.constants = {}
            try:
                _rule(contract, "start")(self, self)
            except _Undrawable:
                if set(self.pinned) >= {c.name for c in self.model_class._sf_constants}:
                    break
                continue
            return dict(self.constants)
        raise BindingError(
            f"{contract.COMPONENT}: no constants drawn for the concurrency test "
            f"satisfy the spec's where clauses (pinned: {self.pinned})"
        )

    def draw(self, contract: type[ContractMachine], rules: Mapping[str, str]) -> Call:
        """Draw one call of one of ``rules`` (spec name to rule name)."""
        names = sorted(rules)
        for _ in range(DRAW_ATTEMPTS):
            operation = self.rng.choice(names)
            self.drawn.clear()
            try:
                _call_rule(_rule(contract, rules[operation]), self)
            except _Undrawable:
                continue
            if self.drawn:
                return self.drawn[-1]
        raise BindingError(
            f"{contract.COMPONENT}: no operation among {', '.join(names)} could be "
            "drawn with its caller obligations met"
        )


def _frozen_map(items: list[tuple[object, ...]]) -> object:
    # Looked up when called: structured values are newer than this module's
    # callers, and a spec without them never gets here.
    pairs = {item[0]: item[1] for item in items}
    return getattr(values, "FrozenMap")(pairs)  # noqa: B009


_COLLECTIONS: dict[str, Callable[[list[tuple[object, ...]]], object]] = {
    "set": lambda items: frozenset(item[0] for item in items),
    "seq": lambda items: tuple(item[0] for item in items),
    "map": _frozen_map,
}


def _field_name(name: str) -> str:
    return f"{name}_" if keyword.iskeyword(name) else name


def _rule(contract: type[ContractMachine], name: str) -> Callable[..., Any]:
    function: Callable[..., Any] | None = getattr(contract, name, None)
    if function is None or not callable(function):
        raise BindingError(
            f"{contract.COMPONENT}: the contract test has no rule {name!r}; "
            "regenerate the tests with specfirst gen"
        )
    return function


def _call_rule(function: Callable[..., Any], plan: ConcurrencyPlan) -> None:
    try:
        if "data" in inspect.signature(function).parameters:
            function(plan, plan)
        else:
            function(plan)
    except AttributeError as exc:
        raise BindingError(
            f"the concurrency plan cannot run the contract rule "
            f"{function.__name__}: {exc}"
        ) from None


# --- running ------------------------------------------------------------------------


@dataclass(frozen=True)
class RunReport:
    """One run of a concurrency test: what was run, and the verdict."""

    seed: int
    constants: dict[str, Any]
    threads: int
    history: History
    result: CheckResult
    failures: tuple[str, ...] = ()


def run_concurrency(
    contract_reference: str,
    operations: Mapping[str, str],
    environment: Mapping[str, str],
    test_file: str,
    sizes: Sizes | None = None,
) -> list[RunReport]:
    """Run a generated concurrency test; fail it on any non-linearizable run.

    Args:
        contract_reference: ``module:Class`` of the generated contract test,
            in the test's folder.
        operations: the operations and queries that may run concurrently,
            spec name to contract rule name.
        environment: the environment actions to perform between bursts.
        test_file: the generated test's ``__file__``.
        sizes: the sizes; by default from the environment variables.

    Returns:
        The report of every run, when all of them were linearizable.
    """
    __tracebackhide__ = True  # pytest shows the failure, not the runtime
    folder = Path(test_file).resolve().parent
    try:
        contract = load_generated(contract_reference, folder)
        model_class = load_model(contract.MODEL, folder)
        binding = bind(contract.COMPONENT, model_class, folder)
        chosen = sizes or sizes_from_environment()
    except BindingError as exc:
        problem = str(exc)
    else:
        problem = ""
    if problem:
        _fail(problem)
    if not operations:
        _skip(f"{contract.COMPONENT} has no operation that can run concurrently")
    reports = []
    for run in range(chosen.runs):
        try:
            report = run_once(
                contract, binding, operations, environment, chosen, chosen.seed + run
            )
        except BindingError as exc:
            problem = str(exc)
        if problem:
            _fail(problem)
        if report.failures or not report.result.linearizable:
            _fail(describe_failure(contract.COMPONENT, binding, report))
        log.info("%s: %s", contract.COMPONENT, report.result.render())
        reports.append(report)
    return reports


def run_once(
    contract: type[ContractMachine],
    binding: Binding,
    operations: Mapping[str, str],
    environment: Mapping[str, str],
    sizes: Sizes,
    seed: int,
) -> RunReport:
    """Draw, run and check one run of ``sizes.operations`` operations."""
    rng = random.Random(seed)
    plan = ConcurrencyPlan(binding.model_class, binding.pinned, rng)
    constants = plan.choose_constants(contract)
    adapter = binding.implementation(dict(constants))
    if binding.target is Target.MODEL:
        adapter = _Serialized(adapter)
    try:
        parts = _parts(adapter, sizes.keys)
        bursts = _draw_bursts(contract, plan, operations, sizes, list(parts))
        world = _World(contract, plan, environment, adapter, parts, rng)
        recorder = Recorder()
        preemption = Preemption(sizes.preemption, random.Random(seed))
        failures = _execute(bursts, world, recorder, sizes.threads, preemption)
    finally:
        close = getattr(adapter, "close", None)
        if close is not None:
            close()
    history = recorder.history()
    result = check(
        history,
        ReferenceModel(binding.model_class, constants),
        partition=len(parts) > 1,
        time_limit=sizes.time_limit,
    )
    return RunReport(seed, constants, sizes.threads, history, result, failures)


def _parts(adapter: Any, keys: int) -> dict[Hashable, Any]:
    partition = getattr(adapter, "partition", None)
    if partition is None:
        return {None: adapter}
    return {key: partition(key) for key in range(keys)}


def _draw_bursts(
    contract: type[ContractMachine],
    plan: ConcurrencyPlan,
    operations: Mapping[str, str],
    sizes: Sizes,
    keys: list[Hashable],
) -> list[list[list[Call]]]:
    """bursts[b][t]: the calls thread ``t`` makes in burst ``b``."""
    per_burst = max(1, sizes.operations // sizes.bursts)
    bursts = []
    for _ in range(sizes.bursts):
        threads: list[list[Call]] = [[] for _ in range(sizes.threads)]
        for n in range(per_burst):
            call = plan.draw(contract, operations)
            key = plan.rng.choice(keys)
            threads[n % sizes.threads].append(Call(call.operation, call.args, key))
        bursts.append(threads)
    return bursts


class _World:
    """What happens between bursts: environment actions and observations."""

    def __init__(
        self,
        contract: type[ContractMachine],
        plan: ConcurrencyPlan,
        environment: Mapping[str, str],
        adapter: Any,
        parts: Mapping[Hashable, Any],
        rng: random.Random,
    ) -> None:
        self.contract = contract
        self.plan = plan
        self.environment = environment
        self.adapter = adapter
        self.parts = parts
        self.rng = rng
        self.signatures = {s.name: s for s in plan.model_class._sf_operations}

    def _normalize(self, observed: Mapping[str, object]) -> dict[str, object]:
        return _normalize_state(self.plan.model_class, observed)

    def between(self, log: ClientLog, first: bool) -> None:
        """Perform up to two environment actions, then observe every part."""
        count = 0 if first or not self.environment else self.rng.randint(0, 2)
        keys = list(self.parts)
        for _ in range(count):
            call = self.plan.draw(self.contract, self.environment)
            method = getattr(self.adapter, self.signatures[call.operation].method)
            log.call(
                call.operation, call.args, _bound(method, call.args), _no_error, keys[0]
            )
            for key in keys[1:]:
                log.also(key)
        for key, part in self.parts.items():
            observe = getattr(part, "observe", None)
            if observe is None:
                continue
            observed = self._normalize(dict(observe()))
            try:
                self.plan.model._sf_check_observed(observed)
            except ContractViolation as exc:
                raise BindingError(
                    f"{self.contract.COMPONENT}: observe() returned {observed}: "
                    f"{exc.details}"
                ) from None
            log.call(OBSERVE, (), _returning(observed), _no_error, key)


def _normalize_state(
    model_class: type[SpecModel], observed: Mapping[str, object]
) -> dict[str, object]:
    types = {v.name: v.type for v in model_class._sf_variables}
    state = {}
    for name, value in observed.items():
        normalize = getattr(types.get(name), "normalize", None)
        state[name] = value if normalize is None else normalize(value)
    return state


def _no_error(exc: BaseException) -> str | None:
    return None


def _bound(
    method: Callable[..., object], args: tuple[object, ...]
) -> Callable[[], object]:
    def perform() -> object:
        return method(*args)

    return perform


def _normalized(perform: Callable[[], object], result: object) -> Callable[[], object]:
    """``perform`` with its result in the runtime's form for the spec's type.

    Implementations may return lists, dicts or records of their own, as the
    contract test allows.
    """
    normalize = getattr(result, "normalize", None)
    if normalize is None:
        return perform

    def converted() -> object:
        converted_value: object = normalize(perform())
        return converted_value

    return converted


def _returning(value: object) -> Callable[[], object]:
    def perform() -> object:
        return value

    return perform


def _execute(
    bursts: list[list[list[Call]]],
    world: _World,
    recorder: Recorder,
    threads: int,
    preemption: Preemption,
) -> tuple[str, ...]:
    """Run the bursts on ``threads`` workers; return the unexplained failures."""
    start = threading.Barrier(threads + 1, timeout=BURST_TIMEOUT)
    finish = threading.Barrier(threads + 1, timeout=BURST_TIMEOUT)
    gate = _Gate(threads, len(bursts))
    failures: list[str] = []

    def explain(exc: BaseException) -> str | None:
        return _spec_error(world.adapter, exc)

    def work(client: int) -> None:
        preemption.install()
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                perform(client)
        finally:
            preemption.remove()

    def perform(client: int) -> None:
        log = recorder.client(client)
        for number, burst in enumerate(bursts):
            start.wait()
            gate.arrive(number)
            for call in burst[client]:
                part = world.parts[call.key]
                signature = world.signatures[call.operation]
                method = getattr(part, signature.method)
                try:
                    log.call(
                        call.operation,
                        call.args,
                        _normalized(_bound(method, call.args), signature.result),
                        explain,
                        call.key,
                    )
                except Exception as exc:
                    failures.append(
                        f"client {client}: {call.operation}{call.args!r} raised "
                        f"{type(exc).__name__}: {exc}, which the adapter's errors "
                        "do not map to a spec error"
                    )
                    break
            finish.wait()

    environment = recorder.client(ENVIRONMENT_CLIENT)
    workers = [
        threading.Thread(target=work, args=(n,), name=f"specfirst-client-{n}")
        for n in range(threads)
    ]
    with _switching(SWITCH_INTERVAL):
        for worker in workers:
            worker.start()
        try:
            for number in range(len(bursts)):
                world.between(environment, first=number == 0)
                start.wait()
                finish.wait()
            world.between(environment, first=False)
        except threading.BrokenBarrierError:
            failures.append(
                f"a burst did not finish within {BURST_TIMEOUT:.0f} s: an operation "
                "is blocked (a deadlock?)"
            )
        except Exception as exc:
            failures.append(
                f"between bursts, the environment raised {type(exc).__name__}: {exc}"
            )
        finally:
            # Workers still waiting for a burst that will not come are released.
            start.abort()
            finish.abort()
            for worker in workers:
                worker.join(timeout=BURST_TIMEOUT)
    return tuple(failures)


class Preemption:
    """Makes worker threads yield the interpreter at random lines of the implementation.

    CPython switches threads only every few tens of microseconds, so a
    thread usually runs a short check-then-act from start to end without
    losing the interpreter, and a race in it would almost never show. With
    a trace hook on each worker, every line the implementation (anything
    outside this runtime) runs yields to another thread with probability
    ``chance``: interleavings happen inside operations, where races are.
    The hook slows the implementation down; its results are unchanged.

    Args:
        chance: the probability of yielding at each line; 0 installs no hook.
        rng: the source of the decisions, shared by the workers.
    """

    def __init__(self, chance: float, rng: random.Random) -> None:
        self.chance = chance
        self._random = rng.random
        self._traced: dict[object, bool] = {}
        self._own = str(Path(__file__).resolve().parents[1])

    def install(self) -> None:
        if self.chance > 0:
            sys.settrace(self._on_call)

    def remove(self) -> None:
        sys.settrace(None)

    def _on_call(self, frame: Any, event: str, arg: object) -> Any:
        code = frame.f_code
        traced = self._traced.get(code)
        if traced is None:
            traced = not code.co_filename.startswith(self._own)
            self._traced[code] = traced
        return self._on_line if traced else None

    def _on_line(self, frame: Any, event: str, arg: object) -> Any:
        if event == "line" and self._random() < self.chance:
            time.sleep(0)
        return self._on_line


class _Gate:
    """Holds every worker of a burst until all of them are awake.

    Threads leave a barrier one at a time, each woken by the operating
    system after the one before, and the first one out could finish its
    share of the burst before the last one wakes. Waiting here, yielding
    the interpreter to the others, makes every worker runnable before any
    of them starts, so the burst really runs them side by side.
    """

    def __init__(self, parties: int, bursts: int) -> None:
        self._parties = parties
        self._arrived = [0] * bursts
        self._lock = threading.Lock()

    def arrive(self, burst: int) -> None:
        with self._lock:
            self._arrived[burst] += 1
        deadline = time.monotonic() + BURST_TIMEOUT
        while self._arrived[burst] < self._parties:
            if time.monotonic() > deadline:
                raise threading.BrokenBarrierError
            time.sleep(0)


def _spec_error(adapter: Any, exc: BaseException) -> str | None:
    errors: Mapping[type[BaseException], str] = getattr(adapter, "errors", {})
    for cls in type(exc).__mro__:
        if cls in errors:
            return errors[cls]
    return None


@contextlib.contextmanager
def _switching(interval: float) -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


class _Serialized:
    """The reference model's adapter under one lock: the model is sequential."""

    def __init__(self, adapter: Any) -> None:
        self._adapter = adapter
        self._lock = threading.Lock()
        self.errors = getattr(adapter, "errors", {})

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._adapter, name)
        if not callable(attribute):
            return attribute

        def locked(*args: object) -> object:
            with self._lock:
                return attribute(*args)

        return locked


# --- reporting ------------------------------------------------------------------------


def describe_failure(component: str, binding: Binding, report: RunReport) -> str:
    """The failure message of one run: the verdict, the window, how to rerun it."""
    lines = [
        f"{component}: the concurrency test failed ({binding.target.value} target)"
    ]
    lines.extend(f"  {failure}" for failure in report.failures)
    if not report.failures or not report.result.linearizable:
        lines.append(f"  {report.result.render()}")
    lines.append(
        f"  run: constants {report.constants}, {report.threads} threads, "
        f"{len(report.history)} operations recorded, seed {report.seed}; "
        f"{SEED_ENV}={report.seed} draws the same operations again (the "
        "interleaving is the scheduler's)"
    )
    if report.result.verdict is Verdict.UNKNOWN:
        lines.append(
            f"  an unknown verdict is not a pass: raise {TIME_LIMIT_ENV} or "
            f"lower {OPERATIONS_ENV} / {THREADS_ENV}"
        )
    return "\n".join(lines)


def load_generated(reference: str, folder: Path) -> type[ContractMachine]:
    """Import the generated contract test class ``module:Class`` from ``folder``."""
    module_name, _, class_name = reference.partition(":")
    module = _module_at(module_name, folder / f"{module_name}.py")
    found = getattr(module, class_name, None)
    if not (isinstance(found, type) and issubclass(found, ContractMachine)):
        raise BindingError(
            f"{folder / module_name}.py has no contract test {class_name}; "
            "regenerate it with specfirst gen"
        )
    return found


def _module_at(name: str, path: Path) -> ModuleType:
    loaded = sys.modules.get(name)
    if loaded is not None and Path(loaded.__file__ or "").resolve() == path.resolve():
        return loaded
    if not path.is_file():
        raise BindingError(f"the generated test {path} is missing; run specfirst gen")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise BindingError(f"cannot load the generated test {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _fail(message: str) -> NoReturn:
    import pytest

    pytest.fail(message, pytrace=False)


def _skip(message: str) -> NoReturn:
    import pytest

    pytest.skip(message)
