"""The Z3 symbols of one component: sorts and readable SMT names.

Each obligation gets its own ``Vocabulary`` and so its own Z3 context. Z3
names shared subterms after internal ids, which depend on everything built
before in the same context. A private context keeps an obligation's SMT-LIB
text a function of that obligation alone, so an unchanged obligation hits
the cache even when its neighbours change.

Names: ``const!c``, ``pre!x``, ``post!x``, ``arg!p`` and ``result``. An enum
``Mode`` is the sort ``enum!Mode`` (bare names such as ``Real`` or ``String``
would clash with SMT-LIB's own sorts) with constructors ``Mode.Closed``.

Structured types:

- an identity ``Pid`` is the uninterpreted sort ``id!Pid``;
- a record ``Entry`` is the datatype ``rec!Entry`` with one constructor
  ``mk!Entry`` and an accessor ``Entry.f`` per field;
- ``Option[T]`` is the datatype ``Option<T>`` with ``none<T>`` and
  ``some<T>`` (accessor ``value<T>``), one per element type;
- ``Set[T]`` is ``(Array T Bool)`` and ``Map[K, V]`` is ``(Array K Option<V>)``
  (a missing key maps to none);
- ``Seq[T]`` is the datatype ``Seq<T>``: a length ``len<T>`` and an array
  ``at<T>`` from positions to elements (``SequenceSort``). Z3's own
  sequences decide quantified properties poorly (a sorted log stays sorted
  after an append times out); over arrays they are quick;
- the size of a set whose elements are not finitely many is the function
  ``card<T>``, constrained by the facts in ``verifier.cardinality``.

A bounded vocabulary (``bounded=True``) gives every identity type exactly
``BOUNDED_IDENTITIES`` values, so sizes of sets of identities become exact
sums, and keeps each set or map constant over other infinite types within
``BOUNDED_IDENTITIES`` values. It is used only to search for counterexamples
and witnesses, never for proofs.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import z3

from spec_lang import ast
from spec_lang.types import (
    BoolT,
    EnumT,
    IdentityT,
    IntT,
    MapT,
    OptionT,
    RecordT,
    SeqT,
    SetT,
    Type,
    contained_types,
)
from verifier.obligation import ModelSymbol, Section

State = dict[str, z3.ExprRef]

# Values of each identity type in a bounded vocabulary.
BOUNDED_IDENTITIES = 3
# A finite type with more values than this is treated as infinite for sizes.
_MAX_UNIVERSE = 64


class EncodingError(Exception):
    """The tree handed to the verifier does not meet the checked-AST contract."""


def constructor_name(enum: str, member: str) -> str:
    return f"{enum}.{member}"


def type_key(type_: Type) -> str:
    """A sort name for a type, used to name the option and size symbols per type.

    >>> type_key(MapT(IdentityT("Pid"), SetT(IntT())))
    'Map<id!Pid,Set<Int>>'
    """
    if isinstance(type_, BoolT):
        return "Bool"
    if isinstance(type_, IntT):
        return "Int"
    if isinstance(type_, EnumT):
        return f"enum!{type_.name}"
    if isinstance(type_, IdentityT):
        return f"id!{type_.name}"
    if isinstance(type_, RecordT):
        return f"rec!{type_.name}"
    if isinstance(type_, SetT):
        return f"Set<{type_key(type_.element)}>"
    if isinstance(type_, SeqT):
        return f"Seq<{type_key(type_.element)}>"
    if isinstance(type_, OptionT):
        return f"Option<{type_key(type_.element)}>"
    return f"Map<{type_key(type_.key)},{type_key(type_.value)}>"


def type_shape(type_: Type) -> Any:
    """The JSON description of a type that reading a model back needs."""
    if isinstance(type_, BoolT | IntT):
        return str(type_)
    if isinstance(type_, EnumT):
        return {"enum": type_.name, "members": list(type_.members)}
    if isinstance(type_, IdentityT):
        return {"identity": type_.name}
    if isinstance(type_, RecordT):
        fields = [[name, type_shape(t)] for name, t in type_.fields]
        return {"record": type_.name, "fields": fields}
    if isinstance(type_, SetT):
        return {"set": type_shape(type_.element)}
    if isinstance(type_, SeqT):
        return {"seq": type_shape(type_.element)}
    if isinstance(type_, OptionT):
        return {"option": type_shape(type_.element)}
    return {"map": [type_shape(type_.key), type_shape(type_.value)]}


@dataclass(frozen=True)
class RecordSort:
    sort: z3.DatatypeSortRef
    constructor: z3.FuncDeclRef
    accessors: dict[str, z3.FuncDeclRef]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class SequenceSort:
    """``Seq[T]`` as a length and an array of positions.

    Positions outside ``0..length-1`` hold ``filler`` in every sequence the
    encoding builds; an input sequence may hold anything there, and no
    operation reads those positions (an index outside is undefined).
    """

    sort: z3.DatatypeSortRef
    make: z3.FuncDeclRef
    length: z3.FuncDeclRef
    items: z3.FuncDeclRef
    filler: z3.ExprRef


@dataclass(frozen=True)
class OptionSort:
    sort: z3.DatatypeSortRef
    none: z3.ExprRef
    some: z3.FuncDeclRef
    is_some: z3.FuncDeclRef
    value: z3.FuncDeclRef


class Vocabulary:
    """Creates the sorts and constants of one component in a fresh Z3 context."""

    def __init__(self, component: ast.Component, bounded: bool = False) -> None:
        self.component = component
        self.bounded = bounded
        self.ctx = z3.Context()
        self._enums: dict[str, tuple[z3.SortRef, dict[str, z3.ExprRef]]] = {}
        self._identities: dict[str, z3.SortRef] = {}
        self._records: dict[str, RecordSort] = {}
        self._record_types = {
            r.name: RecordT(r.name, tuple((f.name, f.type) for f in r.fields if f.type))
            for r in component.records
        }
        self._options: dict[str, OptionSort] = {}
        self._sequences: dict[str, SequenceSort] = {}
        # Whether a sequence sits inside another value, where Z3 compares it
        # as a term, past its length too.
        self.nested_sequences = False
        self._cards: dict[str, tuple[z3.FuncDeclRef, z3.SortRef]] = {}
        self._map_cards: dict[str, tuple[z3.FuncDeclRef, z3.ExprRef, OptionSort]] = {}
        self._universes: dict[str, list[z3.ExprRef]] = {}
        self._slot_values: dict[str, list[z3.ExprRef]] = {}
        self._confined: set[str] = set()
        self._symbols: dict[str, ModelSymbol] = {}
        # Facts every query of this vocabulary assumes: the bounded universes.
        self.background: list[z3.BoolRef] = []
        for decl in component.enums:
            self._declare_enum(decl.name, decl.members)

    def _declare_enum(self, name: str, members: tuple[str, ...]) -> None:
        constructors = [constructor_name(name, m) for m in members]
        sort, values = z3.EnumSort(f"enum!{name}", constructors, ctx=self.ctx)
        self._enums[name] = (sort, dict(zip(members, values, strict=True)))

    # --- sorts and literals ---

    def sort(self, type_: Type | None) -> z3.SortRef:
        if type_ is not None and not isinstance(type_, SeqT):
            inner = contained_types(type_)[1:]
            self.nested_sequences |= any(isinstance(t, SeqT) for t in inner)
        if isinstance(type_, BoolT):
            return z3.BoolSort(ctx=self.ctx)
        if isinstance(type_, IntT):
            return z3.IntSort(ctx=self.ctx)
        if isinstance(type_, EnumT):
            return self._enum(type_.name)[0]
        if isinstance(type_, IdentityT):
            return self.identity(type_.name)
        if isinstance(type_, RecordT):
            return self.record(type_.name).sort
        if isinstance(type_, SetT):
            return z3.ArraySort(self.sort(type_.element), z3.BoolSort(ctx=self.ctx))
        if isinstance(type_, MapT):
            return z3.ArraySort(self.sort(type_.key), self.option(type_.value).sort)
        if isinstance(type_, SeqT):
            return self.sequence(type_.element).sort
        if isinstance(type_, OptionT):
            return self.option(type_.element).sort
        raise EncodingError(f"no type recorded (got {type_!r}); is the spec checked?")

    def member(self, enum: str, member: str) -> z3.ExprRef:
        values = self._enum(enum)[1]
        if member not in values:
            raise EncodingError(f"enum {enum} has no member {member!r}")
        return values[member]

    def _enum(self, name: str) -> tuple[z3.SortRef, dict[str, z3.ExprRef]]:
        if name not in self._enums:
            raise EncodingError(f"unknown enum {name!r}")
        return self._enums[name]

    def identity(self, name: str) -> z3.SortRef:
        if name not in self._identities:
            sort = z3.DeclareSort(f"id!{name}", self.ctx)
            self._identities[name] = sort
            if self.bounded:
                self._bound_identity(name, sort)
        return self._identities[name]

    def _bound_identity(self, name: str, sort: z3.SortRef) -> None:
        values = [
            z3.Const(f"univ!{name}!{i}", sort) for i in range(1, BOUNDED_IDENTITIES + 1)
        ]
        self._universes[f"id!{name}"] = values
        self.background.append(z3.Distinct(*values))
        anyone = z3.Const(f"univ!{name}", sort)
        self.background.append(
            z3.ForAll([anyone], z3.Or([anyone == v for v in values]))
        )

    def record(self, name: str) -> RecordSort:
        if name not in self._records:
            self._records[name] = self._declare_record(name)
        return self._records[name]

    def _declare_record(self, name: str) -> RecordSort:
        record_type = self._record_types.get(name)
        if record_type is None:
            raise EncodingError(f"unknown record {name!r}")
        # Field sorts first: a record may contain records and options.
        field_sorts = [(f, self.sort(t)) for f, t in record_type.fields]
        datatype = z3.Datatype(f"rec!{name}", ctx=self.ctx)
        datatype.declare(f"mk!{name}", *((f"{name}.{f}", s) for f, s in field_sorts))
        sort = datatype.create()
        accessors = {f: sort.accessor(0, i) for i, (f, _) in enumerate(field_sorts)}
        fields = tuple(f for f, _ in field_sorts)
        return RecordSort(sort, sort.constructor(0), accessors, fields)

    def record_type(self, name: str) -> RecordT:
        return self._record_types[name]

    def option(self, element: Type) -> OptionSort:
        key = type_key(element)
        if key not in self._options:
            element_sort = self.sort(element)
            datatype = z3.Datatype(f"Option<{key}>", ctx=self.ctx)
            datatype.declare(f"none<{key}>")
            datatype.declare(f"some<{key}>", (f"value<{key}>", element_sort))
            sort = datatype.create()
            self._options[key] = OptionSort(
                sort,
                sort.constructor(0)(),
                sort.constructor(1),
                sort.recognizer(1),
                sort.accessor(1, 0),
            )
        return self._options[key]

    def sequence(self, element: Type) -> SequenceSort:
        key = type_key(element)
        if key not in self._sequences:
            element_sort = self.sort(element)
            items_sort = z3.ArraySort(z3.IntSort(ctx=self.ctx), element_sort)
            datatype = z3.Datatype(f"Seq<{key}>", ctx=self.ctx)
            datatype.declare(
                f"mkseq<{key}>",
                (f"len<{key}>", z3.IntSort(ctx=self.ctx)),
                (f"at<{key}>", items_sort),
            )
            sort = datatype.create()
            self._sequences[key] = SequenceSort(
                sort,
                sort.constructor(0),
                sort.accessor(0, 0),
                sort.accessor(0, 1),
                z3.Const(f"filler!{key}", element_sort),
            )
        return self._sequences[key]

    def sequences(self) -> list[SequenceSort]:
        """The sequence sorts created so far."""
        return list(self._sequences.values())

    def empty_set(self, element: Type) -> z3.ArrayRef:
        return z3.K(self.sort(element), z3.BoolVal(False, ctx=self.ctx))

    def empty_map(self, key: Type, value: Type) -> z3.ArrayRef:
        return z3.K(self.sort(key), self.option(value).none)

    def card(self, element: Type) -> z3.FuncDeclRef:
        """The size function of sets of ``element``, with facts added per query."""
        key = type_key(element)
        if key not in self._cards:
            element_sort = self.sort(element)
            set_sort = z3.ArraySort(element_sort, z3.BoolSort(ctx=self.ctx))
            decl = z3.Function(f"card<{key}>", set_sort, z3.IntSort(ctx=self.ctx))
            self._cards[key] = (decl, element_sort)
        return self._cards[key][0]

    def cards(self) -> list[tuple[z3.FuncDeclRef, z3.SortRef]]:
        """The set size functions created so far, with their element sorts."""
        return list(self._cards.values())

    def map_card(self, key: Type, value: Type) -> z3.FuncDeclRef:
        """The size function of maps from ``key`` to ``value`` (their key count)."""
        name = type_key(MapT(key, value))
        if name not in self._map_cards:
            map_sort = self.sort(MapT(key, value))
            decl = z3.Function(f"card<{name}>", map_sort, z3.IntSort(ctx=self.ctx))
            self._map_cards[name] = (
                decl,
                self.empty_map(key, value),
                self.option(value),
            )
        return self._map_cards[name][0]

    def map_cards(self) -> list[tuple[z3.FuncDeclRef, z3.ExprRef, OptionSort]]:
        """The map size functions created so far, with each empty map and option."""
        return list(self._map_cards.values())

    def universe(self, type_: Type) -> list[z3.ExprRef] | None:
        """Every value of a finite type, or None when there are too many to list.

        Identity types are finite only in a bounded vocabulary.
        """
        if isinstance(type_, BoolT):
            return [z3.BoolVal(False, ctx=self.ctx), z3.BoolVal(True, ctx=self.ctx)]
        if isinstance(type_, EnumT):
            return list(self._enum(type_.name)[1].values())
        if isinstance(type_, IdentityT):
            self.identity(type_.name)
            return self._universes.get(f"id!{type_.name}")
        if isinstance(type_, OptionT):
            inner = self.universe(type_.element)
            if inner is None or len(inner) >= _MAX_UNIVERSE:
                return None
            option = self.option(type_.element)
            return [option.none, *(option.some(v) for v in inner)]
        if isinstance(type_, RecordT):
            return self._record_universe(type_.name)
        return None

    def _record_universe(self, name: str) -> list[z3.ExprRef] | None:
        parts = [self.universe(t) for _, t in self.record_type(name).fields]
        known = [p for p in parts if p is not None]
        if len(known) != len(parts):
            return None
        count = 1
        for part in known:
            count *= len(part)
        if count > _MAX_UNIVERSE:
            return None
        constructor = self.record(name).constructor
        return [constructor(*values) for values in itertools.product(*known)]

    def true(self) -> z3.BoolRef:
        return z3.BoolVal(True, ctx=self.ctx)

    def int(self, value: int) -> z3.ArithRef:
        return z3.IntVal(value, ctx=self.ctx)

    def bool(self, value: bool) -> z3.BoolRef:
        return z3.BoolVal(value, ctx=self.ctx)

    # --- named constants ---

    def constants(self) -> State:
        return {
            c.name: self._constant(Section.CONSTANTS, c.name, f"const!{c.name}", c.type)
            for c in self.component.consts
        }

    def state(self, section: Section) -> State:
        """Create the state variables, as ``pre!x`` or ``post!x`` by section."""
        prefix = {Section.PRE_STATE: "pre", Section.POST_STATE: "post"}[section]
        return {
            v.name: self._constant(section, v.name, f"{prefix}!{v.name}", v.type)
            for v in self.component.vars
        }

    def arguments(self, op: ast.Operation) -> State:
        return {
            p.name: self._constant(Section.ARGUMENTS, p.name, f"arg!{p.name}", p.type)
            for p in op.params
        }

    def result(self, op: ast.Operation) -> z3.ExprRef | None:
        if op.result_type is None:
            if op.result_type_expr is not None:
                raise EncodingError(f"operation {op.name} has no result type recorded")
            return None
        return self._constant(Section.RESULT, "result", "result", op.result_type)

    def _constant(
        self, section: Section, name: str, smt_name: str, type_: Type | None
    ) -> z3.ExprRef:
        sort = self.sort(type_)
        self._symbols[smt_name] = self._symbol(section, name, smt_name, type_)
        constant = z3.Const(smt_name, sort)
        if self.bounded and smt_name not in self._confined:
            self._confined.add(smt_name)
            self._confine(constant, type_)
        return constant

    def _confine(self, constant: z3.ExprRef, type_: Type | None) -> None:
        """Keep a set or map over infinitely many values within a few of them.

        Z3 may answer with an infinite set (all integers but one), which is
        no value of the spec. In the bounded search a set or map constant is
        written out over ``BOUNDED_IDENTITIES`` slots, each with its own
        membership flag or entry, which keeps the query quantifier-free.
        """
        if isinstance(type_, SeqT):
            self._confine_sequence(constant, type_.element)
            return
        if isinstance(type_, SetT):
            element = type_.element
            empty: z3.ExprRef = self.empty_set(element)
            entry_sort = z3.BoolSort(ctx=self.ctx)
        elif isinstance(type_, MapT):
            element = type_.key
            empty = self.empty_map(type_.key, type_.value)
            entry_sort = self.option(type_.value).sort
        else:
            return
        if self.universe(element) is not None:
            return
        written = empty
        for index, slot in enumerate(self._slots(element), start=1):
            entry = z3.Const(f"entry!{constant}!{index}", entry_sort)
            written = z3.Store(written, slot, entry)
        self.background.append(constant == written)

    def _confine_sequence(self, constant: z3.ExprRef, element: Type) -> None:
        """Write a sequence constant out over ``BOUNDED_IDENTITIES`` positions,
        with the filler past its length."""
        sequence = self.sequence(element)
        length = z3.Int(f"length!{constant}", ctx=self.ctx)
        items: z3.ExprRef = z3.K(z3.IntSort(ctx=self.ctx), sequence.filler)
        for position in range(BOUNDED_IDENTITIES):
            entry = z3.Const(f"entry!{constant}!{position}", self.sort(element))
            self.background.append(
                z3.Implies(length <= position, entry == sequence.filler)
            )
            items = z3.Store(items, position, entry)
        self.background.append(z3.And(length >= 0, length <= BOUNDED_IDENTITIES))
        self.background.append(constant == sequence.make(length, items))

    def _slots(self, element: Type) -> list[z3.ExprRef]:
        key = type_key(element)
        if key not in self._slot_values:
            sort = self.sort(element)
            self._slot_values[key] = [
                z3.Const(f"slot!{key}!{i}", sort)
                for i in range(1, BOUNDED_IDENTITIES + 1)
            ]
        return self._slot_values[key]

    def _symbol(
        self, section: Section, name: str, smt_name: str, type_: Type | None
    ) -> ModelSymbol:
        if isinstance(type_, EnumT):
            members = self._component_members(type_.name)
            constructors = tuple(constructor_name(type_.name, m) for m in members)
            return ModelSymbol(
                section, name, smt_name, type_.name, members, constructors
            )
        if isinstance(type_, BoolT | IntT) or type_ is None:
            return ModelSymbol(section, name, smt_name, str(type_))
        return ModelSymbol(section, name, smt_name, str(type_), shape=type_shape(type_))

    def _component_members(self, enum: str) -> tuple[str, ...]:
        return tuple(self._enum(enum)[1])

    def symbols(self, sections: Iterable[Section]) -> tuple[ModelSymbol, ...]:
        """Return the symbols created so far in ``sections``, in creation order."""
        wanted = set(sections)
        return tuple(s for s in self._symbols.values() if s.section in wanted)
