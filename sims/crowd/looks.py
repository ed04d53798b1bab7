"""How a simulated worker sees a photo beside the original frame (Pillow, CPU only).

Both images are shrunk to small grayscale squares and histogram-equalised (so exposure
does not matter, only layout); the similarity is 1 minus three times their mean
absolute difference, clamped to 0..1: a copy scores near 1, unrelated noise near 0.
Run it off the event loop.
"""

from __future__ import annotations

import io

from PIL import Image, ImageChops, ImageOps, ImageStat

SIDE_PIXELS = 24


def _look_at(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("L", (SIDE_PIXELS * 4, SIDE_PIXELS * 4))
        small = image.convert("L").resize((SIDE_PIXELS, SIDE_PIXELS), Image.Resampling.BOX)
    return ImageOps.equalize(small)


def likeness(photo: bytes, original: bytes) -> float:
    """How alike ``photo`` and ``original`` look, 0..1."""
    difference = ImageChops.difference(_look_at(photo), _look_at(original))
    mean_abs = ImageStat.Stat(difference).mean[0] / 255.0
    return max(0.0, min(1.0, 1.0 - 3.0 * mean_abs))
