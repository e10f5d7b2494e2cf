"""Count what the contract tests exercised, for the traceability gate.

The reference model reports every clause it evaluates (each ``requires``
held or failed, each ``ensures``, invariant and ``where`` clause) and the
contract test reports every operation it ran and the error it returned.
When ``SPECFIRST_COVERAGE_FILE`` is set, the counts are added to that JSON
file when the process exits, under a lock, so that pytest-xdist workers can
share one file::

    {"format": 1,
     "operations": {"CircuitBreaker.tick": {"calls": 12, "errors": {}}},
     "clauses": {"CircuitBreaker.tick.requires.1": {"held": 12, "failed": 0}}}
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

COVERAGE_ENV = "SPECFIRST_COVERAGE_FILE"
FORMAT = 1


class Coverage:
    """Counters of operations run and clauses evaluated."""

    def __init__(self) -> None:
        self.operations: dict[str, dict[str, Any]] = {}
        self.clauses: dict[str, dict[str, int]] = {}

    def clause(self, clause_id: str, held: bool) -> None:
        counts = self.clauses.setdefault(clause_id, {"held": 0, "failed": 0})
        counts["held" if held else "failed"] += 1

    def operation(self, name: str, error: str | None) -> None:
        counts = self.operations.setdefault(name, {"calls": 0, "errors": {}})
        counts["calls"] += 1
        if error is not None:
            counts["errors"][error] = counts["errors"].get(error, 0) + 1

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "operations": self.operations,
            "clauses": self.clauses,
        }

    def clear(self) -> None:
        self.operations.clear()
        self.clauses.clear()

    def add_to_file(self, path: Path) -> None:
        """Add these counts to the JSON file at ``path``, creating it if needed."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path.with_name(path.name + ".lock")):
            total = _read(path)
            merge(total, self.as_json())
            _write_atomically(path, json.dumps(total, indent=2, sort_keys=True) + "\n")


def merge(total: dict[str, Any], part: dict[str, Any]) -> None:
    """Add the counts of ``part`` into ``total``, both in the file's format."""
    operations = total.setdefault("operations", {})
    for name, counts in part.get("operations", {}).items():
        into = operations.setdefault(name, {"calls": 0, "errors": {}})
        into["calls"] += counts["calls"]
        for error, n in counts["errors"].items():
            into["errors"][error] = into["errors"].get(error, 0) + n
    clauses = total.setdefault("clauses", {})
    for clause_id, counts in part.get("clauses", {}).items():
        into = clauses.setdefault(clause_id, {"held": 0, "failed": 0})
        into["held"] += counts["held"]
        into["failed"] += counts["failed"]
    total["format"] = FORMAT


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {"format": FORMAT, "operations": {}, "clauses": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _write_atomically(path: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # no advisory locks here; xdist workers may race
        yield
        return
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


RECORDER = Coverage()


def flush() -> None:
    """Add the process's counts to ``$SPECFIRST_COVERAGE_FILE`` and reset them."""
    target = os.environ.get(COVERAGE_ENV)
    if not target or not (RECORDER.operations or RECORDER.clauses):
        return
    try:
        RECORDER.add_to_file(Path(target))
    except (OSError, ValueError) as exc:
        log.warning("cannot write coverage to %s: %s", target, exc)
        return
    RECORDER.clear()


atexit.register(flush)
