"""The resolution ladder: which sizes a clip is published at. Pure functions, no I/O.

A ladder is a list of heights (``RENDERER_LADDER_HEIGHTS``); each rung keeps the video's
aspect ratio. Rungs above the video's own height are dropped (upscaling adds bytes, not
detail); an empty ladder, or one with nothing left, is the video's own size alone.
"""

from __future__ import annotations

Size = tuple[int, int]


def even(value: float) -> int:
    """``value`` rounded to an even number of at least 2 (4:2:0 needs even sizes)."""
    return max(2, round(value / 2) * 2)


def ladder_sizes(width: int, height: int, heights: tuple[int, ...]) -> list[Size]:
    """(width, height) of every rung, smallest first; the last one is the clip's MP4."""
    kept = sorted({even(h) for h in heights if 0 < h <= height})
    if not kept:
        return [(width, height)]
    return [(even(width * h / height), h) for h in kept]
