"""What a solver run produces, before it is read as a verdict."""

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
    """The solver's answer on one query, with the reason of an unknown and the
    raw model of a sat; this is what the cache keeps."""

    answer: Answer
    reason: str
    model: RawModel | None
    seconds: float
