"""A review: one submission's way from pending to a verdict (pure, no I/O).

Every change makes a new :class:`Review`; the store writes it only if the stored
``version`` is still the one it was made from (and bumps it), so of two writers racing
(a webhook and the reconcile loop) exactly one decides. A decision also plans the *steps* that must
follow it (mark the slot, send the slot back, announce the verdict); each step is
recorded as done once performed, so a crash between deciding and sending is repaired by
the reconcile loop without sending twice what was already recorded as sent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from services.moderation.reviews.screening import Screening
from services.moderation.reviews.verdicts import (
    REASON_TAKEDOWN,
    Judgment,
    Verdict,
    unique_judgments,
)
from shared.messages import Renditions, SubmissionIngested, SubmissionModerated
from shared.records import (
    ReviewList,
    ReviewStatus,
    ReviewView,
    announced_key,
    share_image_key,
    submission_record_key,
)

STEP_MARK_SLOT = "mark_slot"
STEP_UNMARK_SLOT = "unmark_slot"
STEP_RETURN_SLOT = "return_slot"
STEP_ANNOUNCE = "announce"
# Mechanical Turk only: pay (or refuse) the HIT's assignments once the verdict is known.
STEP_SETTLE = "settle"
STEP_ERASE = "erase_photos"
# Why a pending review waits: the crowd refused to order its unit for lack of funds.
REASON_UNFUNDED = "crowd_funds_short"
# Why a pending review waits: a photo link of its crowd task did not load (reconcile retries).
REASON_PHOTO_DOWN = "photo_link_down"
# Why a photo is hidden pending review: enough visitors reported it.
REASON_REPORTED = "reported"
# Revision 1 is the first verdict, revision 2 an operator's takedown; every later
# decision (an operator's restore or another takedown, the contributor's own deletion
# from any state, see :mod:`services.moderation.reviews.contributors`) takes the next revision,
# so its steps are recorded apart from the earlier ones.
FIRST_VERDICT, TAKEDOWN = 1, 2
REASON_DELETED = "deleted_by_contributor"
# Why a review still pending waits for an operator (the /ops console shows it): its HIT
# may not get the assignments a quorum needs, or its photo URLs die too soon for a life.
REASON_SHORT_AT_CAP = "crowd_short_at_cap"
REASON_HIT_TOO_OLD = "crowd_hit_too_old"
OPERATOR_REASONS = frozenset({REASON_SHORT_AT_CAP, REASON_HIT_TOO_OLD})
CrowdProvider = Literal["mturk"]
PLANS: dict[tuple[int, ReviewStatus], tuple[str, ...]] = {
    (FIRST_VERDICT, "approved"): (STEP_MARK_SLOT, STEP_ANNOUNCE),
    (FIRST_VERDICT, "rejected"): (STEP_RETURN_SLOT, STEP_ANNOUNCE),
    (TAKEDOWN, "rejected"): (STEP_UNMARK_SLOT, STEP_RETURN_SLOT, STEP_ANNOUNCE),
    # An operator's restore: the photo is the slot's again, and the renderer hears it.
    (TAKEDOWN, "approved"): (STEP_MARK_SLOT, STEP_ANNOUNCE),
    # The contributor's deletion: the renderer hears of it (and drops the photo) before
    # the photo's files go.
    (TAKEDOWN, "deleted"): (STEP_UNMARK_SLOT, STEP_RETURN_SLOT, STEP_ANNOUNCE, STEP_ERASE),
}


@dataclass(frozen=True)
class Review:
    """What moderation knows about one submission."""

    submission_id: str
    video: str
    frame: int
    client_id: str
    display_name: str | None
    renditions: Renditions
    created_at: datetime
    status: ReviewStatus = "pending"
    auto_score: float | None = None
    score: float | None = None
    reasons: tuple[str, ...] = ()
    judgments: tuple[Judgment, ...] = ()
    # How many trusted judgments the verdict counted.
    judgment_count: int = 0
    job_id: str | None = None
    unit_id: str | None = None
    unit_requested: bool = False
    # When the unit was ordered: until then the crowd shows it to nobody.
    unit_ordered_at: datetime | None = None
    decided_at: datetime | None = None
    # Which crowd judges it: Mechanical Turk (job = HIT type, unit = HIT), or None for
    # Crowdflower (job, unit), as every review stored before MTurk existed.
    crowd: CrowdProvider | None = None
    # What its crowd work costs, USD (Mechanical Turk: reward × assignments + fee).
    crowd_cost: str | None = None
    # Answers that could not be read (not counted), one a line; None when there are none.
    crowd_errors: str | None = None
    # Mechanical Turk: the assignments its HIT offers in all, and how many top-up rounds
    # gave it more work (a round is recorded here before MTurk is asked, and its
    # UniqueRequestToken is derived from its number, so a replay adds nothing twice).
    # Crowdflower: rounds of a new unit asking again about a photo nobody could load
    # (recorded first), and the round ``unit_id``'s unit is (a crash between is healed).
    # None (no attribute in the item) until there is a HIT / a first round.
    hit_assignments: int | None = None
    topup_rounds: int | None = None
    # Healing forgotten crowd work: on Crowdflower, the generation of the video's job its
    # unit lives on (a job the crowd forgot is replaced by the next generation, and the
    # review's unit re-created there once); on Mechanical Turk, how many times its HIT was
    # created again after MTurk forgot it (recorded before asking, so a retry repeats the
    # same UniqueRequestToken). None: 0, never healed.
    crowd_generation: int | None = None
    unit_round: int | None = None
    revision: int = 0
    done_steps: frozenset[str] = frozenset()
    version: int = 0

    @property
    def rounds(self) -> int:
        """Top-up rounds recorded so far."""
        return self.topup_rounds or 0

    @property
    def is_withdrawn(self) -> bool:
        """Withdrawn by a later decision: taken down, hidden by reports or deleted?"""
        return self.revision >= TAKEDOWN and self.status in ("rejected", "deleted")

    @property
    def is_taken_down(self) -> bool:
        """Withdrawn by an operator or by visitors' reports (a restore can undo it)?"""
        return self.revision >= TAKEDOWN and self.status == "rejected"

    @property
    def is_pending(self) -> bool:
        """Still waiting for a verdict?"""
        return self.status == "pending"

    @property
    def is_asked(self) -> bool:
        """Has its crowd work been created (a unit or a HIT)?"""
        return self.unit_id is not None

    @property
    def waits_for_operator(self) -> bool:
        """Pending, and only an operator can decide it (its crowd cannot)?"""
        return self.is_pending and bool(OPERATOR_REASONS & set(self.reasons))

    def open_steps(self) -> list[str]:
        """Steps the current decision still owes, in order."""
        plan = PLANS.get((min(self.revision, TAKEDOWN), self.status), ())
        if self.crowd == "mturk" and self.revision == FIRST_VERDICT and self.unit_id:
            plan = (*plan, STEP_SETTLE)
        return [step for step in plan if step_id(self.revision, step) not in self.done_steps]

    def error_lines(self) -> list[str]:
        """The unreadable answers recorded, one a line."""
        return self.crowd_errors.splitlines() if self.crowd_errors else []

    def is_open(self) -> bool:
        """Does this review still need work (a verdict, or steps after one)?"""
        return self.is_pending or bool(self.open_steps())

    def changed(self, **fields: Any) -> Review:
        """A copy with ``fields`` changed (the store bumps the version when it writes)."""
        return replace(self, **fields)


