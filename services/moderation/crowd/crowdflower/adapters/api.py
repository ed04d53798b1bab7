"""``CrowdflowerClient``: the crowd port's adapter for the Crowdflower v1 API.

The adapter speaks v1 with Rails-style form fields (``job[title]``,
``unit[data][photo_url]``, ``debit[units_count]``, ``channels[]``) and the API key as
the ``key`` query parameter (or, as an option, the newer ``Authorization: Token
token=…`` header): jobs (found by title page by page, or created with the CML, pay and
page size), units (created unordered, then ordered per unit on the configured
channels), test questions (``unit[golden]=true``), and judgments per unit. Lists are
read page by page until a short page. A 402 leaves as :class:`CrowdUnfunded`, a 404 as
:class:`~services.moderation.crowd.healing.CrowdForgot` (the job, or a unit, is gone).
Transport errors, 429 and 5xx answers are retried for a bounded time; every failure
leaves as :class:`CrowdUnavailable`, whose text never holds the key.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx
from pydantic import SecretStr

from services.moderation.crowd.crowdflower.gold import GOLD_NAME
from services.moderation.crowd.crowdflower.payloads import parse_judgments
from services.moderation.crowd.crowdflower.ports import GoldRequest, UnitRequest
from services.moderation.crowd.healing import CrowdForgot
from services.moderation.reviews.ports import CrowdUnavailable, CrowdUnfunded
from services.moderation.reviews.verdicts import Judgment
from shared.retry import transient_retry

# The worker sees a unit's columns only through Liquid tags: the photo and the original
# frame side by side, then whether they load (a broken image is reported, never rated),
# then the three questions, shown and required only when the photo loads (CML's
# ``only-if``, by answer value).
CML = """\
<div class="ofof-pair">
  <figure><img src="{{photo_url}}" alt="The visitor's photo" width="360"/>
    <figcaption>The visitor's photo</figcaption></figure>
  <figure><img src="{{original_url}}" alt="The original frame" width="360"/>
    <figcaption>The original frame of the music video</figcaption></figure>
</div>
<cml:radios label="Do both pictures load?" name="photo_loads" validates="required">
  <cml:radio label="Yes" value="yes"/>
  <cml:radio label="No, a picture does not load (a broken image)" value="no"/>
</cml:radios>
<cml:radios label="Does the photo contain nudity?" name="nudity" validates="required"
  only-if="photo_loads:[yes]">
  <cml:radio label="Yes" value="yes"/><cml:radio label="No" value="no"/>
</cml:radios>
<cml:ratings label="How well does the person mimic the original frame?" name="mimic"
  points="5" validates="required" only-if="photo_loads:[yes]"/>
<cml:radios label="Is someone visibly trying to mimic the frame?" name="trying"
  validates="required" only-if="photo_loads:[yes]">
  <cml:radio label="Yes" value="yes"/><cml:radio label="No" value="no"/>
