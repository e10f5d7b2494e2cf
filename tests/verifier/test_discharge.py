"""Solving: limits, unknown reasons, Z3 errors and the process pool."""

from __future__ import annotations

from dataclasses import replace

from verifier_support import REPO, load_text

from verifier import (
    Obligation,
    Status,
    VerifyOptions,
    build_obligations,
    discharge,
    verify_spec,
)
from verifier.obligation import Answer
from verifier.outcome import Outcome
from verifier.solve import verdict

# Fermat's last theorem for cubes: true, and beyond Z3's nonlinear arithmetic.
_FERMAT = """
component Fermat {
  query cubes(x: Int, y: Int, z: Int) -> Bool {
    requires x >= 1
    requires y >= 1
    requires z >= 1
    ensures no_solution: result == (x * x * x + y * y * y != z * z * z)
    effect { result := true }
  }
}
"""


def _fermat() -> Obligation:
    obligations = build_obligations(load_text(_FERMAT).components[0])
    return next(o for o in obligations if o.id == "Fermat.cubes.effect.no_solution")


def test_tiny_timeout_on_hard_query_is_unknown() -> None:
    [result] = discharge([_fermat()], VerifyOptions(timeout_ms=1, jobs=1))
    assert result.status is Status.UNKNOWN
    assert result.reason.startswith("timeout")


def test_exhausted_rlimit_is_unknown_with_its_reason() -> None:
    [result] = discharge([_fermat()], VerifyOptions(rlimit=1000, jobs=1))
    assert result.status is Status.UNKNOWN
    assert result.reason.startswith("resource limit")


def test_unknown_carries_no_model() -> None:
    [result] = discharge([_fermat()], VerifyOptions(timeout_ms=1, jobs=1))
    assert result.counterexample is None
    assert result.witness is None


def test_z3_error_becomes_unknown() -> None:
    broken = replace(_fermat(), smt="(assert (> undeclared 0))\n(check-sat)\n")
    [result] = discharge([broken], VerifyOptions(jobs=1))
    assert result.status is Status.UNKNOWN
    assert "z3 error" in result.reason


def test_incomplete_script_is_never_proved() -> None:
    # Without assertions Z3 returns sat, which would prove an existence question.
    existence = replace(_fermat(), proved_when=Answer.SAT, smt="")
    [result] = discharge([existence], VerifyOptions(jobs=1))
    assert result.status is Status.UNKNOWN


def test_quantified_unknown_says_so() -> None:
    obligation = replace(_fermat(), quantified=True)
    outcome = Outcome(Answer.UNKNOWN, "incompleteness: z3 cannot decide", None, 0.0)
    result = verdict(obligation, outcome, cached=False)
    assert result.status is Status.UNKNOWN
    assert "forall-exists" in result.reason


def test_pool_agrees_with_in_process() -> None:
    spec = REPO / "specs" / "circuit_breaker.spec"
    alone = verify_spec(spec, VerifyOptions(jobs=1))
    pooled = verify_spec(spec, VerifyOptions(jobs=2))
    assert [(r.obligation.id, r.status) for r in pooled] == [
        (r.obligation.id, r.status) for r in alone
    ]


def test_results_keep_input_order() -> None:
    spec = load_text(_FERMAT)
    obligations = build_obligations(spec.components[0])
    results = discharge(obligations, VerifyOptions(timeout_ms=50, jobs=1))
    assert [r.obligation.id for r in results] == [o.id for o in obligations]
