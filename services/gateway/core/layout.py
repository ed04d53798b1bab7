"""The pages' one layout (``core/pages/layout.html``) and how a wing renders a page that
extends it, with Jinja2 (autoescaping on: every value put into a page is escaped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

LAYOUT_PAGES = Path(__file__).resolve().parent / "pages"
# Pages are tiny and change with deploys; let browsers revalidate every time.
NO_CACHE = {"Cache-Control": "no-cache"}


class Pages:
    """A wing's page templates (in ``folder``), each extending the layout."""

    def __init__(self, folder: Path) -> None:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([folder, LAYOUT_PAGES]),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates = Jinja2Templates(env=env)

    def render(
        self,
        request: Request,
        name: str,
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """The page ``name`` filled with ``context`` (no-cache unless ``headers`` say)."""
        return self.templates.TemplateResponse(
            request,
            name,
            context,
            status_code=status_code,
            headers=headers or NO_CACHE,
        )