</cml:radios>
"""
INSTRUCTIONS = """\
<p>Visitors re-create one frame of a music video in a photo of themselves. Each task
shows the visitor's photo on the left and the original frame on the right.</p>
<ol>
<li><b>Loads</b>: if the photo or the original shows as a broken image, answer No and
send: the photo is shown again later. Never rate a picture you cannot see.</li>
<li><b>Nudity</b>: answer Yes if the photo shows nudity, otherwise No.</li>
<li><b>Mimic</b>: rate from 1 (nothing alike: a blank, random or unrelated picture) to
5 (same pose, framing and composition as the original). Lighting and colours do not
matter; pose and layout do.</li>
<li><b>Trying</b>: answer Yes if a person is visibly trying to copy the frame, even
badly; No for empty, random or unrelated pictures.</li>
</ol>
<p>Some tasks are test questions with known answers.</p>
"""
JOBS_PAGE_SIZE = 10
# The unit column numbering a unit that asks again about a photo (absent: the first).
ASK_COLUMN = "ask"
UNITS_PAGE_SIZE = 1000
Form = dict[str, str | list[str]]


@dataclass(frozen=True)
class JobSpec:
    """How our jobs are set up on the crowd."""

    title_prefix: str
    judgments_per_unit: int
    webhook_uri: str
    channels: tuple[str, ...] = ("on_demand",)
    payment_cents: int = 5
    units_per_assignment: int = 1
    max_judgments_per_worker: int | None = None

    def title(self, video: str) -> str:
        """The title of the job of ``video``."""
        return f"{self.title_prefix}: {video}"

    def job_form(self, video: str) -> Form:
        """The ``job[...]`` fields of a new job."""
        form: Form = {
            "job[title]": self.title(video),
            "job[instructions]": INSTRUCTIONS,
            "job[cml]": CML,
            "job[judgments_per_unit]": str(self.judgments_per_unit),
            "job[units_per_assignment]": str(self.units_per_assignment),
            "job[payment_cents]": str(self.payment_cents),
            "job[gold_per_assignment]": "1",
            "job[webhook_uri]": self.webhook_uri,
            # unit_complete carries each unit's judgments; new_judgments is not needed.
            "job[send_judgments_webhook]": "false",
        }
        if self.max_judgments_per_worker is not None:
            form["job[max_judgments_per_worker]"] = str(self.max_judgments_per_worker)
        return form


def unit_form(columns: dict[str, str]) -> Form:
    """``unit[data][column]`` fields."""
    return {f"unit[data][{name}]": value for name, value in columns.items()}


def unit_columns(unit: UnitRequest) -> dict[str, str]:
    """A unit's data: the submission, its photo and the original frame (and, for a unit
    asking again about a photo nobody could see, which time it asks)."""
    columns = {
        "submission_id": unit.submission_id,
        "photo_url": unit.photo_url,
        "original_url": unit.original_url,
    }
    if unit.ask:
        columns[ASK_COLUMN] = str(unit.ask)
    return columns


def gold_columns(gold: GoldRequest) -> dict[str, str]:
    """A test question's data: its name, images and ``<field>_gold`` answers."""
    return {
        GOLD_NAME: gold.name,
        "photo_url": gold.photo_url,
        "original_url": gold.original_url,
        **gold.answers,
    }


def is_transient_crowd_error(exc: BaseException) -> bool:
    """Retry only crowd failures marked transient."""
    return isinstance(exc, CrowdUnavailable) and exc.transient


