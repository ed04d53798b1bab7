"""Link previews: the Open Graph and Twitter card tags of share and frame pages, written
into the HTML on the server (crawlers run no JavaScript; the layout puts them in the
head). Pure: no I/O.
"""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Preview:
    """What a shared link shows: every URL absolute."""

    title: str
    description: str
    url: str
    image: str
    image_alt: str


def absolute(base_url: str, path: str) -> str:
    """``path`` on the site whose origin is ``base_url``."""
    return f"{base_url.rstrip('/')}{path}"


def meta_tags(preview: Preview) -> str:
    """The head tags of ``preview``, every value escaped."""
    pairs = [
        ("property", "og:type", "website"),
        ("property", "og:site_name", "One Frame Of Fame"),
        ("property", "og:title", preview.title),
        ("property", "og:description", preview.description),
        ("property", "og:url", preview.url),
        ("property", "og:image", preview.image),
        ("property", "og:image:alt", preview.image_alt),
        ("name", "twitter:card", "summary_large_image"),
        ("name", "twitter:title", preview.title),
        ("name", "twitter:description", preview.description),
        ("name", "twitter:image", preview.image),
        ("name", "description", preview.description),
    ]
    tags = [f'<meta {kind}="{name}" content="{html.escape(value)}">' for kind, name, value in pairs]
    tags.append(f'<link rel="canonical" href="{html.escape(preview.url)}">')
    return "\n  ".join(tags)
