"""A thread-safe telemetry service: counters, gauges and histograms in time windows.

Each metric name has one kind, fixed by its first use. Counters keep an
all-time total and gauges their last value. Histograms keep an all-time
summary (count, total, minimum, maximum) and, per window, every sample, so
a window's percentiles are exact.

Time is cut into windows of ``window_length`` clock ticks, numbered from 0,
and the last ``window_count`` of them are kept in a ring of slots: window
``w`` lives in slot ``w % window_count``. A slot is reused only for a window
``window_count`` or more windows later, whose predecessor has left the
retained range, so no retained window's data is ever overwritten or mixed
with another's. Counts and samples recorded in a window are also kept per
window.

All state sits behind one lock, so concurrent recordings are serialized and
no increment is lost. The transitions are those of ``specs/telemetry.spec``.

With a :class:`~reference_impl.telemetry_store.MetricStore`, the service
copies every recording to the store under its lock, and
:meth:`TelemetryService.recover` rebuilds a crashed service from it, so a
crash loses no recorded metric either.
"""

from __future__ import annotations

import enum
import logging
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from reference_impl._checks import require_int, require_positive_int
from reference_impl.clock import Clock, MonotonicClock
from reference_impl.telemetry_store import MetricStore

__all__ = [
    "HistogramSummary",
    "InvalidIncrementError",
    "KindMismatchError",
    "MetricKind",
    "NoSamplesError",
    "TelemetryError",
    "TelemetryService",
    "WindowExpiredError",
    "WindowNotStartedError",
    "WindowSnapshot",
]

logger = logging.getLogger(__name__)


class MetricKind(enum.Enum):
    """The kind of values a metric name records."""

    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"


class TelemetryError(Exception):
    """Base class of the reasons the telemetry service rejects a call."""


class KindMismatchError(TelemetryError):
    """The metric name is already in use for another kind of metric."""

    def __init__(self, name: str, existing: MetricKind, requested: MetricKind) -> None:
        super().__init__(
            f"metric {name!r} is a {existing.value}, so it cannot be used as a "
            f"{requested.value}"
        )
        self.name = name
        self.existing = existing
        self.requested = requested


class InvalidIncrementError(TelemetryError):
    """A counter increment of less than 1."""

    def __init__(self, name: str, by: int) -> None:
        super().__init__(
            f"counter {name!r} can only grow, by at least 1 at a time; got {by}"
        )
        self.name = name
        self.by = by


class WindowNotStartedError(TelemetryError):
    """The window is after the current one."""

    def __init__(self, window: int, current: int) -> None:
        super().__init__(f"window {window} has not started; the current is {current}")
        self.window = window
        self.current = current


class WindowExpiredError(TelemetryError):
    """The window is older than the retained ones."""

    def __init__(self, window: int, oldest: int) -> None:
        super().__init__(
            f"window {window} is no longer retained; the oldest retained is {oldest}"
        )
        self.window = window
        self.oldest = oldest


class NoSamplesError(TelemetryError):
    """The histogram has no samples in the window."""

    def __init__(self, name: str, window: int) -> None:
        super().__init__(f"histogram {name!r} has no samples in window {window}")
        self.name = name
        self.window = window


@dataclass(frozen=True)
class HistogramSummary:
    """All-time figures of one histogram.

    Attributes:
        count: the samples recorded.
        total: their sum.
        minimum: the smallest sample.
        maximum: the largest sample.
    """

    count: int
    total: float
    minimum: float
    maximum: float

    @property
    def mean(self) -> float:
        """The arithmetic mean of the samples."""
        return self.total / self.count


@dataclass(frozen=True)
class WindowSnapshot:
    """One retained window's data, copied out of its slot.

    Attributes:
        index: the window's number: clock readings ``index * window_length``
            up to ``(index + 1) * window_length - 1``.
        counts: each counter's increments within the window.
        samples: each histogram's samples within the window, in recording order.
    """

    index: int
    counts: Mapping[str, int]
    samples: Mapping[str, tuple[float, ...]]


@dataclass
class _Window:
    index: int
    counts: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)