class CrowdflowerClient:
    """:class:`~services.moderation.crowd.crowdflower.ports.CrowdClient` over the v1 HTTP API."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_key: SecretStr,
        spec: JobSpec,
        *,
        key_in_header: bool = False,
        retry_seconds: float = 15.0,
    ) -> None:
        self.http = http
        self.api_key = api_key
        self.spec = spec
        self.key_in_header = key_in_header
        self.retry_seconds = retry_seconds
        self._jobs: dict[str, str] = {}
        self._job_lock = asyncio.Lock()

    async def ensure_job(self, video: str) -> str:
        """Find the job titled for ``video`` or create it (once per process)."""
        async with self._job_lock:
            if video not in self._jobs:
                self._jobs[video] = await self._find_job(video) or await self._create_job(video)
            return self._jobs[video]

    async def _find_job(self, video: str) -> str | None:
        title = self.spec.title(video)
        async for jobs in self._pages("/v1/jobs.json", JOBS_PAGE_SIZE, sized=False):
            found = next((str(job["id"]) for job in jobs if job.get("title") == title), None)
            if found is not None:
                return found
        return None

    async def _create_job(self, video: str) -> str:
        return str((await self._call("POST", "/v1/jobs.json", self.spec.job_form(video)))["id"])

    async def create_job(self, video: str) -> str:
        """Create a new job for ``video`` (its remembered one is gone), set up as any."""
        async with self._job_lock:
            self._jobs[video] = await self._create_job(video)
            return self._jobs[video]

    async def has_job(self, job_id: str) -> bool:
        """Does the crowd still know the job (``GET /v1/jobs/{id}``; 404: no)?"""
        try:
            await self._call("GET", f"/v1/jobs/{job_id}.json")
        except CrowdForgot:
            return False
        return True

    async def create_unit(self, job_id: str, unit: UnitRequest) -> str:
        """Create one unit whose data names the submission, its photo and the original."""
        form = unit_form(unit_columns(unit))
        return str((await self._call("POST", f"/v1/jobs/{job_id}/units.json", form))["id"])

    async def refresh_unit(self, job_id: str, unit_id: str, unit: UnitRequest) -> None:
        """Replace a unit's data (fresh photo URLs)."""
        path = f"/v1/jobs/{job_id}/units/{unit_id}.json"
        await self._call("PUT", path, unit_form(unit_columns(unit)))

    async def order(self, job_id: str, units_count: int) -> None:
        """Order ``units_count`` unordered units on the configured channels (402: unfunded)."""
        form: Form = {
            "debit[units_count]": str(units_count),
            "channels[]": list(self.spec.channels),
        }
        await self._call("POST", f"/v1/jobs/{job_id}/orders.json", form)

    async def create_gold(self, job_id: str, gold: GoldRequest) -> str:
        """Create a test question (``unit[golden]=true``)."""
        form = unit_form(gold_columns(gold)) | {"unit[golden]": "true"}
        return str((await self._call("POST", f"/v1/jobs/{job_id}/units.json", form))["id"])

    async def refresh_gold(self, job_id: str, unit_id: str, gold: GoldRequest) -> None:
        """Replace a test question's data (fresh photo URLs)."""
        path = f"/v1/jobs/{job_id}/units/{unit_id}.json"
        await self._call("PUT", path, unit_form(gold_columns(gold)))

    async def gold_units(self, job_id: str) -> dict[str, str]:
        """The job's test questions by name, read page by page."""
        found: dict[str, str] = {}
        async for units in self._pages(f"/v1/jobs/{job_id}/units.json", UNITS_PAGE_SIZE):
            found |= {data[GOLD_NAME]: uid for uid, data in units.items() if data.get(GOLD_NAME)}
        return found

    async def find_unit(self, job_id: str, submission_id: str) -> str | None:
        """Search the job's units (``{unit_id: data}``, page by page) for ``submission_id``."""
        async for units in self._pages(f"/v1/jobs/{job_id}/units.json", UNITS_PAGE_SIZE):
            for uid, data in units.items():
                if data.get("submission_id") == submission_id:
                    return str(uid)
        return None

    async def find_asked(self, job_id: str, submission_id: str, ask: int) -> str | None:
        """The id of the unit asking about ``submission_id`` the ``ask``-th time again."""
        async for units in self._pages(f"/v1/jobs/{job_id}/units.json", UNITS_PAGE_SIZE):
            for uid, data in units.items():
                if data.get("submission_id") == submission_id and data.get(ASK_COLUMN) == str(ask):
                    return str(uid)
        return None

    async def judgments(self, job_id: str, unit_id: str) -> list[Judgment]:
        """Every judgment of the unit so far."""
        path = f"/v1/jobs/{job_id}/units/{unit_id}/judgments.json"
        return parse_judgments(await self._call("GET", path))

    async def unit_state(self, job_id: str, unit_id: str) -> str:
        """The unit's ``state`` (``new``, ``judgable``, ``finalized``, …)."""
        unit = await self._call("GET", f"/v1/jobs/{job_id}/units/{unit_id}.json")
        return str(unit.get("state", "")) if isinstance(unit, dict) else ""

    async def _pages(self, path: str, size: int, *, sized: bool = True) -> AsyncIterator[Any]:
        """Page 1, 2, … of a v1 list until a short page (v1 gives no total)."""
        page = 1
        while True:
            query = {"page": str(page)} | ({"limit": str(size)} if sized else {})
            found = await self._call("GET", path, query=query)
            yield found
            if len(found) < size:
                return
            page += 1

    async def _call(
        self,
        method: str,
        path: str,
        form: Form | None = None,
        query: dict[str, str] | None = None,
    ) -> Any:
        retrying = transient_retry(is_transient_crowd_error, max_elapsed_seconds=self.retry_seconds)
        return await retrying(self._once, method, path, form, query or {})

    async def _once(self, method: str, path: str, form: Form | None, query: dict[str, str]) -> Any:
        key = self.api_key.get_secret_value()
        headers = {"Authorization": f"Token token={key}"} if self.key_in_header else {}
        params = query | ({} if self.key_in_header else {"key": key})
        try:
            response = await self.http.request(
                method, path, data=form, params=params, headers=headers
            )
        except httpx.TransportError as exc:
            # Not chained: httpx's error carries the request URL, and so the key.
            raise CrowdUnavailable(
                f"{method} {path}: {type(exc).__name__}", transient=True
            ) from None
        status = response.status_code
        if status == HTTPStatus.PAYMENT_REQUIRED:
            raise CrowdUnfunded(f"crowd answered 402 (not enough funds) to {method} {path}")
        if status == HTTPStatus.NOT_FOUND:
            raise CrowdForgot(f"crowd answered 404 to {method} {path}")
        if status >= 400:
            transient = status == 429 or status >= 500
            raise CrowdUnavailable(
                f"crowd answered {status} to {method} {path}", transient=transient
            )
        try:
            return response.json()
        except ValueError:
            raise CrowdUnavailable(
                f"{method} {path}: answer is not JSON", transient=False
            ) from None
