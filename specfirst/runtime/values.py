"""The types of spec values at run time, and the structured values.

Bool, Int and enum values are ``bool``, ``int`` and member names (``str``).
Structured values are plain Python data:

- an identity is an :class:`Identity`, a ``str`` such as ``"Pid#3"`` that
  also knows its type, so implementations can use it as an opaque key;
- ``Set[T]`` is a ``frozenset``, ``Map[K, V]`` a :class:`FrozenMap` (a
  ``dict`` that cannot change and hashes), ``Seq[T]`` a ``tuple``;
- ``Option[T]`` is ``None`` or the value itself;
- a record is an instance of the frozen dataclass that the generated model
  declares for it.

Implementations may hand back lists, sets, dicts or their own record
objects: :meth:`ValueType.normalize` turns them into these forms before any
comparison with the model.
"""

from __future__ import annotations

import dataclasses
import keyword
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Identity(str):
    """A value of an identity type: the text ``<Type>#<number>``, and its type."""

    type: str
    number: int

    def __new__(cls, type_name: str, number: int) -> Identity:
        value = super().__new__(cls, f"{type_name}#{number}")
        value.type = type_name
        value.number = number
        return value

    def __getnewargs__(self) -> tuple[str, int]:  # type: ignore[override]
        return self.type, self.number


class FrozenMap(dict[K, V]):
    """A map value: a ``dict`` that cannot change in place and can be hashed.

    Maps are values in the spec, so a map can be an element of a set or the
    value of another map. ``put`` and ``delete`` build changed copies.
    """

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def _frozen(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("a spec map cannot change; build a new one with put or delete")

    __setitem__ = _frozen
    __delitem__ = _frozen
    __ior__ = _frozen
    clear = _frozen
    pop = _frozen
    popitem = _frozen
    setdefault = _frozen
    update = _frozen


@dataclass(frozen=True)
class ValueType:
    """A spec type: ``Bool``, ``Int``, an enum (its member names), or structured.

    ``kind`` is empty for Bool, Int and enums, else one of ``"identity"``,
    ``"record"``, ``"set"``, ``"map"``, ``"seq"`` and ``"option"``; ``args``
    are a collection's or an option's element types (key then value for a
    map), ``fields`` a record's field names and types in declaration order,
    and ``record`` the record's dataclass.
    """

    name: str
    members: tuple[str, ...] = ()
    kind: str = ""
    args: tuple[ValueType, ...] = ()
    fields: tuple[tuple[str, ValueType], ...] = ()
    record: type | None = field(default=None, compare=False)

    def conforms(self, value: object) -> bool:
        """Whether ``value`` is a value of this type; ``True`` is not an ``Int``."""
        check = _CONFORMS.get(self.kind)
        if check is not None:
            return check(self, value)
        if self.name == "Bool":
            return isinstance(value, bool)
        if self.name == "Int":
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, str) and value in self.members

    def normalize(self, value: object) -> object:
        """Return ``value`` in the runtime's form for this type (lists become
        tuples, dicts frozen maps, record objects the record's dataclass); a
        value that does not fit is returned unchanged for ``conforms`` to reject.
        """
        convert = _NORMALIZE.get(self.kind)
        if convert is None:
            return value
        try:
            return convert(self, value)
        except (TypeError, ValueError, AttributeError, KeyError):
            return value

    def describe(self) -> str:
        if self.members:
            return f"{self.name} (one of {', '.join(map(repr, self.members))})"
        return self.name


BOOL = ValueType("Bool")
INT = ValueType("Int")


def enum_type(name: str, members: tuple[str, ...]) -> ValueType:
    return ValueType(name, members)


def identity_type(name: str) -> ValueType:
    return ValueType(name, kind="identity")


def set_type(element: ValueType) -> ValueType:
    return ValueType(f"Set[{element.name}]", kind="set", args=(element,))


def map_type(key: ValueType, value: ValueType) -> ValueType:
    return ValueType(f"Map[{key.name}, {value.name}]", kind="map", args=(key, value))


def seq_type(element: ValueType) -> ValueType:
    return ValueType(f"Seq[{element.name}]", kind="seq", args=(element,))


def option_type(element: ValueType) -> ValueType:
    return ValueType(f"Option[{element.name}]", kind="option", args=(element,))


def record_type(record: type, fields: tuple[tuple[str, ValueType], ...]) -> ValueType:
    """The type of a record whose dataclass is ``record``, with its field types."""
    return ValueType(record.__name__, kind="record", fields=fields, record=record)


def _conforms_identity(kind: ValueType, value: object) -> bool:
    return isinstance(value, str)


def _conforms_set(kind: ValueType, value: object) -> bool:
    return isinstance(value, frozenset | set) and all(
        kind.args[0].conforms(v) for v in value
    )


def _conforms_map(kind: ValueType, value: object) -> bool:
    key, item = kind.args
    return isinstance(value, Mapping) and all(
        key.conforms(k) and item.conforms(v) for k, v in value.items()
    )


def _conforms_seq(kind: ValueType, value: object) -> bool:
    return isinstance(value, tuple) and all(kind.args[0].conforms(v) for v in value)


def _conforms_option(kind: ValueType, value: object) -> bool:
    return value is None or kind.args[0].conforms(value)


def _conforms_record(kind: ValueType, value: object) -> bool:
    if kind.record is None or not isinstance(value, kind.record):
        return False
    return all(t.conforms(getattr(value, _attribute(n))) for n, t in kind.fields)


