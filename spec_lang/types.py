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


@dataclass(frozen=True)
class IdentityT:
    """An uninterpreted type: infinitely many values, compared only with == and !=."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class RecordT:
    """A record type. Two record types are the same when their names are, so the
    fields (in declaration order) take no part in equality."""

    name: str
    fields: tuple[tuple[str, Type], ...] = field(default=(), compare=False)

    def field_type(self, name: str) -> Type | None:
        for field_name, field_type in self.fields:
            if field_name == name:
                return field_type
        return None

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class SetT:
    element: Type

    def __str__(self) -> str:
        return f"Set[{self.element}]"


@dataclass(frozen=True)
class MapT:
    key: Type
    value: Type

    def __str__(self) -> str:
        return f"Map[{self.key}, {self.value}]"


@dataclass(frozen=True)
class SeqT:
    element: Type

    def __str__(self) -> str:
        return f"Seq[{self.element}]"


@dataclass(frozen=True)
class OptionT:
    element: Type

    def __str__(self) -> str:
        return f"Option[{self.element}]"


Type = BoolT | IntT | EnumT | IdentityT | RecordT | SetT | MapT | SeqT | OptionT
Collection = SetT | MapT | SeqT

BOOL = BoolT()
INT = IntT()


def same_type(a: Type, b: Type) -> bool:
    """Return whether values of ``a`` and ``b`` can be compared or assigned.

    Integer bounds take no part, at any depth: ``Set[Int]`` is one type.
    """
    return a == b


def type_args(type_: Type) -> tuple[Type, ...]:
    """The types a type is built from: a collection's or option's parameters."""
    if isinstance(type_, SetT | SeqT | OptionT):
        return (type_.element,)
    if isinstance(type_, MapT):
        return (type_.key, type_.value)
    return ()


def contained_types(type_: Type) -> list[Type]:
    """Every type inside ``type_``, itself first, records' fields included."""
    found: list[Type] = []
    seen_records: set[str] = set()
    stack = [type_]
    while stack:
        current = stack.pop()
        found.append(current)
        if isinstance(current, RecordT):
            if current.name in seen_records:
                continue
            seen_records.add(current.name)
            stack.extend(reversed([t for _, t in current.fields]))
        stack.extend(reversed(type_args(current)))
    return found
