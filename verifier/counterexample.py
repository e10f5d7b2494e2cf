"""Read a Z3 model back as plain values, then as a counterexample in spec names.

Reading happens in two steps so the cache can keep the middle form: the
solver side turns a model into ``{smt name: JSON value}`` (``read_model``),
and ``to_counterexample`` files those values under the spec's own names as
``verifier.values`` objects.

Structured values are read by their symbol's ``shape``. A set or a map is
an array in Z3, and an array's model may be infinite (``K(true)``), so it is
read as a finite set or map only when it is: over a finite index sort
(enum, Bool, or an identity sort, whose model universe is finite) by asking
for every index, otherwise from its ``store`` chain or function table. An
array that is not finite reads as ``Unreadable``, which the verdict never
takes as a real counterexample.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable
from typing import Any

import z3

from verifier.obligation import Counterexample, ModelSymbol, Section
from verifier.outcome import RawModel
from verifier.values import (
    Identity,
    Value,
    renumber_identities,
    value_from_json,
    walk_values,
)

log = logging.getLogger(__name__)

# An index sort with more values than this is read from the array's structure.
_MAX_INDICES = 4096
# A longer sequence is not read: no counterexample needs one, and the bounded
# search finds a short one.
_MAX_LENGTH = 100
# The tag around a raw value read only approximately (see ``_Reader._entries``).
APPROXIMATE = "approximately"


def read_model(
    model: z3.ModelRef, assertions: Iterable[z3.ExprRef], symbols: Iterable[ModelSymbol]
) -> RawModel:
    """The value of each symbol in ``model``.

    A symbol that occurs in no assertion is unconstrained, so any value of
    its sort completes the model. It reads as the sort's first value: 0,
    false, the first member, an empty collection, none.
    """
    occurring = _free_constants(assertions)
    values: RawModel = {}
    for symbol in symbols:
        term = occurring.get(symbol.smt_name)
        if term is None:
            values[symbol.smt_name] = _default(symbol)
        elif symbol.shape is None:
            values[symbol.smt_name] = _plain(model, term)
        else:
            values[symbol.smt_name] = _Reader(model).read(term, symbol.shape)
    return values


def _plain(model: z3.ModelRef, term: z3.ExprRef) -> Any:
    # The evaluator may leave an equality of arrays unreduced.
    value = z3.simplify(model.eval(term, model_completion=True))
    try:
        return _value(value)
    except ValueError as exc:
        return {"unreadable": str(exc)}


def _free_constants(assertions: Iterable[z3.ExprRef]) -> dict[str, z3.ExprRef]:
    found: dict[str, z3.ExprRef] = {}
    seen: set[int] = set()
    stack = list(assertions)
    while stack:
        term = stack.pop()
        if term.get_id() in seen:
            continue
        seen.add(term.get_id())
        if z3.is_quantifier(term):
            stack.append(term.body())
        elif z3.is_app(term):
            if term.num_args() == 0 and term.decl().kind() == z3.Z3_OP_UNINTERPRETED:
                found[term.decl().name()] = term
            stack.extend(term.children())
    return found


def _value(term: z3.ExprRef) -> Any:
    if z3.is_int_value(term):
        number: int = term.as_long()
        return number
    if z3.is_true(term):
        return True
    if z3.is_false(term):
        return False
    if z3.is_app(term) and term.num_args() == 0:
        name: str = term.decl().name()
        return name
    raise ValueError(f"model value {term} is not an Int, a Bool or an enum member")


def _default(symbol: ModelSymbol) -> Any:
    if symbol.shape is not None:
        return _default_of(symbol.shape)
    if symbol.sort == "Int":
        return 0
    if symbol.sort == "Bool":
        return False
    return symbol.constructors[0]


def _default_of(shape: Any) -> Any:
    """The JSON form of the first value of a type, by its shape."""
    if shape == "Int":
        return 0
    if shape == "Bool":
        return False
    if "enum" in shape:
        return shape["members"][0]
    if "identity" in shape:
        return {"id": shape["identity"], "n": 1}
    if "record" in shape:
        fields = [[name, _default_of(inner)] for name, inner in shape["fields"]]
        return {"record": shape["record"], "fields": fields}
    if "option" in shape:
        return {"none": True}
    if "map" in shape:
        return {"map": []}
    return {"set": []} if "set" in shape else {"seq": []}


class _Reader:
    """Reads structured model values by their shape, into JSON."""

    def __init__(self, model: z3.ModelRef) -> None:
        self.model = model
        self.approximate = False

    def read(self, term: z3.ExprRef, shape: Any) -> Any:
        value = self._eval(term)
        try:
            read = self._shaped(value, shape)
        except (_NotFinite, ValueError) as exc:
            return {"unreadable": str(exc)}
        return {APPROXIMATE: read} if self.approximate else read

    def _shaped(self, value: z3.ExprRef, shape: Any) -> Any:
        if shape in ("Int", "Bool"):
            return _value(value)
        if "enum" in shape:
            # Constructors are named "Enum.Member"; enum names have no dot.
            constructor: str = value.decl().name()
            return constructor.split(".", 1)[1]
        if "identity" in shape:
            return {"id": shape["identity"], "n": _identity_number(value)}
        if "record" in shape:
            fields = [
                [name, self._shaped(self._eval(value.arg(i)), inner)]
                for i, (name, inner) in enumerate(shape["fields"])
            ]
            return {"record": shape["record"], "fields": fields}
        if "option" in shape:
            if value.num_args() == 0:
                return {"none": True}
            return {"some": self._shaped(self._eval(value.arg(0)), shape["option"])}
        if "seq" in shape:
            return {"seq": self._sequence(value, shape["seq"])}
        if "set" in shape:
            return {"set": self._set(value, shape["set"])}
        return {"map": self._map(value, shape["map"][0], shape["map"][1])}

    def _eval(self, term: z3.ExprRef) -> z3.ExprRef:
        return z3.simplify(self.model.eval(term, model_completion=True))

    def _sequence(self, value: z3.ExprRef, element: Any) -> list[Any]:
        # A sequence is the datatype (length, positions): mkseq(n, array).
        length, items = self._eval(value.arg(0)), value.arg(1)
        if not z3.is_int_value(length) or not 0 <= length.as_long() <= _MAX_LENGTH:
            raise _NotFinite(f"a sequence of length {length}")
        return [
            self._shaped(self._eval(z3.Select(items, i)), element)
            for i in range(length.as_long())
        ]

    def _set(self, value: z3.ExprRef, element: Any) -> list[Any]:
        entries = self._entries(value)
        return [
            self._shaped(index, element)
            for index, member in entries
            if z3.is_true(member)
        ]

    def _map(self, value: z3.ExprRef, key: Any, item: Any) -> list[Any]:
        entries = self._entries(value)
        return [
            [self._shaped(index, key), self._shaped(self._eval(entry.arg(0)), item)]
            for index, entry in entries
            if entry.num_args() == 1
        ]

    def _entries(self, array: z3.ExprRef) -> list[tuple[z3.ExprRef, z3.ExprRef]]:
        """The (index, value) pairs of an array whose other values are its default
        (false for a set, none for a map), or _NotFinite.

        An array whose default is not empty (an infinite set) is read as its
        listed pairs only. That reading is not the model's value, so it marks
        the model approximate, and only a re-check can confirm it.
        """
        indices = self._finite_indices(array.sort().domain())
        if indices is not None:
            return [(i, self._eval(z3.Select(array, i))) for i in indices]
        pairs, default = self._structure(array)
        if not _is_empty_default(default):
            self.approximate = True
        return [(i, self._eval(v)) for i, v in pairs]

    def _structure(
        self, array: z3.ExprRef
    ) -> tuple[list[tuple[z3.ExprRef, z3.ExprRef]], z3.ExprRef]:
        if z3.is_K(array):
            return [], array.arg(0)
        if z3.is_store(array):
            pairs, default = self._structure(array.arg(0))
            # Model values are concrete terms, so equal indices are one term.
            index = self._eval(array.arg(1))
            kept = [(i, v) for i, v in pairs if i.get_id() != index.get_id()]
            return [*kept, (index, array.arg(2))], default
        if z3.is_as_array(array):
            table = self.model[z3.get_as_array_func(array)]
            rows = table.as_list()
            pairs = [(row[0], row[1]) for row in rows[:-1]]
            return pairs, rows[-1]
        raise _NotFinite(f"an array value of the form {array.decl().name()}")

    def _finite_indices(self, sort: z3.SortRef) -> list[z3.ExprRef] | None:
        """Every value of a finite sort in this model, or None."""
        if sort.kind() == z3.Z3_BOOL_SORT:
            return [z3.BoolVal(False, ctx=sort.ctx), z3.BoolVal(True, ctx=sort.ctx)]
        if sort.kind() == z3.Z3_UNINTERPRETED_SORT:
            universe = self.model.get_universe(sort)
            return [] if universe is None else list(universe)
        if sort.kind() != z3.Z3_DATATYPE_SORT:
            return None
        assert isinstance(sort, z3.DatatypeSortRef)
        values: list[z3.ExprRef] = []
        for c in range(sort.num_constructors()):
            constructor = sort.constructor(c)
            parts = [
                self._finite_indices(constructor.domain(a))
                for a in range(constructor.arity())
            ]
            known = [p for p in parts if p is not None]
            if len(known) != len(parts):
                return None
            count = 1
            for part in known:
                count *= len(part)
            if len(values) + count > _MAX_INDICES:
                return None
            values.extend(constructor(*args) for args in itertools.product(*known))
        return values


class _NotFinite(Exception):
    pass


def _is_empty_default(default: z3.ExprRef) -> bool:
    """False for a set, a nullary constructor (none) for a map."""
    if z3.is_false(default):
        return True
    return z3.is_app(default) and default.num_args() == 0 and not z3.is_true(default)


def _identity_number(value: z3.ExprRef) -> int:
    # Z3 names the elements of an uninterpreted sort "<sort>!val!<k>", from 0.
    name: str = value.decl().name() if z3.is_app(value) else str(value)
    _, _, suffix = name.rpartition("!val!")
    return int(suffix) + 1 if suffix.isdigit() else 1


def is_approximate(raw: RawModel) -> bool:
    """Whether some value of a raw model was read only approximately."""
    return any(isinstance(v, dict) and APPROXIMATE in v for v in raw.values())


def to_counterexample(symbols: Iterable[ModelSymbol], raw: RawModel) -> Counterexample:
    """File raw model values under spec names, enum members by their own name.

    Identities are renumbered from 1 per type, in order of their model
    numbers, so that a counterexample reads ``Pid#1, Pid#2``. Identities only
    compare for equality, so renaming them all alike keeps the meaning.
    """
    sections: dict[Section, dict[str, Value]] = {s: {} for s in Section}
    for symbol in symbols:
        if symbol.smt_name in raw:
            sections[symbol.section][symbol.name] = _spec_value(symbol, raw)
    renumber = _renumbering(sections.values())
    for values in sections.values():
        for name, value in values.items():
            values[name] = renumber_identities(value, renumber)
    return Counterexample(
        constants=sections[Section.CONSTANTS],
        pre_state=sections[Section.PRE_STATE],
        arguments=sections[Section.ARGUMENTS],
        post_state=sections[Section.POST_STATE],
        result=sections[Section.RESULT].get("result"),
    )


def _renumbering(sections: Iterable[dict[str, Value]]) -> dict[Identity, Identity]:
    found = {
        inner
        for values in sections
        for value in values.values()
        for inner in walk_values(value)
        if isinstance(inner, Identity)
    }
    renumber: dict[Identity, Identity] = {}
    for type_name in sorted({i.type for i in found}):
        ordered = sorted(
            (i for i in found if i.type == type_name), key=lambda i: i.number
        )
        for number, identity in enumerate(ordered, start=1):
            renumber[identity] = Identity(type_name, number)
    return renumber


def _spec_value(symbol: ModelSymbol, raw: RawModel) -> Value:
    value = raw[symbol.smt_name]
    if isinstance(value, dict) and APPROXIMATE in value:
        value = value[APPROXIMATE]
    if symbol.shape is not None:
        return value_from_json(value)
    if not symbol.constructors:
        return value_from_json(value)
    for member, constructor in zip(symbol.members, symbol.constructors, strict=True):
        if value == constructor:
            return member
    log.warning("model value %r is not a member of enum %s", value, symbol.sort)
    return value_from_json(value)
