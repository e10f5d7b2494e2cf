"""The verifier: proof obligations of checked components, discharged by Z3.

Only this package imports z3. A component's obligations are built from its
checked AST (``build_obligations``), solved in parallel and cached
(``discharge``); ``verify_spec`` does both for every component of a file.
"""

from __future__ import annotations

from pathlib import Path

from spec_lang import ast
from verifier.cache import default_cache_dir
from verifier.catalog import build_obligations
from verifier.emit import emit_smt
from verifier.obligation import (
    Counterexample,
    ModelSymbol,
    Obligation,
    ObligationKind,
    ObligationResult,
    Section,
    Status,
)
from verifier.solve import VerifyOptions, discharge
from verifier.vocabulary import EncodingError

__all__ = [
    "Counterexample",
    "EncodingError",
    "ModelSymbol",
    "Obligation",
    "ObligationKind",
    "ObligationResult",
    "Section",
    "Status",
    "VerifyOptions",
    "build_obligations",
    "default_cache_dir",
    "discharge",
    "emit_smt",
    "verify_spec",
]


def verify_spec(
    spec_file: str | Path | ast.SpecFile, options: VerifyOptions | None = None
) -> list[ObligationResult]:
    """Build and discharge the obligations of every component in a spec file.

    Args:
        spec_file: a path to load and check, or an already checked spec.
        options: limits, parallelism, cache and SMT-LIB output.

    Raises:
        SpecError: the file does not parse or check.
    """
    options = options or VerifyOptions()
    if isinstance(spec_file, ast.SpecFile):
        spec = spec_file
    else:
        from spec_lang import load_spec  # type: ignore[attr-defined,unused-ignore]

        spec = load_spec(spec_file)
    obligations = [o for c in spec.components for o in build_obligations(c)]
    if options.emit_smt_dir is not None:
        emit_smt(obligations, options.emit_smt_dir)
    return discharge(obligations, options)
