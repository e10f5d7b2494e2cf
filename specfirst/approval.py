"""Whether a spec is approved: its review records weighed against the policy.

Only records of the spec's current content count. Each approving record is
one review cycle. The spec is approved when it has the policy's number of
cycles, from at least the policy's number of distinct reviewers, and no
reviewer's latest verdict on this content is a change request.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from specfirst.manifest import ReviewPolicy
from specfirst.project import Workspace
from specfirst.review import (
    ReviewError,
    ReviewRecord,
    Verdict,
    content_hash,
    read_reviews,
    reviewer_key,
    reviews_path,
)


@dataclass(frozen=True)
class ReviewStatus:
    spec: str
    sha256: str
    records: tuple[ReviewRecord, ...]
    policy: ReviewPolicy
    error: str = ""  # the reviews file is malformed: nothing in it counts

    @property
    def current(self) -> tuple[ReviewRecord, ...]:
        """The records of the content the spec has now, in the order written.

        A record naming another spec file does not count, even with the same
        content, since it was not a review of this file.
        """
        if self.error:
            return ()
        return tuple(
            r for r in self.records if r.sha256 == self.sha256 and r.spec == self.spec
        )

    @property
    def cycles(self) -> int:
        return sum(r.verdict is Verdict.APPROVE for r in self.current)

    @property
    def approvers(self) -> tuple[str, ...]:
        """The distinct approving reviewers, each under the name first recorded."""
        names: dict[str, str] = {}
        for record in self.current:
            if record.verdict is Verdict.APPROVE:
                names.setdefault(reviewer_key(record.reviewer), record.reviewer)
        return tuple(sorted(names.values()))

    @property
    def changes_requested(self) -> tuple[str, ...]:
        """Reviewers whose latest record on this content requests changes."""
        latest: dict[str, tuple[str, Verdict]] = {}
        for record in self.current:
            key = reviewer_key(record.reviewer)
            name = latest[key][0] if key in latest else record.reviewer
            latest[key] = (name, record.verdict)
        return tuple(
            sorted(
                name for name, verdict in latest.values() if verdict is Verdict.CHANGES
            )
        )

    @property
    def stale(self) -> int:
        """Records of earlier content, which no longer count."""
        return len(self.records) - len(self.current) if not self.error else 0

    @property
    def approved(self) -> bool:
        return not self.shortfall()

    def shortfall(self) -> list[str]:
        """What keeps the spec from being approved, one phrase per reason."""
        if self.error:
            return [f"its reviews file is malformed: {self.error}"]
        reasons = []
        if self.cycles < self.policy.cycles:
            reasons.append(
                f"{self.cycles} of {self.policy.cycles} approving review cycles "
                "for its current content"
            )
        if len(self.approvers) < self.policy.reviewers:
            reasons.append(
                f"{len(self.approvers)} of {self.policy.reviewers} distinct "
                "approving reviewers"
            )
        if self.changes_requested:
            reasons.append(
                f"changes requested by {', '.join(self.changes_requested)} "
                "and not yet addressed"
            )
        return reasons


def review_status(spec: Path, display: str, policy: ReviewPolicy) -> ReviewStatus:
    """Weigh the review records of the spec file at ``spec``."""
    sha256 = content_hash(spec)
    try:
        records = tuple(read_reviews(reviews_path(spec)))
    except ReviewError as exc:
        return ReviewStatus(display, sha256, (), policy, str(exc))
    return ReviewStatus(display, sha256, records, policy)


def project_reviews(workspace: Workspace) -> dict[str, ReviewStatus]:
    """The review status of every spec file of the project, by display path."""
    policy = workspace.manifest.reviews
    statuses = {}
    for file in workspace.files:
        if file.is_file():
            display = workspace.display(file)
            statuses[display] = review_status(file, display, policy)
    return statuses
