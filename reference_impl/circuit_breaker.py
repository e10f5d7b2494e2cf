"""A thread-safe circuit breaker that stops calls to a failing dependency.

Closed: calls pass, and consecutive failures are counted. The failure that
brings the count to ``failure_threshold`` opens the breaker. Open: calls are
rejected until ``reset_timeout`` ticks have passed since it opened, and the
first call after that moves it to half-open. Half-open: at most
``half_open_max_calls`` trial calls are admitted. One success closes the
breaker and one failure opens it again.

The transitions are those of ``specs/circuit_breaker.spec``. The caller asks
:meth:`CircuitBreaker.allow_request` before each call and reports its outcome
with :meth:`CircuitBreaker.record_success` or
:meth:`CircuitBreaker.record_failure`, or lets :meth:`CircuitBreaker.call`
do both.

A breaker given a store (:class:`BreakerStore`) writes every change of its
mode, failure count and opening time there, and :meth:`CircuitBreaker.recover`
rebuilds a crashed breaker from it. An open breaker therefore stays open
across a restart. :class:`MemoryBreakerStore` keeps the state in memory, so
it survives the loss of a breaker object but not of the whole interpreter.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, Protocol, TypeVar

from reference_impl._checks import require_positive_int
from reference_impl.clock import Clock, MonotonicClock

__all__ = [
    "BreakerStore",
    "CircuitBreaker",
    "CircuitBreakerError",
    "CircuitBreakerSnapshot",
    "CircuitOpenError",
    "MemoryBreakerStore",
    "Mode",
    "SavedBreaker",
    "TrialLimitReachedError",
]

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")
_T = TypeVar("_T")


class Mode(enum.Enum):
    """The state of a circuit breaker."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreakerError(Exception):
    """Base class of the reasons a circuit breaker rejects a request."""


class CircuitOpenError(CircuitBreakerError):
    """The breaker is open and its reset timeout has not passed.

    Attributes:
        retry_at: the first clock reading at which a request will be admitted
            as a half-open trial.
    """

    def __init__(self, name: str, retry_at: int) -> None:
        super().__init__(
            f"circuit breaker {name!r} is open, so requests are rejected until "
            f"clock reading {retry_at}"
        )
        self.retry_at = retry_at


class TrialLimitReachedError(CircuitBreakerError):
    """The breaker is half-open and has admitted all the trial calls it allows.

    Attributes:
        limit: the number of trial calls a half-open breaker admits.
    """

    def __init__(self, name: str, limit: int) -> None:
        super().__init__(
            f"circuit breaker {name!r} is half-open and has admitted its "
            f"{limit} trial call(s). Retry after one of them reports an outcome."
        )
        self.limit = limit


@dataclass(frozen=True)
class CircuitBreakerSnapshot:
    """The internal state of a circuit breaker at one instant.

    Attributes:
        mode: the mode as last changed. An open breaker whose timeout has
            passed is still ``OPEN`` until the next request moves it.
        failures: consecutive failures counted while closed, or 0.
        trials: trial calls admitted while half-open, or 0.
        opened_at: the clock reading when the breaker last opened, or 0 if it
            never has.
        now: the clock reading at which the snapshot was taken.
    """

    mode: Mode
    failures: int
    trials: int
    opened_at: int
    now: int


@dataclass(frozen=True)
class SavedBreaker:
    """The part of a breaker's state that a store keeps across a crash.

    The trial count is not saved. The trial calls admitted before a crash
    belonged to the process that crashed and will never report an outcome,
    so a recovered half-open breaker starts with every trial slot free.
    """

    mode: Mode
    failures: int
    opened_at: int


class BreakerStore(Protocol):
    """The storage a breaker saves its state to, which must be thread-safe."""

    def save(self, state: SavedBreaker) -> None:
        """Replace the saved state."""
        ...

    def load(self) -> SavedBreaker | None:
        """Return the saved state, or None if nothing was saved yet."""
        ...


