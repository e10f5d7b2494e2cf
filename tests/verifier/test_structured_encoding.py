"""The Z3 encoding of every structured operator agrees with its Python meaning.

Each fact ``e == v`` states the value ``v`` that the evaluator
(``verifier.evaluate``) computes for ``e``, written back as spec text. Each
fact is the ensures of its own operation, so every operator is its own
obligation, and each must be proved: Z3 and Python agree on it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from structured_cases import DECLS as _DECLS
from structured_cases import EXPRESSIONS as _EXPRESSIONS
from verifier_support import Results, load_text

from spec_lang import ast
from verifier import Status
from verifier.evaluate import Env, Evaluator
from verifier.values import format_value


def _component(facts: list[str]) -> str:
    operations = "".join(
        f"  operation f{i}() {{\n    ensures {fact}\n    effect {{ }}\n  }}\n"
        for i, fact in enumerate(facts, start=1)
    )
    return f"component Table {{\n{_DECLS}{operations}}}\n"


def _python_values(expressions: list[str]) -> list[str]:
    """Each expression's value as the evaluator computes it, as spec text."""
    spec = load_text(_component([f"({e}) == ({e})" for e in expressions]))
    component = spec.components[0]
    evaluator = Evaluator(component)
    values = []
    for op in component.operations:
        clause = op.ensures[0]
        assert isinstance(clause.expr, ast.Binary)
        value = evaluator.expr(clause.expr.left, Env({}, {}))
        values.append(format_value(value))
    return values


@pytest.fixture(scope="module")
def table() -> list[str]:
    return [
        f"({e}) == ({v})"
        for e, v in zip(_EXPRESSIONS, _python_values(_EXPRESSIONS), strict=True)
    ]


def test_every_operator_agrees_with_python(
    verify_text: Callable[..., Results], table: list[str]
) -> None:
    results = verify_text(_component(table))
    effects = {r.obligation.clause_id: r for i, r in results.items() if ".effect." in i}
    assert len(effects) == len(table)
    unproved = {
        table[int(c.rsplit(".", 1)[1]) - 1]: r.reason
        for c, r in effects.items()
        if r.status is not Status.PROVED
    }
    assert unproved == {}


@pytest.mark.parametrize(
    "fact",
    [
        "insert({1}, 1) == {1, 1, 2}",
        "size({1, 2, 2}) == 3",
        "delete({1: 2}, 1) == {1: 2}",
        "rest([7]) == [7]",
        "[1, 2] == [2, 1]",
        "(R { a: 1, b: {2} } with { a: 5 }).a == 1",
        "exists i in 1..0 :: true",
    ],
)
def test_a_wrong_value_is_refuted(
    verify_text: Callable[..., Results], fact: str
) -> None:
    results = verify_text(_component([fact]))
    assert results["Table.f1.effect.1"].status is Status.VIOLATED


_IDENTITIES = """\
component Ids {
  identity Pid
  query check(p: Pid, q: Pid) -> Bool {
    requires p != q
    ensures insert({p}, q) == {p, q}
    ensures size({p, q, p}) == 2
    ensures p in {q, p} and p not in {q}
    ensures {p: 1, q: 2}[p] == 1 and size({p: 1, q: 2}) == 2
    ensures first(append([q], p)) == q and last(append([q], p)) == p
    ensures (exists x: Pid :: x == p) and (forall x in {p, q} :: x == p or x == q)
    effect { result := true }
  }
}
"""


def test_identity_operations_are_proved(verify_text: Callable[..., Results]) -> None:
    results = verify_text(_IDENTITIES)
    effects = [r for i, r in results.items() if ".effect." in i]
    assert len(effects) == 6
    unproved = [
        r.obligation.clause_id for r in effects if r.status is not Status.PROVED
    ]
    assert unproved == []


def test_distinct_identities_are_not_assumed(
    verify_text: Callable[..., Results],
) -> None:
    source = _IDENTITIES.replace("    requires p != q\n", "")
    results = verify_text(source)
    assert results["Ids.check.effect.2"].status is Status.VIOLATED
