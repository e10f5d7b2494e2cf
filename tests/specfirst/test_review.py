import threading
from pathlib import Path

import pytest

from specfirst.review import (
    ReviewError,
    Verdict,
    append_review,
    content_hash,
    new_record,
    read_reviews,
    reviews_path,
)


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "specs" / "counter.spec"
    path.parent.mkdir()
    path.write_text("component Counter {\n  var n: Int\n}\n", encoding="utf-8")
    return path


def test_reviews_live_beside_the_spec(spec: Path) -> None:
    assert reviews_path(spec) == spec.parent / "counter.reviews"


def test_record_round_trips(spec: Path) -> None:
    note = 'checks "n" \\ and\nnewlines, tabs\t and ünïcode'
    record = new_record(spec, "specs/counter.spec", "ada", "approve", note)
    append_review(reviews_path(spec), record)
    (back,) = read_reviews(reviews_path(spec))
    assert back == record
    assert back.note == note
    assert back.verdict is Verdict.APPROVE
    assert back.sha256 == content_hash(spec)
    assert back.at.utcoffset() is not None
    assert back.at.utcoffset().total_seconds() == 0


def test_append_keeps_earlier_bytes(spec: Path) -> None:
    path = reviews_path(spec)
    first = new_record(spec, "specs/counter.spec", "ada", "approve", "one")
    append_review(path, first)
    before = path.read_text(encoding="utf-8")
    second = new_record(spec, "specs/counter.spec", "grace", "changes", "two")
    append_review(path, second)
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before)
    assert [r.reviewer for r in read_reviews(path)] == ["ada", "grace"]


def test_concurrent_appends_lose_nothing(spec: Path) -> None:
    path = reviews_path(spec)
    records = [
        new_record(spec, "specs/counter.spec", f"r{n}", "approve", "") for n in range(8)
    ]
    threads = [threading.Thread(target=append_review, args=(path, r)) for r in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.reviewer for r in read_reviews(path)) == [f"r{n}" for n in range(8)]


def test_append_refuses_a_malformed_file_and_leaves_it(spec: Path) -> None:
    path = reviews_path(spec)
    path.write_text("[[review]]\nspec = \n", encoding="utf-8")
    record = new_record(spec, "specs/counter.spec", "ada", "approve", "")
    with pytest.raises(ReviewError, match="invalid TOML"):
        append_review(path, record)
    assert path.read_text(encoding="utf-8") == "[[review]]\nspec = \n"


def test_hash_ignores_line_ending_style(spec: Path, tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.spec"
    crlf.write_bytes(spec.read_bytes().replace(b"\n", b"\r\n"))
    assert content_hash(crlf) == content_hash(spec)


def test_hash_changes_with_content(spec: Path) -> None:
    before = content_hash(spec)
    spec.write_text(spec.read_text(encoding="utf-8") + "// more\n", encoding="utf-8")
    assert content_hash(spec) != before


@pytest.mark.parametrize(
    ("reviewer", "verdict", "note", "fragment"),
    [
        ("  ", "approve", "", "the reviewer must be named"),
        ("a\nb", "approve", "", "must be one line"),
        ("ada", "lgtm", "", "--verdict must be approve or changes, got 'lgtm'"),
        ("ada", "changes", " ", "a 'changes' verdict needs --note"),
    ],
)
def test_bad_record_input(
    spec: Path, reviewer: str, verdict: str, note: str, fragment: str
) -> None:
    with pytest.raises(ReviewError) as caught:
        new_record(spec, "specs/counter.spec", reviewer, verdict, note)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("review = 3\n", "'review' must be an array of tables"),
        ('[[review]]\nspec = "s"\n', "review 1: missing sha256"),
        (
            '[[review]]\nspec = "s"\nsha256 = "h"\nreviewer = "r"\n'
            'verdict = "maybe"\nnote = ""\nat = 2025-01-01T00:00:00Z\n',
            "verdict must be approve or changes",
        ),
        (
            '[[review]]\nspec = "s"\nsha256 = "h"\nreviewer = "r"\n'
            'verdict = "approve"\nnote = ""\nat = 2025-01-01T00:00:00\n',
            "at must be a UTC date-time",
        ),
    ],
)
def test_malformed_records_are_named(spec: Path, text: str, fragment: str) -> None:
    reviews_path(spec).write_text(text, encoding="utf-8")
    with pytest.raises(ReviewError) as caught:
        read_reviews(reviews_path(spec))
    assert fragment in str(caught.value)