class MemoryBreakerStore:
    """A thread-safe in-memory store, held by an owner that outlives the breaker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: SavedBreaker | None = None

    def save(self, state: SavedBreaker) -> None:
        """Replace the saved state."""
        with self._lock:
            self._state = state

    def load(self) -> SavedBreaker | None:
        """Return the saved state, or None if nothing was saved yet."""
        with self._lock:
            return self._state


class CircuitBreaker:
    """A circuit breaker whose state is guarded by one lock.

    Every method reads the clock and changes the state under the same lock,
    so concurrent callers see the transitions in one order and no count is
    lost.

    Args:
        failure_threshold: consecutive failures, while closed, that open the
            breaker.
        reset_timeout: ticks an open breaker waits before it admits a trial.
        half_open_max_calls: trial calls a half-open breaker admits before it
            has an outcome.
        clock: the source of monotonic readings. The default is a
            :class:`~reference_impl.clock.MonotonicClock` in milliseconds.
        name: a label for log records and error messages.
        store: the storage that receives each change of mode, failure count
            and opening time while the breaker holds its lock, so that
            :meth:`recover` can rebuild the breaker after a crash. An
            exception from the store propagates to the caller.

    Raises:
        TypeError: if a count or timeout is not an int.
        ValueError: if a count or timeout is less than 1.
    """

    def __init__(
        self,
        *,
        failure_threshold: int,
        reset_timeout: int,
        half_open_max_calls: int = 1,
        clock: Clock | None = None,
        name: str = "default",
        store: BreakerStore | None = None,
    ) -> None:
        self._failure_threshold = require_positive_int(
            "failure_threshold", failure_threshold
        )
        self._reset_timeout = require_positive_int("reset_timeout", reset_timeout)
        self._half_open_max_calls = require_positive_int(
            "half_open_max_calls", half_open_max_calls
        )
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._name = name
        self._lock = threading.Lock()
        self._mode = Mode.CLOSED
        self._failures = 0
        self._trials = 0
        self._opened_at = 0
        self._store = store
        self._saved = self._saved_state()

    @classmethod
    def recover(
        cls,
        store: BreakerStore,
        *,
        failure_threshold: int,
        reset_timeout: int,
        half_open_max_calls: int = 1,
        clock: Clock | None = None,
        name: str = "default",
    ) -> CircuitBreaker:
        """Rebuild a crashed breaker from its store.

        The mode, the failure count and the opening time come back as the
        crashed breaker last saved them, so an open breaker stays open until
        its reset timeout passes. An opening time later than the clock's
        reading, as after a reboot restarts a monotonic clock, is moved back
        to the reading, so the breaker stays open for at most
        ``reset_timeout`` ticks after recovery. A half-open breaker comes
        back with no trial admitted. A store with nothing saved gives a closed breaker.
        The new breaker keeps writing to ``store``.

        Args:
            store: the store the crashed breaker wrote to.
            failure_threshold, reset_timeout, half_open_max_calls, clock, name:
                as for the constructor.

        Raises:
            ValueError: if the saved failure count is not below
                ``failure_threshold``, since the breaker would have opened.
        """
        breaker = cls(
            failure_threshold=failure_threshold,
            reset_timeout=reset_timeout,
            half_open_max_calls=half_open_max_calls,
            clock=clock,
            name=name,
        )
        breaker._store = store
        saved = store.load()
        if saved is not None:
            breaker._restore(saved)
        logger.info(
            "circuit breaker %r recovered: %s with %d failure(s), opened at %d",
            name,
            breaker._mode.value,
            breaker._failures,
            breaker._opened_at,
        )
        return breaker

    @property
    def name(self) -> str:
        """The label used in log records and error messages."""
        return self._name

    @property
    def failure_threshold(self) -> int:
        """Consecutive failures, while closed, that open the breaker."""
        return self._failure_threshold

    @property
    def reset_timeout(self) -> int:
        """Ticks an open breaker waits before it admits a trial."""
        return self._reset_timeout

    @property
    def half_open_max_calls(self) -> int:
        """Trial calls a half-open breaker admits before it has an outcome."""
        return self._half_open_max_calls

    @property
    def mode(self) -> Mode:
        """The mode as last changed.

        An open breaker whose timeout has passed reports ``OPEN`` until the
        next :meth:`allow_request` moves it to half-open.
        """
        with self._lock:
            return self._mode

    @property
    def failure_count(self) -> int:
        """Consecutive failures counted while closed, or 0 in the other modes."""
        with self._lock:
            return self._failures

    def snapshot(self) -> CircuitBreakerSnapshot:
        """Return the internal state and the clock reading, read atomically."""
        with self._lock:
            return CircuitBreakerSnapshot(
                mode=self._mode,
                failures=self._failures,
                trials=self._trials,
                opened_at=self._opened_at,
                now=self._clock.now(),
            )

    def allow_request(self) -> None:
        """Admit a call or raise the reason it may not go ahead.

        A closed breaker admits every call. An open breaker whose reset
        timeout has passed moves to half-open and admits the call as its
        first trial. A half-open breaker admits calls until
        ``half_open_max_calls`` trials have been admitted.

        Raises:
            CircuitOpenError: if the breaker is open and fewer than
                ``reset_timeout`` ticks have passed since it opened.
            TrialLimitReachedError: if the breaker is half-open and has
                admitted ``half_open_max_calls`` trials already.
        """
        with self._lock:
            if self._mode is Mode.OPEN:
                retry_at = self._opened_at + self._reset_timeout
                if self._clock.now() < retry_at:
                    raise CircuitOpenError(self._name, retry_at)
                self._mode = Mode.HALF_OPEN
                self._trials = 1
                moved_to_half_open = True
            else:
                moved_to_half_open = False
                if self._mode is Mode.HALF_OPEN:
                    if self._trials >= self._half_open_max_calls:
                        raise TrialLimitReachedError(
                            self._name, self._half_open_max_calls
                        )
                    self._trials += 1
            self._save()
        # Logging happens outside the lock so that a slow handler does not
        # stall every caller of the breaker.
        if moved_to_half_open:
            logger.info(
                "circuit breaker %r is half-open: admitting a trial", self._name
            )

    def record_success(self) -> None:
        """Report that an admitted call succeeded.

        A half-open breaker closes, and a closed one resets its failure count.
        An open breaker ignores the report, because the call it concerns was
        admitted before the breaker opened.
        """
        with self._lock:
            closed = self._mode is Mode.HALF_OPEN
            if closed:
                self._mode = Mode.CLOSED
                self._trials = 0
            self._failures = 0
            self._save()
        if closed:
            logger.info("circuit breaker %r is closed: a trial succeeded", self._name)

    def record_failure(self) -> None:
        """Report that an admitted call failed.

        A closed breaker counts the failure and opens when the count reaches
        ``failure_threshold``. A half-open breaker opens again at once. An
        open breaker ignores the report and keeps its opening time.
        """
        with self._lock:
            previous = self._mode
            if previous is Mode.CLOSED:
                if self._failures + 1 >= self._failure_threshold:
                    self._open()
                else:
                    self._failures += 1
            elif previous is Mode.HALF_OPEN:
                self._open()
            opened = self._mode is Mode.OPEN and previous is not Mode.OPEN
            opened_at = self._opened_at
            self._save()
        if opened:
            logger.info(
                "circuit breaker %r opened at clock reading %d (was %s)",
                self._name,
                opened_at,
                previous.value,
            )

    def call(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """Run ``fn(*args, **kwargs)`` if admitted and record how it ended.

        Returns ``fn``'s result when it returns normally.

        Any exception from ``fn`` counts as a failure and is re-raised. That
        includes ``KeyboardInterrupt`` and other ``BaseException``s: the
        outcome of an interrupted call is unknown, and if it reported nothing
        a half-open breaker would keep the trial slot forever.

        Raises:
            CircuitOpenError: if the breaker is open, and ``fn`` is not run.
            TrialLimitReachedError: if the breaker is half-open with no trial
                left, and ``fn`` is not run.
        """
        self.allow_request()
        try:
            result = fn(*args, **kwargs)
        except BaseException:
            self.record_failure()
            raise
        self.record_success()
        return result

    def _open(self) -> None:
        # The caller holds the lock.
        self._mode = Mode.OPEN
        self._failures = 0
        self._trials = 0
        self._opened_at = self._clock.now()

    def _saved_state(self) -> SavedBreaker:
        return SavedBreaker(self._mode, self._failures, self._opened_at)

    def _save(self) -> None:
        # The caller holds the lock, so the store receives changes in order.
        # Only a change is written: a closed breaker whose calls all succeed
        # never writes.
        state = self._saved_state()
        if self._store is None or state == self._saved:
            return
        self._store.save(state)
        self._saved = state

    def _restore(self, saved: SavedBreaker) -> None:
        if not 0 <= saved.failures < self._failure_threshold:
            raise ValueError(
                f"saved failure count {saved.failures} is outside 0 to "
                f"{self._failure_threshold - 1}, the range below failure_threshold"
            )
        with self._lock:
            self._mode = saved.mode
            self._failures = saved.failures
            self._opened_at = min(saved.opened_at, self._clock.now())
            self._saved = saved
            # Writes the opening time back only if it was moved.
            self._save()
