"""The gateway's HTTP layer: thin routes over the use cases, and its middleware.

``api`` is the JSON API, ``media`` streams public media, ``pages`` serves the browser
pages; ``cookies`` and ``security`` are the middleware every answer passes through.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.routes import api, media, pages

ROUTERS: tuple[APIRouter, ...] = (api.router, media.router, pages.router)
