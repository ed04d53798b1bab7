"""The simulated workers at work on HITs: they see only what the HIT's page shows.

After a delay a HIT is looked at once. A page no worker can do (see
:func:`sims.mturk.questions.why_unworkable`) is never answered; when its images cannot
be fetched, the workers press the page's "does not load" button
(:meth:`~sims.mturk.questions.Page.unseen_button`), as people do, and a page without one
is never answered. Otherwise the workers of the local crowd
(:mod:`sims.crowd.workers`, same kinds, same judging of the photo beside the original,
:mod:`sims.crowd.looks`) who meet every qualification requirement of the HIT's type
(their values: :mod:`sims.mturk.qualifications`) take it one by one, up to
``MaxAssignments`` distinct workers, each submission an assignment with its
``QuestionFormAnswers``. With fewer qualified workers than that, the HIT gets fewer
assignments and expires, as on MTurk. A HIT given more assignments (or a new life) is
worked again by qualified workers new to it; with ``returns_per_hit`` its first takers
return their assignments unsubmitted.

The pool (kinds, biases, qualification values) and who returned which HIT are kept in
the local MTurk's store: after a restart the same workers go on with the HITs still
open (:meth:`Workforce.resume`), never twice on one HIT.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from dataclasses import asdict

import httpx
from PIL import Image

from sims.background import Background
from sims.crowd.cml import Form, Question
from sims.crowd.looks import likeness
from sims.crowd.workers import UNSEEN, Worker, answers, hire
from sims.mturk.hits import Hit
from sims.mturk.market import Market
from sims.mturk.notices import Notifier
from sims.mturk.qualifications import Standing, standings
from sims.mturk.questions import QUESTIONS, Page, answer_xml, why_unworkable
from sims.mturk.requirements import meets
from sims.mturk.settings import MTurkSimSettings
from sims.store import Store

log = logging.getLogger("sims.mturk")
FORM_QUESTIONS = tuple(Question(name, True) for name in QUESTIONS)


def mturk_worker_id(worker: Worker) -> str:
    """The worker's id as MTurk shows it (``A`` and 13 letters or digits)."""
    return "A" + hashlib.sha256(str(worker.worker_id).encode()).hexdigest()[:13].upper()


