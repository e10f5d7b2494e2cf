"""The Z3 symbols of one component: sorts and readable SMT names.

Each obligation gets its own ``Vocabulary`` and so its own Z3 context. Z3
names shared subterms after internal ids, which depend on everything built
before in the same context. A private context keeps an obligation's SMT-LIB
text a function of that obligation alone, so an unchanged obligation hits
the cache even when its neighbours change.

Names: ``const!c``, ``pre!x``, ``post!x``, ``arg!p`` and ``result``. An enum
``Mode`` is the sort ``enum!Mode`` (bare names such as ``Real`` or ``String``
would clash with SMT-LIB's own sorts) with constructors ``Mode.Closed``.
"""

from __future__ import annotations

from collections.abc import Iterable

import z3

from spec_lang import ast
from spec_lang.types import BoolT, EnumT, IntT, Type
from verifier.obligation import ModelSymbol, Section

State = dict[str, z3.ExprRef]


class EncodingError(Exception):
    """The tree handed to the verifier does not meet the checked-AST contract."""


def constructor_name(enum: str, member: str) -> str:
    return f"{enum}.{member}"


class Vocabulary:
    """Creates the sorts and constants of one component in a fresh Z3 context."""

    def __init__(self, component: ast.Component) -> None:
        self.component = component
        self.ctx = z3.Context()
        self._enums: dict[str, tuple[z3.SortRef, dict[str, z3.ExprRef]]] = {}
        self._symbols: dict[str, ModelSymbol] = {}
        for decl in component.enums:
            self._declare_enum(decl.name, decl.members)

    def _declare_enum(self, name: str, members: tuple[str, ...]) -> None:
        constructors = [constructor_name(name, m) for m in members]
        sort, values = z3.EnumSort(f"enum!{name}", constructors, ctx=self.ctx)
        self._enums[name] = (sort, dict(zip(members, values, strict=True)))

    # --- sorts and literals ---

    def sort(self, type_: Type | None) -> z3.SortRef:
        if isinstance(type_, BoolT):
            return z3.BoolSort(ctx=self.ctx)
        if isinstance(type_, IntT):
            return z3.IntSort(ctx=self.ctx)
        if isinstance(type_, EnumT):
            return self._enum(type_.name)[0]
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
        return z3.Const(smt_name, sort)

    def _symbol(
        self, section: Section, name: str, smt_name: str, type_: Type | None
    ) -> ModelSymbol:
        if isinstance(type_, EnumT):
            members = self._component_members(type_.name)
            constructors = tuple(constructor_name(type_.name, m) for m in members)
            return ModelSymbol(
                section, name, smt_name, type_.name, members, constructors
            )
        return ModelSymbol(section, name, smt_name, str(type_))

    def _component_members(self, enum: str) -> tuple[str, ...]:
        return tuple(self._enum(enum)[1])

    def symbols(self, sections: Iterable[Section]) -> tuple[ModelSymbol, ...]:
        """Return the symbols created so far in ``sections``, in creation order."""
        wanted = set(sections)
        return tuple(s for s in self._symbols.values() if s.section in wanted)
