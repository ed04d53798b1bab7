"""The HLS media playlist of a clip's fMP4 segments: a pure function, no I/O."""

from __future__ import annotations

import math


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
