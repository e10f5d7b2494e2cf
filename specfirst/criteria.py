"""The gate's criteria, and what checking one of them on one subject found.

Each criterion has a stable id (``specifications.reviews-met``) that the
JSON, JUnit and SARIF reports use, so CI tools can track a finding across
runs. A criterion is checked once per subject (a component, a spec file or
the project as a whole); the outcome passes when it has no findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from specfirst.phases import Phase

RED_FLAGS = "red-flags"
PROJECT = "project"


@dataclass(frozen=True)
class Criterion:
    """One thing a phase requires, with the advice that meets it."""

    group: str  # a phase's name, or RED_FLAGS
    name: str
    title: str
    help: str

    @property
    def id(self) -> str:
        return f"{self.group}.{self.name}"


@dataclass(frozen=True)
class Finding:
    """One unmet criterion, at the file and line it concerns (line 0: none)."""

    criterion: str
    subject: str
    message: str
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Outcome:
    """A criterion checked on one subject; ``file`` and ``line`` locate the subject."""

    criterion: Criterion
    subject: str
    findings: tuple[Finding, ...] = ()
    file: str = ""
    line: int = 0

    @property
    def passed(self) -> bool:
        return not self.findings


def outcome(
    criterion: Criterion,
    subject: str,
    messages: list[tuple[str, str, int]],
    file: str = "",
    line: int = 0,
) -> Outcome:
    """Build an outcome from ``(message, file, line)`` triples, one per finding."""
    findings = tuple(
        Finding(criterion.id, subject, message, where or file, at or line)
        for message, where, at in messages
    )
    return Outcome(criterion, subject, findings, file, line)


def _criterion(group: Phase | str, name: str, title: str, help: str) -> Criterion:
    return Criterion(
        group.value if isinstance(group, Phase) else group, name, title, help
    )


_SPECS = Phase.SPECIFICATIONS
SPEC_EXISTS = _criterion(
    _SPECS,
    "spec-exists",
    "every required specification exists",
    "write the spec under a spec folder, or drop it from [tool.specfirst.required]",
)
SPEC_CHECKS = _criterion(
    _SPECS,
    "spec-checks",
    "every specification parses and type-checks",
    "fix the errors that `specfirst check` reports",
)
SECTIONS_STATED = _criterion(
    _SPECS,
    "sections-stated",
    "every component states invariants, safety, liveness, failure modes with "
    "recovery, and performance bounds",
    "add the missing kind of clause to the component",
)
OBLIGATIONS_PROVED = _criterion(
    _SPECS,
    "obligations-proved",
    "every proof obligation is proved",
    "run `specfirst check` and fix the spec where it shows a counterexample",
)
REFERENCES_RESOLVE = _criterion(
    _SPECS,
    "references-resolve",
    "every name the project refers to resolves to exactly one specification",
    "correct the name, or add the spec it refers to",
)
REVIEWS_MET = _criterion(
    _SPECS,
    "reviews-met",
    "every specification has its review cycles for its current content",
    "run `specfirst review add SPEC --reviewer NAME --verdict approve --note TEXT`",
)

_CONTRACTS = Phase.CONTRACTS
MODELS_PASS = _criterion(
    _CONTRACTS,
    "models-pass",
    "the reference models pass their own generated tests",
    "fix the spec's effects: the model is built from them",
)
CLAUSES_EXERCISED = _criterion(
    _CONTRACTS,
    "clauses-exercised",
    "every clause is exercised by at least one generated test",
    "make the clause reachable, or widen what the tests draw (max_examples, "
    "step_count)",
)
SCENARIOS_PASS = _criterion(
    _CONTRACTS,
    "integration-scenarios-pass",
    "the integration scenarios pass against the reference models",
    "state the scenarios in the Integration spec",
)

_IMPL = Phase.IMPLEMENTATION
IMPLEMENTATION_BOUND = _criterion(
    _IMPL,
    "implementation-bound",
    "every component's implementation is bound through an adapter",
    'set adapter = "module:Class" under [tool.specfirst.components.NAME]',
)
IMPLEMENTATION_PASSES = _criterion(
    _IMPL,
    "implementation-passes",
    "the bound implementations pass every generated test at scale",
    "fix the implementation where the shrunk calls show it departs from the model",
)

UNAPPROVED_IMPLEMENTATION = _criterion(
    RED_FLAGS,
    "unapproved-implementation",
    "no implementation code for a component whose spec is not approved",
    "get the spec approved first, or move the code out of the implementation path",
)
PHASE_CLAIM = _criterion(
    RED_FLAGS,
    "phase-claim",
    "the phase the manifest claims has every earlier gate passing",
    "set phase in [tool.specfirst] to the phase the project is really in",
)
MISSING_SPEC = _criterion(
    RED_FLAGS,
    "missing-spec",
    "no required specification is missing from the set",
    "write the missing spec before working on later phases",
)

CRITERIA: tuple[Criterion, ...] = (
    SPEC_EXISTS,
    SPEC_CHECKS,
    SECTIONS_STATED,
    OBLIGATIONS_PROVED,
    REFERENCES_RESOLVE,
    REVIEWS_MET,
    MODELS_PASS,
    CLAUSES_EXERCISED,
    SCENARIOS_PASS,
    IMPLEMENTATION_BOUND,
    IMPLEMENTATION_PASSES,
    UNAPPROVED_IMPLEMENTATION,
    PHASE_CLAIM,
    MISSING_SPEC,
)


def criterion(criterion_id: str) -> Criterion:
    """Look up a criterion by its id."""
    for known in CRITERIA:
        if known.id == criterion_id:
            return known
    raise KeyError(criterion_id)
