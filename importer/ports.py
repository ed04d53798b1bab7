"""The importer's ports: the video file it reads and the progress it shows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol


@dataclass(frozen=True)
class VideoShape:
    """What a video file is: clip size (even numbers), exact frame rate, frames expected."""

    width: int
    height: int
    rate: Fraction
    # What the container claims; the import counts the frames it really decodes.
    frame_estimate: int


class VideoSource(Protocol):
    """A video file being imported. Every method blocks (decoding), so callers use threads.

    :class:`importer.adapters.pyav.PyavVideoFile` is the adapter.
    """

    def shape(self) -> VideoShape: ...

    def jpeg_frames(self) -> Iterator[tuple[int, bytes]]:
        """(frame number, JPEG at clip size) for every decoded frame, in order."""
        ...

    def has_audio(self) -> bool:
        """Is there an audio track the clip can keep (one that remuxes into MP4)?"""
        ...

    def audio(self) -> bytes:
        """That audio track, remuxed (not re-encoded) into a Matroska file."""
        ...


class ProgressBar(Protocol):
    """Work done out of an expected total, shown to whoever runs the import."""

    def advance(self, count: int = 1) -> None: ...


# Opens a bar for ``(what, expected total)``; closing it ends the bar.
ProgressFactory = Callable[[str, int], AbstractContextManager[ProgressBar]]
