"""Hypothesis strategies for spec values, and how a contract test draws them.

:class:`StructuredDraws` is part of every contract machine. In a generated
contract test each identity type an argument uses has a Hypothesis
``Bundle`` (listed in ``IDENTITIES``) and a rule that creates a fresh
identity into it, so the identities a later step draws are those earlier
steps created: a process is registered, then looked up, then unregistered.
Collections are small (at most ``MAX_SIZE`` elements), so that steps meet
each other's values; integers inside them stay near zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import Bundle

from specfirst.runtime.values import FrozenMap, Identity, ValueType

if TYPE_CHECKING:
    from specfirst.runtime.binding import Binding
    from specfirst.runtime.model import SpecModel

MAX_SIZE = 3
INT_SPAN = 8

Identities = Mapping[str, st.SearchStrategy[Any]]


def strategy(
    value_type: ValueType, identities: Identities
) -> st.SearchStrategy[object]:
    """Return a strategy for values of ``value_type``.

    Args:
        value_type: the spec type, as the generated model declares it.
        identities: a strategy per identity type name (a bundle, or fresh ones).
    """
    kind = value_type.kind
    if kind == "identity":
        return identities[value_type.name]
    if kind == "set":
        return st.frozensets(
            strategy(value_type.args[0], identities), max_size=MAX_SIZE
        )
    if kind == "map":
        key, item = (strategy(t, identities) for t in value_type.args)
        return st.dictionaries(key, item, max_size=MAX_SIZE).map(FrozenMap)
    if kind == "seq":
        elements = strategy(value_type.args[0], identities)
        return st.lists(elements, max_size=MAX_SIZE).map(tuple)
    if kind == "option":
        return st.none() | strategy(value_type.args[0], identities)
    if kind == "record":
        return _record(value_type, identities)
    if value_type.name == "Bool":
        return st.booleans()
    if value_type.name == "Int":
        return st.integers(-INT_SPAN, INT_SPAN)
    return st.sampled_from(value_type.members)


def _record(value_type: ValueType, identities: Identities) -> st.SearchStrategy[object]:
    if value_type.record is None:
        raise TypeError(f"record type {value_type.name} has no dataclass")
    fields = {
        _attribute(name): strategy(field_type, identities)
        for name, field_type in value_type.fields
    }
    return st.builds(value_type.record, **fields)


def _attribute(name: str) -> str:
    import keyword

    return f"{name}_" if keyword.iskeyword(name) else name


class StructuredDraws:
    """Draws identities, records and collections for a contract machine."""

    # (identity type name, bundle) pairs; the generated subclass lists one
    # bundle per identity type that an argument draws.
    IDENTITIES: ClassVar[tuple[tuple[str, Bundle[Any]], ...]] = ()

    # What the contract machine provides. Declared for type checkers only: a
    # definition here would hide the machine's own, which comes later in the MRO.
    binding: Binding
    constants: dict[str, Any]
    _drawn: bool

    if TYPE_CHECKING:

        @property
        def model(self) -> SpecModel: ...

        def bundle(self, name: str) -> list[Any]: ...

    def __init__(self) -> None:
        super().__init__()
        self._issued: dict[str, int] = {}

    def new_identity(self, type_name: str) -> Identity:
        """Return an identity of ``type_name`` that no earlier step has seen."""
        number = self._issued.get(type_name, 0) + 1
        self._issued[type_name] = number
        return Identity(type_name, number)

    def draw_param(self, data: st.DataObject, operation: str, name: str) -> object:
        """Draw argument ``name`` of ``operation``; identities come from the bundles."""
        signature = self.model._sf_signature(operation)
        param = next(p for p in signature.params if p.name == name)
        # Drawing from an empty bundle would discard the whole example, so
        # until a step has created an identity of a type, a fresh one is drawn.
        identities = self._fresh()
        for type_name, bundle in self.IDENTITIES:
            if self.bundle(bundle.name):
                identities[type_name] = bundle
        return data.draw(strategy(param.type, identities), label=name)

    def draw_constant(self, data: st.DataObject, name: str) -> object:
        """Return the pinned constant, or draw one; identities are fresh ones."""
        if name in self.binding.pinned:
            value: object = self.binding.pinned[name]
        else:
            model_class = self.binding.model_class
            constant = next(c for c in model_class._sf_constants if c.name == name)
            value = data.draw(strategy(constant.type, self._fresh()), label=name)
            self._drawn = True
        self.constants[name] = value
        return value

    def _fresh(self) -> dict[str, st.SearchStrategy[Any]]:
        types = self._identity_types()
        return {t: st.builds(self.new_identity, st.just(t)) for t in types}

    def _identity_types(self) -> set[str]:
        model_class = self.binding.model_class
        found: set[str] = {name for name, _ in self.IDENTITIES}
        declared = [c.type for c in model_class._sf_constants]
        for signature in model_class._sf_operations:
            declared.extend(p.type for p in signature.params)
        stack = list(declared)
        while stack:
            value_type = stack.pop()
            if value_type.kind == "identity":
                found.add(value_type.name)
            stack.extend(value_type.args)
            stack.extend(t for _, t in value_type.fields)
        return found
