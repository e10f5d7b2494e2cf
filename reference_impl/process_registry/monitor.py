"""A background thread that keeps a registry's liveness sweeps on schedule."""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from reference_impl.process_registry.registry import ProcessRegistry

__all__ = ["LivenessMonitor"]

logger = logging.getLogger(__name__)


class LivenessMonitor:
    """Calls :meth:`ProcessRegistry.poll` every ``period`` seconds on a daemon thread.

    The registry decides from its own clock whether a sweep is due, so the
    period only bounds how late a due sweep can start. A dead process is
    removed within the registry's ``sweep_interval`` plus one period.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`.

    Args:
        registry: the registry to sweep.
        period: seconds between polls, more than 0.

    Raises:
        ValueError: if ``period`` is not more than 0.
    """

    def __init__(self, registry: ProcessRegistry, *, period: float) -> None:
        if not period > 0:
            raise ValueError(f"period must be more than 0 seconds, got {period!r}")
        self._registry = registry
        self._period = period
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()

    @property
    def running(self) -> bool:
        """Whether the polling thread runs."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self) -> None:
        """Start polling.

        Raises:
            RuntimeError: if the monitor is already running.
        """
        with self._guard:
            if self.running:
                raise RuntimeError("the liveness monitor is already running")
            self._stopping.clear()
            self._thread = threading.Thread(
                target=self._run, name="liveness-monitor", daemon=True
            )
            self._thread.start()
        logger.info("liveness monitor started, polling every %s s", self._period)

    def stop(self, timeout: float | None = None) -> None:
        """Stop polling and wait up to ``timeout`` seconds for the thread to end."""
        with self._guard:
            thread = self._thread
            self._stopping.set()
        if thread is not None:
            thread.join(timeout)
        logger.info("liveness monitor stopped")

    def __enter__(self) -> LivenessMonitor:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stopping.wait(self._period):
            try:
                self._registry.poll()
            except Exception:
                # One failed sweep must not end monitoring for good; the next
                # poll tries again.
                logger.exception("liveness sweep failed")
