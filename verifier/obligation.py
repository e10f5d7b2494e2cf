"""Proof obligations and their results, as plain serialisable data.

An obligation carries everything a solver needs, which is its SMT-LIB text.
It also carries everything a report needs: its id, the clause it traces to,
and the names that read a model back. So any executor that can run Z3 on a
string can discharge it. Nothing here imports z3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from spec_lang.ast import Span
from verifier.values import Value, value_from_json, value_to_json


class ObligationKind(StrEnum):
    """The catalog entry an obligation belongs to; a str, so kinds sort and print."""

    CONST_SAT = "const-sat"
    INV_SAT = "inv-sat"
    INIT = "init"
    PRE_SAT = "pre-sat"
    FEASIBLE = "feasible"
    EFFECT = "effect"
    PRESERVE = "preserve"
    ERRORS = "errors"
    DEFINED = "defined"
    RECOVER = "recover"
    # Questions about runs (verifier.temporal), each decided by several queries.
    SAFETY = "safety"
    LIVENESS = "liveness"
    REACH = "reach"
    VACUITY = "vacuity"


class Status(Enum):
    PROVED = "proved"
    VIOLATED = "violated"
    UNKNOWN = "unknown"


class Answer(Enum):
    """The solver's result on a query, before it is read as a verdict."""

    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"


class Section(Enum):
    """The part of a counterexample that a model value belongs to."""

    CONSTANTS = "constants"
    PRE_STATE = "pre_state"
    ARGUMENTS = "arguments"
    POST_STATE = "post_state"
    RESULT = "result"


@dataclass(frozen=True)
class ModelSymbol:
    """One SMT constant whose model value is read back under a spec name.

    ``sort`` is the spec type as written: ``"Int"``, ``"Bool"``, an enum's
    name, ``"Set[Pid]"``. An enum symbol lists the enum's members and the SMT
    constructor of each, in the same order. A structured symbol carries the
    ``shape`` of its type (``verifier.vocabulary.type_shape``), which tells
    how to read its model value back.
    """

    section: Section
    name: str
    smt_name: str
    sort: str
    members: tuple[str, ...] = ()
    constructors: tuple[str, ...] = ()
    shape: Any = None

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section.value,
            "name": self.name,
            "smt_name": self.smt_name,
            "sort": self.sort,
            "members": list(self.members),
            "constructors": list(self.constructors),
            "shape": self.shape,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelSymbol:
        return cls(
            Section(data["section"]),
            data["name"],
            data["smt_name"],
            data["sort"],
            tuple(data["members"]),
            tuple(data["constructors"]),
            data.get("shape"),
        )


@dataclass(frozen=True)
class Obligation:
    """One Z3 query and what its answer means.

    ``proved_when`` is the solver answer that proves the obligation: ``UNSAT``
    for a validity question (the query asserts the negated goal), ``SAT`` for
    an existence question (the query asserts what must be possible).
    ``quantified`` marks a query with a quantifier, where Z3 is incomplete.
    ``no_witness`` says what it means when an existence question has no model.

    ``incomplete`` names what makes the encoding incomplete (set sizes,
    quantifiers), or is empty. A model found under an incomplete encoding may
    be spurious, so it counts only once ``recheck`` (the spec's own clauses,
    evaluated in Python) confirms it. ``bounded_smt`` is the same question
    with finitely many values of each identity type, tried when the model of
    ``smt`` does not confirm: it can find a real counterexample or witness,
    and never proves anything. ``recheck`` is left out of JSON and
    comparisons; an obligation read back from JSON has none, so its models
    under an incomplete encoding stay unconfirmed.
    """

    id: str
    kind: ObligationKind
    component: str
    clause_id: str
    span: Span
    description: str
    smt: str
    proved_when: Answer
    symbols: tuple[ModelSymbol, ...]
    quantified: bool = False
    no_witness: str = ""
    incomplete: str = ""
    bounded_smt: str = ""
    recheck: Any = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "component": self.component,
            "clause_id": self.clause_id,
            "span": span_to_json(self.span),
            "description": self.description,
            "smt": self.smt,
            "proved_when": self.proved_when.value,
            "symbols": [s.to_json() for s in self.symbols],
            "quantified": self.quantified,
            "no_witness": self.no_witness,
            "incomplete": self.incomplete,
            "bounded_smt": self.bounded_smt,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Obligation:
        return cls(
            id=data["id"],
            kind=ObligationKind(data["kind"]),
            component=data["component"],
            clause_id=data["clause_id"],
            span=span_from_json(data["span"]),
            description=data["description"],
            smt=data["smt"],
            proved_when=Answer(data["proved_when"]),
            symbols=tuple(ModelSymbol.from_json(s) for s in data["symbols"]),
            quantified=data["quantified"],
            no_witness=data["no_witness"],
            incomplete=data.get("incomplete", ""),
            bounded_smt=data.get("bounded_smt", ""),
        )


