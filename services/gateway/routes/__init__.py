"""The gateway's HTTP layer: thin routes over the use cases, and its middleware.

``api`` is the JSON API, ``media`` streams public media, ``pages`` serves the browser
pages, ``me`` a visitor's own frames, ``share`` share pages, previews, credits and the
clip's history; ``cookies`` and ``security`` are the middleware every answer passes through.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.routes import api, me, media, pages, share

ROUTERS: tuple[APIRouter, ...] = (api.router, me.router, share.router, media.router, pages.router)
