"""Values of the spec language as Python data: what counterexamples hold.

Booleans, integers and enum members (their names, as ``str``) are plain
Python values. Structured values are the frozen classes below, so they hash
and compare structurally, print as the spec writes them (``{Pid#1, Pid#2}``,
``Entry { pid: Pid#1, at: 0 }``), and travel as tagged JSON. Nothing here
imports z3: the solver side reads models into this JSON form, and the
evaluator that re-checks counterexamples computes on these classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Identity:
    """A value of an identity type; ``number`` distinguishes values of one type."""

    type: str
    number: int

    def __str__(self) -> str:
        return f"{self.type}#{self.number}"


@dataclass(frozen=True)
class RecordValue:
    """A record; ``fields`` are ``(name, value)`` pairs in declaration order."""

    type: str
    fields: tuple[tuple[str, Value], ...]

    def field(self, name: str) -> Value:
        for field_name, value in self.fields:
            if field_name == name:
                return value
        raise KeyError(f"record {self.type} has no field {name!r}")

    def updated(self, changes: dict[str, Value]) -> RecordValue:
        return RecordValue(
            self.type, tuple((n, changes.get(n, v)) for n, v in self.fields)
        )

    def __str__(self) -> str:
        shown = ", ".join(f"{n}: {format_value(v)}" for n, v in self.fields)
        return f"{self.type} {{ {shown} }}"


@dataclass(frozen=True)
class SetValue:
    items: frozenset[Value]

    def __iter__(self) -> Iterator[Value]:
        """Iterate in a stable order, so evaluation and printing are deterministic."""
        return iter(sorted(self.items, key=sort_key))

    def __str__(self) -> str:
        return "{" + ", ".join(format_value(v) for v in self) + "}"


@dataclass(frozen=True)
class MapValue:
    """A finite map, as the frozen set of its ``(key, value)`` pairs."""

    entries: frozenset[tuple[Value, Value]]

    @classmethod
    def of(cls, pairs: Iterable[tuple[Value, Value]]) -> MapValue:
        """Build a map from pairs; a later pair for a key replaces an earlier one."""
        return cls(frozenset(dict(pairs).items()))

    def as_dict(self) -> dict[Value, Value]:
        return dict(sorted(self.entries, key=lambda pair: sort_key(pair[0])))

    def __str__(self) -> str:
        shown = ", ".join(
            f"{format_value(k)}: {format_value(v)}" for k, v in self.as_dict().items()
        )
        return "{" + shown + "}"


@dataclass(frozen=True)
class SeqValue:
    items: tuple[Value, ...]

    def __str__(self) -> str:
        return "[" + ", ".join(format_value(v) for v in self.items) + "]"


@dataclass(frozen=True)
class OptionValue:
    """``none`` when ``value`` is None, else ``some(value)``.

    The language has no ``Option[Option[T]]``, so None is never a value inside.
    """

    value: Value | None

    def __str__(self) -> str:
        return "none" if self.value is None else f"some({format_value(self.value)})"


@dataclass(frozen=True)
class Unreadable:
    """A model value with no finite reading, such as an infinite set."""

    reason: str

    def __str__(self) -> str:
        return f"<{self.reason}>"


Value = (
    bool
    | int
    | str
    | Identity
    | RecordValue
    | SetValue
    | MapValue
    | SeqValue
    | OptionValue
    | Unreadable
)


def format_value(value: Value) -> str:
    """Write a value as the spec language would: ``true``, ``{1, 2}``, ``Pid#1``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sort_key(value: Value) -> tuple[Any, ...]:
    """A key that orders any values of one type, for stable output."""
    if isinstance(value, bool):
        return (0, value)
    if isinstance(value, int):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, Identity):
        return (3, value.type, value.number)
    if isinstance(value, RecordValue):
        return (4, value.type, tuple(sort_key(v) for _, v in value.fields))
    if isinstance(value, SetValue):
        return (5, tuple(sort_key(v) for v in value))
    if isinstance(value, MapValue):
        pairs = value.as_dict().items()
        return (6, tuple((sort_key(k), sort_key(v)) for k, v in pairs))
    if isinstance(value, SeqValue):
        return (7, tuple(sort_key(v) for v in value.items))
    if isinstance(value, OptionValue):
        inner = () if value.value is None else (sort_key(value.value),)
        return (8, inner)
    return (9, value.reason)


