"""The automatic pre-screen of a new submission: its photo and the original frame, read
from the photo store and decoded into small grayscale samples with Pillow, then judged
by :func:`~services.moderation.reviews.screening.screen`.

Decoding runs off the event loop (``asyncio.to_thread``): a large JPEG takes tens of
milliseconds.
"""

from __future__ import annotations

import asyncio
import io
import logging

from PIL import Image, ImageOps

from services.moderation.reviews.ports import PhotoStore
from services.moderation.reviews.screening import GraySample, Screening, ScreeningRules, screen
from shared.errors import NotFound
from shared.messages import SubmissionIngested
from shared.records import original_key

log = logging.getLogger(__name__)
REASON_UNREADABLE = "unreadable_photo"
SAMPLE_SIDE_PIXELS = 64
# Decoding refuses images larger than this (a decompression bomb guard), in pixels.
MAX_DECODE_PIXELS = 40_000_000


class UnreadableImage(ValueError):
    """Bytes that do not decode as an image we can sample."""


def gray_sample(data: bytes, side_pixels: int = SAMPLE_SIDE_PIXELS) -> GraySample:
    """Decode ``data`` and shrink it to a ``side x side`` grayscale sample.

    Raises :class:`UnreadableImage` when ``data`` is not an image Pillow can decode.
    """
    try:
        return _sample(data, side_pixels)
    except (OSError, ValueError) as exc:  # Pillow's UnidentifiedImageError is an OSError
        raise UnreadableImage(f"cannot sample the image: {exc}") from exc


def _sample(data: bytes, side_pixels: int) -> GraySample:
    with Image.open(io.BytesIO(data)) as image:
        if image.width * image.height > MAX_DECODE_PIXELS:
            raise ValueError(f"image of {image.width}x{image.height} is too large to sample")
        image.draft("L", (side_pixels * 4, side_pixels * 4))
        gray = ImageOps.exif_transpose(image).convert("L")
        small = gray.resize((side_pixels, side_pixels), Image.Resampling.BOX)
        return GraySample(width=side_pixels, height=side_pixels, pixels=small.tobytes())


class Prescreen:
    """Screens a new submission before the crowd is paid for it."""

    def __init__(self, photos: PhotoStore, rules: ScreeningRules, enabled: bool) -> None:
        self.photos, self.rules, self.enabled = photos, rules, enabled

    async def __call__(self, message: SubmissionIngested) -> Screening:
        """The screening of ``message``'s photo (disabled: its similarity only);
        :class:`NotFound` when the photo is missing."""
        photo = await self._sample(message.renditions.medium)
        if photo is None:
            raise NotFound(f"photo {message.renditions.medium} is missing")
        if not isinstance(photo, GraySample):
            return Screening(reason=REASON_UNREADABLE, similarity=None)
        original = await self._sample(original_key(message.video, message.frame))
        found = screen(photo, original if isinstance(original, GraySample) else None, self.rules)
        return found if self.enabled else Screening(None, found.similarity)

    async def _sample(self, key: str) -> GraySample | str | None:
        data = await self.photos.find(key)
        if data is None:
            return None
        try:
            return await asyncio.to_thread(gray_sample, data)
        except UnreadableImage:
            log.warning("image cannot be decoded", extra={"key": key})
            return REASON_UNREADABLE
