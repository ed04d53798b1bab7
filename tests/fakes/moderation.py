"""In-memory fakes of moderation's ports (:mod:`services.moderation.reviews.ports`), with the
same concurrency rules as the adapters they stand in for."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

from services.moderation.crowd.crowdflower.crowd import CrowdflowerCrowd
from services.moderation.crowd.crowdflower.ports import GoldRequest, UnitRequest
from services.moderation.crowd.crowdflower.second_look import SecondLook
from services.moderation.crowd.crowdflower.work import CrowdWork
from services.moderation.crowd.healing import CrowdForgot, Healings, HealKind
from services.moderation.crowd.jobs import CrowdJob
from services.moderation.crowd.links import PhotoLinks
from services.moderation.crowd.mturk.hits import HitState, worker_trust
from services.moderation.crowd.mturk.ports import HitRequest, WorkAssignment
from services.moderation.reports.report import Report, ReportedPhoto
from services.moderation.reviews.offers import SlotOffer, spread_ranks
from services.moderation.reviews.ports import (
    CrowdUnavailable,
    CrowdUnfunded,
    PhotoStore,
    ReviewStore,
    SpendTotal,
)
from services.moderation.reviews.review import Review
from services.moderation.reviews.verdicts import Judgment, VerdictRules
from services.moderation.slots.ports import QueueState, VideoFeed
from shared.messages import SubmissionModerated
from shared.metrics import Observer


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

    async def withdrawn(self) -> AsyncIterator[Review]:
        for review in list(self.reviews.values()):
            if review.is_withdrawn and not review.is_open():
                yield review

    async def recent_approved(self, limit: int) -> list[Review]:
        done = [r for r in self.reviews.values() if r.status == "approved" and not r.is_open()]
        return sorted(done, key=lambda r: r.decided_at or r.created_at, reverse=True)[:limit]

    async def of_client(self, client_id: str, limit: int) -> list[Review]:
        mine = [r for r in self.reviews.values() if r.client_id == client_id]
        return sorted(mine, key=lambda r: (r.created_at, r.submission_id), reverse=True)[:limit]

    async def forget_client(self, client_id: str, submission_id: str) -> None:
        return None


@dataclass
class FakeSlotRegistry:
    """:class:`~services.moderation.slots.ports.FeedRegistry` as a dict of slots."""

    slots: dict[tuple[str, int], SlotOffer] = field(default_factory=dict)
    feeds: dict[str, VideoFeed] = field(default_factory=dict)
    queues_seen: dict[str, str] = field(default_factory=dict)

    def add(self, video: str, frame_count: int) -> None:
        """Register every slot of ``video`` at once (what the feeder does in steps)."""
        ranks = spread_ranks(frame_count)
        for frame in range(frame_count):
            self.slots[(video, frame)] = SlotOffer(video=video, frame=frame, rank=ranks[frame])
        self.feeds[video] = VideoFeed(video, frame_count, registered=frame_count)

    def state_of(self, video: str, frame: int) -> str:
        return self.slots[(video, frame)].state

    async def approved_of(self, video: str, frame: int) -> list[str]:
        slot = self.slots.get((video, frame))
        return sorted(slot.approved) if slot else []

    async def change(
        self, video: str, frame: int, event: Callable[[SlotOffer], SlotOffer]
    ) -> SlotOffer | None:
        slot = self.slots.get((video, frame))
        if slot is None:
            return None
        after = event(slot)
        if after != slot:
            self.slots[(video, frame)] = after = replace(after, version=slot.version + 1)
        return after

    async def feed_of(self, video: str) -> VideoFeed | None:
        return self.feeds.get(video)

    async def save_feed(self, feed: VideoFeed) -> None:
        self.feeds[feed.video] = feed

    async def register(self, video: str, ranks: Sequence[int], start: int, count: int) -> None:
        for frame in range(start, min(start + count, len(ranks))):
            self.slots[(video, frame)] = SlotOffer(video=video, frame=frame, rank=ranks[frame])

    async def offerable(self, video: str, tier: int, limit: int) -> list[SlotOffer]:
        state = "open" if tier == 0 else "held"
        found = [
            s for s in self._of(video) if s.state == state and s.tier == tier and s.is_offerable
        ]
        return sorted(found, key=lambda s: (s.attempts, s.rank))[:limit]

    async def has_unapproved(self, video: str) -> bool:
        return any(s.tier == 0 for s in self._of(video))

    async def offered(self, video: str) -> list[SlotOffer]:
        return [s for s in self._of(video) if s.state == "offered"]

    def _of(self, video: str) -> list[SlotOffer]:
        return [slot for (v, _), slot in self.slots.items() if v == video]

    async def lapsed(self, video: str, now: datetime) -> list[SlotOffer]:
        return [
            s
            for s in self._of(video)
            if s.state == "leased" and (s.leased_until is None or s.leased_until <= now)
        ]

    async def queue_seen(self, queue: str) -> str | None:
        return self.queues_seen.get(queue)

    async def save_queue_seen(self, queue: str, created: str) -> None:
        self.queues_seen[queue] = created


@dataclass
class FakeFramesTransport:
    """:class:`~services.moderation.slots.ports.FramesTransport`: per-video lists of frames."""

    queues: dict[str, list[int]] = field(default_factory=dict)
    created_at: dict[str, str] = field(default_factory=dict)
    # Creation times of the fixed queues (moderation, render) by name.
    fixed: dict[str, str] = field(default_factory=dict)
    _ids: int = 0

    async def created(self, queue: str) -> str | None:
        """:class:`~services.moderation.slots.ports.QueueWatch` of the fixed queues."""
        return self.fixed.get(queue)

    def lose(self, video: str) -> None:
        """The queue and its messages vanish (the local AWS restarted)."""
        self.queues.pop(video, None)
        self.created_at.pop(video, None)

    async def state(self, video: str) -> QueueState | None:
        if video not in self.queues:
            return None
        return QueueState(waiting=len(self.queues[video]), created=self.created_at[video])

    async def create(self, video: str) -> QueueState:
        if video not in self.queues:
            self._ids += 1
            self.queues[video] = []
            self.created_at[video] = f"created-{self._ids}"
        return QueueState(waiting=len(self.queues[video]), created=self.created_at[video])

    async def offer(self, video: str, frames: Sequence[int]) -> list[str]:
        self.queues[video].extend(frames)
        ids = []
        for _ in frames:
            self._ids += 1
            ids.append(f"message-{self._ids}")
        return ids


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
    # Unit states as the crowd keeps them: an order takes the job's oldest ``new`` units.
    states: dict[str, str] = field(default_factory=dict)
    # Jobs the crowd forgot (deleted in its UI): every call about them is a 404.
    forgotten: set[str] = field(default_factory=set)
    # Which job each unit (and test question) was created on.
    unit_jobs: dict[str, str] = field(default_factory=dict)
    # Jobs made by create_job (a forgotten one replaced), in order.
    new_jobs: list[str] = field(default_factory=list)

    def _known(self, job_id: str) -> None:
        if job_id in self.forgotten:
            raise CrowdForgot(f"crowd answered 404 about job {job_id}")

    async def ensure_job(self, video: str) -> str:
        if self.down:
            raise CrowdUnavailable("crowd is down", transient=True)
        self.jobs_created += 1
        return f"job-{video}"

    async def create_job(self, video: str) -> str:
        if self.down:
            raise CrowdUnavailable("crowd is down", transient=True)
        self.new_jobs.append(f"job-{video}-{len(self.new_jobs) + 2}")
        return self.new_jobs[-1]

    async def has_job(self, job_id: str) -> bool:
        return job_id not in self.forgotten

    async def order(self, job_id: str, units_count: int) -> None:
        if self.down or self.orders_down:
            raise CrowdUnavailable("crowd is down", transient=True)
        self._known(job_id)
        if self.funds_units is not None and self.ordered + units_count > self.funds_units:
            raise CrowdUnfunded("402")
        self.ordered += units_count
        waiting = [unit for unit, state in self.states.items() if state == "new"]
        for unit in waiting[:units_count]:
            self.states[unit] = "judgable"

    async def refresh_unit(self, job_id: str, unit_id: str, unit: UnitRequest) -> None:
        self.units[unit_id] = unit
        self.units_refreshed.append(unit_id)

    async def create_gold(self, job_id: str, gold: GoldRequest) -> str:
        self._known(job_id)
        unit_id = f"gold-{len(self.gold) + 1}"
        self.gold[unit_id] = gold
        self.unit_jobs[unit_id] = job_id
        return unit_id

    async def refresh_gold(self, job_id: str, unit_id: str, gold: GoldRequest) -> None:
        self.gold[unit_id] = gold
        self.gold_refreshed.append(unit_id)

    async def gold_units(self, job_id: str) -> dict[str, str]:
        self._known(job_id)
        gold = self.gold.items()
        return {g.name: u for u, g in gold if self.unit_jobs.get(u, job_id) == job_id}

    async def create_unit(self, job_id: str, unit: UnitRequest) -> str:
        self._known(job_id)
        unit_id = f"unit-{len(self.units) + 1}"
        self.units[unit_id] = unit
        self.states[unit_id] = "new"
        self.unit_jobs[unit_id] = job_id
        return unit_id

    def units_on(self, job_id: str) -> list[str]:
        """The submission ids of the job's units, in creation order."""
        return [r.submission_id for u, r in self.units.items() if self.unit_jobs[u] == job_id]

    async def unit_state(self, job_id: str, unit_id: str) -> str:
        self._known(job_id)
        return self.states[unit_id]

    async def find_unit(self, job_id: str, submission_id: str) -> str | None:
        self._known(job_id)
        units = self.units.items()
        return next(
            (
                u
                for u, r in units
                if r.submission_id == submission_id and self.unit_jobs[u] == job_id
            ),
            None,
        )

    async def find_asked(self, job_id: str, submission_id: str, ask: int) -> str | None:
        found = (
            u for u, r in self.units.items() if (r.submission_id, r.ask) == (submission_id, ask)
        )
        return next(found, None)

    async def judgments(self, job_id: str, unit_id: str) -> list[Judgment]:
        self._known(job_id)
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

    async def delete(self, keys: list[str]) -> None:
        for key in keys:
            self.objects.pop(key, None)