@dataclass(frozen=True)
class Counterexample:
    """A model read back in the spec's own names.

    For an init obligation the state that init builds is the post-state.
    ``result`` is None when the obligation has no result.
    """

    constants: dict[str, Value] = field(default_factory=dict)
    pre_state: dict[str, Value] = field(default_factory=dict)
    arguments: dict[str, Value] = field(default_factory=dict)
    post_state: dict[str, Value] = field(default_factory=dict)
    result: Value | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: Bool, Int and enum members as is, structured values tagged."""
        return {
            "constants": _values_json(self.constants),
            "pre_state": _values_json(self.pre_state),
            "arguments": _values_json(self.arguments),
            "post_state": _values_json(self.post_state),
            "result": None if self.result is None else value_to_json(self.result),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Counterexample:
        result = data["result"]
        return cls(
            _values_from_json(data["constants"]),
            _values_from_json(data["pre_state"]),
            _values_from_json(data["arguments"]),
            _values_from_json(data["post_state"]),
            None if result is None else value_from_json(result),
        )


@dataclass(frozen=True)
class ObligationResult:
    """The verdict on one obligation.

    A violated obligation carries its ``counterexample`` when the solver found
    one (an existence question that fails has none). A proved existence
    question carries the ``witness`` that shows it.
    """

    obligation: Obligation
    status: Status
    reason: str
    counterexample: Counterexample | None = None
    witness: Counterexample | None = None
    seconds: float = 0.0
    cached: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "obligation": self.obligation.to_json(),
            "status": self.status.value,
            "reason": self.reason,
            "counterexample": _optional_json(self.counterexample),
            "witness": _optional_json(self.witness),
            "seconds": self.seconds,
            "cached": self.cached,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ObligationResult:
        return cls(
            obligation=Obligation.from_json(data["obligation"]),
            status=Status(data["status"]),
            reason=data["reason"],
            counterexample=_optional_counterexample(data["counterexample"]),
            witness=_optional_counterexample(data["witness"]),
            seconds=data["seconds"],
            cached=data["cached"],
        )


def _values_json(values: dict[str, Value]) -> dict[str, Any]:
    return {name: value_to_json(value) for name, value in values.items()}


def _values_from_json(data: dict[str, Any]) -> dict[str, Value]:
    return {name: value_from_json(value) for name, value in data.items()}


def span_to_json(span: Span) -> dict[str, Any]:
    return {
        "file": span.file,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def span_from_json(data: dict[str, Any]) -> Span:
    return Span(
        data["file"], data["line"], data["column"], data["end_line"], data["end_column"]
    )


def _optional_json(counterexample: Counterexample | None) -> dict[str, Any] | None:
    return None if counterexample is None else counterexample.to_json()


def _optional_counterexample(data: dict[str, Any] | None) -> Counterexample | None:
    return None if data is None else Counterexample.from_json(data)
