"""The local Vimeo's HTTP API: the API 3.4 subset the renderer calls, tus 1.0.0, a player.

| route | answers |
| --- | --- |
| ``POST /me/videos`` (``upload.approach`` ``tus``, ``upload.size``, …) | 200, the new video |
| ``GET /videos/{id}`` | ``uri``, ``link``, ``player_embed_url``, ``upload``, ``transcode`` |
| ``POST /videos/{id}/versions`` (``file_name``, ``upload``) | 201, the new version |
| ``OPTIONS``/``HEAD``/``PATCH /tus/{upload}`` | tus 1.0.0 core: offsets, 409, 412, 415 |
| ``GET /video/{id}``, ``GET /{id}`` | a player page showing the newest transcoded version |
| ``GET /video/{id}/source.mp4`` | that version's bytes |
| ``GET /_sim/videos`` | not Vimeo: every video and version, for tests |

API calls need ``Authorization: Bearer <VIMEO_ACCESS_TOKEN>`` (401 with Vimeo's error
codes 8003 / 8000 otherwise); upload links are capability URLs and need no token, as
Vimeo's tus servers do. Every refusal uses Vimeo's error body. ``?fields=`` narrows
answers. Only the ``tus`` approach is played; ``pull``/``post`` are refused with 2230.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from sims.store import Store
from sims.vimeo.answers import Shown, select_fields
from sims.vimeo.archive import Archive
from sims.vimeo.library import TUS_VERSION, Json, Library, Video, VimeoError, now_utc
from sims.vimeo.settings import VimeoSimSettings

log = logging.getLogger("sims.vimeo")
ERROR_TYPE = "application/vnd.vimeo.error+json"
TUS_CONTENT_TYPE = "application/offset+octet-stream"
TUS_HEADERS = {"Tus-Resumable": TUS_VERSION}


def library(request: Request) -> Library:
    """Dependency: the account this process plays."""
    found: Library = request.app.state.library
    return found


def shown(request: Request) -> Shown:
    """Dependency: the base URL and clock answers are shown with."""
    settings: VimeoSimSettings = request.app.state.settings
    return Shown(settings.base_url(), time.time(), settings.transcode_seconds)


def require_token(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """Dependency: a bearer token, and the right one (Vimeo's 401s otherwise)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise VimeoError(
            401,
            8003,
            "No user credentials were provided.",
            "Something strange occurred. Please contact the app owners.",
        )
    expected = request.app.state.settings.access_token.get_secret_value().encode()
    if not hmac.compare_digest(token.strip().encode(), expected):
        raise VimeoError(
            401,
            8000,
            "The user access token is invalid.",
            "You must provide a valid authenticated access token.",
        )


Lib = Annotated[Library, Depends(library)]
View = Annotated[Shown, Depends(shown)]
api = APIRouter(dependencies=[Depends(require_token)])


async def json_body(request: Request) -> Json:
    """The request's JSON object, or Vimeo's 2205."""
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise VimeoError(400, 2205, "The body of the request isn't formatted properly.")
    return body


def video_of(lib: Library, video_id: str) -> Video:
    """The video of a path id (numeric, as Vimeo's), or Vimeo's 404."""
    return lib.video(int(video_id) if video_id.isdigit() else -1)


def answer(body: Json, status: int, kind: str, fields: str | None) -> JSONResponse:
    return JSONResponse(select_fields(body, fields), status, media_type=f"application/{kind}")


def check_size(request: Request, body: Json) -> None:
    """Vimeo's 403 (4101) for a file larger than the account may hold."""
    upload = body.get("upload")
    size = upload.get("size") if isinstance(upload, dict) else None
    limit = request.app.state.settings.max_upload_bytes
    if isinstance(size, int | str) and str(size).isdigit() and int(size) > limit:
        raise VimeoError(403, 4101, f"The file is larger than the {limit} bytes allowed.")


@api.post("/me/videos")
async def create_video(
    request: Request, lib: Lib, view: View, fields: str | None = None
) -> JSONResponse:
    """Create a video and its first upload (tus)."""
    body = await json_body(request)
    check_size(request, body)
    video = lib.create_video(body, now_utc())
    log.info("video created", extra={"video_id": video.video_id, "size": body["upload"]["size"]})
    # Vimeo answers a tus create with 200 (the OpenAPI file says 201; the clients check 200).
    return answer(view.video_json(video), 200, "vnd.vimeo.video+json", fields)


@api.get("/videos/{video_id}")
async def show_video(
    video_id: str, lib: Lib, view: View, fields: str | None = None
) -> JSONResponse:
    """One video."""
    return answer(view.video_json(video_of(lib, video_id)), 200, "vnd.vimeo.video+json", fields)


@api.post("/videos/{video_id}/versions")
async def create_version(
    video_id: str, request: Request, lib: Lib, view: View, fields: str | None = None
) -> JSONResponse:
    """Start replacing the video's source file with a new version."""
    video = video_of(lib, video_id)
    body = await json_body(request)
    check_size(request, body)
    video, version = lib.add_version(video.video_id, body, now_utc())
    log.info("version created", extra={"video_id": video.video_id, "version": version.version_id})
    return answer(view.version_json(video, version), 201, "vnd.vimeo.video.version+json", fields)


tus = APIRouter(prefix="/tus")


def tus_refusal(status: int, text: str) -> Response:
    extra = {"Tus-Version": TUS_VERSION} if status == 412 else {}
    return Response(text, status, headers={**TUS_HEADERS, **extra}, media_type="text/plain")


