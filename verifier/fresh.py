"""Fresh identities: values of an identity type that a state does not mention.

An identity type has infinitely many values, and every value of the spec
language is finite (sets, maps and sequences have finitely many elements).
So each state, together with the constants, leaves infinitely many values of
each identity type unmentioned. Z3 is free to pick any universe for an
uninterpreted sort, including one whose every value the state mentions, for
instance one process id that has died. In such a model no action with an
identity parameter may be enabled, so weak fairness forces nothing, and a
liveness query finds a fair run that the spec does not have.

``Unrolling.fresh_identities`` asserts, for each identity type, a value that occurs
nowhere in a given state and the constants. Every run of the spec satisfies
these assertions (interpret the new constant as an unmentioned value), so
adding them removes no real counterexample: an ``unsat`` answer still
proves the property for unbounded identity types.
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from spec_lang.types import (
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
from verifier.vocabulary import Vocabulary

# The reason a query with a quantified freshness assertion may be unknown.
FRESH_QUANTIFIER = (
    "a fresh identity is absent from collections of structured values, "
    "a quantifier decided by instantiation"
)


class Absence:
    """Builds the assertion that one identity value occurs nowhere in a term."""

    def __init__(self, vocab: Vocabulary, identity: str, value: z3.ExprRef) -> None:
        self.vocab = vocab
        self.identity = identity
        self.value = value
        self.quantified = False
        self._bound = 0

    def mentions(self, type_: Type) -> bool:
        """Return whether values of ``type_`` can contain the identity type."""
        return any(
            isinstance(t, IdentityT) and t.name == self.identity
            for t in contained_types(self._resolved(type_))
        )

    def absent(self, term: z3.ExprRef, type_: Type) -> z3.BoolRef:
        """Assert that the identity value is not ``term`` and not inside it."""
        type_ = self._resolved(type_)
        if not self.mentions(type_):
            return self.vocab.true()
        if isinstance(type_, IdentityT):
            return term != self.value
        if isinstance(type_, OptionT):
            return self._absent_option(term, type_)
        if isinstance(type_, RecordT):
            return self._absent_record(term, type_)
        if isinstance(type_, SetT):
            return self._absent_set(term, type_)
        if isinstance(type_, MapT):
            return self._absent_map(term, type_)
        if isinstance(type_, SeqT):
            return self._absent_sequence(term, type_)
        raise TypeError(f"{type_} cannot contain an identity")

    def _resolved(self, type_: Type) -> Type:
        """Return a record type with its fields, which a nested type may lack."""
        if isinstance(type_, RecordT) and not type_.fields:
            return self.vocab.record_type(type_.name)
        return type_

    def _absent_option(self, term: z3.ExprRef, type_: OptionT) -> z3.BoolRef:
        option = self.vocab.option(type_.element)
        inside = self.absent(option.value(term), type_.element)
        return z3.Implies(option.is_some(term), inside)

    def _absent_record(self, term: z3.ExprRef, type_: RecordT) -> z3.BoolRef:
        record = self.vocab.record(type_.name)
        fields = [
            self.absent(record.accessors[name](term), field_type)
            for name, field_type in type_.fields
        ]
        return z3.And(*fields)

    def _absent_set(self, term: z3.ExprRef, type_: SetT) -> z3.BoolRef:
        assert isinstance(term, z3.ArrayRef)
        element = type_.element
        if isinstance(element, IdentityT):
            return z3.Not(term[self.value])

        def member(x: z3.ExprRef) -> z3.BoolRef:
            return z3.Implies(term[x], self.absent(x, element))

        return self._for_all(element, member)

    def _absent_map(self, term: z3.ExprRef, type_: MapT) -> z3.BoolRef:
        assert isinstance(term, z3.ArrayRef)
        option = self.vocab.option(type_.value)
        clauses = []
        if isinstance(type_.key, IdentityT) and type_.key.name == self.identity:
            clauses.append(z3.Not(option.is_some(term[self.value])))
        key_inside = self.mentions(type_.key) and not isinstance(type_.key, IdentityT)
        if key_inside or self.mentions(type_.value):

            def entry(key: z3.ExprRef) -> z3.BoolRef:
                stored = term[key]
                absent = [self.absent(option.value(stored), type_.value)]
                if key_inside:
                    absent.append(self.absent(key, type_.key))
                return z3.Implies(option.is_some(stored), z3.And(*absent))

            clauses.append(self._for_all(type_.key, entry))
        return z3.And(*clauses)

    def _absent_sequence(self, term: z3.ExprRef, type_: SeqT) -> z3.BoolRef:
        sequence = self.vocab.sequence(type_.element)
        length, items = sequence.length(term), sequence.items(term)

        def position(i: z3.ExprRef) -> z3.BoolRef:
            inside = z3.And(i >= 0, i < length)
            return z3.Implies(inside, self.absent(items[i], type_.element))

        return self._for_all(IntT(), position)

    def _for_all(
        self, type_: Type, body: Callable[[z3.ExprRef], z3.BoolRef]
    ) -> z3.BoolRef:
        self.quantified = True
        self._bound += 1
        name = f"fresh!{self.identity}!x{self._bound}"
        bound = z3.Const(name, self.vocab.sort(type_))
        return z3.ForAll([bound], body(bound))
