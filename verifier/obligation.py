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

# A value of the spec language: an Int, a Bool or an enum member's name.
Value = int | bool | str


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

    ``sort`` is ``"Int"``, ``"Bool"`` or an enum's name; an enum symbol lists
    the enum's members and the SMT constructor of each, in the same order.
    """

    section: Section
    name: str
    smt_name: str
    sort: str
    members: tuple[str, ...] = ()
    constructors: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section.value,
            "name": self.name,
            "smt_name": self.smt_name,
            "sort": self.sort,
            "members": list(self.members),
            "constructors": list(self.constructors),
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
        )


@dataclass(frozen=True)
class Obligation:
    """One Z3 query and what its answer means.

    ``proved_when`` is the solver answer that proves the obligation: ``UNSAT``
    for a validity question (the query asserts the negated goal), ``SAT`` for
    an existence question (the query asserts what must be possible).
    ``quantified`` marks a query with a quantifier, where Z3 is incomplete.
    ``no_witness`` says what it means when an existence question has no model.
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
        return {
            "constants": dict(self.constants),
            "pre_state": dict(self.pre_state),
            "arguments": dict(self.arguments),
            "post_state": dict(self.post_state),
            "result": self.result,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Counterexample:
        return cls(
            dict(data["constants"]),
            dict(data["pre_state"]),
            dict(data["arguments"]),
            dict(data["post_state"]),
            data["result"],
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
