"""The kinds of clause every component spec must state, and which it lacks.

A component's clauses of each kind live in one field of
``spec_lang.ast.Component``: ``invariants``, ``safety``, ``liveness`` and
``failures`` today, and ``performance`` once the language gains it. A kind
whose field the AST does not have yet is reported as missing, with a note
that the language cannot state it yet: the criterion is unmet either way,
and saying why keeps the finding honest.
"""

from __future__ import annotations

from dataclasses import dataclass

from spec_lang.ast import Component


@dataclass(frozen=True)
class SectionKind:
    name: str
    field: str
    advice: str


SECTIONS: tuple[SectionKind, ...] = (
    SectionKind(
        "invariants",
        "invariants",
        "add `invariant name: P` for each property every reachable state has",
    ),
    SectionKind(
        "safety properties",
        "safety",
        "add the properties no run may ever violate (`always P`)",
    ),
    SectionKind(
        "liveness properties",
        "liveness",
        "add what must eventually happen, and under which fairness "
        "(`eventually Q within N`, `leadsto P ~> Q within N`, with `fairness weak "
        "action`)",
    ),
    SectionKind(
        "failure modes with recovery",
        "failures",
        "add each failure, what a crash keeps and loses, what recovery restores "
        "and within what bound",
    ),
    SectionKind(
        "performance bounds",
        "performance",
        "add measurable bounds: complexity in a named size, latency percentiles "
        "under a stated load",
    ),
)


@dataclass(frozen=True)
class MissingSection:
    kind: SectionKind
    expressible: bool  # whether the spec language can state this kind yet

    def message(self, component: str) -> str:
        text = f"{component} states no {self.kind.name}: {self.kind.advice}"
        if not self.expressible:
            text += f"; the spec language cannot state {self.kind.name} yet"
        return text


def missing_sections(component: Component) -> list[MissingSection]:
    """List the required kinds of clause that ``component`` states none of."""
    missing = []
    for kind in SECTIONS:
        clauses = getattr(component, kind.field, None)
        if not clauses:
            missing.append(MissingSection(kind, hasattr(component, kind.field)))
    return missing
