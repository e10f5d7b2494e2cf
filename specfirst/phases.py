"""The three phases of the methodology, in the order their gates run."""

from __future__ import annotations

from enum import Enum


class Phase(Enum):
    """A phase, named as ``specfirst gate PHASE`` and the manifest spell it."""

    SPECIFICATIONS = "specifications"
    CONTRACTS = "contracts"
    IMPLEMENTATION = "implementation"

    @property
    def number(self) -> int:
        """0, 1 or 2, as the methodology counts phases."""
        return list(Phase).index(self)

    @property
    def title(self) -> str:
        return f"phase {self.number}, {self.value}"

    def earlier(self) -> tuple[Phase, ...]:
        """The phases that must be complete before this one starts."""
        return tuple(list(Phase)[: self.number])


PHASE_NAMES = tuple(phase.value for phase in Phase)


def parse_phase(text: str) -> Phase | None:
    """Return the phase named ``text``, or None when no phase has that name.

    >>> parse_phase("contracts").number
    1
    """
    try:
        return Phase(text.strip().lower())
    except ValueError:
        return None
