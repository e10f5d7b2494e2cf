"""Discharge obligations: run Z3 on each one's SMT-LIB text, in parallel.

Each obligation is parsed from its text into a fresh Z3 context, so the work
unit is a plain string and any executor can run it. Z3 errors never escape:
an obligation Z3 cannot handle is unknown, with Z3's message as the reason.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import z3

from verifier.cache import ResultCache
from verifier.counterexample import is_approximate, read_model, to_counterexample
from verifier.obligation import (
    Answer,
    Counterexample,
    Obligation,
    ObligationResult,
    Status,
)
from verifier.outcome import Limits, Outcome, RawModel
from verifier.pool import SolverPool
from verifier.recheck import Recheck, reproduce
from verifier.values import contains_unreadable
from verifier.vocabulary import BOUNDED_IDENTITIES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VerifyOptions:
    """How to discharge obligations.

    ``timeout_ms`` and ``rlimit`` bound each obligation (Z3's ``timeout`` and
    ``rlimit`` parameters; an rlimit is reproducible across machines, a
    timeout is not). ``jobs`` is the number of worker processes
    (``verifier.pool``), which stop a query that overruns its deadline.
    ``cache_dir`` keeps proved and violated results (None: no cache);
    ``emit_smt_dir`` receives each query as ``<id>.smt2``.
    """

    timeout_ms: int = 10000
    rlimit: int | None = None
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    cache_dir: Path | str | None = None
    emit_smt_dir: Path | str | None = None

    def __post_init__(self) -> None:
        if self.timeout_ms < 1:
            raise ValueError(f"timeout_ms={self.timeout_ms!r}; expected at least 1")
        if self.rlimit is not None and self.rlimit < 1:
            raise ValueError(f"rlimit={self.rlimit!r}; expected at least 1 or None")
        if self.jobs < 1:
            raise ValueError(f"jobs={self.jobs!r}; expected at least 1")


def z3_version() -> str:
    version: str = z3.get_version_string()
    return version


def solve_obligation(obligation: Obligation, limits: Limits) -> Outcome:
    """Run Z3 on one obligation in a fresh context; any error becomes an unknown.

    When the obligation has a bounded query and the main one is not unsat,
    the bounded query is solved too: its model may confirm what the main
    one's could not.
    """
    outcome = _solve_text(obligation, obligation.smt, limits)
    if obligation.bounded_smt and _may_need_bounded(obligation, outcome):
        bounded = _solve_text(obligation, obligation.bounded_smt, limits)
        outcome = Outcome(
            outcome.answer, outcome.reason, outcome.model, outcome.seconds, bounded
        )
    return outcome


def _may_need_bounded(obligation: Obligation, outcome: Outcome) -> bool:
    """Whether the main query's answer may need the bounded one: it is unknown,
    or a model that a re-check may reject."""
    if outcome.answer is Answer.UNKNOWN:
        return True
    if outcome.answer is Answer.UNSAT or outcome.model is None:
        return False
    raw = outcome.model
    unreadable = any(isinstance(v, dict) and "unreadable" in v for v in raw.values())
    return bool(obligation.incomplete) or unreadable or is_approximate(raw)


def _solve_text(obligation: Obligation, smt: str, limits: Limits) -> Outcome:
    start = time.perf_counter()
    try:
        answer, reason, model = _check(obligation, smt, limits)
    except z3.Z3Exception as exc:
        answer, reason, model = Answer.UNKNOWN, f"z3 error: {_message(exc)}", None
    except Exception as exc:  # a bug here must cost one verdict, not the run
        log.exception("solving %s failed", obligation.id)
        answer, reason, model = Answer.UNKNOWN, f"internal error: {exc!r}", None
    return Outcome(answer, reason, model, time.perf_counter() - start)


def _check(
    obligation: Obligation, smt: str, limits: Limits
) -> tuple[Answer, str, RawModel | None]:
    if "(check-sat)" not in smt:
        # An empty or cut-off text has no assertions, so Z3 would return sat.
        return Answer.UNKNOWN, "the query is not a complete SMT-LIB script", None
    ctx = z3.Context()
    solver = z3.Solver(ctx=ctx)
    solver.set("timeout", limits.timeout_ms)
    if limits.rlimit is not None:
        solver.set("rlimit", limits.rlimit)
    solver.from_string(smt)
    answer = solver.check()
    if answer == z3.sat:
        model = read_model(solver.model(), solver.assertions(), obligation.symbols)
        return Answer.SAT, "", model
    if answer == z3.unsat:
        return Answer.UNSAT, "", None
    reason = explain_unknown(solver.reason_unknown(), limits, _spent(solver))
    return Answer.UNKNOWN, reason, None


def _spent(solver: z3.Solver) -> int:
    """Read the resource count of the last check, which ``rlimit`` bounds."""
    statistics = solver.statistics()
    # z3's Statistics looks ``in`` up by position, not by name.
    names = statistics.keys()
    if "rlimit count" not in names:
        return 0
    count: int = statistics.get_key_value("rlimit count")
    return count


def explain_unknown(reason: str, limits: Limits, spent: int = 0) -> str:
    """Say which limit stopped Z3, or why it gave up, keeping Z3's own words.

    Z3 reports an exhausted rlimit as "canceled", like an interrupt, so the
    resource count is what separates the two.
    """
    lowered = reason.lower()
    if limits.rlimit is not None and (spent >= limits.rlimit or "resource" in lowered):
        return f"resource limit: rlimit {limits.rlimit} reached (z3: {reason})"
    if "timeout" in lowered or "canceled" in lowered:
        return f"timeout: no answer within {limits.timeout_ms} ms (z3: {reason})"
    if "memory" in lowered:
        return f"memory limit reached (z3: {reason})"
    if "incomplete" in lowered:
        return f"incompleteness: z3 cannot decide this query (z3: {reason})"
    return f"z3 gave up: {reason or 'no reason given'}"


def _message(exc: z3.Z3Exception) -> str:
    value = exc.value if hasattr(exc, "value") else exc
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip()
    return str(value).strip()


def verdict(obligation: Obligation, outcome: Outcome, cached: bool) -> ObligationResult:
    """Read the solver's answer as proved, violated or unknown.

    Unsat is final: the encoding only ever adds true facts. A model is final
    when the encoding is complete; otherwise it counts only once the spec,
    evaluated on it, reproduces it (``verifier.recheck``), and failing that,
    a model of the bounded query may.
    """
    if outcome.answer is Answer.UNSAT:
        return _decided(obligation, outcome, None, cached)
    confirmed, why = _confirmed_model(obligation, outcome)
    if confirmed is not None:
        return _decided(obligation, outcome, confirmed, cached)
    return ObligationResult(
        obligation,
        Status.UNKNOWN,
        _unknown_reason(obligation, outcome, why),
        seconds=outcome.seconds,
        cached=cached,
    )


def _confirmed_model(
    obligation: Obligation, outcome: Outcome
) -> tuple[Counterexample | None, str]:
    """Return a confirmed model, from the main query or else the bounded one,
    or None and why the main query's model (if any) was not confirmed."""
    why = ""
    if outcome.answer is Answer.SAT and outcome.model is not None:
        model = to_counterexample(obligation.symbols, outcome.model)
        exact = not is_approximate(outcome.model)
        if exact and not _needs_recheck(obligation, model):
            return model, ""
        confirmed, why = _recheck(obligation, model)
        if confirmed is not None:
            return confirmed, ""
    bounded = outcome.bounded
    if bounded is not None and bounded.answer is Answer.SAT and bounded.model:
        model = to_counterexample(obligation.symbols, bounded.model)
        confirmed, bounded_why = _recheck(obligation, model)
        if confirmed is not None:
            return confirmed, ""
        why = why or bounded_why
    return None, why


