"""Review records: who reviewed which content of a spec, and their verdict.

Each spec file ``specs/<name>.spec`` has its records beside it, in
``specs/<name>.reviews``: TOML, one ``[[review]]`` table per record, oldest
first, so a review shows up in a diff as the lines it added::

    [[review]]
    spec = "specs/circuit_breaker.spec"
    sha256 = "3f1a..."
    reviewer = "ada"
    verdict = "approve"
    note = "thresholds match the runbook"
    at = 2025-01-31T09:30:00Z

``sha256`` is the hash of the spec's content when it was reviewed, so a
record counts only for that content. Appending rewrites the file through a
temporary file and a rename, under a lock, and keeps every earlier byte.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

REVIEWS_SUFFIX = ".reviews"
_FIELDS = ("spec", "sha256", "reviewer", "verdict", "note", "at")


class Verdict(Enum):
    APPROVE = "approve"
    CHANGES = "changes"


class ReviewError(Exception):
    """A review record or file is malformed; the message names the file and field."""


@dataclass(frozen=True)
class ReviewRecord:
    spec: str
    sha256: str
    reviewer: str
    verdict: Verdict
    note: str
    at: datetime


def content_hash(spec: Path) -> str:
    """Hash a spec's text with sha256, line endings normalised to LF, so that a
    checkout with CRLF line endings hashes the same as the committed file."""
    data = spec.read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()


def reviewer_key(name: str) -> str:
    """Return the form of a reviewer's name that distinguishes reviewers.

    Names that differ only in case or in a compatibility form (a fullwidth
    letter) are one reviewer, so that one person cannot count twice.

    >>> reviewer_key("Ada") == reviewer_key("\uff41da")
    True
    """
    return unicodedata.normalize("NFKC", name).casefold()


def reviews_path(spec: Path) -> Path:
    return spec.with_suffix(REVIEWS_SUFFIX)


def new_record(
    spec: Path, display: str, reviewer: str, verdict: str, note: str
) -> ReviewRecord:
    """A record of reviewing ``spec``'s current content, stamped now (UTC).

    Raises:
        ReviewError: an empty or multi-line reviewer, or an unknown verdict.
    """
    name = reviewer.strip()
    if not name:
        raise ReviewError("the reviewer must be named: --reviewer NAME")
    if any(ord(char) < 0x20 for char in name):
        raise ReviewError(f"the reviewer's name must be one line, got {reviewer!r}")
    if any(unicodedata.category(char) in {"Cc", "Cf"} for char in name):
        raise ReviewError(
            "the reviewer's name must not hold control or formatting characters "
            f"(such as a text direction mark), got {reviewer!r}"
        )
    try:
        chosen = Verdict(verdict.strip().lower())
    except ValueError:
        raise ReviewError(
            f"--verdict must be approve or changes, got {verdict!r}"
        ) from None
    if chosen is Verdict.CHANGES and not note.strip():
        raise ReviewError("a 'changes' verdict needs --note saying what to change")
    now = datetime.now(UTC).replace(microsecond=0)
    return ReviewRecord(display, content_hash(spec), name, chosen, note.strip(), now)


def read_reviews(path: Path) -> list[ReviewRecord]:
    """Read every record of a reviews file; a missing file has none.

    Raises:
        ReviewError: the file is not TOML or a record is malformed.
    """
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewError(f"{path}: cannot read: {exc}") from None
    return read_reviews_text(text, path)


def read_reviews_text(text: str, path: Path) -> list[ReviewRecord]:
    """Read the records of reviews-file text; ``path`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReviewError(f"{path}: invalid TOML: {exc}") from None
    tables = data.get("review", [])
    if not isinstance(tables, list):
        raise ReviewError(f"{path}: 'review' must be an array of tables ([[review]])")
    return [_record(table, f"{path}: review {n}") for n, table in enumerate(tables, 1)]


def _record(table: Any, where: str) -> ReviewRecord:
    if not isinstance(table, dict):
        raise ReviewError(f"{where}: expected a table, got {table!r}")
    missing = [key for key in _FIELDS if key not in table]
    if missing:
        raise ReviewError(f"{where}: missing {', '.join(missing)}")
    for key in _FIELDS[:5]:
        if not isinstance(table[key], str):
            raise ReviewError(f"{where}: {key} must be a string, got {table[key]!r}")
    at = table["at"]
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ReviewError(f"{where}: at must be a UTC date-time, got {at!r}")
    try:
        verdict = Verdict(table["verdict"])
    except ValueError:
        raise ReviewError(
            f"{where}: verdict must be approve or changes, got {table['verdict']!r}"
        ) from None
    return ReviewRecord(
        table["spec"],
        table["sha256"],
        table["reviewer"],
        verdict,
        table["note"],
        at.astimezone(UTC),
    )


def append_review(path: Path, record: ReviewRecord) -> None:
    """Add ``record`` at the end of the reviews file, creating it if needed.

    The new text is parsed back before it replaces the old file, so a failed
    append leaves the file as it was.

    Raises:
        ReviewError: the existing file is malformed.
    """
    with _locked(path.parent):
        before = read_reviews(path)
        old = path.read_text(encoding="utf-8") if path.is_file() else _header(record)
        if old and not old.endswith("\n"):
            old += "\n"
        text = old + ("\n" if before else "") + format_record(record)
        if [*before, record] != read_reviews_text(text, path):
            raise ReviewError(f"{path}: the appended record does not read back")
        _write_atomically(path, text)


def format_record(record: ReviewRecord) -> str:
    return (
        "[[review]]\n"
        f"spec = {toml_string(record.spec)}\n"
        f"sha256 = {toml_string(record.sha256)}\n"
        f"reviewer = {toml_string(record.reviewer)}\n"
        f"verdict = {toml_string(record.verdict.value)}\n"
        f"note = {toml_string(record.note)}\n"
        f"at = {record.at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
    )


def _header(record: ReviewRecord) -> str:
    name = Path(record.spec).name
    return (
        f"# Review records of {name}, oldest first; `specfirst review add` appends.\n"
        "# A record counts only while its sha256 matches the spec's content.\n\n"
    )


def toml_string(text: str) -> str:
    r"""Quote ``text`` as a TOML basic string.

    >>> toml_string('say "hi"\n')
    '"say \\"hi\\"\\n"'
    """
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    out = []
    for char in text:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _write_atomically(path: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an advisory lock on the folder so that two appends never interleave.

    The folder, not the file, because the file is replaced by a rename; and
    not a lock file beside it, which would be one more file in specs/.
    """
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
