"""The renderer's HTTP routes: the current clip, the latest render, forcing a render."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Header, Query

from services.renderer.deps import Deps, Settings
from services.renderer.schemas import RenderRequested, RenderScheduled, RenderSummary
from shared.errors import Forbidden, NotFound, Unauthorized, error_responses
from shared.operator import bearer_matches
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
    check_operator(settings.operator_token.get_secret_value(), authorization)
    await deps.store.etag(video_record_key(body.video))  # NotFound (404) for an unknown video
    deps.scheduler.note_change(body.video, forced=True)
    return RenderScheduled(video=body.video)


def check_operator(expected: str, authorization: str | None) -> None:
    """Accept only ``Bearer <operator token>``, compared in constant time."""
    if not expected:
        raise Forbidden("forcing renders is disabled (no operator token set)")
    if not bearer_matches(authorization, expected):
        raise Unauthorized("a valid operator token is required")