def _needs_recheck(obligation: Obligation, model: Counterexample) -> bool:
    if obligation.incomplete:
        return True
    values = [
        *model.constants.values(),
        *model.pre_state.values(),
        *model.arguments.values(),
        *model.post_state.values(),
    ]
    if model.result is not None:
        values.append(model.result)
    return any(contains_unreadable(v) for v in values)


def _recheck(
    obligation: Obligation, model: Counterexample
) -> tuple[Counterexample | None, str]:
    if not isinstance(obligation.recheck, Recheck):
        return None, "the model cannot be re-checked: the obligation has no spec"
    found = reproduce(obligation.recheck, model)
    if found.confirmed:
        return found.counterexample or model, ""
    return None, found.reason


def _decided(
    obligation: Obligation,
    outcome: Outcome,
    model: Counterexample | None,
    cached: bool,
) -> ObligationResult:
    answer = Answer.UNSAT if model is None else Answer.SAT
    if answer is obligation.proved_when:
        reason = "witness found" if model is not None else "no counterexample exists"
        return ObligationResult(
            obligation,
            Status.PROVED,
            reason,
            witness=model,
            seconds=outcome.seconds,
            cached=cached,
        )
    reason = "counterexample found" if model is not None else _impossible(obligation)
    return ObligationResult(
        obligation,
        Status.VIOLATED,
        reason,
        counterexample=model,
        seconds=outcome.seconds,
        cached=cached,
    )