@dataclass
class FakeLinkProbe:
    """:class:`~services.moderation.reviews.ports.LinkProbe`: every link loads unless its
    URL holds one of ``down`` (e.g. a key whose object the store lost for a while)."""

    down: set[str] = field(default_factory=set)
    probed: list[str] = field(default_factory=list)

    async def loads(self, url: str) -> bool:
        self.probed.append(url)
        return not any(part in url for part in self.down)


@dataclass
class FakeQueues:
    verdicts: list[SubmissionModerated] = field(default_factory=list)

    async def announce(self, verdict: SubmissionModerated) -> None:
        self.verdicts.append(verdict)


def answer_xml(nudity: str = "no", mimic: str = "5", trying: str = "yes") -> str:
    """A ``QuestionFormAnswers`` document as MTurk stores an externalSubmit form."""
    answers = "".join(
        f"<Answer><QuestionIdentifier>{name}</QuestionIdentifier>"
        f"<FreeText>{value}</FreeText></Answer>"
        for name, value in (("nudity", nudity), ("mimic", mimic), ("trying", trying))
    )
    schema = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01"
    namespace = f"{schema}/QuestionFormAnswers.xsd"
    return f'<QuestionFormAnswers xmlns="{namespace}">{answers}</QuestionFormAnswers>'


