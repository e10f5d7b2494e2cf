"""Solver results, before they are read as verdicts."""

from __future__ import annotations

from dataclasses import dataclass

from verifier.obligation import Answer, Value

# A model as the solver side reads it: SMT constant name to plain value.
RawModel = dict[str, Value]


@dataclass(frozen=True)
class Limits:
    """The per-obligation budget: Z3's ``timeout`` (ms) and optional ``rlimit``."""

    timeout_ms: int
    rlimit: int | None


@dataclass(frozen=True)
class Outcome:
    """The solver's result on one query, as the cache keeps it.

    An unknown carries its reason, and a sat its raw model.
    """

    answer: Answer
    reason: str
    model: RawModel | None
    seconds: float
