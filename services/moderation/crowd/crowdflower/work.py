"""Crowdflower's jobs: the job of each video, its test questions, and orders.

Part of the Crowdflower wing (the review side is :mod:`.crowd`), over the v1 client,
the crowd-job memory and the photo store:

- **One job per video, remembered**: the job id lives in the reviews table
  (:class:`~services.moderation.crowd.jobs.CrowdJobs`), so the crowd's job list is never
  read; only a video without a remembered job asks the crowd to find one by title or
  create it (a crash between creating and remembering is healed by the title search).
- **Orders**: a unit is ordered (one unit an order, on the configured channels) right
  after it is created; the crowd shows nobody an unordered unit. A 402 is a reason to
  wait (:data:`~services.moderation.reviews.review.REASON_UNFUNDED`), not a failure. A unit
  ordered once half its photo URLs' lifetime has passed gets fresh URLs first. Before
  an order the unit's photo links are loaded (:class:`~services.moderation.crowd.links.
  PhotoLinks`): one that does not load holds the order back with the reason
  :data:`~services.moderation.reviews.review.REASON_PHOTO_DOWN`, and reconcile orders
  it once it loads.
- **Gold once per job**: ``units_per_assignment + 3`` test questions (:mod:`.gold`) are
  created before the job's first order; a crash half-way is healed by reading the job's
  gold units back. Their photo URLs are presigned, so they are re-issued (the units'
  data replaced) once half their ``photo_url_seconds`` has passed. Two replicas setting
  up a brand-new video at the same instant may both create gold (the lock is per
  process); extra test questions are harmless.
- **A forgotten job is replaced** (:meth:`CrowdWork.renew`): when the crowd answers 404
  for the video's job (deleted or canceled in its UI, an account reset, a stand-in that
  lost its state), a new job is created as any (its gold placed before its first order)
  and remembered in place of the old one by a conditional write, one generation up; of
  two replicas racing, one replaces and the other takes its job (its own new job stays
  empty and unordered, costing nothing). Each replacement is reported once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from services.moderation.crowd.crowdflower.gold import (
    GoldCase,
    copy_photo,
    crowd_gold_key,
    gold_cases,
    noise_photo,
)
from services.moderation.crowd.crowdflower.ports import CrowdClient, GoldRequest, UnitRequest
from services.moderation.crowd.healing import CrowdForgot, Healings
from services.moderation.crowd.jobs import CrowdJob, CrowdJobs
from services.moderation.crowd.links import PhotoLinks
from services.moderation.reviews.ports import CrowdUnavailable, CrowdUnfunded, PhotoStore
from services.moderation.reviews.review import REASON_PHOTO_DOWN, REASON_UNFUNDED, Review
from shared.records import original_key

JPEG = "image/jpeg"
log = logging.getLogger(__name__)


class CrowdWork:
    """Sets up the crowd job of each video before its first unit."""

    def __init__(
        self,
        crowd: CrowdClient,
        jobs: CrowdJobs,
        photos: PhotoStore,
        *,
        units_per_assignment: int,
        photo_url_seconds: int,
        clock: Callable[[], datetime],
        healings: Healings,
        links: PhotoLinks | None = None,
    ) -> None:
        self.crowd, self.jobs, self.photos = crowd, jobs, photos
        self.healings = healings
        # None: links are not checked before an order (tests over fakes).
        self.links = links
        self.units_per_assignment = units_per_assignment
        self.photo_url_seconds = photo_url_seconds
        self.clock = clock
        self._known: dict[str, CrowdJob] = {}
        # One set-up at a time in this process: gold is created once, not per request.
        self._lock = asyncio.Lock()

    async def job_for(self, video: str) -> str:
        """The id of ``video``'s job: remembered, or found by title or created once."""
        return (await self.job(video)).job_id

    async def job(self, video: str) -> CrowdJob:
        """``video``'s job (as this process last knew it): remembered, or found by title
        or created once."""
        async with self._lock:
            job = self._known.get(video) or await self.jobs.job_of(video)
            if job is None:
                found = await self.crowd.ensure_job(video)
                job = await self.jobs.remember(CrowdJob(video=video, job_id=found))
            self._known[video] = job
            return job

    def forget_known(self) -> None:
        """Read every video's job from the store again when next needed."""
        self._known.clear()

    async def current(self, video: str) -> CrowdJob:
        """``video``'s job as stored now (another replica may have replaced it)."""
        async with self._lock:
            self._known.pop(video, None)
        return await self.job(video)

    async def renew(self, dead: CrowdJob) -> CrowdJob:
        """The job replacing ``dead``, which the crowd answered 404 for: the one stored
        when another call or replica replaced it already, else a new job remembered in
        its place (reported once). :class:`CrowdUnavailable` when the crowd still knows
        ``dead`` (only a unit of it was missing)."""
        async with self._lock:
            stored = await self.jobs.job_of(dead.video)
            if stored is None or not stored.is_same(dead):
                self._known.pop(dead.video, None)
            elif await self.crowd.has_job(dead.job_id):
                raise CrowdUnavailable(f"crowd job {dead.job_id} is known", transient=False)
            else:
                self._known[dead.video] = await self._replace(stored)
        return await self.job(dead.video)

    async def _replace(self, dead: CrowdJob) -> CrowdJob:
        created = await self.crowd.create_job(dead.video)
        kept, replaced = await self.jobs.replace(dead, created)
        ids = {"video": dead.video, "job_id": dead.job_id, "new_job_id": kept.job_id}
        if replaced:
            await self.healings.healed("job", "crowd job forgotten: a new job replaces it", **ids)
        else:
            log.info("another replica replaced the forgotten job first", extra=ids)
        return kept

    async def unit_of(self, review: Review) -> UnitRequest:
        """What the review's unit shows: the photo and the original, by expiring URLs."""
        seconds = self.photo_url_seconds
        original = original_key(review.video, review.frame)
        return UnitRequest(
            submission_id=review.submission_id,
            photo_url=await self.photos.url(review.renditions.medium, seconds),
            original_url=await self.photos.url(original, seconds),
            ask=review.unit_round or 0,
        )

    async def order(self, review: Review) -> Review:
        """Order the review's unit, the job's gold put in place first (the review's
        original frame is what the copy test questions show), its photo URLs re-issued
        first when half their lifetime has passed. Returns the review ordered, or
        waiting with a reason when the crowd refused for lack of funds or a photo link
        does not load; other failures raise ``CrowdUnavailable``."""
        if review.job_id is None or review.unit_id is None:
            raise ValueError(f"review {review.submission_id} has no unit to order")
        if not is_on(review, await self.job(review.video)) and not is_on(
            review, await self.current(review.video)
        ):
            raise CrowdForgot(f"crowd job {review.job_id} was replaced")
        unit = await self.unit_of(review)
        urls = (unit.photo_url, unit.original_url)
        if self.links is not None and not await self.links.load(review.submission_id, urls):
            return review.changed(reasons=(REASON_PHOTO_DOWN,))
        job_id = await self._with_gold(review.video, review.frame)
        if self._has_aged(review.created_at):
            await self.crowd.refresh_unit(job_id, review.unit_id, unit)
        try:
            await self.crowd.order(job_id, 1)
        except CrowdUnfunded as exc:
            log.warning("crowd order refused: not enough funds", extra={"problem": exc.detail})
            return review.changed(reasons=(REASON_UNFUNDED,))
        return review.changed(unit_ordered_at=self.clock(), reasons=())

    async def _with_gold(self, video: str, frame: int) -> str:
        job_id = await self.job_for(video)
        async with self._lock:
            job = self._known[video]
            if self._needs_gold(job):
                job = await self._place_gold(job, frame)
                self._known[video] = job
        return job_id

    def _needs_gold(self, job: CrowdJob) -> bool:
        if not job.gold_units or job.gold_urls_at is None:
            return True
        return self._has_aged(job.gold_urls_at)

    def _has_aged(self, issued_at: datetime) -> bool:
        """Have URLs issued at ``issued_at`` lived half their lifetime?"""
        return issued_at + timedelta(seconds=self.photo_url_seconds / 2) <= self.clock()

    async def _place_gold(self, job: CrowdJob, frame: int) -> CrowdJob:
        """Create the missing test questions and re-issue the URLs of the others."""
        units = dict(job.gold_units or await self.crowd.gold_units(job.job_id))
        issued_at: datetime | None = self.clock()
        for case in gold_cases(self.units_per_assignment):
            request = await self._gold_request(job.video, frame, case)
            if request is None:
                issued_at = None  # incomplete: the next unit of the video tries again
            elif case.name in units:
                await self.crowd.refresh_gold(job.job_id, units[case.name], request)
            else:
                units[case.name] = await self.crowd.create_gold(job.job_id, request)
        placed = replace(job, gold_units=units, gold_urls_at=issued_at)
        await self.jobs.update(placed)
        return placed

    async def _gold_request(self, video: str, frame: int, case: GoldCase) -> GoldRequest | None:
        """The test question ``case``; None for a copy when the original frame is missing."""
        seconds = self.photo_url_seconds
        original = original_key(video, frame)
        if case.kind == "copy":
            source = await self.photos.find(original)
            if source is None:
                log.warning("no original frame for the gold copies", extra={"key": original})
                return None
            key = crowd_gold_key(f"{video}/{frame:06d}/{case.name}")
            data = await asyncio.to_thread(copy_photo, source, case.index)
        else:
            key = crowd_gold_key(case.name)
            data = await asyncio.to_thread(noise_photo, case.index)
        await self.photos.put(key, data, JPEG)
        return GoldRequest(
            name=case.name,
            photo_url=await self.photos.url(key, seconds),
            original_url=await self.photos.url(original, seconds),
            answers=case.answers(),
        )


def job_of(review: Review) -> CrowdJob:
    """The job ``review``'s unit lives on (``job_id`` must be set)."""
    return CrowdJob(
        video=review.video, job_id=review.job_id or "", generation=review.crowd_generation or 0
    )


def is_on(review: Review, job: CrowdJob) -> bool:
    """Does ``review``'s unit live on ``job`` (its id and generation)?"""
    return review.job_id is not None and job_of(review).is_same(job)


def on_job(job: CrowdJob) -> dict[str, str | int | None]:
    """The review fields naming ``job`` (generation 0 is left out, as before healing)."""
    return {"job_id": job.job_id, "crowd_generation": job.generation or None}
