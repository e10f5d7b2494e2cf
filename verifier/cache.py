"""A cache of solver outcomes, one JSON file per query.

The key is the sha256 of the query's SMT-LIB text, the Z3 version and the
limits it ran under, so a changed query, solver or budget never reads a
stale answer. Only definite answers (sat, unsat) are kept: an unknown may
well be decided on the next run, with more time or a luckier seed.

The cache keeps the solver's answer and raw model rather than a verdict, so
two obligations that happen to share their text but read it differently
(sat proves one, unsat the other) still get their own verdicts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from verifier.obligation import Answer
from verifier.outcome import Limits, Outcome

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = Path(".specfirst") / "cache"


def default_cache_dir(project_root: Path | str) -> Path:
    """Return a project's cache folder, ``.specfirst/cache`` under its root."""
    return Path(project_root) / DEFAULT_CACHE_DIR


def cache_key(smt: str, limits: Limits, z3_version: str) -> str:
    digest = hashlib.sha256()
    for part in (smt, z3_version, str(limits.timeout_ms), str(limits.rlimit)):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


class ResultCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, smt: str, limits: Limits, z3_version: str) -> Outcome | None:
        path = self._path(cache_key(smt, limits, z3_version))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return _outcome_from_json(data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # A damaged entry counts as a miss, and the fresh result overwrites it.
            log.warning("ignoring unreadable cache entry %s: %s", path, exc)
            return None

    def put(self, smt: str, limits: Limits, z3_version: str, outcome: Outcome) -> None:
        if outcome.answer is Answer.UNKNOWN:
            return
        if outcome.bounded is not None and outcome.bounded.answer is Answer.UNKNOWN:
            return
        path = self._path(cache_key(smt, limits, z3_version))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, json.dumps(_outcome_to_json(outcome), indent=1))
        except OSError as exc:
            log.warning("cannot write cache entry %s: %s", path, exc)


def _write_atomically(path: Path, text: str) -> None:
    # Concurrent runs may write the same entry, and a rename is all-or-nothing.
    fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    bounded = None if outcome.bounded is None else _outcome_to_json(outcome.bounded)
    return {
        "answer": outcome.answer.value,
        "reason": outcome.reason,
        "model": outcome.model,
        "seconds": outcome.seconds,
        "bounded": bounded,
    }


def _outcome_from_json(data: dict[str, Any], nested: bool = False) -> Outcome:
    answer = Answer(data["answer"])
    if answer is Answer.UNKNOWN and not nested:
        raise ValueError("unknown answers are never cached")
    model = data["model"]
    if model is not None and not isinstance(model, dict):
        raise TypeError(f"model is {type(model).__name__}, expected an object")
    bounded = data.get("bounded")
    fallback = None if bounded is None else _outcome_from_json(bounded, nested=True)
    return Outcome(answer, str(data["reason"]), model, 0.0, fallback)
