"""Check specs: load them and discharge their proof obligations."""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from spec_lang.diagnostics import Diagnostic
from specfirst.config import ProjectConfig
from specfirst.project import LoadedSpecs, load_specs
from verifier import (
    EncodingError,
    ObligationResult,
    Status,
    VerifyOptions,
    verify_spec,
)
from verifier.temporal import TemporalOptions, verify_temporal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckReport:
    """The outcome of checking a set of spec files."""

    loaded: LoadedSpecs
    results: tuple[ObligationResult, ...]
    seconds: float
    problems: tuple[str, ...] = ()  # specs whose obligations could not be built

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.loaded.diagnostics

    def counts(self) -> Counter[Status]:
        return Counter(r.status for r in self.results)

    @property
    def all_proved(self) -> bool:
        if self.diagnostics or self.problems:
            return False
        return all(r.status is Status.PROVED for r in self.results)

    def unproved(self) -> list[ObligationResult]:
        """Violated and unknown results, in source order."""
        bad = [r for r in self.results if r.status is not Status.PROVED]
        return sorted(bad, key=lambda r: (r.obligation.span, r.obligation.id))


def check_files(
    config: ProjectConfig,
    files: list[Path],
    options: VerifyOptions,
    temporal: TemporalOptions | None = None,
) -> CheckReport:
    """Load ``files`` and verify every spec that loads."""
    started = time.perf_counter()
    loaded = load_specs(files, config.root)
    temporal = temporal or TemporalOptions(config.depth)
    return check_loaded(loaded, options, started, temporal)


def check_loaded(
    loaded: LoadedSpecs,
    options: VerifyOptions,
    started: float | None = None,
    temporal: TemporalOptions | None = None,
) -> CheckReport:
    """Verify every spec of ``loaded``, its temporal obligations (runs to
    ``temporal.depth`` steps) included; ``started`` is when the timing began."""
    began = time.perf_counter() if started is None else started
    results: list[ObligationResult] = []
    problems: list[str] = []
    for spec in loaded.specs:
        log.info("verifying %s", spec.path)
        try:
            results.extend(verify_spec(spec, options))
            results.extend(verify_temporal(spec, options, temporal))
        except EncodingError as exc:
            # The spec checks but uses something the encoding cannot express:
            # none of its obligations is proved, and the report says why.
            problems.append(f"{spec.path}: cannot encode for Z3: {exc}")
    return CheckReport(
        loaded, tuple(results), time.perf_counter() - began, tuple(problems)
    )
