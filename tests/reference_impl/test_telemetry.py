"""Tests of the telemetry service: metric kinds, windows, percentiles and threads."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from reference_impl.clock import ManualClock
from reference_impl.telemetry import (
    HistogramSummary,
    InvalidIncrementError,
    KindMismatchError,
    MetricKind,
    NoSamplesError,
    TelemetryError,
    TelemetryService,
    WindowExpiredError,
    WindowNotStartedError,
)
from reference_impl.telemetry_store import MemoryMetricStore

LENGTH = 10
COUNT = 3


def make_service(
    window_length: int = LENGTH, window_count: int = COUNT
) -> tuple[TelemetryService, ManualClock]:
    clock = ManualClock()
    service = TelemetryService(
        window_length=window_length, window_count=window_count, clock=clock
    )
    return service, clock


def run_in_threads(threads_count: int, work: Callable[[], None]) -> None:
    barrier = threading.Barrier(threads_count)

    def start_together() -> None:
        barrier.wait()
        work()

    threads = [threading.Thread(target=start_together) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# Counters, gauges and histograms


def test_increment_returns_total() -> None:
    service, _ = make_service()
    assert service.increment("requests") == 1
    assert service.increment("requests", 4) == 5
    assert service.counter("requests") == 5


def test_unknown_counter_is_zero() -> None:
    service, _ = make_service()
    assert service.counter("requests") == 0


@pytest.mark.parametrize("by", [0, -3])
def test_increment_below_one_is_rejected(by: int) -> None:
    service, _ = make_service()
    with pytest.raises(InvalidIncrementError):
        service.increment("requests", by)
    assert service.kind("requests") is None


def test_gauge_keeps_last_value() -> None:
    service, _ = make_service()
    assert service.gauge("queue") is None
    service.set_gauge("queue", 3)
    service.set_gauge("queue", 1.5)
    assert service.gauge("queue") == 1.5


def test_histogram_summary() -> None:
    service, _ = make_service()
    for value in (4, 1, 7):
        service.record("latency", value)
    summary = service.histogram("latency")
    assert summary == HistogramSummary(count=3, total=12, minimum=1, maximum=7)
    assert summary is not None
    assert summary.mean == 4


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (MetricKind.COUNTER, MetricKind.GAUGE),
        (MetricKind.GAUGE, MetricKind.HISTOGRAM),
        (MetricKind.HISTOGRAM, MetricKind.COUNTER),
    ],
)
def test_name_keeps_its_first_kind(first: MetricKind, second: MetricKind) -> None:
    service, _ = make_service()
    use: dict[MetricKind, Callable[[], object]] = {
        MetricKind.COUNTER: lambda: service.increment("m"),
        MetricKind.GAUGE: lambda: service.set_gauge("m", 1),
        MetricKind.HISTOGRAM: lambda: service.record("m", 1),
    }
    use[first]()
    with pytest.raises(KindMismatchError) as caught:
        use[second]()
    assert caught.value.existing is first
    assert caught.value.requested is second
    assert service.kind("m") is first


@pytest.mark.parametrize("name", ["", 3])
def test_invalid_metric_name_is_rejected(name: object) -> None:
    service, _ = make_service()
    expected = ValueError if name == "" else TypeError
    with pytest.raises(expected, match="metric name"):
        service.increment(name)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_non_finite_value_is_rejected(value: float) -> None:
    service, _ = make_service()
    with pytest.raises(ValueError, match="finite"):
        service.record("latency", value)


def test_bool_value_is_rejected() -> None:
    service, _ = make_service()
    with pytest.raises(TypeError, match="int or a float"):
        service.set_gauge("up", True)


def test_errors_share_base_class() -> None:
    for error in (
        KindMismatchError,
        InvalidIncrementError,
        WindowNotStartedError,
        WindowExpiredError,
        NoSamplesError,
    ):
        assert issubclass(error, TelemetryError)


# Windows


def test_increments_counted_per_window() -> None:
    service, clock = make_service()
    service.increment("requests", 2)
    clock.advance(LENGTH)
    service.increment("requests", 5)
    assert service.window_total("requests", 0) == 2
    assert service.window_total("requests", 1) == 5
    assert service.counter("requests") == 7


def test_window_boundary_is_exact() -> None:
    service, clock = make_service()
    clock.advance(LENGTH - 1)
    service.increment("requests")
    clock.advance(1)
    service.increment("requests")
    assert service.window_total("requests", 0) == 1
    assert service.window_total("requests", 1) == 1
    assert service.current_window == 1


def test_reused_slot_starts_empty() -> None:
    service, clock = make_service()
    service.increment("requests", 9)
    clock.advance(LENGTH * COUNT)
    service.increment("requests", 1)
    assert service.window_total("requests", COUNT) == 1
    assert service.slots()[0].index == COUNT


def test_windows_do_not_overwrite_retained_data() -> None:
    service, clock = make_service()
    for window in range(COUNT + 1):
        service.increment("requests", window + 1)
        service.record("latency", window * 10)
        clock.advance(LENGTH)
    # Window COUNT reused window 0's slot; the windows retained beside it
    # keep exactly what was recorded in them.
    for window in range(2, COUNT + 1):
        assert service.window_total("requests", window) == window + 1
        assert service.window_samples("latency", window) == (window * 10,)


def test_expired_window_is_rejected() -> None:
    service, clock = make_service()
    service.increment("requests")
    clock.advance(LENGTH * COUNT)
    with pytest.raises(WindowExpiredError) as caught:
        service.window_total("requests", 0)
    assert caught.value.oldest == 1


def test_future_window_is_rejected() -> None:
    service, _ = make_service()
    with pytest.raises(WindowNotStartedError):
        service.window_total("requests", 1)


def test_negative_window_is_rejected() -> None:
    service, _ = make_service()
    with pytest.raises(ValueError, match="window must be at least 0"):
        service.window_total("requests", -1)


def test_quiet_window_is_zero() -> None:
    service, clock = make_service()
    service.increment("requests")
    clock.advance(LENGTH)
    assert service.window_total("requests", 1) == 0
    assert service.window_total("other", 0) == 0


# Percentiles


@pytest.mark.parametrize(
    ("p", "expected"),
    [(1, 15), (20, 15), (30, 20), (40, 20), (50, 35), (75, 40), (100, 50)],
)
def test_nearest_rank_percentile(p: float, expected: int) -> None:
    service, _ = make_service()
    for value in (40, 15, 50, 20, 35):
        service.record("latency", value)
    assert service.percentile("latency", 0, p) == expected


def test_fractional_percentile_rounds_rank_up() -> None:
    service, _ = make_service()
    for value in range(1, 11):
        service.record("latency", value)
    assert service.percentile("latency", 0, 90.5) == 10
    assert service.percentile("latency", 0, 90) == 9


def test_percentile_without_samples_raises() -> None:
    service, _ = make_service()
    with pytest.raises(NoSamplesError):
        service.percentile("latency", 0, 50)


@pytest.mark.parametrize("p", [0, -5, 100.5])
def test_percentile_rank_out_of_range(p: float) -> None:
    service, _ = make_service()
    service.record("latency", 1)
    with pytest.raises(ValueError, match="p must be more than 0"):
        service.percentile("latency", 0, p)


def test_percentile_is_per_window() -> None:
    service, clock = make_service()
    service.record("latency", 100)
    clock.advance(LENGTH)
    service.record("latency", 1)
    assert service.percentile("latency", 0, 100) == 100
    assert service.percentile("latency", 1, 100) == 1


# Threads


def test_concurrent_increments_are_exact() -> None:
    service, _ = make_service()
    threads_count = 8
    per_thread = 5000

    def increment_many() -> None:
        for _ in range(per_thread):
            service.increment("requests")

    run_in_threads(threads_count, increment_many)
    total = threads_count * per_thread
    assert service.counter("requests") == total
    assert service.window_total("requests", 0) == total


def test_concurrent_increments_across_windows_are_exact() -> None:
    service, clock = make_service(window_length=1, window_count=1000)
    threads_count = 4
    per_thread = 2000
    stop = threading.Event()

    def advance_clock() -> None:
        while not stop.is_set() and clock.now() < 900:
            clock.advance(1)

    def increment_many() -> None:
        for _ in range(per_thread):
            service.increment("requests")

    ticker = threading.Thread(target=advance_clock)
    ticker.start()
    try:
        run_in_threads(threads_count, increment_many)
    finally:
        stop.set()
        ticker.join()
    total = threads_count * per_thread
    windows = service.slots()
    assert service.counter("requests") == total
    assert sum(w.counts.get("requests", 0) for w in windows.values()) == total


def test_concurrent_samples_are_all_kept() -> None:
    service, _ = make_service()
    threads_count = 8
    per_thread = 2000

    def record_many() -> None:
        for n in range(per_thread):
            service.record("latency", n)

    run_in_threads(threads_count, record_many)
    summary = service.histogram("latency")
    assert summary is not None
    assert summary.count == threads_count * per_thread
    assert len(service.window_samples("latency", 0)) == threads_count * per_thread


def test_concurrent_first_use_claims_one_kind() -> None:
    service, _ = make_service()
    outcomes: list[str] = []

    def use_as_counter() -> None:
        try:
            service.increment("m")
        except KindMismatchError:
            outcomes.append("mismatch")
        else:
            outcomes.append("counter")

    def use_as_gauge() -> None:
        try:
            service.set_gauge("m", 1)
        except KindMismatchError:
            outcomes.append("mismatch")
        else:
            outcomes.append("gauge")

    uses = [use_as_counter, use_as_gauge] * 8
    barrier = threading.Barrier(len(uses))
    threads = [
        threading.Thread(target=lambda use=use: (barrier.wait(), use())) for use in uses
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kind = service.kind("m")
    winner = "counter" if kind is MetricKind.COUNTER else "gauge"
    assert outcomes.count(winner) == 8
    assert outcomes.count("mismatch") == 8


# Crash recovery


def make_stored_service() -> tuple[TelemetryService, ManualClock, MemoryMetricStore]:
    clock = ManualClock()
    store = MemoryMetricStore()
    service = TelemetryService(
        window_length=LENGTH, window_count=COUNT, clock=clock, store=store
    )
    return service, clock, store


def recover(store: MemoryMetricStore, clock: ManualClock) -> TelemetryService:
    return TelemetryService.recover(
        store, window_length=LENGTH, window_count=COUNT, clock=clock
    )


def test_recovery_restores_every_metric() -> None:
    service, clock, store = make_stored_service()
    service.increment("requests", 3)
    service.set_gauge("queue", 7)
    service.record("latency", 12)
    service.record("latency", 5)
    recovered = recover(store, clock)
    assert recovered.counters() == {"requests": 3}
    assert recovered.gauges() == {"queue": 7}
    assert recovered.histograms() == service.histograms()
    assert recovered.kinds() == service.kinds()


def test_recovery_restores_windows() -> None:
    service, clock, store = make_stored_service()
    service.increment("requests", 2)
    clock.advance(LENGTH)
    service.increment("requests", 5)
    service.record("latency", 4)
    recovered = recover(store, clock)
    assert recovered.slots() == service.slots()
    assert recovered.window_total("requests", 0) == 2
    assert recovered.window_total("requests", 1) == 5
    assert recovered.percentile("latency", 1, 50) == 4


def test_recovery_forgets_reused_slot() -> None:
    service, clock, store = make_stored_service()
    service.increment("requests", 2)
    clock.advance(LENGTH * COUNT)
    service.increment("requests", 1)
    recovered = recover(store, clock)
    assert recovered.slots() == service.slots()
    assert recovered.window_total("requests", COUNT) == 1


def test_recovered_kind_still_enforced() -> None:
    service, clock, store = make_stored_service()
    service.set_gauge("queue", 1)
    recovered = recover(store, clock)
    with pytest.raises(KindMismatchError):
        recovered.increment("queue", 1)


def test_recovered_service_keeps_storing() -> None:
    service, clock, store = make_stored_service()
    service.increment("requests", 1)
    first = recover(store, clock)
    first.increment("requests", 4)
    first.set_gauge("queue", 2)
    second = recover(store, clock)
    assert second.counters() == {"requests": 5}
    assert second.gauges() == {"queue": 2}
    assert second.window_total("requests", 0) == 5


def test_recovery_rejects_other_window_count() -> None:
    service, clock, store = make_stored_service()
    clock.advance(LENGTH * 2)
    service.increment("requests", 1)
    with pytest.raises(ValueError, match="window settings"):
        TelemetryService.recover(
            store, window_length=LENGTH, window_count=2, clock=clock
        )


def test_store_loses_no_concurrent_increment() -> None:
    service, clock, store = make_stored_service()

    def count() -> None:
        for _ in range(500):
            service.increment("requests")

    run_in_threads(4, count)
    recovered = recover(store, clock)
    assert recovered.counter("requests") == 2000
    assert recovered.window_total("requests", 0) == 2000
