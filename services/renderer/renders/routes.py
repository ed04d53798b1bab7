"""The renderer's HTTP routes: the current clip, the latest render, forcing a render."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, Header, Query, Request

from services.renderer.renders.reports import RenderReport
from services.renderer.renders.schemas import RenderRequested, RenderScheduled, RenderSummary
from services.renderer.renders.usecases import Renderer
from services.renderer.settings import RendererSettings
from shared.bodies import json_body_spec, read_json
from shared.errors import error_responses
from shared.operator import require_operator
from shared.records import RenderHistory
from shared.service import app_state


class RendererWired(Protocol):
    """What the routes need of the composition root's deps (the shell's ``RendererDeps``)."""

    @property
    def renderer(self) -> Renderer: ...


Deps = Annotated[RendererWired, Depends(app_state("deps"))]
Settings = Annotated[RendererSettings, Depends(app_state("settings"))]


def operator_only(
    settings: Settings, authorization: Annotated[str | None, Header()] = None
) -> None:
    """Guard: the operator token as a Bearer token (runs before any body is read)."""
    require_operator(authorization, settings.operator_token)


router = APIRouter(tags=["renders"])
OPERATOR_ONLY = [Depends(operator_only)]
# `{"video": "<64 chars>"}` is far below this; more is refused (413) unread.
MAX_RENDER_REQUEST_BYTES = 4096
VideoQuery = Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]


@router.get("/clip", responses=error_responses(404))
async def current_clip(deps: Deps, settings: Settings, video: VideoQuery = None) -> RenderSummary:
    """The published clip of a video (its ``current.json``)."""
    pointer = await deps.renderer.current_clip(video or settings.default_video)
    return RenderSummary.model_validate(pointer.model_dump())


@router.get("/renders/latest", responses=error_responses(404))
async def latest_render(deps: Deps, settings: Settings, video: VideoQuery = None) -> RenderSummary:
    """The latest render of a video by this process, else its published clip."""
    latest = await deps.renderer.latest_render(video or settings.default_video)
    if isinstance(latest, RenderReport):
        return RenderSummary.model_validate(dataclasses.asdict(latest))
    return RenderSummary.model_validate(latest.model_dump())


@router.get("/renders", responses=error_responses(401, 403, 422), dependencies=OPERATOR_ONLY)
async def render_history(
    deps: Deps,
    settings: Settings,
    video: VideoQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> RenderHistory:
    """A video's recorded renders, newest first (operator token as a Bearer token)."""
    name = video or settings.default_video
    return RenderHistory(video=name, renders=await deps.renderer.history(name, limit))


@router.post(
    "/renders",
    status_code=202,
    responses=error_responses(401, 403, 404, 413, 422),
    openapi_extra=json_body_spec(RenderRequested),
    dependencies=OPERATOR_ONLY,
)
async def force_render(request: Request, deps: Deps) -> RenderScheduled:
    """Force a render of a video now (operator token as a Bearer token)."""
    body = await read_json(request, RenderRequested, MAX_RENDER_REQUEST_BYTES)
    await deps.renderer.force_render(body.video)  # NotFound (404) for an unknown video
    return RenderScheduled(video=body.video)