class TelemetryService:
    """Records counters, gauges and histograms, all-time and per time window.

    Args:
        window_length: clock ticks per aggregation window.
        window_count: the windows retained, the current one included.
        clock: the source of monotonic readings. The default is a
            :class:`~reference_impl.clock.MonotonicClock` in milliseconds.
        store: where every recording is copied, to recover the service after
            a crash; none by default.

    Raises:
        TypeError: if ``window_length`` or ``window_count`` is not an int.
        ValueError: if either is less than 1.
    """

    def __init__(
        self,
        *,
        window_length: int,
        window_count: int,
        clock: Clock | None = None,
        store: MetricStore | None = None,
    ) -> None:
        self._window_length = require_positive_int("window_length", window_length)
        self._window_count = require_positive_int("window_count", window_count)
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._lock = threading.Lock()
        self._kinds: dict[str, MetricKind] = {}
        self._counters: dict[str, int] = {}
        self._gauges: dict[str, float] = {}
        self._histograms: dict[str, HistogramSummary] = {}
        self._slots: list[_Window | None] = [None] * self._window_count
        self._store = store

    @classmethod
    def recover(
        cls,
        store: MetricStore,
        *,
        window_length: int,
        window_count: int,
        clock: Clock | None = None,
    ) -> TelemetryService:
        """Rebuild a crashed service from the store it wrote to.

        Every counter total, gauge value and histogram summary comes back,
        each metric with its kind, and so does every window in the ring with
        its counts and samples. The new service keeps writing to ``store``.

        Args:
            store: the store the crashed service wrote to.
            window_length, window_count, clock: as for the constructor; the
                window settings must be those the store was written under.

        Raises:
            ValueError: if a stored window's slot is outside the ring of
                ``window_count`` slots or does not fit its index.
        """
        service = cls(
            window_length=window_length, window_count=window_count, clock=clock
        )
        stored = store.contents()
        service._counters = dict(stored.counters)
        service._gauges = dict(stored.gauges)
        service._histograms = dict(stored.histograms)
        for names, kind in (
            (stored.counters, MetricKind.COUNTER),
            (stored.gauges, MetricKind.GAUGE),
            (stored.histograms, MetricKind.HISTOGRAM),
        ):
            service._kinds.update(dict.fromkeys(names, kind))
        for slot, window in stored.slots.items():
            service._restore_window(slot, window)
        service._store = store
        logger.info(
            "recovered %d metric(s) and %d window(s) from the store",
            len(service._kinds),
            len(stored.slots),
        )
        return service

    def _restore_window(self, slot: int, window: WindowSnapshot) -> None:
        # Only recover calls this, before any other thread can see the service.
        if not 0 <= slot < self._window_count or window.index % self._window_count != (
            slot
        ):
            raise ValueError(
                f"stored window {window.index} in slot {slot} does not fit a ring "
                f"of {self._window_count} slots; recover with the window settings "
                "the store was written under"
            )
        self._slots[slot] = _Window(
            window.index,
            dict(window.counts),
            {name: list(samples) for name, samples in window.samples.items()},
        )

    @property
    def window_length(self) -> int:
        """Clock ticks per aggregation window."""
        return self._window_length

    @property
    def window_count(self) -> int:
        """The windows retained, the current one included."""
        return self._window_count

    @property
    def current_window(self) -> int:
        """The number of the window that the current clock reading falls in."""
        return self._clock.now() // self._window_length

    # --- recording --------------------------------------------------------------------

    def increment(self, name: str, by: int = 1) -> int:
        """Add ``by`` to a counter, all-time and in the current window.

        Returns:
            The counter's new all-time total.

        Raises:
            TypeError: if ``name`` is not a str or ``by`` not an int.
            ValueError: if ``name`` is empty.
            InvalidIncrementError: if ``by`` is less than 1.
            KindMismatchError: if ``name`` is a gauge or a histogram.
        """
        _check_name(name)
        require_int("by", by)
        if by < 1:
            raise InvalidIncrementError(name, by)
        with self._lock:
            self._claim(name, MetricKind.COUNTER)
            total = self._counters.get(name, 0) + by
            self._counters[name] = total
            window = self._current_slot()
            window.counts[name] = window.counts.get(name, 0) + by
            if self._store is not None:
                slot = window.index % self._window_count
                self._store.save_counter(name, total, slot, window.counts[name])
            return total

    def set_gauge(self, name: str, value: float) -> None:
        """Set a gauge to ``value``.

        Raises:
            TypeError: if ``name`` is not a str or ``value`` not a number.
            ValueError: if ``name`` is empty or ``value`` is not finite.
            KindMismatchError: if ``name`` is a counter or a histogram.
        """
        _check_name(name)
        _check_number("value", value)
        with self._lock:
            self._claim(name, MetricKind.GAUGE)
            self._gauges[name] = value
            if self._store is not None:
                self._store.save_gauge(name, value)

    def record(self, name: str, value: float) -> None:
        """Record one sample of a histogram, all-time and in the current window.

        Raises:
            TypeError: if ``name`` is not a str or ``value`` not a number.
            ValueError: if ``name`` is empty or ``value`` is not finite.
            KindMismatchError: if ``name`` is a counter or a gauge.
        """
        _check_name(name)
        _check_number("value", value)
        with self._lock:
            self._claim(name, MetricKind.HISTOGRAM)
            summary = _summarize(self._histograms.get(name), value)
            self._histograms[name] = summary
            window = self._current_slot()
            window.samples.setdefault(name, []).append(value)
            if self._store is not None:
                slot = window.index % self._window_count
                self._store.save_sample(name, summary, slot, value)

    def _claim(self, name: str, kind: MetricKind) -> None:
        # The caller holds the lock.
        existing = self._kinds.setdefault(name, kind)
        if existing is not kind:
            raise KindMismatchError(name, existing, kind)

    def _current_slot(self) -> _Window:
        # The caller holds the lock. A slot that holds an older window is
        # reset: that window is window_count or more windows back, so no
        # longer retained.
        index = self._clock.now() // self._window_length
        slot = index % self._window_count
        window = self._slots[slot]
        if window is None or window.index != index:
            window = _Window(index)
            self._slots[slot] = window
            if self._store is not None:
                self._store.open_window(slot, index)
        return window

    # --- reading ------------------------------------------------------------------

    def counter(self, name: str) -> int:
        """Return a counter's all-time total, 0 if it was never incremented."""
        with self._lock:
            return self._counters.get(name, 0)

    def gauge(self, name: str) -> float | None:
        """Return a gauge's last value, or None if it was never set."""
        with self._lock:
            return self._gauges.get(name)

    def histogram(self, name: str) -> HistogramSummary | None:
        """Return a histogram's all-time summary, or None if it has no samples."""
        with self._lock:
            return self._histograms.get(name)

    def kind(self, name: str) -> MetricKind | None:
        """Return the kind of metric ``name`` is, or None if it is unused."""
        with self._lock:
            return self._kinds.get(name)

    def window_total(self, name: str, window: int) -> int:
        """Return a counter's increments within a retained window.

        Raises:
            TypeError: if ``window`` is not an int.
            ValueError: if ``window`` is negative.
            WindowNotStartedError: if ``window`` is after the current one.
            WindowExpiredError: if ``window`` is no longer retained.
        """
        with self._lock:
            data = self._retained(window)
            return data.counts.get(name, 0) if data is not None else 0

    def window_samples(self, name: str, window: int) -> tuple[float, ...]:
        """Return a histogram's samples within a retained window, in recording order.

        Raises:
            The same errors as :meth:`window_total`.
        """
        with self._lock:
            data = self._retained(window)
            samples = data.samples.get(name, []) if data is not None else []
            return tuple(samples)

    def percentile(self, name: str, window: int, p: float) -> float:
        """Return the ``p``-th percentile of a histogram's samples in a window.

        The nearest-rank definition is used: the smallest sample such that
        at least ``p`` percent of the samples are less than or equal to it.
        The result is always a recorded sample.

        Raises:
            TypeError: if ``p`` is not a number.
            ValueError: if ``p`` is not more than 0 and at most 100, or
                ``window`` is negative.
            WindowNotStartedError: if ``window`` is after the current one.
            WindowExpiredError: if ``window`` is no longer retained.
            NoSamplesError: if the histogram has no samples in the window.
        """
        _check_number("p", p)
        if not 0 < p <= 100:
            raise ValueError(f"p must be more than 0 and at most 100, got {p!r}")
        samples = sorted(self.window_samples(name, window))
        if not samples:
            raise NoSamplesError(name, window)
        rank = math.ceil(Fraction(p) * len(samples) / 100)
        return samples[rank - 1]

    def _retained(self, window: int) -> _Window | None:
        # The caller holds the lock. Returns None for a retained window in
        # which nothing was recorded.
        require_int("window", window)
        if window < 0:
            raise ValueError(f"window must be at least 0, got {window}")
        current = self._clock.now() // self._window_length
        if window > current:
            raise WindowNotStartedError(window, current)
        oldest = current - self._window_count + 1
        if window < oldest:
            raise WindowExpiredError(window, oldest)
        data = self._slots[window % self._window_count]
        return data if data is not None and data.index == window else None

    # --- snapshots ------------------------------------------------------------------

    def kinds(self) -> dict[str, MetricKind]:
        """Return every metric name in use and its kind."""
        with self._lock:
            return dict(self._kinds)

    def counters(self) -> dict[str, int]:
        """Return every counter's all-time total."""
        with self._lock:
            return dict(self._counters)

    def gauges(self) -> dict[str, float]:
        """Return every gauge's last value."""
        with self._lock:
            return dict(self._gauges)

    def histograms(self) -> dict[str, HistogramSummary]:
        """Return every histogram's all-time summary."""
        with self._lock:
            return dict(self._histograms)

    def slots(self) -> dict[int, WindowSnapshot]:
        """Return the window held in each occupied slot, retained or not yet reset."""
        with self._lock:
            return {
                slot: WindowSnapshot(
                    index=window.index,
                    counts=MappingProxyType(dict(window.counts)),
                    samples=MappingProxyType(
                        {name: tuple(s) for name, s in window.samples.items()}
                    ),
                )
                for slot, window in enumerate(self._slots)
                if window is not None
            }


def _summarize(summary: HistogramSummary | None, value: float) -> HistogramSummary:
    if summary is None:
        return HistogramSummary(count=1, total=value, minimum=value, maximum=value)
    return HistogramSummary(
        count=summary.count + 1,
        total=summary.total + value,
        minimum=min(summary.minimum, value),
        maximum=max(summary.maximum, value),
    )


def _check_name(name: object) -> None:
    if not isinstance(name, str):
        raise TypeError(f"metric name must be a str, got {name!r}")
    if not name:
        raise ValueError("metric name must not be empty")


def _check_number(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be an int or a float, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