class Workforce:
    """The simulated workers of one local MTurk process."""

    def __init__(
        self,
        settings: MTurkSimSettings,
        market: Market,
        notifier: Notifier,
        http: httpx.AsyncClient,
        rng: random.Random,
        store: Store | None = None,
    ) -> None:
        self.settings = settings
        self.market = market
        self.notifier = notifier
        self.http = http
        self.rng = rng
        self.store = store or Store()
        self.workers, self.standings = self.hired()
        self.background = Background()
        self.fetching = asyncio.Semaphore(settings.fetch_concurrency)
        # HIT id -> the workers who took an assignment of it and returned it.
        self.returned = {hit_id: set(ids) for hit_id, ids in self.store.load("returned")}

    def hired(self) -> tuple[list[Worker], list[Standing]]:
        """The pool hired when the store was new: the same people after a restart."""
        kept = self.store.load("worker")
        if kept:
            pool = [(Worker(**b["worker"]), Standing(**b["standing"])) for _, b in kept]
            return [w for w, _ in pool], [s for _, s in pool]
        workers = hire(self.settings, self.rng)
        values = standings(workers, self.settings.newcomer_share, self.rng)
        with self.store.batch():
            for worker, standing in zip(workers, values, strict=True):
                shown = {"worker": asdict(worker), "standing": asdict(standing)}
                self.store.put("worker", worker.worker_id, shown)
        return workers, values

    def resume(self) -> None:
        """Go on after a restart: the HITs still open are worked again (by workers new
        to each)."""
        now = time.time()
        for hit in self.market.hits.values():
            if hit.is_open(now):
                self.start(hit)

    def start(self, hit: Hit) -> None:
        """Have ``hit`` worked in the background."""
        self.background.spawn(self.work(hit))

    async def stop(self) -> None:
        """Cancel the work still in flight."""
        await self.background.stop()

    async def work(self, hit: Hit) -> None:
        settings = self.settings
        await asyncio.sleep(
            settings.judgment_delay_seconds + self.rng.uniform(0, settings.judgment_jitter_seconds)
        )
        reason = why_unworkable(hit.page)
        if reason is not None:
            log.warning("no worker can do the HIT", extra={"hit_id": hit.hit_id, "why": reason})
            return
        try:
            seen = await self.look(hit.page.images)
        except (httpx.HTTPError, OSError, ValueError, Image.DecompressionBombError) as exc:
            log.warning(
                "the HIT's images cannot be seen",
                extra={"hit_id": hit.hit_id, "problem": type(exc).__name__},
            )
            if hit.page.unseen_button() is None:
                return
            seen = UNSEEN
        await self.submit_all(hit, Form(tuple(hit.page.images), FORM_QUESTIONS), seen)

    async def submit_all(self, hit: Hit, form: Form, seen: float | None) -> None:
        """Distinct qualified workers submit until the HIT has its assignments or closes
        (workers who worked on the HIT before, or returned it, are not in the crew)."""
        crew = self.crew(hit)
        for worker in crew:
            if not hit.is_open(time.time()):
                return
            if self.returns(hit, worker):
                continue
            given = self.given(hit.page, worker, form, seen)
            events = self.market.submit(
                hit, mturk_worker_id(worker), answer_xml(hit.page, given), time.time()
            )
            await self.notifier.events(events)
            await asyncio.sleep(self.settings.assignment_gap_seconds)

    def given(self, page: Page, worker: Worker, form: Form, seen: float | None) -> dict[str, str]:
        """What ``worker`` submits: the "does not load" button's field when the images did
        not load, else the answers and what the submit button sends."""
        button = page.unseen_button()
        if seen == UNSEEN and button is not None:
            return {button.name: button.value}
        return {**answers(worker, form, seen, self.rng), **page.pressed()}

    def qualified(self, hit: Hit) -> list[Worker]:
        """The workers who meet every qualification requirement of the HIT's type."""
        required = hit.hit_type.fields.get("QualificationRequirements")
        return [
            worker
            for worker, standing in zip(self.workers, self.standings, strict=True)
            if meets(required, standing)
        ]

    def pool(self) -> list[tuple[str, Worker, Standing]]:
        """Every worker: its MTurk id, its kind and its qualification values."""
        return [
            (mturk_worker_id(worker), worker, standing)
            for worker, standing in zip(self.workers, self.standings, strict=True)
        ]

    def crew(self, hit: Hit) -> list[Worker]:
        """Qualified workers new to ``hit``, one per assignment it still offers."""
        known = {a.worker_id for a in hit.assignments} | self.returned.get(hit.hit_id, set())
        fresh = [w for w in self.qualified(hit) if mturk_worker_id(w) not in known]
        wanted = hit.max_assignments - len(hit.assignments)
        if len(fresh) < wanted:
            log.info(
                "too few workers meet the HIT's qualification requirements",
                extra={"hit_id": hit.hit_id, "qualified": len(fresh), "wanted": wanted},
            )
        return self.rng.sample(fresh, max(0, min(wanted, len(fresh))))

    def returns(self, hit: Hit, worker: Worker) -> bool:
        """Does ``worker`` return the assignment unsubmitted? The first ``returns_per_hit``
        takers of each HIT do (a test knob: a HIT short of quorum, deterministically)."""
        returned = self.returned.setdefault(hit.hit_id, set())
        if len(returned) >= self.settings.returns_per_hit:
            return False
        returned.add(mturk_worker_id(worker))
        self.store.put("returned", hit.hit_id, sorted(returned))
        return True

    async def look(self, images: list[str]) -> float | None:
        """How alike the photo and the original look; None when only the photo is shown.
        Raises when one cannot be fetched."""
        async with self.fetching:
            photo = await self.fetch(images[0])
            original = await self.fetch(images[1]) if len(images) > 1 else None
        if original is None:
            return None
        return await asyncio.to_thread(likeness, photo, original)

    async def fetch(self, url: str) -> bytes:
        response = await self.http.get(url, timeout=self.settings.fetch_timeout_seconds)
        response.raise_for_status()
        return response.content
