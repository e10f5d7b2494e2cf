"""Write a gate's result in the format asked for: to the console or to files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from specfirst.gate import GateResult
from specfirst.junit import gate_junit
from specfirst.markdown import gate_markdown
from specfirst.render_gate import print_gate
from specfirst.reports import gate_json
from specfirst.sarif import gate_sarif


def _json_text(result: GateResult) -> str:
    return json.dumps(gate_json(result), indent=2) + "\n"


def _sarif_text(result: GateResult) -> str:
    return json.dumps(gate_sarif(result), indent=2) + "\n"


FORMATTERS: dict[str, Callable[[GateResult], str]] = {
    "json": _json_text,
    "junit": gate_junit,
    "sarif": _sarif_text,
    "markdown": gate_markdown,
}


def render_gate(console: Console, result: GateResult, fmt: str) -> None:
    """Print the summary for people (``text``), or one report as it is."""
    if fmt == "text":
        print_gate(console, result)
        return
    # Reports go out unstyled and unwrapped, exactly as a file would hold them.
    console.file.write(FORMATTERS[fmt](result))
    console.file.flush()


def write_reports(result: GateResult, files: dict[str, Path | None]) -> list[Path]:
    """Write each report whose file is given; return the files written."""
    written = []
    for fmt, path in files.items():
        if path is None:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FORMATTERS[fmt](result), encoding="utf-8")
        written.append(path)
    return written
