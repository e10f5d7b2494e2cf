"""Facts about sizes, instantiated on the set, map and sequence terms of a query.

Z3 has no size of an array, so the size of a set over infinitely many values
is an uninterpreted function ``card<T>``. Each query that uses one gets
ground facts about the set terms it mentions, each a theorem about finite
sets:

- every size is at least 0, and is 0 exactly for the empty set;
- ``insert``/``remove`` (a ``store``) add or take one when the element was
  out or in; the empty set has size 0; an ``if`` has the size of its branch;
- ``size(union(s, t)) + size(intersect(s, t)) == size(s) + size(t)``,
  ``size(difference(s, t)) == size(s) - size(intersect(s, t))``, and an
  intersection is no larger than either set;
- a subset is no larger, and a subset of equal size is the same set;
- the keys of ``put(m, k, v)`` and ``delete(m, k)`` grow or shrink by one
  as ``k`` was missing or present. A map's size is its own function
  ``card<Map<K,V>>`` of the map term, so that ``post!m == put(pre!m, k, v)``
  carries over to the sizes by congruence.

Inclusion and exclusion is added for each pair of the terms found, and the
subset facts for each of those and the unions and intersections this adds,
against each term found, for the first ``_MAX_PAIRED`` terms of each element
sort. The facts are sound
for finite sets, so an unsat answer is a proof. They do not pin every size,
so a model may give a set a size other than its number of elements: the
verdict re-checks such models before believing them.

The length of every sequence term is at least 0.

Terms under a quantifier or inside a lambda mention its bound variable and
get no facts, which makes proofs about them weaker, never wrong.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import z3

from verifier.encode import ExprEncoder
from verifier.vocabulary import OptionSort

# Pairs are instantiated among the first this many set terms of one sort.
_MAX_PAIRED = 8


def cardinality_facts(
    encoder: ExprEncoder, assertions: Iterable[z3.BoolRef]
) -> list[z3.BoolRef]:
    """Return the size facts for every ``card<T>`` the assertions use."""
    vocab = encoder.vocab
    cards = vocab.cards()
    map_cards = vocab.map_cards()
    sequences = vocab.sequences()
    if not cards and not map_cards and not sequences:
        return []
    every = _closed_terms(list(assertions))
    found = [t for t in every if isinstance(t.sort(), z3.ArraySortRef)]
    facts: list[z3.BoolRef] = []
    for sequence in sequences:
        # A length is never negative; the datatype alone allows any integer.
        lengths = [t for t in every if t.sort().eq(sequence.sort)]
        facts.extend(sequence.length(t) >= 0 for t in lengths)
    for card, element_sort in cards:
        terms = [t for t in found if _is_set_over(t, element_sort)]
        facts.extend(_Instantiation(encoder, card, element_sort).facts(terms))
    for card, empty, option in map_cards:
        terms = [t for t in found if t.sort().eq(empty.sort())]
        facts.extend(_map_facts(card, empty, option, terms))
    return facts


def _closed_terms(assertions: list[z3.BoolRef]) -> list[z3.ExprRef]:
    """Collect every term of the assertions outside quantifiers, in a stable order."""
    found: list[z3.ExprRef] = []
    seen: set[int] = set()
    stack: list[z3.ExprRef] = list(reversed(assertions))
    while stack:
        term = stack.pop()
        if term.get_id() in seen:
            continue
        seen.add(term.get_id())
        found.append(term)
        if z3.is_app(term):
            stack.extend(reversed(term.children()))
        # Quantifier and lambda bodies mention bound variables: skip them.
    return found


def _is_set_over(term: z3.ExprRef, element_sort: z3.SortRef) -> bool:
    sort = term.sort()
    assert isinstance(sort, z3.ArraySortRef)
    is_set: bool = sort.range().kind() == z3.Z3_BOOL_SORT
    return is_set and bool(sort.domain().eq(element_sort))


def _map_facts(
    card: z3.FuncDeclRef,
    empty: z3.ExprRef,
    option: OptionSort,
    terms: list[z3.ExprRef],
) -> list[z3.BoolRef]:
    """The size facts of maps: at least 0, 0 exactly when empty, and one more or
    one less for each put of a new key or delete of a present one."""
    facts: list[z3.BoolRef] = []
    done: set[int] = set()
    queue = list(terms)
    while queue:
        table = queue.pop(0)
        if table.get_id() in done:
            continue
        done.add(table.get_id())
        facts.append(card(table) >= 0)
        facts.append((card(table) == 0) == (table == empty))
        if z3.is_K(table) and table.arg(0).eq(option.none):
            facts.append(card(table) == 0)
        elif z3.is_store(table):
            before, key, entry = table.arg(0), table.arg(1), table.arg(2)
            had = option.is_some(z3.Select(before, key))
            change = z3.If(option.is_some(entry), z3.If(had, 0, 1), z3.If(had, -1, 0))
            facts.append(card(table) == card(before) + change)
            queue.append(before)
        elif z3.is_app_of(table, z3.Z3_OP_ITE):
            condition, then, otherwise = table.children()
            facts.append(card(table) == z3.If(condition, card(then), card(otherwise)))
            queue.extend([then, otherwise])
    return facts


def _distinct(terms: list[z3.ExprRef]) -> list[z3.ExprRef]:
    seen: set[int] = set()
    kept = []
    for term in terms:
        if term.get_id() not in seen:
            seen.add(term.get_id())
            kept.append(term)
    return kept


class _Instantiation:
    """The facts about one size function over a list of set terms."""

    def __init__(
        self, encoder: ExprEncoder, card: z3.FuncDeclRef, element_sort: z3.SortRef
    ) -> None:
        self.encoder = encoder
        self.card = card
        self.empty = z3.K(element_sort, z3.BoolVal(False, ctx=element_sort.ctx))
        self.done: set[int] = set()
        self.facts_found: list[z3.BoolRef] = []

    def facts(self, terms: list[z3.ExprRef]) -> list[z3.BoolRef]:
        queue = list(terms)
        while queue:
            term = queue.pop(0)
            queue.extend(self._about(term))
        paired = _distinct([t for t in terms if not z3.is_K(t)])[:_MAX_PAIRED]
        derived: list[z3.ExprRef] = []
        for first, second in itertools.combinations(paired, 2):
            derived.extend(self._inclusion_exclusion(first, second)[:2])
        derived = _distinct(derived)
        for term in derived:
            self._about(term)
        # A found term bounds the size of every term that is its subset, such
        # as the union of two quorums inside the participants.
        for smaller in _distinct(paired + derived):
            for larger in paired:
                if not smaller.eq(larger):
                    self._subset(smaller, larger)
        return self.facts_found

    def _add(self, fact: z3.BoolRef) -> None:
        self.facts_found.append(fact)

    def _about(self, term: z3.ExprRef) -> list[z3.ExprRef]:
        """Add the facts of one term; return the new terms they mention."""
        if term.get_id() in self.done:
            return []
        self.done.add(term.get_id())
        size = self.card(term)
        self._add(size >= 0)
        self._add((size == 0) == (term == self.empty))
        return self._structure(term)

    def _structure(self, term: z3.ExprRef) -> list[z3.ExprRef]:
        size = self.card
        if z3.is_K(term):
            if z3.is_false(term.arg(0)):
                self._add(size(term) == 0)
            return []
        if z3.is_store(term):
            items, element, member = term.arg(0), term.arg(1), term.arg(2)
            was_in = z3.Select(items, element)
            change = z3.If(member, z3.If(was_in, 0, 1), z3.If(was_in, -1, 0))
            self._add(size(term) == size(items) + change)
            return [items]
        if z3.is_app_of(term, z3.Z3_OP_ITE):
            condition, then, otherwise = term.children()
            self._add(size(term) == z3.If(condition, size(then), size(otherwise)))
            return [then, otherwise]
        if z3.is_app_of(term, z3.Z3_OP_SET_UNION) and term.num_args() == 2:
            return self._inclusion_exclusion(term.arg(0), term.arg(1))
        if z3.is_app_of(term, z3.Z3_OP_SET_INTERSECT) and term.num_args() == 2:
            first, second = term.arg(0), term.arg(1)
            self._add(size(term) <= size(first))
            self._add(size(term) <= size(second))
            return [first, second]
        if z3.is_app_of(term, z3.Z3_OP_SET_DIFFERENCE):
            first, second = term.arg(0), term.arg(1)
            common = z3.SetIntersect(first, second)
            self._add(size(term) == size(first) - size(common))
            return [first, second, common]
        if z3.is_quantifier(term) and term.is_lambda():
            return self._domain(term)
        return []

    def _inclusion_exclusion(
        self, first: z3.ExprRef, second: z3.ExprRef
    ) -> list[z3.ExprRef]:
        union = z3.SetUnion(first, second)
        common = z3.SetIntersect(first, second)
        size = self.card
        self._add(size(union) + size(common) == size(first) + size(second))
        self._add(size(common) <= size(first))
        self._add(size(common) <= size(second))
        return [union, common, first, second]

    def _subset(self, first: z3.ExprRef, second: z3.ExprRef) -> None:
        size = self.card
        inside = z3.IsSubset(first, second)
        self._add(z3.Implies(inside, size(first) <= size(second)))
        self._add(
            z3.Implies(z3.And(inside, size(second) <= size(first)), first == second)
        )

    def _domain(self, keys: z3.ExprRef) -> list[z3.ExprRef]:
        """The keys of a map built by put or delete, from the keys before it."""
        entry = self.encoder.domain_maps.get(keys.get_id())
        if entry is None:
            return []
        table, key_type, value_type = entry
        option = self.encoder.vocab.option(value_type)
        size = self.card
        if z3.is_K(table):
            if table.arg(0).eq(option.none):
                self._add(size(keys) == 0)
            return []
        if z3.is_store(table):
            before, key, value = table.arg(0), table.arg(1), table.arg(2)
            earlier = self.encoder.domain(before, key_type, value_type)
            had = option.is_some(z3.Select(before, key))
            change = z3.If(option.is_some(value), z3.If(had, 0, 1), z3.If(had, -1, 0))
            self._add(size(keys) == size(earlier) + change)
            return [earlier]
        if z3.is_app_of(table, z3.Z3_OP_ITE):
            condition, then, otherwise = table.children()
            then_keys = self.encoder.domain(then, key_type, value_type)
            other_keys = self.encoder.domain(otherwise, key_type, value_type)
            self._add(size(keys) == z3.If(condition, size(then_keys), size(other_keys)))
            return [then_keys, other_keys]
        return []
