"""Record the failing example of a contract test, so it can become a pytest file.

When a contract test fails, Hypothesis (6.170) shrinks the example and runs the
smallest one last, and the exception of that last run is the one it raises.
:class:`ContractMachine` attaches the calls of its run to the
:class:`ContractMismatch` it raises, and :func:`save_failing_example` writes
them, when ``SPECFIRST_EXAMPLE_DIR`` is set, to ``<Component>.json`` there::

    {"format": 1, "component": "Bucket", "problem": "take(2): ...",
     "constants": {"limit": 1}, "calls": [["put", []], ["take", [2]]]}

``specfirst test --export-tests DIR`` sets the variable, reads the files back
and renders each as a test that replays the calls (``codegen.trace_test``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EXAMPLE_DIR_ENV = "SPECFIRST_EXAMPLE_DIR"
FORMAT = 1


@dataclass(frozen=True)
class FailingExample:
    """The constants and calls of one failing run of a contract test.

    ``calls`` are ``(action, arguments in parameter order)``, every step the
    run performed, the failing one last. ``problem`` is the first line of the
    failure message.
    """

    component: str
    problem: str
    constants: Mapping[str, object]
    calls: tuple[tuple[str, tuple[object, ...]], ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "component": self.component,
            "problem": self.problem,
            "constants": {k: _plain(v) for k, v in self.constants.items()},
            "calls": [
                [action, [_plain(v) for v in args]] for action, args in self.calls
            ],
        }


@dataclass(frozen=True)
class UnwritableValue:
    """A value that JSON cannot hold as it is (a set, a record), kept as its repr.

    The exporter rejects it with this text, so the export names the value.
    """

    text: str

    def __str__(self) -> str:
        return self.text


def save_failing_example(error: BaseException) -> Path | None:
    """Write the example attached to ``error`` to ``$SPECFIRST_EXAMPLE_DIR``.

    Hypothesis raises an exception group when it found several distinct
    failures; the first example in it is written. Nothing is written when
    the variable is unset or no exception carries an example.

    Returns:
        The file written, or None.
    """
    folder = os.environ.get(EXAMPLE_DIR_ENV)
    example = next(_examples(error), None)
    if not folder or example is None:
        return None
    path = Path(folder) / f"{example.component}.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(example.as_json(), indent=2), encoding="utf-8")
    except OSError as exc:
        # The test fails either way; losing the export must not hide why.
        log.warning("cannot write the failing example to %s: %s", path, exc)
        return None
    log.debug("wrote the failing example of %s to %s", example.component, path)
    return path


def load_failing_examples(folder: Path) -> list[FailingExample]:
    """Read back every example :func:`save_failing_example` wrote to ``folder``.

    Raises:
        ValueError: a file is not an example of this format.
    """
    return [_load(path) for path in sorted(folder.glob("*.json"))]


def _examples(error: BaseException) -> Iterator[FailingExample]:
    example = getattr(error, "example", None)
    if isinstance(example, FailingExample):
        yield example
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _examples(inner)


def _plain(value: object) -> object:
    """Return ``value`` if JSON represents it exactly, else a marker with its repr."""
    if isinstance(value, bool | int | str):
        return value
    return {"repr": repr(value)}


def _value(data: object) -> object:
    if isinstance(data, dict):
        return UnwritableValue(str(data["repr"]))
    return data


def _load(path: Path) -> FailingExample:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        constants = {str(k): _value(v) for k, v in data["constants"].items()}
        calls = tuple(
            (str(action), tuple(_value(v) for v in args))
            for action, args in data["calls"]
        )
        return FailingExample(
            str(data["component"]), str(data["problem"]), constants, calls
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a failing example: {exc}") from None
