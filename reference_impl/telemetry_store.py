"""A copy of a telemetry service's metrics, kept outside it, to recover a crash.

The service writes every recording to its store while it holds its own
lock: each counter's total, each gauge's value, each histogram's summary,
and the counts and samples of the window a recording went to. After a
crash, :meth:`TelemetryService.recover
<reference_impl.telemetry.TelemetryService.recover>` rebuilds the service
from the store, so no recorded metric is lost.

:class:`MemoryMetricStore` keeps the copy in memory, so it survives the loss
of a service object but not of the whole interpreter.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from reference_impl.telemetry import HistogramSummary, WindowSnapshot

__all__ = ["MemoryMetricStore", "MetricStore", "StoredMetrics"]


@dataclass(frozen=True)
class StoredMetrics:
    """Everything a store holds, read at one instant.

    Attributes:
        counters: each counter's all-time total.
        gauges: each gauge's last value.
        histograms: each histogram's all-time summary.
        slots: the window held in each occupied slot of the ring.
    """

    counters: Mapping[str, int]
    gauges: Mapping[str, float]
    histograms: Mapping[str, HistogramSummary]
    slots: Mapping[int, WindowSnapshot]


class MetricStore(Protocol):
    """The store a telemetry service copies its metrics to; must be thread-safe."""

    def open_window(self, slot: int, index: int) -> None:
        """Empty ``slot`` for window ``index``, dropping the window it held."""
        ...

    def save_counter(self, name: str, total: int, slot: int, in_window: int) -> None:
        """Save a counter's total and its count in the window of ``slot``."""
        ...

    def save_gauge(self, name: str, value: float) -> None:
        """Save a gauge's value."""
        ...

    def save_sample(
        self, name: str, summary: HistogramSummary, slot: int, value: float
    ) -> None:
        """Save a histogram's summary and add ``value`` to the window of ``slot``."""
        ...

    def contents(self) -> StoredMetrics:
        """Return everything saved, read atomically."""
        ...


@dataclass
class _StoredWindow:
    index: int
    counts: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)


class MemoryMetricStore:
    """A thread-safe in-memory store, held by an owner that outlives the service."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, int] = {}
        self._gauges: dict[str, float] = {}
        self._histograms: dict[str, HistogramSummary] = {}
        self._slots: dict[int, _StoredWindow] = {}

    def open_window(self, slot: int, index: int) -> None:
        """Empty ``slot`` for window ``index``, dropping the window it held."""
        with self._lock:
            self._slots[slot] = _StoredWindow(index)

    def save_counter(self, name: str, total: int, slot: int, in_window: int) -> None:
        """Save a counter's total and its count in the window of ``slot``.

        Raises:
            KeyError: if no window was opened in ``slot``.
        """
        with self._lock:
            self._counters[name] = total
            self._slots[slot].counts[name] = in_window

    def save_gauge(self, name: str, value: float) -> None:
        """Save a gauge's value."""
        with self._lock:
            self._gauges[name] = value

    def save_sample(
        self, name: str, summary: HistogramSummary, slot: int, value: float
    ) -> None:
        """Save a histogram's summary and add ``value`` to the window of ``slot``.

        Raises:
            KeyError: if no window was opened in ``slot``.
        """
        with self._lock:
            self._histograms[name] = summary
            self._slots[slot].samples.setdefault(name, []).append(value)

    def contents(self) -> StoredMetrics:
        """Return everything saved, read atomically."""
        # Imported here: the service module imports this one for its types.
        from reference_impl.telemetry import WindowSnapshot

        with self._lock:
            slots = {
                slot: WindowSnapshot(
                    index=window.index,
                    counts=MappingProxyType(dict(window.counts)),
                    samples=MappingProxyType(
                        {name: tuple(s) for name, s in window.samples.items()}
                    ),
                )
                for slot, window in self._slots.items()
            }
            return StoredMetrics(
                counters=MappingProxyType(dict(self._counters)),
                gauges=MappingProxyType(dict(self._gauges)),
                histograms=MappingProxyType(dict(self._histograms)),
                slots=MappingProxyType(slots),
            )