def require_tus(request: Request) -> None:
    """Dependency: 412 unless the request speaks tus 1.0.0."""
    if request.headers.get("tus-resumable") != TUS_VERSION:
        raise VimeoError(412, 0, f"Tus-Resumable: {TUS_VERSION} is required")


Tus = Depends(require_tus)


@tus.options("/{upload_id}")
async def tus_options(upload_id: str) -> Response:
    """What this tus server speaks."""
    headers = {**TUS_HEADERS, "Tus-Version": TUS_VERSION}
    return Response(status_code=204, headers=headers)


@tus.head("/{upload_id}", dependencies=[Tus])
async def tus_offset(upload_id: str, lib: Lib) -> Response:
    """The upload's offset and length."""
    upload = lib.upload(upload_id)
    headers = {
        **TUS_HEADERS,
        "Upload-Offset": str(upload.offset),
        "Upload-Length": str(upload.size),
        "Cache-Control": "no-store",
    }
    return Response(status_code=200, headers=headers)


@tus.patch("/{upload_id}", dependencies=[Tus])
async def tus_patch(upload_id: str, request: Request, lib: Lib) -> Response:
    """Append the body at ``Upload-Offset``."""
    if request.headers.get("content-type", "").split(";")[0].strip() != TUS_CONTENT_TYPE:
        return tus_refusal(415, f"Content-Type must be {TUS_CONTENT_TYPE}")
    offset = request.headers.get("upload-offset", "")
    if not offset.isdigit():
        return tus_refusal(400, "Upload-Offset must be a non-negative integer")
    upload = lib.upload(upload_id)
    if int(offset) != upload.offset:
        return tus_refusal(409, f"Upload-Offset {offset} is not the upload's {upload.offset}")
    chunk = bytearray()
    async for part in request.stream():
        chunk.extend(part)
        if upload.offset + len(chunk) > upload.size:
            return tus_refusal(413, f"the upload is {upload.size} bytes; this chunk goes beyond")
    # Checked again: another PATCH may have landed while this body was read.
    new_offset = lib.append(upload, int(offset), bytes(chunk), time.time())
    return Response(status_code=204, headers={**TUS_HEADERS, "Upload-Offset": str(new_offset)})


player = APIRouter()
PLAYER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{margin:0;background:#000;overflow:hidden}}
video{{display:block;width:100vw;height:100vh}}</style></head>
<body><video controls playsinline src="/video/{video_id}/source.mp4"></video></body></html>
"""


def embeddable(lib: Library, video_id: int) -> Video:
    """The video, unless its embeds are private (Vimeo's player refuses those)."""
    video = lib.video(video_id)
    if video.privacy.get("embed") == "private":
        raise VimeoError(403, 0, "This video's embeds are private.")
    return video


@player.get("/video/{video_id:int}")
@player.get("/{video_id:int}")
async def player_page(video_id: int, lib: Lib) -> HTMLResponse:
    """A page playing the newest transcoded version."""
    video = embeddable(lib, video_id)
    return HTMLResponse(PLAYER_PAGE.format(title=escape(video.name), video_id=video.video_id))


@player.get("/video/{video_id:int}/source.mp4")
async def source_file(video_id: int, lib: Lib, view: View) -> Response:
    """The bytes of the newest transcoded version."""
    playing = embeddable(lib, video_id).playing(view.now, view.transcode_seconds)
    if playing is None:
        raise VimeoError(404, 5000, "This video is still being processed.")
    return Response(bytes(playing.upload.data), media_type="video/mp4")


@player.get("/_sim/videos")
async def every_video(lib: Lib, view: View) -> list[dict[str, Any]]:
    """Not Vimeo: every video and its versions (size, bytes received, SHA-256)."""
    return [
        {
            "uri": video.uri,
            "name": video.name,
            "description": video.description,
            "privacy": video.privacy,
            "status": video.status(view.now, view.transcode_seconds),
            "versions": [
                {
                    "version_id": v.version_id,
                    "file_name": v.file_name,
                    "size": v.upload.size,
                    "offset": v.upload.offset,
                    "sha256": v.sha256(),
                }
                for v in video.versions
            ],
        }
        for video in lib.videos.values()
    ]


async def vimeo_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, VimeoError)
    if exc.error_code == 0:
        return tus_refusal(exc.status, exc.developer_message)
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if exc.status == 401 else {}
    return JSONResponse(exc.body(), exc.status, headers=headers, media_type=ERROR_TYPE)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = "The requested page couldn't be found." if exc.status_code == 404 else str(exc.detail)
    return await vimeo_error(request, VimeoError(exc.status_code, 5000, message, message))


def create_app(settings: VimeoSimSettings) -> FastAPI:
    """The local Vimeo app, on the account kept at ``settings.state_path`` (empty the
    first time; in memory when unset)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.state_path)
        files = settings.state_path.parent / "uploads" if settings.state_path else None
        app.state.library = Archive(store, files).library()
        yield
        store.close()

    title = "Local Vimeo (API 3.4 subset)"
    app = FastAPI(title=title, docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.add_exception_handler(VimeoError, vimeo_error)
    app.add_exception_handler(StarletteHTTPException, http_error)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Alive."""
        return {"status": "ok"}

    app.include_router(api)
    app.include_router(tus)
    app.include_router(player)
    return app
