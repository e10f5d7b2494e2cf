"""Measure how deep bounded model checking gets on each bundled spec.

For each component and each depth d from 0, it solves the unrolling alone
(is there a run of d steps from init?) and the bounded model checking query
of every safety property at depth d. Queries run one at a time in this
process, without the cache. It stops at the first depth where a query comes back
unknown (a timeout) or where the depth's queries take more than the budget.
The result is a Markdown table per spec: the depth reached and the seconds
each depth took.

    python benchmarks/bmc_depth.py --max-depth 10 --out benchmarks/temporal.md
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import z3

from spec_lang import ast, load_spec
from verifier import VerifyOptions
from verifier.bmc import run_exists, safety_base
from verifier.obligation import Answer
from verifier.temporal import RunSolver
from verifier.unroll import uses_old

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Depth:
    depth: int
    unrolling: float
    safety: float
    decided: bool


def measure(
    component: ast.Component, solver: RunSolver, max_depth: int, budget: float
) -> list[Depth]:
    """Time each depth in turn until one is undecided or over the budget."""
    rows = []
    for depth in range(max_depth + 1):
        started = time.perf_counter()
        (unrolled,) = solver.solve([run_exists(component, depth)])
        unrolling = time.perf_counter() - started
        queries = [
            safety_base(component, p, depth)
            for p in component.safety
            if depth >= 1 or not uses_old(p.expr)
        ]
        started = time.perf_counter()
        solved = solver.solve(queries)
        safety = time.perf_counter() - started
        answers = [unrolled, *solved]
        decided = all(s.outcome.answer is not Answer.UNKNOWN for s in answers)
        rows.append(Depth(depth, unrolling, safety, decided))
        if not decided or unrolling + safety > budget:
            break
    return rows


def table(
    spec: ast.SpecFile, results: dict[str, list[Depth]], max_depth: int
) -> list[str]:
    """Lay out one row per component and measure, one column per depth."""
    depths = range(max_depth + 1)
    lines = [f"### {Path(spec.path).name}", ""]
    lines.append(
        "| component | measure | depth reached | "
        + " | ".join(f"d={d}" for d in depths)
        + " |"
    )
    lines.append("| --- | --- | --- | " + " | ".join("---" for _ in depths) + " |")
    for component in spec.components:
        rows = {r.depth: r for r in results[component.name]}
        reached = max((r.depth for r in rows.values() if r.decided), default=-1)
        measures = [("unrolling", lambda r: r.unrolling)]
        if component.safety:
            count = len(component.safety)
            measures.append((f"safety BMC ({count})", lambda r: r.safety))
        for name, seconds in measures:
            cells = [_cell(rows.get(d), seconds) for d in depths]
            lines.append(
                f"| {component.name} | {name} | {reached} | " + " | ".join(cells) + " |"
            )
    return [*lines, ""]


def _cell(row: Depth | None, seconds: Callable[[Depth], float]) -> str:
    if row is None:
        return ""
    return f"{seconds(row):.2f}" + ("" if row.decided else " ?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-depth", type=int, default=10)
    parser.add_argument("--timeout-ms", type=int, default=20000)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per depth")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("specs", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.specs or sorted((ROOT / "specs").glob("*.spec"))
    options = VerifyOptions(timeout_ms=args.timeout_ms, jobs=1, cache_dir=None)
    lines = []
    with RunSolver(options) as solver:
        for path in files:
            spec = load_spec(path)
            results = {
                c.name: measure(c, solver, args.max_depth, args.budget)
                for c in spec.components
            }
            shown = table(spec, results, args.max_depth)
            lines.extend(shown)
            print("\n".join(shown), flush=True)
    if args.out is not None:
        header = (
            f"Measured with z3 {z3.get_version_string()}, Python "
            f"{platform.python_version()}, one query at a time, a "
            f"{args.timeout_ms} ms limit per query, up to depth {args.max_depth}."
        )
        args.out.write_text("\n".join([header, "", *lines]), encoding="utf-8")


if __name__ == "__main__":
    main()
