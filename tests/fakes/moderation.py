"""In-memory fakes of moderation's ports (:mod:`services.moderation.ports`), with the
same concurrency rules as the adapters they stand in for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from services.moderation.ports import CrowdUnavailable, CrowdUnfunded, GoldRequest, UnitRequest
from services.moderation.reviews import Review
from services.moderation.verdicts import Judgment
from shared.messages import FrameSlot, SubmissionModerated


@dataclass
class FakeReviewStore:
    reviews: dict[str, Review] = field(default_factory=dict)

    async def get(self, submission_id: str) -> Review | None:
        return self.reviews.get(submission_id)

    async def put(self, review: Review) -> Review | None:
        stored = self.reviews.get(review.submission_id)
        if (stored.version if stored else 0) != review.version:
            return None
        self.reviews[review.submission_id] = review.changed(version=review.version + 1)
        return self.reviews[review.submission_id]

    async def open_reviews(self) -> AsyncIterator[Review]:
        for review in list(self.reviews.values()):
            if review.is_open():
                yield review

    async def recent_approved(self, limit: int) -> list[Review]:
        done = [r for r in self.reviews.values() if r.status == "approved" and not r.is_open()]
        return sorted(done, key=lambda r: r.decided_at or r.created_at, reverse=True)[:limit]


@dataclass
class FakeSlotMarkers:
    approved: dict[tuple[str, int], set[str]] = field(default_factory=dict)

    async def has_approved(self, video: str, frame: int) -> bool:
        return bool(self.approved.get((video, frame)))

    async def approved_of(self, video: str, frame: int) -> list[str]:
        return sorted(self.approved.get((video, frame), set()))

    async def add(self, video: str, frame: int, submission_id: str) -> None:
        self.approved.setdefault((video, frame), set()).add(submission_id)

    async def remove(self, video: str, frame: int, submission_id: str) -> None:
        self.approved.get((video, frame), set()).discard(submission_id)


@dataclass
class FakeCrowd:
    units: dict[str, UnitRequest] = field(default_factory=dict)
    unit_judgments: dict[str, list[Judgment]] = field(default_factory=dict)
    down: bool = False
    gold: dict[str, GoldRequest] = field(default_factory=dict)
    gold_refreshed: list[str] = field(default_factory=list)
    units_refreshed: list[str] = field(default_factory=list)
    # Units ordered so far; an order past ``funds_units`` (when set) is refused (402).
    ordered: int = 0
    funds_units: int | None = None
    orders_down: bool = False
    jobs_created: int = 0

    async def ensure_job(self, video: str) -> str:
        if self.down:
            raise CrowdUnavailable("crowd is down", transient=True)
        self.jobs_created += 1
        return f"job-{video}"

    async def order(self, job_id: str, units_count: int) -> None:
        if self.down or self.orders_down:
            raise CrowdUnavailable("crowd is down", transient=True)
        if self.funds_units is not None and self.ordered + units_count > self.funds_units:
            raise CrowdUnfunded("402")
        self.ordered += units_count

    async def refresh_unit(self, job_id: str, unit_id: str, unit: UnitRequest) -> None:
        self.units[unit_id] = unit
        self.units_refreshed.append(unit_id)

    async def create_gold(self, job_id: str, gold: GoldRequest) -> str:
        unit_id = f"gold-{len(self.gold) + 1}"
        self.gold[unit_id] = gold
        return unit_id

    async def refresh_gold(self, job_id: str, unit_id: str, gold: GoldRequest) -> None:
        self.gold[unit_id] = gold
        self.gold_refreshed.append(unit_id)

    async def gold_units(self, job_id: str) -> dict[str, str]:
        return {gold.name: unit_id for unit_id, gold in self.gold.items()}

    async def create_unit(self, job_id: str, unit: UnitRequest) -> str:
        unit_id = f"unit-{len(self.units) + 1}"
        self.units[unit_id] = unit
        return unit_id

    async def find_unit(self, job_id: str, submission_id: str) -> str | None:
        return next((u for u, r in self.units.items() if r.submission_id == submission_id), None)

    async def judgments(self, job_id: str, unit_id: str) -> list[Judgment]:
        return self.unit_judgments.get(unit_id, [])


@dataclass
class FakePhotos:
    objects: dict[str, bytes] = field(default_factory=dict)

    async def find(self, key: str) -> bytes | None:
        return self.objects.get(key)

    async def url(self, key: str, seconds: int) -> str:
        return f"http://media.test/{key}?expires={seconds}"

    async def put(self, key: str, data: bytes, content_type: str) -> str:
        self.objects[key] = data
        return "etag"


@dataclass
class FakeQueues:
    verdicts: list[SubmissionModerated] = field(default_factory=list)
    slots: list[FrameSlot] = field(default_factory=list)

    async def announce(self, verdict: SubmissionModerated) -> None:
        self.verdicts.append(verdict)

    async def return_slot(self, slot: FrameSlot) -> None:
        self.slots.append(slot)
