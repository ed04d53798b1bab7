"""The gateway's HTTP layer: thin routes over the use cases, and its middleware.

``api`` is the JSON API, ``reports`` takes visitors' reports, ``media`` streams public
media, ``pages`` serves the browser pages, ``ops`` is the operators' console;
``cookies`` and ``security`` are the middleware every answer passes through.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.routes import api, media, ops, pages, reports

ROUTERS: tuple[APIRouter, ...] = (
    api.router,
    reports.router,
    media.router,
    pages.router,
    ops.router,
)
