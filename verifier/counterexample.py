"""Read a Z3 model back as plain values, then as a counterexample in spec names.

Reading happens in two steps so the cache can keep the middle form: the
solver side turns a model into ``{smt name: value}`` (``read_model``), and
``to_counterexample`` files those values under the spec's own names.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import z3

from verifier.obligation import Counterexample, ModelSymbol, Section, Value
from verifier.outcome import RawModel

log = logging.getLogger(__name__)


def read_model(
    model: z3.ModelRef, assertions: Iterable[z3.ExprRef], symbols: Iterable[ModelSymbol]
) -> RawModel:
    """The value of each symbol in ``model``.

    A symbol that occurs in no assertion is unconstrained, so any value of
    its sort completes the model. It reads as the sort's first value: 0,
    false, or the first member.
    """
    occurring = _free_constants(assertions)
    values: RawModel = {}
    for symbol in symbols:
        term = occurring.get(symbol.smt_name)
        if term is None:
            values[symbol.smt_name] = _default(symbol)
        else:
            values[symbol.smt_name] = _value(model.eval(term, model_completion=True))
    return values


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


def _value(term: z3.ExprRef) -> Value:
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


def _default(symbol: ModelSymbol) -> Value:
    if symbol.sort == "Int":
        return 0
    if symbol.sort == "Bool":
        return False
    return symbol.constructors[0]


def to_counterexample(symbols: Iterable[ModelSymbol], raw: RawModel) -> Counterexample:
    """File raw model values under spec names, enum members by their own name."""
    sections: dict[Section, dict[str, Value]] = {s: {} for s in Section}
    for symbol in symbols:
        if symbol.smt_name in raw:
            sections[symbol.section][symbol.name] = _spec_value(symbol, raw)
    return Counterexample(
        constants=sections[Section.CONSTANTS],
        pre_state=sections[Section.PRE_STATE],
        arguments=sections[Section.ARGUMENTS],
        post_state=sections[Section.POST_STATE],
        result=sections[Section.RESULT].get("result"),
    )


def _spec_value(symbol: ModelSymbol, raw: RawModel) -> Value:
    value = raw[symbol.smt_name]
    if not symbol.constructors:
        return value
    for member, constructor in zip(symbol.members, symbol.constructors, strict=True):
        if value == constructor:
            return member
    log.warning("model value %r is not a member of enum %s", value, symbol.sort)
    return value
