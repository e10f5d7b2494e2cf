"""The phase gates, and the order they run in.

``run_gate(workspace, options, phase)`` checks one phase's criteria; with no
phase it checks them in order and stops at the first phase that fails. The
red flags are checked on every run. The manifest's claimed phase asserts
that every earlier phase is complete, so the gate also checks those earlier
phases, up to the one requested, to hold the claim to account.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from specfirst.approval import ReviewStatus, project_reviews
from specfirst.checking import CheckReport, check_loaded
from specfirst.contracts import check_contracts
from specfirst.criteria import Finding, Outcome
from specfirst.implementation import check_implementation
from specfirst.manifest import Scale
from specfirst.phases import Phase
from specfirst.project import LoadedSpecs, Workspace, declarations, load_specs
from specfirst.redflags import red_flags
from specfirst.specifications import check_specifications
from specfirst.testing import TestRun
from specfirst.traceability import Matrix
from verifier import VerifyOptions
from verifier.temporal import TemporalOptions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GateOptions:
    verify: VerifyOptions
    max_examples: int | None = None  # overrides, for both test phases
    step_count: int | None = None
    seed: int | None = None  # overrides the manifest's


@dataclass(frozen=True)
class PhaseResult:
    phase: Phase
    outcomes: tuple[Outcome, ...]
    run: TestRun | None = None
    matrices: tuple[Matrix, ...] = ()
    scale: Scale | None = None

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for o in self.outcomes for f in o.findings)


@dataclass(frozen=True)
class GateResult:
    requested: Phase | None
    claimed: Phase
    phases: tuple[PhaseResult, ...]  # run for the request, in order
    not_run: tuple[Phase, ...]  # skipped after an earlier phase failed
    claim_checks: tuple[PhaseResult, ...]  # run only to test the claimed phase
    red_flags: tuple[Outcome, ...]
    loaded: LoadedSpecs
    check: CheckReport | None
    reviews: dict[str, ReviewStatus]

    @property
    def passed(self) -> bool:
        return all(p.passed for p in self.phases) and all(
            o.passed for o in self.red_flags
        )

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding: the phases' in order, then the red flags'."""
        phase_findings = [f for p in self.phases for f in p.findings]
        flag_findings = [f for o in self.red_flags for f in o.findings]
        return (*phase_findings, *flag_findings)

    def phase(self, phase: Phase) -> PhaseResult | None:
        for result in (*self.phases, *self.claim_checks):
            if result.phase is phase:
                return result
        return None


class _Phases:
    """Run each phase at most once per gate: ``done`` memoises the results."""

    def __init__(self, workspace: Workspace, options: GateOptions) -> None:
        self.workspace = workspace
        self.options = options
        self.loaded = load_specs(list(workspace.files), workspace.root)
        self.reviews = project_reviews(workspace)
        self.check: CheckReport | None = None
        self.done: dict[Phase, PhaseResult] = {}

    def result(self, phase: Phase) -> PhaseResult:
        if phase not in self.done:
            log.info("running the %s gate", phase.value)
            self.done[phase] = self._run(phase)
        return self.done[phase]

    def _run(self, phase: Phase) -> PhaseResult:
        options, workspace = self.options, self.workspace
        seed = workspace.manifest.seed if options.seed is None else options.seed
        if phase is Phase.SPECIFICATIONS:
            temporal = TemporalOptions(workspace.config.depth)
            self.check = check_loaded(self.loaded, options.verify, temporal=temporal)
            outcomes = check_specifications(workspace, self.check, self.reviews)
            return PhaseResult(phase, outcomes)
        if phase is Phase.CONTRACTS:
            contracts = check_contracts(
                workspace, self.loaded, options.max_examples, options.step_count, seed
            )
            return PhaseResult(
                phase, contracts.outcomes, contracts.run, contracts.matrices
            )
        scale = workspace.manifest.scale
        scale = replace(
            scale,
            max_examples=options.max_examples or scale.max_examples,
            step_count=options.step_count or scale.step_count,
        )
        implementation = check_implementation(workspace, self.loaded, scale, seed)
        return PhaseResult(
            phase, implementation.outcomes, implementation.run, scale=scale
        )


def run_gate(
    workspace: Workspace,
    options: GateOptions,
    requested: Phase | None = None,
    keep_going: bool = False,
) -> GateResult:
    """Check ``requested`` (every phase, in order, when None) and the red flags.

    With ``keep_going``, a failed phase does not stop the later ones: they run
    and report too, and the gate still fails.
    """
    phases = _Phases(workspace, options)
    ran: list[PhaseResult] = []
    not_run: list[Phase] = []
    for phase in [requested] if requested else list(Phase):
        if ran and not ran[-1].passed and not keep_going:
            not_run.append(phase)
            continue
        ran.append(phases.result(phase))

    claimed = workspace.manifest.phase
    checked: dict[Phase, int] = {}
    for phase in claimed.earlier():
        if requested is None and phase in not_run:
            continue  # an even earlier phase failed, and is counted already
        if requested is not None and phase.number > requested.number:
            continue  # the gate for that phase checks it
        checked[phase] = len(phases.result(phase).findings)
    claim_checks = tuple(
        phases.done[p] for p in checked if all(r.phase is not p for r in ran)
    )
    later_work = claimed is not Phase.SPECIFICATIONS or any(
        r.phase is not Phase.SPECIFICATIONS for r in ran
    )
    flags = red_flags(
        workspace,
        declarations(phases.loaded.specs),
        phases.reviews,
        checked,
        later_work,
    )
    return GateResult(
        requested=requested,
        claimed=claimed,
        phases=tuple(ran),
        not_run=tuple(not_run),
        claim_checks=claim_checks,
        red_flags=flags,
        loaded=phases.loaded,
        check=phases.check,
        reviews=phases.reviews,
    )
