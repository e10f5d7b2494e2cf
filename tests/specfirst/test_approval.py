from pathlib import Path

import pytest

from specfirst.approval import review_status
from specfirst.manifest import ReviewPolicy
from specfirst.review import ReviewError, append_review, new_record, reviews_path

POLICY = ReviewPolicy(cycles=3, reviewers=2)
DISPLAY = "specs/counter.spec"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "counter.spec"
    path.write_text("component Counter {\n  var n: Int\n}\n", encoding="utf-8")
    return path


def review(
    spec: Path, reviewer: str, verdict: str = "approve", note: str = "ok"
) -> None:
    append_review(
        reviews_path(spec), new_record(spec, DISPLAY, reviewer, verdict, note)
    )


def test_unreviewed_spec_is_not_approved(spec: Path) -> None:
    status = review_status(spec, DISPLAY, POLICY)
    assert status.cycles == 0
    assert not status.approved
    assert "0 of 3 approving review cycles" in status.shortfall()[0]


def test_three_cycles_by_two_reviewers_approve(spec: Path) -> None:
    for reviewer in ("ada", "grace", "ada"):
        review(spec, reviewer)
    status = review_status(spec, DISPLAY, POLICY)
    assert status.cycles == 3
    assert status.approvers == ("ada", "grace")
    assert status.approved


def test_one_reviewer_alone_is_not_enough(spec: Path) -> None:
    for _ in range(3):
        review(spec, "ada")
    status = review_status(spec, DISPLAY, POLICY)
    assert status.cycles == 3
    assert not status.approved
    assert status.shortfall() == ["1 of 2 distinct approving reviewers"]


def test_editing_the_spec_resets_its_count(spec: Path) -> None:
    for reviewer in ("ada", "grace", "ada"):
        review(spec, reviewer)
    spec.write_text(spec.read_text(encoding="utf-8") + "// edited\n", encoding="utf-8")
    status = review_status(spec, DISPLAY, POLICY)
    assert status.cycles == 0
    assert status.stale == 3
    assert not status.approved


def test_outstanding_change_request_blocks(spec: Path) -> None:
    for reviewer in ("ada", "grace", "ada"):
        review(spec, reviewer)
    review(spec, "linus", "changes", "name the error")
    status = review_status(spec, DISPLAY, POLICY)
    assert status.changes_requested == ("linus",)
    assert not status.approved


def test_later_approval_withdraws_a_change_request(spec: Path) -> None:
    review(spec, "grace", "changes", "name the error")
    for reviewer in ("ada", "grace", "ada"):
        review(spec, reviewer)
    status = review_status(spec, DISPLAY, POLICY)
    assert status.changes_requested == ()
    assert status.approved


def test_malformed_reviews_file_counts_nothing(spec: Path) -> None:
    reviews_path(spec).write_text("not toml [", encoding="utf-8")
    status = review_status(spec, DISPLAY, POLICY)
    assert status.cycles == 0
    assert not status.approved
    assert "malformed" in status.shortfall()[0]


def test_case_and_width_variants_are_one_reviewer(spec: Path) -> None:
    for reviewer in ("ada", "Ada", "\uff41\uff44\uff41"):
        review(spec, reviewer)
    status = review_status(spec, DISPLAY, POLICY)
    assert status.cycles == 3
    assert status.approvers == ("ada",)
    assert status.shortfall() == ["1 of 2 distinct approving reviewers"]


def test_changes_by_a_case_variant_are_pending(spec: Path) -> None:
    review(spec, "grace")
    review(spec, "ada")
    review(spec, "ADA", "changes", "split the operation")
    status = review_status(spec, DISPLAY, POLICY)
    assert status.changes_requested == ("ada",)
    assert not status.approved


def test_direction_mark_in_reviewer_is_rejected(spec: Path) -> None:
    with pytest.raises(ReviewError, match="formatting characters"):
        new_record(spec, DISPLAY, "\u202eada", "approve", "ok")


def test_record_of_another_spec_does_not_count(spec: Path) -> None:
    for reviewer in ("ada", "grace"):
        review(spec, reviewer)
    other = new_record(spec, "specs/other.spec", "linus", "approve", "ok")
    append_review(reviews_path(spec), other)
    status = review_status(spec, DISPLAY, POLICY)
    assert status.cycles == 2
    assert "linus" not in status.approvers
