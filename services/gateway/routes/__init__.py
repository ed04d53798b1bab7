"""The gateway's HTTP layer: thin routes over the use cases, and its middleware.

``api`` is the JSON API, ``reports`` takes visitors' reports, ``media`` streams public
media, ``pages`` serves the browser pages, ``me`` a visitor's own frames, ``share`` share
pages, previews, credits and the clip's history, ``ops`` is the operators' console;
``cookies`` and ``security`` are the middleware every answer passes through.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.routes import api, me, media, ops, pages, reports, share

ROUTERS: tuple[APIRouter, ...] = (
    api.router,
    reports.router,
    me.router,
    share.router,
    media.router,
    pages.router,
    ops.router,
)