_CONFORMS = {
    "identity": _conforms_identity,
    "set": _conforms_set,
    "map": _conforms_map,
    "seq": _conforms_seq,
    "option": _conforms_option,
    "record": _conforms_record,
}


def _normalize_set(kind: ValueType, value: Any) -> object:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return value
    return frozenset(kind.args[0].normalize(v) for v in value)


def _normalize_map(kind: ValueType, value: Any) -> object:
    if not isinstance(value, Mapping):
        return value
    key, item = kind.args
    return FrozenMap({key.normalize(k): item.normalize(v) for k, v in value.items()})


def _normalize_seq(kind: ValueType, value: Any) -> object:
    if not isinstance(value, list | tuple):
        return value
    return tuple(kind.args[0].normalize(v) for v in value)


def _normalize_option(kind: ValueType, value: Any) -> object:
    return None if value is None else kind.args[0].normalize(value)


def _normalize_record(kind: ValueType, value: Any) -> object:
    if kind.record is None:
        return value
    if isinstance(value, Mapping):
        values = {_attribute(n): t.normalize(value[n]) for n, t in kind.fields}
    else:
        values = {
            _attribute(n): t.normalize(getattr(value, _attribute(n)))
            for n, t in kind.fields
        }
    return kind.record(**values)


_NORMALIZE = {
    "set": _normalize_set,
    "map": _normalize_map,
    "seq": _normalize_seq,
    "option": _normalize_option,
    "record": _normalize_record,
}


def _attribute(name: str) -> str:
    """The Python attribute of a spec field, as the generated dataclass names it."""
    return f"{name}_" if keyword.iskeyword(name) else name


# --- operations the generated models call ---------------------------------------
#
# Generated models import this module as ``sf`` and call these by the spec's
# own names: ``sf.insert(self.live, p)``. Each keeps the spec's meaning,
# undefined cases included (they raise).


def insert(items: frozenset[V], element: V) -> frozenset[V]:
    return items | {element}


def remove(items: frozenset[V], element: V) -> frozenset[V]:
    return items - {element}


def union(first: frozenset[V], second: frozenset[V]) -> frozenset[V]:
    return frozenset(first) | second


def intersect(first: frozenset[V], second: frozenset[V]) -> frozenset[V]:
    return frozenset(first) & second


def difference(first: frozenset[V], second: frozenset[V]) -> frozenset[V]:
    return frozenset(first) - second


def subset(first: frozenset[V], second: frozenset[V]) -> bool:
    return frozenset(first) <= second


def domain(table: Mapping[K, V]) -> frozenset[K]:
    return frozenset(table)


def get(table: Mapping[K, V], key: K, default: V) -> V:
    return table.get(key, default)


def put(table: Mapping[K, V], key: K, value: V) -> FrozenMap[K, V]:
    """``put(m, k, v)``: ``m`` with key ``k`` set to ``v``."""
    return FrozenMap({**table, key: value})


def delete(table: Mapping[K, V], key: K) -> FrozenMap[K, V]:
    """``delete(m, k)``: ``m`` without key ``k`` (unchanged when it is missing)."""
    return FrozenMap({k: v for k, v in table.items() if k != key})


def append(sequence: tuple[V, ...], element: V) -> tuple[V, ...]:
    return (*sequence, element)


def first(sequence: tuple[V, ...]) -> V:
    """``first(q)``, undefined (IndexError) for an empty sequence."""
    return sequence[0]


def last(sequence: tuple[V, ...]) -> V:
    """``last(q)``, undefined (IndexError) for an empty sequence."""
    return sequence[-1]


def rest(sequence: tuple[V, ...]) -> tuple[V, ...]:
    return tuple(sequence[1:])


def at(sequence: tuple[V, ...], index: int) -> V:
    """``q[i]``, undefined (IndexError) outside ``0 <= i < size(q)``.

    Python would read ``q[-1]`` from the end; the spec does not.
    """
    if not 0 <= index < len(sequence):
        raise IndexError(f"index {index} is outside a sequence of {len(sequence)}")
    return sequence[index]


def value(option: V | None) -> V:
    """``value(o)``, undefined (ValueError) for ``none``."""
    if option is None:
        raise ValueError("value() of none")
    return option


def identities_of(type_name: str, *roots: object) -> list[Identity]:
    """The identities of one type that ``roots`` mention, and one fresh one.

    A spec expression compares identities only with ``==``, so every identity
    it does not mention behaves alike. A quantifier over all of them thus
    needs only those it can reach, plus one that differs from each of them. A generated
    model passes itself (its state and constants) and the names the
    quantifier's body reads.
    """
    known = {v for v in _walk(roots) if isinstance(v, Identity) and v.type == type_name}
    fresh = Identity(type_name, max((v.number for v in known), default=0) + 1)
    return [*sorted(known, key=lambda v: v.number), fresh]


def _walk(roots: Iterable[object]) -> Iterator[object]:
    stack = list(roots)
    while stack:
        value = stack.pop()
        yield value
        state = getattr(value, "_sf_state", None)
        if callable(state):
            stack.extend(state().values())
            stack.extend(getattr(value, "_sf_given", {}).values())
        elif isinstance(value, Mapping):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, frozenset | set | tuple | list):
            stack.extend(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            stack.extend(getattr(value, f.name) for f in dataclasses.fields(value))