def new_review(message: SubmissionIngested, screening: Screening, now: datetime) -> Review:
    """The first review of a submission: pending, or rejected at once by the pre-screen."""
    # Not every field of the same name: the message's ``version`` is its format's.
    known = {"submission_id", "video", "frame", "client_id", "display_name", "created_at"}
    review = Review(
        **message.model_dump(include=known),
        renditions=message.renditions,
        auto_score=screening.similarity,
    )
    if screening.reason is None:
        return review
    return review.changed(
        status="rejected",
        score=0.0,
        reasons=(screening.reason,),
        decided_at=now,
        revision=FIRST_VERDICT,
    )


def is_quiet_since(moment: datetime, grace_seconds: float, now: datetime) -> bool:
    """Has ``grace_seconds`` passed since ``moment``, so a live request no longer does the
    work (creating crowd work, performing steps) that reconcile would repair?"""
    return moment + timedelta(seconds=grace_seconds) <= now


def step_id(revision: int, step: str) -> str:
    """The id under which ``step`` of decision ``revision`` is recorded as done."""
    return f"{revision}:{step}"


def with_judgments(review: Review, judgments: list[Judgment]) -> Review:
    """``review`` with ``judgments`` merged into its own (no repeats)."""
    return review.changed(judgments=tuple(unique_judgments([*review.judgments, *judgments])))


