"""The local crowd's HTTP API: the Crowdflower v1 subset moderation uses.

| route | answers |
| --- | --- |
| ``GET /v1/jobs.json`` | every job |
| ``POST /v1/jobs.json`` (``job[title]``, ``job[cml]``, ``job[webhook_uri]``, …) | the new job |
| ``GET /v1/jobs/{job}.json`` | one job |
| ``POST /v1/jobs/{job}/units.json`` (``unit[data][…]``) | the new unit; workers start on it |
| ``GET /v1/jobs/{job}/units.json`` | ``{unit_id: data}`` |
| ``GET /v1/jobs/{job}/units/{unit}.json`` | one unit with ``results.judgments`` |
| ``GET /v1/jobs/{job}/units/{unit}/judgments.json`` | the unit's judgments |
| ``GET /v1/jobs/{job}/judgments.json?page=N`` | the job's judgments, 100 a page |

Every ``/v1`` call needs the API key: ``?key=…`` or ``Authorization: Token token=…``.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request

from shared.apidocs import install_api_docs
from shared.errors import NotFound, Unauthorized, install_error_handlers
from sims.crowd.board import Board, Job, Unit
from sims.crowd.settings import CrowdSettings
from sims.crowd.simulation import Simulation

JUDGMENTS_PAGE_SIZE = 100


def nested_fields(form: Any, prefix: str) -> dict[str, str]:
    """Rails-style fields ``prefix[name]`` of ``form`` as ``{name: value}``."""
    start = f"{prefix}["
    return {
        key[len(start) : -1]: str(value)
        for key, value in form.items()
        if key.startswith(start) and key.endswith("]")
    }


def offered_key(key: str | None, authorization: str | None) -> str:
    """The API key a request carries, in the query or the ``Token token=`` header."""
    if key:
        return key
    scheme, _, rest = (authorization or "").partition(" ")
    return rest.removeprefix("token=").strip('"') if scheme.lower() == "token" else ""


def require_key(
    request: Request, key: str | None = None, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Dependency: the request must carry the API key."""
    expected = request.app.state.settings.api_key.get_secret_value().encode()
    if not hmac.compare_digest(offered_key(key, authorization).encode(), expected):
        raise Unauthorized("a valid API key is required")


def simulation(request: Request) -> Simulation:
    """Dependency: the crowd of this process."""
    sim: Simulation = request.app.state.simulation
    return sim


Sim = Annotated[Simulation, Depends(simulation)]
router = APIRouter(prefix="/v1", dependencies=[Depends(require_key)])


def job_of(sim: Simulation, job_id: int) -> Job:
    """The job, or 404."""
    if job_id not in sim.board.jobs:
        raise NotFound(f"no job {job_id}")
    return sim.board.jobs[job_id]


def unit_of(sim: Simulation, job_id: int, unit_id: int) -> Unit:
    """The unit of that job, or 404."""
    unit = sim.board.units.get(unit_id)
    if unit is None or unit.job_id != job_id:
        raise NotFound(f"no unit {unit_id} in job {job_id}")
    return unit


@router.get("/jobs.json")
async def list_jobs(sim: Sim) -> list[dict[str, Any]]:
    """Every job."""
    return [job.shown() for job in sim.board.jobs.values()]


@router.post("/jobs.json")
async def create_job(request: Request, sim: Sim) -> dict[str, Any]:
    """Create a job from ``job[…]`` form fields."""
    return sim.board.create_job(nested_fields(await request.form(), "job")).shown()


@router.get("/jobs/{job_id}.json")
async def show_job(job_id: int, sim: Sim) -> dict[str, Any]:
    """One job."""
    return job_of(sim, job_id).shown()


@router.post("/jobs/{job_id}/units.json")
async def create_unit(job_id: int, request: Request, sim: Sim) -> dict[str, Any]:
    """Create a unit from ``unit[data][…]`` form fields; workers start on it."""
    data = nested_fields(await request.form(), "unit[data]")
    unit = sim.board.create_unit(job_of(sim, job_id), data)
    sim.start_judging(unit)
    return unit.shown()


@router.get("/jobs/{job_id}/units.json")
async def list_units(job_id: int, sim: Sim) -> dict[str, dict[str, str]]:
    """The job's units as ``{unit_id: data}``."""
    return {str(u.unit_id): u.data for u in sim.board.units_of(job_of(sim, job_id).job_id)}


@router.get("/jobs/{job_id}/units/{unit_id}.json")
async def show_unit(job_id: int, unit_id: int, sim: Sim) -> dict[str, Any]:
    """One unit, with its judgments so far."""
    return unit_of(sim, job_id, unit_id).shown()


@router.get("/jobs/{job_id}/units/{unit_id}/judgments.json")
async def unit_judgments(job_id: int, unit_id: int, sim: Sim) -> list[dict[str, Any]]:
    """The unit's judgments so far."""
    return unit_of(sim, job_id, unit_id).judgments


@router.get("/jobs/{job_id}/judgments.json")
async def job_judgments(
    job_id: int, sim: Sim, page: Annotated[int, Query(ge=1)] = 1
) -> list[dict[str, Any]]:
    """The job's judgments, ``JUDGMENTS_PAGE_SIZE`` a page, oldest first."""
    units = sim.board.units_of(job_of(sim, job_id).job_id)
    every = [judgment for unit in units for judgment in unit.judgments]
    return every[(page - 1) * JUDGMENTS_PAGE_SIZE : page * JUDGMENTS_PAGE_SIZE]


def create_app(settings: CrowdSettings) -> FastAPI:
    """The local crowd app; its workers stop with the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(follow_redirects=False) as http:
            app.state.simulation = Simulation(settings, Board(), http)
            yield
            await app.state.simulation.stop()

    title = "Local crowd (Crowdflower v1 subset)"
    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None)
    install_api_docs(app, title)
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(router)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Alive."""
        return {"status": "ok"}

    return app
