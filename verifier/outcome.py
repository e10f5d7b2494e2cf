"""Solver results, before they are read as verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier.obligation import Answer

# A model as the solver side reads it: SMT constant name to the JSON form of
# its value (``verifier.values.value_to_json``; enum members at the top level
# are their SMT constructor names).
RawModel = dict[str, Any]


@dataclass(frozen=True)
class Limits:
    """The per-obligation budget: Z3's ``timeout`` (ms) and optional ``rlimit``."""

    timeout_ms: int
    rlimit: int | None


@dataclass(frozen=True)
class Outcome:
    """The solver's result on one query, as the cache keeps it.

    An unknown carries its reason, and a sat its raw model. ``bounded`` is the
    outcome of the obligation's bounded query, when it was run.
    """

    answer: Answer
    reason: str
    model: RawModel | None
    seconds: float
    bounded: Outcome | None = None
