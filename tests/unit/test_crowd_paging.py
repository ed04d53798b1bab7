"""The Crowdflower adapter reads v1 lists page by page until a short page (no totals)."""

import httpx
from pydantic import SecretStr

from services.moderation.crowd.crowdflower.adapters.api import (
    JOBS_PAGE_SIZE,
    UNITS_PAGE_SIZE,
    CrowdflowerClient,
    JobSpec,
)

SPEC = JobSpec(title_prefix="T", judgments_per_unit=3, webhook_uri="http://hook")


class PagedCrowd:
    """A v1 list server: ``jobs`` jobs and ``units`` units, paged like v1; records calls."""

    def __init__(self, jobs: int, units: int) -> None:
        self.jobs = [{"id": n, "title": f"T: v{n}"} for n in range(jobs, 0, -1)]
        self.units = {str(n): {"submission_id": f"s{n}"} for n in range(1, units + 1)}
        self.pages: list[tuple[str, int]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        self.pages.append((request.url.path, page))
        if request.url.path == "/v1/jobs.json":
            found = self.jobs[(page - 1) * JOBS_PAGE_SIZE : page * JOBS_PAGE_SIZE]
            return httpx.Response(200, json=found)
        limit = int(request.url.params["limit"])
        chosen = list(self.units.items())[(page - 1) * limit : page * limit]
        return httpx.Response(200, json=dict(chosen))


def client_over(crowd: PagedCrowd) -> CrowdflowerClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(crowd), base_url="http://crowd")
    return CrowdflowerClient(http, SecretStr("k"), SPEC)


async def test_a_job_on_the_third_page_of_jobs_is_found():
    crowd = PagedCrowd(jobs=25, units=0)
    assert await client_over(crowd).ensure_job("v3") == "3"
    assert [page for _, page in crowd.pages] == [1, 2, 3]


async def test_units_are_read_until_a_short_page_and_no_further():
    crowd = PagedCrowd(jobs=1, units=UNITS_PAGE_SIZE * 2 + 5)
    client = client_over(crowd)
    assert await client.find_unit("1", f"s{UNITS_PAGE_SIZE * 2 + 3}") == str(
        UNITS_PAGE_SIZE * 2 + 3
    )
    assert await client.find_unit("1", "missing") is None
    assert [page for _, page in crowd.pages] == [1, 2, 3, 1, 2, 3]


async def test_an_exactly_full_last_page_is_followed_by_one_empty_page():
    crowd = PagedCrowd(jobs=1, units=UNITS_PAGE_SIZE)
    assert await client_over(crowd).gold_units("1") == {}
    assert [page for _, page in crowd.pages] == [1, 2]
