"""HLS playlists of a clip's fMP4 segments: pure functions, no I/O.

One rung is a media playlist; a resolution ladder adds a master playlist naming each
rung's media playlist with its ``BANDWIDTH`` (the peak segment bit rate, as RFC 8216
asks), ``AVERAGE-BANDWIDTH``, ``RESOLUTION``, ``CODECS`` and ``FRAME-RATE``, so a
player picks a rung by the bandwidth it measures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def media_playlist(init_name: str, segments: list[tuple[str, float]]) -> str:
    """An HLS (version 7) VOD playlist: the init map, then each segment and its seconds."""
    target = max((math.ceil(seconds) for _, seconds in segments), default=1)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{target}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        f'#EXT-X-MAP:URI="{init_name}"',
    ]
    for name, seconds in segments:
        lines += [f"#EXTINF:{seconds:.6f},", name]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Variant:
    """One rung as a master playlist lists it."""

    uri: str
    peak_bits_per_second: int
    average_bits_per_second: int
    width: int
    height: int
    codecs: str
    frame_rate: float


def master_playlist(variants: list[Variant]) -> str:
    """An HLS master playlist listing every variant (smallest first)."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for v in variants:
        lines += [
            f"#EXT-X-STREAM-INF:BANDWIDTH={v.peak_bits_per_second},"
            f"AVERAGE-BANDWIDTH={v.average_bits_per_second},"
            f'RESOLUTION={v.width}x{v.height},CODECS="{v.codecs}",'
            f"FRAME-RATE={v.frame_rate:.3f}",
            v.uri,
        ]
    return "\n".join(lines) + "\n"
