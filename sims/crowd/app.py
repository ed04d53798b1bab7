"""The local crowd's HTTP API: the Crowdflower v1 calls moderation and other v1 clients make.

Every path answers with and without the ``.json`` suffix (without it the client must
send ``Accept: application/json``). Bodies and query strings are read by
:mod:`sims.crowd.forms`; errors are v1's ``{"error": {"message": …}}``.

| route | answers |
| --- | --- |
| ``GET /v1/jobs`` (``page``) | 10 jobs a page, newest first |
| ``POST /v1/jobs`` (``job[…]``) | the new job (``unordered``) |
| ``GET``/``PUT /v1/jobs/{job}`` | one job / the job updated |
| ``GET /v1/jobs/{job}/ping`` | the job's counts |
| ``POST /v1/jobs/{job}/units`` (``unit[data]``, ``unit[golden]``) | a ``new`` or ``golden`` unit |
| ``POST``/``PUT /v1/jobs/{job}/upload``, ``POST /v1/jobs/upload`` | JSON lines as units |
| ``GET /v1/jobs/{job}/units`` (``page``, ``limit`` ≤ 1,000) | ``{unit_id: data}`` |
| ``GET``/``PUT /v1/jobs/{job}/units/{unit}`` | one unit with ``results`` / its state changed |
| ``POST /v1/jobs/{job}/units/{unit}/cancel`` | the unit, ``canceled`` |
| ``GET /v1/jobs/{job}/units/{unit}/judgments`` | the unit's judgments |
| ``GET /v1/jobs/{job}/judgments`` (``page``, ``limit`` ≤ 100) | ``{unit_id: results}`` |
| ``POST /v1/jobs/{job}/orders`` (``debit[units_count]``, ``channels[]``) | the order; 402 |
| ``POST /sim/funds`` (``cents``) | not v1: adds funds, for tests of 402 |
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request

from shared.apidocs import install_api_docs
from sims.crowd.board import Board
from sims.crowd.calls import V1Request, read_v1
from sims.crowd.errors import V1Error, install_v1_errors
from sims.crowd.forms import Fields, group, is_true, ndjson_rows, unit_data, whole_number
from sims.crowd.jobs import Job, Unit
from sims.crowd.settings import CrowdSettings
from sims.crowd.simulation import Simulation
from sims.store import Store

JOBS_PAGE_SIZE = 10
UNITS_PAGE_MAX = 1000
JUDGMENTS_PAGE_MAX = 100


def simulation(request: Request) -> Simulation:
    """Dependency: the crowd of this process."""
    sim: Simulation = request.app.state.simulation
    return sim


Sim = Annotated[Simulation, Depends(simulation)]
V1 = Annotated[V1Request, Depends(read_v1)]
router = APIRouter()


def v1(method: str, path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an endpoint under ``/v1{path}.json`` and ``/v1{path}``."""

    def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        for suffix in (".json", ""):
            router.add_api_route(
                f"/v1{path}{suffix}", endpoint, methods=[method], response_model=None
            )
        return endpoint

    return register


def job_of(sim: Simulation, job_id: int) -> Job:
    """The job, or 404."""
    if job_id not in sim.board.jobs:
        raise V1Error(404, f"no job {job_id}")
    return sim.board.jobs[job_id]


def unit_of(sim: Simulation, job_id: int, unit_id: int) -> Unit:
    """The unit of that job, or 404."""
    unit = sim.board.units.get(unit_id)
    if unit is None or unit.job_id != job_id:
        raise V1Error(404, f"no unit {unit_id} in job {job_id}")
    return unit


def page_of(fields: Fields, items: list[Any], default: int, most: int) -> list[Any]:
    """One page of ``items`` by ``page`` (from 1) and ``limit`` (at most ``most``)."""
    page = whole_number(fields.get("page", 1), "page")
    limit = whole_number(fields.get("limit", default), "limit", high=most)
    return items[(page - 1) * limit : page * limit]


@v1("POST", "/jobs/upload")
async def upload_new_job(request: Request, sim: Sim, call: V1) -> dict[str, Any]:
    """Create a job holding the uploaded rows."""
    job = sim.board.create_job(group(call.fields, "job"))
    rows = ndjson_rows(await request.body())
    with sim.board.change():  # one commit for the whole upload
        for data in rows:
            sim.board.create_unit(job, data)
    return job.shown()


@v1("GET", "/jobs")
async def list_jobs(sim: Sim, call: V1) -> list[dict[str, Any]]:
    """The account's jobs, 10 a page, newest first."""
    newest = sorted(sim.board.jobs.values(), key=lambda job: -job.job_id)
    return [job.shown() for job in page_of(call.fields, newest, JOBS_PAGE_SIZE, JOBS_PAGE_SIZE)]


@v1("POST", "/jobs")
async def create_job(sim: Sim, call: V1) -> dict[str, Any]:
    """Create a job from ``job[…]`` fields."""
    fields = group(call.fields, "job")
    if not fields:
        raise V1Error(400, 'a job needs fields: job[title]=…, or {"job": {...}}')
    return sim.board.create_job(fields).shown()


@v1("GET", "/jobs/{job_id}")
async def show_job(job_id: int, sim: Sim, call: V1) -> dict[str, Any]:
    """One job."""
    return job_of(sim, job_id).shown()


@v1("PUT", "/jobs/{job_id}")
async def update_job(job_id: int, sim: Sim, call: V1) -> dict[str, Any]:
    """Change a job's settings."""
    return sim.board.update_job(job_of(sim, job_id), group(call.fields, "job")).shown()


