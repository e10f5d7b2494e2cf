"""Floor division and modulo agree with Python on every sign combination.

Each fact ``a / b == q`` and ``a % b == r`` becomes its own ensures clause,
so each is a separate obligation and a wrong sign case cannot hide behind
another.
"""

from __future__ import annotations

from collections.abc import Callable

from verifier_support import Results

from verifier import Status

_OPERANDS = range(-5, 6)
_DIVISORS = [b for b in range(-3, 4) if b != 0]


def _facts() -> list[str]:
    facts = []
    for a in _OPERANDS:
        for b in _DIVISORS:
            facts.append(f"{a} / {b} == {a // b}")
            facts.append(f"{a} % {b} == {a % b}")
    return facts


def _spec(facts: list[str]) -> str:
    clauses = "\n".join(f"    ensures {fact}" for fact in facts)
    body = f"  operation check() {{\n{clauses}\n    effect {{ }}\n  }}"
    return f"component Table {{\n{body}\n}}\n"


def test_division_table_matches_python(verify_text: Callable[..., Results]) -> None:
    facts = _facts()
    results = verify_text(_spec(facts))
    effects = [r for i, r in results.items() if ".effect." in i]
    assert len(effects) == len(facts)
    unproved = [
        r.obligation.clause_id for r in effects if r.status is not Status.PROVED
    ]
    assert unproved == []


def test_off_by_one_quotient_is_refuted(verify_text: Callable[..., Results]) -> None:
    # SMT-LIB's Euclidean div gives 7 div -2 == -3; Python gives -4.
    results = verify_text(_spec(["7 / -2 == -3"]))
    assert results["Table.check.effect.1"].status is Status.VIOLATED


def test_euclidean_remainder_is_refuted(verify_text: Callable[..., Results]) -> None:
    # SMT-LIB's mod gives -7 mod -2 == 1; Python gives -1.
    results = verify_text(_spec(["-7 % -2 == 1"]))
    assert results["Table.check.effect.1"].status is Status.VIOLATED
