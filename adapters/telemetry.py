"""The adapter that drives a TelemetryService as ``specs/telemetry.spec``.

The service names metrics with strings, so each of the test's metric
identities gets a name, ``metric-0``, ``metric-1`` and so on, in the order
they are first used. Values stay ints throughout, so results come back as
the ints that were recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from typing import ClassVar

from reference_impl.clock import ManualClock
from reference_impl.telemetry import (
    HistogramSummary,
    InvalidIncrementError,
    KindMismatchError,
    MetricKind,
    NoSamplesError,
    TelemetryService,
    WindowExpiredError,
    WindowNotStartedError,
    WindowSnapshot,
)
from reference_impl.telemetry_store import MemoryMetricStore

__all__ = ["TelemetryServiceAdapter"]

# The spec's member names for each metric kind, spelled as in its enum.
_SPEC_KIND_NAMES: dict[MetricKind, str] = {
    MetricKind.COUNTER: "Counter",
    MetricKind.GAUGE: "Gauge",
    MetricKind.HISTOGRAM: "Histogram",
}


class _MetricNames:
    """Metric names for the test's identity values, in first-use order.

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
                name = f"metric-{len(self._names)}"
                self._names[value] = name
                self._values[name] = value
            return name

    def value(self, name: str) -> Hashable:
        with self._lock:
            return self._values[name]


class TelemetryServiceAdapter:
    """A TelemetryService on a manual clock that starts at 0, as the spec's init.

    The service copies its recordings to a store that a crash does not lose.

    Args:
        constants: the spec's constants ``window_length`` and ``window_count``.

    Raises:
        KeyError: if a constant is missing.
    """

    errors: ClassVar[dict[type[BaseException], str]] = {
        KindMismatchError: "KindMismatch",
        InvalidIncrementError: "InvalidIncrement",
        WindowNotStartedError: "WindowNotStarted",
        WindowExpiredError: "WindowExpired",
        NoSamplesError: "NoSamples",
    }

    def __init__(self, constants: Mapping[str, int]) -> None:
        self._clock = ManualClock(0)
        self._window_length = constants["window_length"]
        self._window_count = constants["window_count"]
        # The store outlives a crash of the service, as a durable one would.
        self._store = MemoryMetricStore()
        self._service = TelemetryService(
            window_length=self._window_length,
            window_count=self._window_count,
            clock=self._clock,
            store=self._store,
        )
        self._metrics = _MetricNames()

    @property
    def service(self) -> TelemetryService:
        """The service under test."""
        return self._service

    def increment(self, metric: Hashable, by: int) -> int:
        """Perform the spec's ``increment``; return the new total."""
        return self._service.increment(self._metrics.name(metric), by)

    def set_gauge(self, metric: Hashable, value: int) -> None:
        """Perform the spec's ``set_gauge``."""
        self._service.set_gauge(self._metrics.name(metric), value)

    def record_value(self, metric: Hashable, value: int) -> None:
        """Record a histogram sample."""
        self._service.record(self._metrics.name(metric), value)

    def counter_total(self, metric: Hashable) -> int:
        """Return the counter's all-time total."""
        return self._service.counter(self._metrics.name(metric))

    def gauge_value(self, metric: Hashable) -> float | None:
        """Return the gauge's value, or None if it was never set."""
        return self._service.gauge(self._metrics.name(metric))

    def histogram_summary(self, metric: Hashable) -> dict[str, object] | None:
        """Return the histogram's summary as the spec's record, or None."""
        summary = self._service.histogram(self._metrics.name(metric))
        return None if summary is None else _summary(summary)

    def window_total(self, metric: Hashable, window: int) -> int:
        """Return the counter's increments within a retained window."""
        return self._service.window_total(self._metrics.name(metric), window)

    def percentile(self, metric: Hashable, window: int, p: int) -> float:
        """Return the nearest-rank percentile of the window's samples."""
        return self._service.percentile(self._metrics.name(metric), window, p)

    def tick(self, elapsed: int) -> None:
        """Advance the manual clock by ``elapsed`` ticks, at least 1."""
        self._clock.advance(elapsed)

    def crash(self) -> None:
        """Lose the service and everything in its memory; the store survives."""
        del self._service

    def recover(self) -> None:
        """Rebuild the service from the store."""
        self._service = TelemetryService.recover(
            self._store,
            window_length=self._window_length,
            window_count=self._window_count,
            clock=self._clock,
        )

    def observe(self) -> dict[str, object]:
        """Return the service's state under the spec's variable names."""
        value = self._metrics.value
        return {
            "kinds": {
                value(name): _SPEC_KIND_NAMES[kind]
                for name, kind in self._service.kinds().items()
            },
            "counters": {
                value(name): total for name, total in self._service.counters().items()
            },
            "gauges": {
                value(name): level for name, level in self._service.gauges().items()
            },
            "histograms": {
                value(name): _summary(summary)
                for name, summary in self._service.histograms().items()
            },
            "slots": {
                slot: self._window(window)
                for slot, window in self._service.slots().items()
            },
            "now": self._clock.now(),
        }

    def _window(self, window: WindowSnapshot) -> dict[str, object]:
        value = self._metrics.value
        return {
            "index": window.index,
            "counts": {value(name): count for name, count in window.counts.items()},
            "samples": {
                value(name): dict(enumerate(samples))
                for name, samples in window.samples.items()
            },
        }


def _summary(summary: HistogramSummary) -> dict[str, object]:
    return {
        "count": summary.count,
        "total": summary.total,
        "minimum": summary.minimum,
        "maximum": summary.maximum,
    }
