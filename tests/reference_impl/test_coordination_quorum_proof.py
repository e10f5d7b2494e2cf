"""The verifier proves that quorums intersect for every electorate size, and
refutes the same spec with a quorum of ``participants / 2``.

``participants / 2`` is no majority for any electorate: with an even one two
disjoint halves are both quorums, and with an odd one two disjoint sets of
``participants // 2`` voters fit beside a spare voter. So any participant
count refutes it, and the test checks that the one the solver picked does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spec_lang import load_spec
from verifier import (
    ObligationKind,
    ObligationResult,
    Status,
    VerifyOptions,
    build_obligations,
    discharge,
)

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "specs" / "coordination.spec"
VARIANT = Path(__file__).with_name("coordination_wrong_quorum.spec")
RIGHT = "define quorum: Int = participants / 2 + 1"
WRONG = "define quorum: Int = participants / 2"
CLAUSE = "QuorumVote.invariant.quorums_intersect"


def component_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index("component QuorumVote {") :]


def verify_clause(path: Path) -> list[ObligationResult]:
    """Discharge the obligations of ``CLAUSE`` in the spec at ``path``."""
    spec = load_spec(path)
    (component,) = [c for c in spec.components if c.name == "QuorumVote"]
    obligations = [o for o in build_obligations(component) if o.clause_id == CLAUSE]
    options = VerifyOptions(jobs=1, cache_dir=None, timeout_ms=20000)
    return discharge(obligations, options)


@pytest.fixture(scope="module")
def shipped() -> list[ObligationResult]:
    return verify_clause(SHIPPED)


@pytest.fixture(scope="module")
def variant() -> list[ObligationResult]:
    return verify_clause(VARIANT)


def test_variant_differs_only_in_quorum() -> None:
    assert RIGHT in component_text(SHIPPED)
    assert component_text(VARIANT) == component_text(SHIPPED).replace(RIGHT, WRONG)


def test_intersection_proved_for_every_size(shipped: list[ObligationResult]) -> None:
    assert ObligationKind.INIT in {r.obligation.kind for r in shipped}
    assert [r.status for r in shipped] == [Status.PROVED] * len(shipped)


def test_wrong_quorum_is_refuted(variant: list[ObligationResult]) -> None:
    (init,) = [r for r in variant if r.obligation.kind is ObligationKind.INIT]
    assert init.status is Status.VIOLATED


def test_refutation_names_participant_count(variant: list[ObligationResult]) -> None:
    (init,) = [r for r in variant if r.obligation.kind is ObligationKind.INIT]
    assert init.counterexample is not None
    participants = init.counterexample.constants["participants"]
    assert isinstance(participants, int)
    assert participants >= 1
    assert 2 * (participants // 2) <= participants
