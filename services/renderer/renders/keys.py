"""Where the renderer keeps what only it reads in S3: the files of a clip version, the
encoded fragments its workers hand back, and the history of its renders.

What others read (the clip pointer, a version's facts, the hosted clip) is keyed in
:mod:`shared.records`; the files a pointer names are reached through its keys.
"""

from __future__ import annotations

from datetime import datetime

# The files of one published clip version, under ``shared.records.clip_version_prefix``.
CLIP_MP4, CLIP_POSTER, CLIP_PLAYLIST, CLIP_INIT = "clip.mp4", "poster.jpg", "index.m3u8", "init.mp4"
RENDERS_PREFIX = "renders/"


def clip_segment_name(index: int) -> str:
    """File name of HLS media segment ``index`` inside a clip version."""
    return f"seg-{index:05d}.m4s"


def clip_rung_folder(height: int) -> str:
    """Folder of one rung of a resolution ladder inside a clip version (``720p/``)."""
    return f"{height}p/"


def fragments_prefix(video: str) -> str:
    """S3 folder of the encoded segments of ``video`` that encoder workers hand back."""
    return f"fragments/{video}/"


def fragment_key(video: str, name: str) -> str:
    """S3 key of one encoded fragment (``{segment hash}.m4s``) or init part (``init-….mp4``)
    of ``video``; names are content hashes, so a key is written once (``If-None-Match: *``)."""
    return f"{fragments_prefix(video)}{name}"


def render_run_key(video: str, built_at: datetime) -> str:
    """Where the renderer keeps the facts of one render of ``video`` (its history)."""
    return f"{RENDERS_PREFIX}{video}/{built_at:%Y%m%dT%H%M%S%f}.json"


def render_runs_prefix(video: str) -> str:
    """Every kept render of ``video``, oldest first by key."""
    return f"{RENDERS_PREFIX}{video}/"