@dataclass
class FakeHitCrowd:
    """:class:`~services.moderation.crowd.mturk.ports.HitCrowd`: HITs by id, assignments by HIT."""

    types: dict[str, str] = field(default_factory=dict)
    listening: list[str] = field(default_factory=list)
    hits: dict[str, HitRequest] = field(default_factory=dict)
    work: dict[str, list[WorkAssignment]] = field(default_factory=dict)
    reviewable: list[str] = field(default_factory=list)
    approved: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)
    down: bool = False
    # Top-ups: assignments each HIT offers, when it expires, the tokens' rounds seen.
    offered: dict[str, int] = field(default_factory=dict)
    expiry: dict[str, datetime] = field(default_factory=dict)
    rounds: list[tuple[str, int, str, int]] = field(default_factory=list)
    # HITs and HIT types MTurk forgot ("… does not exist.").
    forgotten: set[str] = field(default_factory=set)

    def _check(self, *ids: str) -> None:
        if self.down:
            raise CrowdUnavailable("mturk is down", transient=True)
        for entity in ids:
            if entity in self.forgotten:
                raise CrowdForgot(f"RequestError: {entity} does not exist.")

    async def create_hit_type(self, video: str) -> str:
        self._check()
        if self.types.get(video) in self.forgotten:
            self.types[video] = f"type-{video}-{len(self.forgotten) + 1}"
        return self.types.setdefault(video, f"type-{video}")

    async def listen(self, hit_type_id: str) -> None:
        self._check(hit_type_id)
        self.listening.append(hit_type_id)

    async def create_hit(self, hit_type_id: str, request: HitRequest) -> str:
        """Once per token (the submission and its heal generation), as MTurk honours it."""
        self._check(hit_type_id)
        for hit_id, known in self.hits.items():
            if (known.submission_id, known.generation) == (
                request.submission_id,
                request.generation,
            ):
                return hit_id
        hit_id = f"HIT{len(self.hits) + 1}"
        self.hits[hit_id] = request
        return hit_id

    async def submission_of(self, hit_id: str) -> str | None:
        self._check(hit_id)
        request = self.hits.get(hit_id)
        return request.submission_id if request else None

    async def assignments(self, hit_id: str) -> list[WorkAssignment]:
        self._check(hit_id)
        return list(self.work.get(hit_id, []))

    async def reviewable_hits(self) -> AsyncIterator[str]:
        self._check()
        for hit_id in list(self.reviewable):
            yield hit_id

    def answer(self, hit_id: str, worker: str, xml: str) -> WorkAssignment:
        """A worker submits an assignment of ``hit_id``."""
        found = self.work.setdefault(hit_id, [])
        assignment = WorkAssignment(f"A-{hit_id}-{len(found)}", worker, hit_id, "Submitted", xml)
        found.append(assignment)
        return assignment

    def _set(self, assignment_id: str, status: str) -> None:
        for hit_id, found in self.work.items():
            self.work[hit_id] = [
                replace(a, status=status) if a.assignment_id == assignment_id else a for a in found
            ]

    async def approve(self, assignment_id: str, feedback: str) -> None:
        self._check()
        self.approved.append(assignment_id)
        self._set(assignment_id, "Approved")

    async def reject(self, assignment_id: str, feedback: str) -> None:
        self._check()
        self.rejected[assignment_id] = feedback
        self._set(assignment_id, "Rejected")

    async def reviewed(self, hit_id: str) -> None:
        self._check()
        self.closed.append(hit_id)
        if hit_id in self.reviewable:
            self.reviewable.remove(hit_id)

    async def hit_state(self, hit_id: str) -> HitState:
        self._check(hit_id)
        offered = self.offered.get(hit_id, 3)
        taken = len(self.work.get(hit_id, []))
        expires = self.expiry.get(hit_id, datetime(2100, 1, 1, tzinfo=UTC))
        return HitState(hit_id, offered, 0, max(0, offered - taken), expires)

    async def add_assignments(
        self, hit_id: str, count: int, submission_id: str, round_number: int
    ) -> None:
        """Once per (submission, round), as MTurk honours the round's token."""
        self._check()
        if any(r[2:] == (submission_id, round_number) for r in self.rounds):
            return
        self.rounds.append((hit_id, count, submission_id, round_number))
        self.offered[hit_id] = self.offered.get(hit_id, 3) + count

    async def extend(self, hit_id: str, until: datetime) -> None:
        self._check()
        self.expiry[hit_id] = until


