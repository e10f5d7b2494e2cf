"""The semantic types of the spec language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spec_lang.ast import Expr


@dataclass(frozen=True)
class BoolT:
    def __str__(self) -> str:
        return "Bool"


@dataclass(frozen=True)
class IntT:
    """An integer; a bounded one carries its inclusive bounds as checked expressions.

    Bounds do not take part in equality: ``Int[0..5]`` and ``Int`` are the
    same type for checking, and the bounds become range invariants.
    """

    low: Expr | None = field(default=None, compare=False)
    high: Expr | None = field(default=None, compare=False)

    @property
    def bounded(self) -> bool:
        return self.low is not None or self.high is not None

    def __str__(self) -> str:
        return "Int"


@dataclass(frozen=True)
class EnumT:
    name: str
    members: tuple[str, ...]

    def __str__(self) -> str:
        return self.name


Type = BoolT | IntT | EnumT

BOOL = BoolT()
INT = IntT()


def same_type(a: Type, b: Type) -> bool:
    """Return whether values of ``a`` and ``b`` can be compared or assigned."""
    if isinstance(a, IntT) and isinstance(b, IntT):
        return True
    return a == b
