"""The renderer's HTTP routes: the current clip, the latest render, forcing a render."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request

from services.renderer.deps import Deps, Settings
from services.renderer.renders.reports import RenderReport
from services.renderer.renders.schemas import RenderRequested, RenderScheduled, RenderSummary
from shared.bodies import json_body_spec, read_json
from shared.errors import error_responses
from shared.operator import require_operator
from shared.records import RenderHistory

router = APIRouter(tags=["renders"])
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


@router.get("/renders", responses=error_responses(401, 403, 422))
async def render_history(
    deps: Deps,
    settings: Settings,
    video: VideoQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    authorization: Annotated[str | None, Header()] = None,
) -> RenderHistory:
    """A video's recorded renders, newest first (operator token as a Bearer token)."""
    require_operator(authorization, settings.operator_token)
    name = video or settings.default_video
    return RenderHistory(video=name, renders=await deps.renderer.history(name, limit))


@router.post(
    "/renders",
    status_code=202,
    responses=error_responses(401, 403, 404, 413, 422),
    openapi_extra=json_body_spec(RenderRequested),
)
async def force_render(
    request: Request,
    deps: Deps,
    settings: Settings,
    authorization: Annotated[str | None, Header()] = None,
) -> RenderScheduled:
    """Force a render of a video now (operator token as a Bearer token)."""
    require_operator(authorization, settings.operator_token)  # before the body is read
    body = await read_json(request, RenderRequested, MAX_RENDER_REQUEST_BYTES)
    await deps.renderer.force_render(body.video)  # NotFound (404) for an unknown video
    return RenderScheduled(video=body.video)