@dataclass
class FakeWorkerTrust:
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)

    async def trust(self, worker_ids: Sequence[str]) -> dict[str, float]:
        return {w: worker_trust(*self.counts.get(w, (0, 0))) for w in worker_ids}

    async def record(self, worker_id: str, agreed: bool) -> None:
        agreed_before, judged = self.counts.get(worker_id, (0, 0))
        self.counts[worker_id] = (agreed_before + int(agreed), judged + 1)


@dataclass
class FakeCrowdSpend:
    costs: dict[tuple[str, str], Decimal] = field(default_factory=dict)

    async def record(self, video: str, submission_id: str, cost: Decimal) -> None:
        self.costs[(video, submission_id)] = cost

    async def of_video(self, video: str) -> SpendTotal:
        mine = [cost for (v, _), cost in self.costs.items() if v == video]
        return SpendTotal(video=video, total=sum(mine, Decimal(0)), hits=len(mine))


@dataclass
class FakeReportStore:
    """:class:`~services.moderation.reviews.ports.ReportStore` as dicts."""

    reports: dict[tuple[str, str], Report] = field(default_factory=dict)
    queue: dict[str, datetime] = field(default_factory=dict)

    async def add(self, report: Report) -> bool:
        key = (report.submission_id, report.visitor)
        if key in self.reports:
            return False
        self.reports[key] = report
        self.queue.setdefault(report.submission_id, report.created_at)
        return True

    async def of_photo(self, submission_id: str) -> list[Report]:
        found = [c for (sid, _), c in self.reports.items() if sid == submission_id]
        return sorted(found, key=lambda c: c.created_at)

    async def queued(self, limit: int) -> list[ReportedPhoto]:
        oldest = sorted(self.queue.items(), key=lambda item: item[1])[:limit]
        return [ReportedPhoto(sid, len(await self.of_photo(sid)), first) for sid, first in oldest]

    async def resolve(self, submission_id: str) -> None:
        self.queue.pop(submission_id, None)


