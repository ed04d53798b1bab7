"""``CrowdflowerClient``: the crowd port's adapter for the Crowdflower v1 API.

The adapter speaks the v1 subset the original used: ``/v1/jobs.json``,
``/v1/jobs/{job}/units.json``, ``/v1/jobs/{job}/units/{unit}/judgments.json``, Rails-style
form fields (``job[title]``, ``unit[data][photo_url]``) and the API key as the ``key``
query parameter (or, as an option, the newer ``Authorization: Token token=…`` header).
Transport errors, 429 and 5xx answers are retried for a bounded time; every failure
leaves as :class:`CrowdUnavailable`, whose text never holds the key.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from services.moderation.payloads import parse_judgments
from services.moderation.ports import CrowdUnavailable, UnitRequest
from services.moderation.verdicts import Judgment
from shared.retry import transient_retry

CML = """\
<cml:radios label="Does the photo contain nudity?" name="nudity" validates="required">
  <cml:radio label="Yes" value="yes"/><cml:radio label="No" value="no"/>
</cml:radios>
<cml:ratings label="How well does the person mimic the original frame?" name="mimic"
  points="5" validates="required"/>
<cml:radios label="Is someone visibly trying?" name="trying">
  <cml:radio label="Yes" value="yes"/><cml:radio label="No" value="no"/>
</cml:radios>
"""
INSTRUCTIONS = (
    "Each photo is a visitor's re-creation of one frame of a music video. Look at the "
    "photo beside the original frame and answer the three questions."
)


@dataclass(frozen=True)
class JobSpec:
    """How our jobs are set up on the crowd."""

    title_prefix: str
    judgments_per_unit: int
    webhook_uri: str

    def title(self, video: str) -> str:
        """The title of the job of ``video``."""
        return f"{self.title_prefix}: {video}"


def is_transient_crowd_error(exc: BaseException) -> bool:
    """Retry only crowd failures marked transient."""
    return isinstance(exc, CrowdUnavailable) and exc.transient


class CrowdflowerClient:
    """:class:`~services.moderation.ports.CrowdClient` over the Crowdflower v1 HTTP API."""

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
        jobs = await self._call("GET", "/v1/jobs.json")
        title = self.spec.title(video)
        return next((str(job["id"]) for job in jobs if job.get("title") == title), None)

    async def _create_job(self, video: str) -> str:
        form = {
            "job[title]": self.spec.title(video),
            "job[instructions]": INSTRUCTIONS,
            "job[cml]": CML,
            "job[judgments_per_unit]": str(self.spec.judgments_per_unit),
            "job[webhook_uri]": self.spec.webhook_uri,
        }
        return str((await self._call("POST", "/v1/jobs.json", form))["id"])

    async def create_unit(self, job_id: str, unit: UnitRequest) -> str:
        """Create one unit whose data names the submission, its photo and the original."""
        form = {
            "unit[data][submission_id]": unit.submission_id,
            "unit[data][photo_url]": unit.photo_url,
            "unit[data][original_url]": unit.original_url,
        }
        return str((await self._call("POST", f"/v1/jobs/{job_id}/units.json", form))["id"])

    async def find_unit(self, job_id: str, submission_id: str) -> str | None:
        """Search the job's units (``{unit_id: data}``) for ``submission_id``."""
        units = await self._call("GET", f"/v1/jobs/{job_id}/units.json")
        found = (uid for uid, data in units.items() if data.get("submission_id") == submission_id)
        return next(found, None)

    async def judgments(self, job_id: str, unit_id: str) -> list[Judgment]:
        """Every judgment of the unit so far."""
        path = f"/v1/jobs/{job_id}/units/{unit_id}/judgments.json"
        return parse_judgments(await self._call("GET", path))

    async def _call(self, method: str, path: str, form: dict[str, str] | None = None) -> Any:
        retrying = transient_retry(is_transient_crowd_error, max_elapsed_seconds=self.retry_seconds)
        return await retrying(self._once, method, path, form)

    async def _once(self, method: str, path: str, form: dict[str, str] | None) -> Any:
        key = self.api_key.get_secret_value()
        headers = {"Authorization": f"Token token={key}"} if self.key_in_header else {}
        params = {} if self.key_in_header else {"key": key}
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
