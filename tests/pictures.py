"""Photos made on the spot for tests: an original frame, good copies, noise, blanks."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

SIZE = (320, 180)


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    """``image`` as JPEG bytes."""
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def original_frame(seed: int = 1) -> Image.Image:
    """A frame with clear structure: a gradient, a disc and a bar placed by ``seed``."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    draw = ImageDraw.Draw(image)
    x, y = rng.randint(20, 200), rng.randint(10, 90)
    draw.ellipse((x, y, x + 90, y + 70), fill=(230, 40, 40))
    draw.rectangle((rng.randint(0, 250), 120, rng.randint(260, 319), 160), fill=(20, 20, 90))
    return image


def good_copy(seed: int = 1, variant: int = 0) -> bytes:
    """A faithful re-creation of ``original_frame(seed)``: slightly blurred and brighter."""
    image = original_frame(seed).filter(ImageFilter.GaussianBlur(1 + variant % 2))
    return jpeg(image.point(lambda v: min(255, v + 8 + variant)), quality=70 + variant)


def noise(seed: int = 7) -> bytes:
    """Random coloured noise: nothing like any frame."""
    rng = random.Random(seed)
    pixels = bytes(rng.randrange(256) for _ in range(SIZE[0] * SIZE[1] * 3))
    return jpeg(Image.frombytes("RGB", SIZE, pixels))


def blank(level: int) -> bytes:
    """A uniform photo (0 is black, 255 white)."""
    return jpeg(Image.new("RGB", SIZE, (level, level, level)))