class FakeCrowdJobs:
    """:class:`~services.moderation.crowd.jobs.CrowdJobs` in this process's memory."""

    def __init__(self) -> None:
        self.jobs: dict[str, CrowdJob] = {}

    async def job_of(self, video: str) -> CrowdJob | None:
        return self.jobs.get(video)

    async def remember(self, job: CrowdJob) -> CrowdJob:
        return self.jobs.setdefault(job.video, job)

    async def update(self, job: CrowdJob) -> None:
        stored = self.jobs.get(job.video)
        if stored is None or stored.is_same(job):
            self.jobs[job.video] = job

    async def replace(self, old: CrowdJob, job_id: str) -> tuple[CrowdJob, bool]:
        stored = self.jobs.get(old.video)
        if stored is not None and not stored.is_same(old):
            return stored, False
        self.jobs[old.video] = CrowdJob(old.video, job_id, generation=old.generation + 1)
        return self.jobs[old.video], True


@dataclass
class FakeHealCounts:
    """:class:`~services.moderation.crowd.healing.HealCounts` in memory."""

    kinds: dict[str, int] = field(default_factory=dict)

    async def add(self, kind: HealKind) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    async def counts(self) -> dict[str, int]:
        return dict(self.kinds)


def fake_healings(observer: Observer | None = None) -> Healings:
    """Healings counted in memory."""
    return Healings(FakeHealCounts(), observer)


def crowdflower_over(
    client: FakeCrowd,
    store: ReviewStore,
    photos: PhotoStore,
    clock: Callable[[], datetime],
    *,
    jobs: FakeCrowdJobs | None = None,
    observer: Observer | None = None,
    links: PhotoLinks | None = None,
) -> CrowdflowerCrowd:
    """Crowdflower's review work over a fake v1 client (URLs live 600 s, grace 30 s); a
    unit whose workers could not load its photo is asked again."""
    work = CrowdWork(
        client,
        jobs or FakeCrowdJobs(),
        photos,
        units_per_assignment=1,
        photo_url_seconds=600,
        clock=clock,
        healings=fake_healings(observer),
        links=links,
    )
    again = SecondLook(client, work, store, VerdictRules(), links=links, observer=observer)
    return CrowdflowerCrowd(
        client, work, store, grace_seconds=30, clock=clock, observer=observer, second_look=again
    )
