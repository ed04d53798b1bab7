"""The renderer's HTTP routes: the current clip, the latest render, forcing a render."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Header, Query

from services.renderer.deps import Deps, Settings
from services.renderer.schemas import RenderRequested, RenderScheduled, RenderSummary
from shared.errors import NotFound, error_responses
from shared.operator import require_operator
from shared.records import video_record_key

router = APIRouter(tags=["renders"])
VideoQuery = Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]


@router.get("/clip", responses=error_responses(404))
async def current_clip(deps: Deps, settings: Settings, video: VideoQuery = None) -> RenderSummary:
    """The published clip of a video (its ``current.json``)."""
    name = video or settings.default_video
    current = await deps.s3_publisher.current(name)
    if current is None:
        raise NotFound(f"{name} has no published clip yet", code="no_clip")
    return RenderSummary.model_validate(current[0].model_dump())


@router.get("/renders/latest", responses=error_responses(404))
async def latest_render(deps: Deps, settings: Settings, video: VideoQuery = None) -> RenderSummary:
    """The latest render of a video by this process, else its published clip."""
    name = video or settings.default_video
    report = deps.service.latest.get(name)
    if report is not None:
        return RenderSummary.model_validate(dataclasses.asdict(report))
    return await current_clip(deps, settings, name)


@router.post("/renders", status_code=202, responses=error_responses(401, 403, 404, 422))
async def force_render(
    body: RenderRequested,
    deps: Deps,
    settings: Settings,
    authorization: Annotated[str | None, Header()] = None,
) -> RenderScheduled:
    """Force a render of a video now (operator token as a Bearer token)."""
    require_operator(authorization, settings.operator_token)
    await deps.store.etag(video_record_key(body.video))  # NotFound (404) for an unknown video
    deps.scheduler.note_change(body.video, forced=True)
    return RenderScheduled(video=body.video)