def contains_unreadable(value: Value) -> bool:
    return any(isinstance(v, Unreadable) for v in walk_values(value))


def walk_values(value: Value) -> Iterator[Value]:
    """Yield ``value`` and every value inside it."""
    stack = [value]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, RecordValue):
            stack.extend(v for _, v in current.fields)
        elif isinstance(current, SetValue):
            stack.extend(current.items)
        elif isinstance(current, MapValue):
            for key, item in current.entries:
                stack.extend((key, item))
        elif isinstance(current, SeqValue):
            stack.extend(current.items)
        elif isinstance(current, OptionValue) and current.value is not None:
            stack.append(current.value)


def renumber_identities(value: Value, renumber: dict[Identity, Identity]) -> Value:
    """Return ``value`` with every identity replaced by its ``renumber`` entry."""
    if isinstance(value, Identity):
        return renumber.get(value, value)
    if isinstance(value, RecordValue):
        fields = tuple((n, renumber_identities(v, renumber)) for n, v in value.fields)
        return RecordValue(value.type, fields)
    if isinstance(value, SetValue):
        return SetValue(
            frozenset(renumber_identities(v, renumber) for v in value.items)
        )
    if isinstance(value, MapValue):
        return MapValue(
            frozenset(
                (renumber_identities(k, renumber), renumber_identities(v, renumber))
                for k, v in value.entries
            )
        )
    if isinstance(value, SeqValue):
        return SeqValue(tuple(renumber_identities(v, renumber) for v in value.items))
    if isinstance(value, OptionValue) and value.value is not None:
        return OptionValue(renumber_identities(value.value, renumber))
    return value


# --- tagged JSON --------------------------------------------------------------


def value_to_json(value: Value) -> Any:
    """The JSON form of a value: plain for Bool, Int and enum members, tagged
    objects for the rest (``{"set": [...]}``, ``{"id": "Pid", "n": 1}``)."""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, Identity):
        return {"id": value.type, "n": value.number}
    if isinstance(value, RecordValue):
        fields = [[n, value_to_json(v)] for n, v in value.fields]
        return {"record": value.type, "fields": fields}
    if isinstance(value, SetValue):
        return {"set": [value_to_json(v) for v in value]}
    if isinstance(value, MapValue):
        pairs = value.as_dict().items()
        return {"map": [[value_to_json(k), value_to_json(v)] for k, v in pairs]}
    if isinstance(value, SeqValue):
        return {"seq": [value_to_json(v) for v in value.items]}
    if isinstance(value, OptionValue):
        if value.value is None:
            return {"none": True}
        return {"some": value_to_json(value.value)}
    return {"unreadable": value.reason}


def value_from_json(data: Any) -> Value:
    """Read a value back from ``value_to_json``'s form.

    Raises:
        ValueError: ``data`` is not such a form.
    """
    if isinstance(data, bool | int | str):
        return data
    if not isinstance(data, dict):
        raise ValueError(f"not a spec value: {data!r}")
    if "id" in data:
        return Identity(str(data["id"]), int(data["n"]))
    if "record" in data:
        fields = tuple((str(n), value_from_json(v)) for n, v in data["fields"])
        return RecordValue(str(data["record"]), fields)
    if "set" in data:
        return SetValue(frozenset(value_from_json(v) for v in data["set"]))
    if "map" in data:
        return MapValue.of(
            (value_from_json(k), value_from_json(v)) for k, v in data["map"]
        )
    if "seq" in data:
        return SeqValue(tuple(value_from_json(v) for v in data["seq"]))
    if "none" in data:
        return OptionValue(None)
    if "some" in data:
        return OptionValue(value_from_json(data["some"]))
    if "unreadable" in data:
        return Unreadable(str(data["unreadable"]))
    raise ValueError(f"not a spec value: {data!r}")