@v1("GET", "/jobs/{job_id}/ping")
async def ping_job(job_id: int, sim: Sim, call: V1) -> dict[str, int]:
    """The job's unit and judgment counts."""
    return sim.board.summary(job_of(sim, job_id))


@v1("POST", "/jobs/{job_id}/units")
async def create_unit(job_id: int, sim: Sim, call: V1) -> dict[str, Any]:
    """Create a unit: ``new`` (nobody sees it until ordered) or ``golden``."""
    unit = group(call.fields, "unit")
    data = unit_data(unit)
    return sim.board.create_unit(job_of(sim, job_id), data, is_true(unit.get("golden"))).shown()


@v1("POST", "/jobs/{job_id}/upload")
async def upload_units(job_id: int, request: Request, sim: Sim, call: V1) -> dict[str, Any]:
    """Add newline-delimited JSON rows as ``new`` units."""
    job = job_of(sim, job_id)
    rows = ndjson_rows(await request.body())
    with sim.board.change():  # one commit for the whole upload
        for data in rows:
            sim.board.create_unit(job, data)
    return job.shown()


v1("PUT", "/jobs/{job_id}/upload")(upload_units)


@v1("GET", "/jobs/{job_id}/units")
async def list_units(job_id: int, sim: Sim, call: V1) -> dict[str, dict[str, str]]:
    """The job's units as ``{unit_id: data}``, oldest first, paged."""
    units = sim.board.units_of(job_of(sim, job_id).job_id)
    return {
        str(u.unit_id): u.data for u in page_of(call.fields, units, UNITS_PAGE_MAX, UNITS_PAGE_MAX)
    }


@v1("GET", "/jobs/{job_id}/units/{unit_id}")
async def show_unit(job_id: int, unit_id: int, sim: Sim, call: V1) -> dict[str, Any]:
    """One unit, with its results so far."""
    return unit_of(sim, job_id, unit_id).shown()


@v1("PUT", "/jobs/{job_id}/units/{unit_id}")
async def update_unit(job_id: int, unit_id: int, sim: Sim, call: V1) -> dict[str, Any]:
    """Change a unit's state (``unit[state]``), gold flag or data."""
    fields = group(call.fields, "unit")
    unit = unit_of(sim, job_id, unit_id)
    data = unit_data(fields) if "data" in fields else None
    return sim.board.update_unit(unit, fields.get("state"), fields.get("golden"), data).shown()


@v1("POST", "/jobs/{job_id}/units/{unit_id}/cancel")
async def cancel_unit(job_id: int, unit_id: int, sim: Sim, call: V1) -> dict[str, Any]:
    """Cancel a unit: nobody judges it any more."""
    return sim.board.update_unit(unit_of(sim, job_id, unit_id), "canceled", None).shown()


@v1("GET", "/jobs/{job_id}/units/{unit_id}/judgments")
async def unit_judgments(job_id: int, unit_id: int, sim: Sim, call: V1) -> list[dict[str, Any]]:
    """The unit's judgments so far."""
    return unit_of(sim, job_id, unit_id).judgments


@v1("GET", "/jobs/{job_id}/judgments")
async def job_judgments(job_id: int, sim: Sim, call: V1) -> dict[str, Any]:
    """The job's judged units as ``{unit_id: results}``, paged."""
    judged = [u for u in sim.board.units_of(job_of(sim, job_id).job_id) if u.judgments]
    chosen = page_of(call.fields, judged, JUDGMENTS_PAGE_MAX, JUDGMENTS_PAGE_MAX)
    return {str(unit.unit_id): unit.results() for unit in chosen}


@v1("POST", "/jobs/{job_id}/orders")
async def order_units(job_id: int, sim: Sim, call: V1) -> dict[str, Any]:
    """Order ``debit[units_count]`` new units on ``channels[]``; 402 past the funds."""
    job = job_of(sim, job_id)
    count = whole_number(group(call.fields, "debit").get("units_count"), "debit[units_count]")
    channels = call.fields.get("channels")
    if isinstance(channels, str):
        channels = [channels]
    if (
        not isinstance(channels, list)
        or not channels
        or not all(isinstance(c, str) and c for c in channels)
    ):
        raise V1Error(400, "an order needs channels[]=… (e.g. on_demand, cf_internal)")
    ordered = sim.board.order(job, count, channels)
    sim.start_judging(ordered)
    return {
        "job_id": job.job_id,
        "channels": channels,
        "units_count": count,
        "nuggeted_units_count": len(ordered),
    }


async def add_funds(sim: Sim, call: V1) -> dict[str, int | None]:
    """Not v1: add ``cents`` to the account, as paying an invoice would."""
    cents = whole_number(call.fields.get("cents"), "cents", low=0)
    return {"funds_cents": sim.board.add_funds(cents)}


router.add_api_route("/sim/funds", add_funds, methods=["POST"], response_model=None)


def create_app(settings: CrowdSettings) -> FastAPI:
    """The local crowd app on the state kept at ``settings.state_path``: units ordered
    and webhooks pending before a restart are judged and delivered after it; its workers
    stop with the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.state_path)
        async with httpx.AsyncClient(follow_redirects=False) as http:
            board = Board(settings.funds_cents, store)
            app.state.simulation = Simulation(settings, board, http)
            app.state.simulation.resume()
            yield
            await app.state.simulation.stop()
        store.close()

    title = "Local crowd (Crowdflower v1)"
    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None)
    install_api_docs(app, title)
    app.state.settings = settings
    install_v1_errors(app)
    app.include_router(router)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Alive."""
        return {"status": "ok"}

    return app
