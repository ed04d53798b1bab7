"""Decoding photos into small grayscale samples with Pillow (CPU work, no I/O).

Callers run :func:`gray_sample` off the event loop (``asyncio.to_thread``): decoding a
large JPEG takes tens of milliseconds.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from services.moderation.screening import GraySample

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
