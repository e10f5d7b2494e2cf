"""Write obligations as SMT-LIB 2 scripts, one file per obligation."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from verifier.obligation import Answer, Obligation

log = logging.getLogger(__name__)


def smt_script(obligation: Obligation) -> str:
    """The obligation's query with a header saying which answer proves it."""
    meaning = {
        Answer.UNSAT: "unsat proves it; a model is a counterexample",
        Answer.SAT: "sat proves it; the model is the witness",
    }[obligation.proved_when]
    header = [
        f"; obligation {obligation.id} ({obligation.kind.value})",
        f"; clause {obligation.clause_id}",
        f"; {obligation.description}",
        f"; {meaning}",
    ]
    return "\n".join(header) + "\n" + obligation.smt


def bounded_script(obligation: Obligation) -> str:
    """The obligation's bounded query, whose models are searched, never proofs."""
    header = [
        f"; bounded search for obligation {obligation.id} ({obligation.kind.value})",
        f"; clause {obligation.clause_id}",
        "; few values of each identity type and in each set or map: a model is",
        "; re-checked against the spec, and unsat proves nothing",
    ]
    return "\n".join(header) + "\n" + obligation.bounded_smt


def emit_smt(obligations: Iterable[Obligation], directory: Path | str) -> list[Path]:
    """Write each obligation as ``<id>.smt2`` under ``directory``, and its
    bounded query, where it has one, as ``<id>.bounded.smt2``.

    The same obligations give the same bytes. Returns the files written, in
    input order.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for obligation in obligations:
        path = target / f"{obligation.id}.smt2"
        path.write_text(smt_script(obligation), encoding="utf-8")
        written.append(path)
        if obligation.bounded_smt:
            bounded = target / f"{obligation.id}.bounded.smt2"
            bounded.write_text(bounded_script(obligation), encoding="utf-8")
            written.append(bounded)
    log.debug("wrote %d SMT-LIB files to %s", len(written), target)
    return written
