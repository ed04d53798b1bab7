"""Test questions (gold) for the crowd: which, with what known answers, and their images.

Without test questions the platform's trust scores measure nothing, and the verdict
filters on them. Each job gets ``units_per_assignment + 3`` gold units once (the
platform's quiz mode needs at least that many), half of them *copies* — the original
frame itself and slightly lighter or darker versions of it, known answers mimic 4–5,
no nudity, someone trying — and half *noise* images, known answers mimic 1–2 and no
nudity. A gold answer column holds the accepted answers one a line (``mimic_gold``).
Images are made here with Pillow (CPU only; run off the event loop).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageEnhance

GOLD_NAME = "gold_name"
QUIZ_EXTRA_UNITS = 3
NOISE_SIDE_PIXELS = 320
# Brightness steps of the copy variants: visibly different files, the same picture.
COPY_BRIGHTNESS_STEP = 0.08


def crowd_gold_key(name: str) -> str:
    """S3 key of a crowd test-question image (moderation's gold), e.g. ``demo/12/copy-1``."""
    return f"moderation/gold/{name}.jpg"


@dataclass(frozen=True)
class GoldCase:
    """One test question: what its photo is and which answers are right."""

    name: str
    kind: Literal["copy", "noise"]
    index: int

    def answers(self) -> dict[str, str]:
        """The ``<field>_gold`` columns (accepted answers one a line)."""
        if self.kind == "copy":
            return {"mimic_gold": "4\n5", "nudity_gold": "no", "trying_gold": "yes"}
        return {"mimic_gold": "1\n2", "nudity_gold": "no"}


def gold_cases(units_per_assignment: int) -> list[GoldCase]:
    """The job's test questions: half copies, half noise."""
    count = units_per_assignment + QUIZ_EXTRA_UNITS
    copies = (count + 1) // 2
    return [GoldCase(f"copy-{n}", "copy", n) for n in range(copies)] + [
        GoldCase(f"noise-{n}", "noise", n) for n in range(count - copies)
    ]


def copy_photo(original: bytes, index: int) -> bytes:
    """Variant ``index`` of the original frame: itself, then lighter/darker by steps."""
    if index == 0:
        return original
    sign = 1 if index % 2 else -1
    factor = 1.0 + sign * COPY_BRIGHTNESS_STEP * ((index + 1) // 2)
    with Image.open(io.BytesIO(original)) as image:
        return _jpeg(ImageEnhance.Brightness(image.convert("RGB")).enhance(factor))


def noise_photo(index: int) -> bytes:
    """A colour-noise image, the same for the same ``index``."""
    # Test data, not security: a seeded generator makes the same image every time.
    rng = random.Random(index)  # noqa: S311
    raw = rng.randbytes(NOISE_SIDE_PIXELS * NOISE_SIDE_PIXELS * 3)
    return _jpeg(Image.frombytes("RGB", (NOISE_SIDE_PIXELS, NOISE_SIDE_PIXELS), raw))


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
