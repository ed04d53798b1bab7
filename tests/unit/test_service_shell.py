"""A service declared as a ServiceShell: its routers served, its jobs run for the lifespan."""

import asyncio
from dataclasses import dataclass, field

from fastapi import APIRouter
from fastapi.testclient import TestClient

from shared.background import Job, periodic
from shared.service import ServiceShell
from shared.settings import ServiceSettings


@dataclass
class Seen:
    ticks: int = 0
    loop_states: list[str] = field(default_factory=list)


async def never_open(settings, stack):
    raise AssertionError("given deps must be used, not opened")


def shell_of(router: APIRouter) -> ServiceShell:
    async def loop(deps: Seen, stopping: asyncio.Event) -> None:
        deps.loop_states.append("started")
        await stopping.wait()
        deps.loop_states.append("stopped")

    async def tick(deps: Seen) -> None:
        deps.ticks += 1

    def jobs(deps: Seen, settings: ServiceSettings) -> list[Job]:
        return [
            Job("loop", lambda stopping: loop(deps, stopping)),
            periodic("tick", 60.0, lambda: tick(deps)),
        ]

    return ServiceShell("t", never_open, lambda deps, settings: {}, jobs, routers=[router])


def test_a_shell_serves_its_routers_and_runs_its_jobs_until_shutdown():
    router = APIRouter()

    @router.get("/hello")
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    seen = Seen()
    app = shell_of(router).app(ServiceSettings(shutdown_grace_seconds=2.0), seen)
    with TestClient(app) as client:
        assert client.get("/hello").json() == {"hello": "world"}
        assert client.get("/healthz").status_code == 200
    assert seen.loop_states == ["started", "stopped"]
    assert seen.ticks == 1