def _unknown_reason(obligation: Obligation, outcome: Outcome, why: str) -> str:
    """Explain an unknown: the solver's reason or the unconfirmed model, the
    incompleteness behind it, and what the bounded search found."""
    parts = []
    if outcome.answer is Answer.UNKNOWN:
        parts.append(outcome.reason)
    elif obligation.proved_when is Answer.SAT:
        parts.append(f"unconfirmed witness: {why}")
    else:
        parts.append(f"spurious counterexample: {why}")
    if obligation.quantified:
        parts.append("the query quantifies over the post-state (forall-exists)")
    if obligation.incomplete:
        parts.append(f"the encoding is incomplete: {obligation.incomplete}")
    bounded = outcome.bounded
    if bounded is not None:
        parts.append(_bounded_note(obligation, bounded))
    return "; ".join(parts)


def _bounded_note(obligation: Obligation, bounded: Outcome) -> str:
    search = (
        f"in the bounded search ({BOUNDED_IDENTITIES} values of each identity "
        "type, and of each set or map over other types)"
    )
    found = "witness" if obligation.proved_when is Answer.SAT else "counterexample"
    if bounded.answer is Answer.UNSAT:
        return f"no {found} {search} either"
    if bounded.answer is Answer.UNKNOWN:
        return f"the search {search} gave no answer ({bounded.reason})"
    return f"the {found} found {search} did not reproduce either"


def _impossible(obligation: Obligation) -> str:
    return (
        obligation.no_witness or f"no model: it is false that {obligation.description}"
    )


def discharge(
    obligations: Sequence[Obligation], options: VerifyOptions | None = None
) -> list[ObligationResult]:
    """Solve every obligation, from the cache where possible, in input order."""
    options = options or VerifyOptions()
    limits = Limits(options.timeout_ms, options.rlimit)
    cache = None if options.cache_dir is None else ResultCache(Path(options.cache_dir))
    results: list[ObligationResult | None] = [None] * len(obligations)
    pending: list[int] = []
    for index, obligation in enumerate(obligations):
        key = _cache_text(obligation)
        hit = None if cache is None else cache.get(key, limits, z3_version())
        if hit is None:
            pending.append(index)
        else:
            results[index] = verdict(obligation, hit, cached=True)
    outcomes = _solve_all([obligations[i] for i in pending], limits, options.jobs)
    for index, outcome in zip(pending, outcomes, strict=True):
        if cache is not None:
            cache.put(_cache_text(obligations[index]), limits, z3_version(), outcome)
        results[index] = verdict(obligations[index], outcome, cached=False)
    return [r for r in results if r is not None]


def _solve_all(
    obligations: Sequence[Obligation], limits: Limits, jobs: int
) -> list[Outcome]:
    if not obligations:
        return []
    workers = min(jobs, len(obligations))
    log.debug("solving %d obligations on %d workers", len(obligations), workers)
    with SolverPool(workers, limits) as pool:
        return pool.solve(obligations)


def _cache_text(obligation: Obligation) -> str:
    """What the cache keys an obligation's outcome by: both its queries."""
    if not obligation.bounded_smt:
        return obligation.smt
    return f"{obligation.smt}\n; bounded\n{obligation.bounded_smt}"