def with_errors(review: Review, errors: tuple[str, ...]) -> Review:
    """``review`` with the unreadable answers' ``errors`` added (no repeats)."""
    known = review.error_lines()
    new = [e for e in errors if e not in known]
    return review.changed(crowd_errors="\n".join([*known, *new])) if new else review


def decided(review: Review, verdict: Verdict, now: datetime) -> Review:
    """``review`` carrying ``verdict``, its first decision."""
    return review.changed(
        status=verdict.decision,
        score=verdict.score,
        reasons=verdict.reasons,
        judgment_count=verdict.judgments,
        decided_at=now,
        revision=FIRST_VERDICT,
    )


def taken_down(review: Review, now: datetime, reason: str = REASON_TAKEDOWN) -> Review:
    """An approved ``review`` turned into a rejection by an operator (or by reports)."""
    return review.changed(
        status="rejected",
        reasons=(reason,),
        decided_at=now,
        revision=max(TAKEDOWN, review.revision + 1),
    )


def restored(review: Review, now: datetime) -> Review:
    """A taken-down ``review`` approved again by an operator: its crowd score stands."""
    return review.changed(
        status="approved", reasons=(), decided_at=now, revision=review.revision + 1
    )


def deleted(review: Review, now: datetime) -> Review:
    """``review`` withdrawn by its contributor: only ids remain (no name, no client id)."""
    return review.changed(
        status="deleted",
        reasons=(REASON_DELETED,),
        display_name=None,
        client_id="",
        decided_at=now,
        revision=max(TAKEDOWN, review.revision + 1),
    )


def personal_keys(review: Review) -> list[str]:
    """Every S3 key holding the photo or the name of ``review``'s submission (the claim,
    a bare SHA-256 of the upload, stays: ingest needs it to refuse a replay)."""
    sid = review.submission_id
    renditions = [review.renditions.large, review.renditions.medium, review.renditions.thumb]
    return [*renditions, submission_record_key(sid), announced_key(sid), share_image_key(sid)]


def with_step_done(review: Review, step: str) -> Review:
    """``review`` with ``step`` of its current decision recorded as done."""
    return review.changed(done_steps=review.done_steps | {step_id(review.revision, step)})


def verdict_message(review: Review) -> SubmissionModerated:
    """The ``render`` message announcing a decided review."""
    if review.is_pending or review.decided_at is None:
        raise ValueError(f"review {review.submission_id} is not decided")
    return SubmissionModerated(
        submission_id=review.submission_id,
        video=review.video,
        frame=review.frame,
        verdict="approved" if review.status == "approved" else "rejected",
        score=review.score or 0.0,
        reasons=list(review.reasons),
        judgments=review.judgment_count,
        decided_at=review.decided_at,
    )


def review_view(review: Review) -> ReviewView:
    """``review`` as moderation's read API shows it (the gateway parses it): the fields
    both name alike, the count of judgments and the renditions' keys."""
    keys = review.renditions
    return ReviewView.model_validate(
        {
            **vars(review),
            "judgments": review.judgment_count,
            "thumb_key": keys.thumb,
            "medium_key": keys.medium,
            "large_key": keys.large,
        }
    )


def review_list(reviews: list[Review]) -> ReviewList:
    """Several reviews as the read API shows them, in the order given."""
    return ReviewList(reviews=[review_view(review) for review in reviews])
