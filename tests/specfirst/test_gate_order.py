"""The order the gate runs phases in, and what it runs to test the claim."""

from pathlib import Path

import pytest
from gate_support import gate, write_project

from specfirst.phases import Phase


def test_without_phase_stops_at_first_failure(tmp_path: Path) -> None:
    result = gate(write_project(tmp_path), None)
    assert [p.phase for p in result.phases] == [Phase.SPECIFICATIONS]
    assert result.not_run == (Phase.CONTRACTS, Phase.IMPLEMENTATION)
    assert not result.passed


@pytest.mark.slow
def test_keep_going_runs_later_phases(tmp_path: Path) -> None:
    result = gate(write_project(tmp_path), None, keep_going=True)
    assert [p.phase for p in result.phases] == list(Phase)
    assert result.not_run == ()
    assert not result.phases[0].passed
    assert not result.passed


def test_one_phase_runs_alone(tmp_path: Path) -> None:
    result = gate(write_project(tmp_path), Phase.SPECIFICATIONS)
    assert [p.phase for p in result.phases] == [Phase.SPECIFICATIONS]
    assert result.not_run == ()
    assert result.claim_checks == ()


@pytest.mark.slow
def test_claim_runs_earlier_phase_for_the_flag(tmp_path: Path) -> None:
    root = write_project(tmp_path, phase="implementation")
    result = gate(root, Phase.CONTRACTS)
    assert [p.phase for p in result.phases] == [Phase.CONTRACTS]
    assert [p.phase for p in result.claim_checks] == [Phase.SPECIFICATIONS]
    claim = [f for f in result.findings if f.criterion == "red-flags.phase-claim"]
    assert len(claim) == 1
    assert "the specifications gate has" in claim[0].message


@pytest.mark.slow
def test_contracts_pass_when_fully_exercised(
    tmp_path: Path,
) -> None:
    result = gate(write_project(tmp_path), Phase.CONTRACTS)
    (contracts,) = result.phases
    assert contracts.passed, contracts.findings
    (matrix,) = contracts.matrices
    assert matrix.gaps() == []
    assert contracts.run is not None
    assert contracts.run.passed
