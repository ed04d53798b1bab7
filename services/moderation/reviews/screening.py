"""The automatic pre-screen: statistics of small grayscale samples (no I/O).

A photo that is nearly black, nearly white or nearly uniform is rejected before the
crowd is paid to look at it. Every other photo gets a similarity score in 0..1: the
Pearson correlation of its sample with the original frame's (negative counts as 0).
Samples are made by :mod:`services.moderation.reviews.prescreen`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

REASON_BLACK = "blank_black"
REASON_WHITE = "blank_white"
REASON_UNIFORM = "blank_uniform"


@dataclass(frozen=True)
class GraySample:
    """A small grayscale image: ``width * height`` luminance bytes (0..255), row by row."""

    width: int
    height: int
    pixels: bytes


@dataclass(frozen=True)
class ScreeningRules:
    """Thresholds on the 0..255 luminance scale."""

    max_black_mean: float = 16.0
    min_white_mean: float = 240.0
    max_uniform_stddev: float = 6.0


@dataclass(frozen=True)
class Screening:
    """The pre-screen's finding: a rejection reason, or None, and the similarity."""

    reason: str | None
    similarity: float | None


def mean(values: Sequence[int]) -> float:
    """Arithmetic mean of ``values``."""
    return sum(values) / len(values)


def stddev(values: Sequence[int]) -> float:
    """Population standard deviation of ``values``."""
    centre = mean(values)
    return math.sqrt(sum((v - centre) ** 2 for v in values) / len(values))


def correlation(first: Sequence[int], second: Sequence[int]) -> float:
    """Pearson correlation of two equally long samples; 0 when either is flat."""
    mean_a, mean_b = mean(first), mean(second)
    cov = sum((a - mean_a) * (b - mean_b) for a, b in zip(first, second, strict=True))
    spread = math.sqrt(
        sum((a - mean_a) ** 2 for a in first) * sum((b - mean_b) ** 2 for b in second)
    )
    return cov / spread if spread else 0.0


def blank_reason(photo: GraySample, rules: ScreeningRules) -> str | None:
    """Why ``photo`` is unusable (nearly black, white or uniform), or None."""
    brightness = mean(photo.pixels)
    if brightness <= rules.max_black_mean:
        return REASON_BLACK
    if brightness >= rules.min_white_mean:
        return REASON_WHITE
    if stddev(photo.pixels) <= rules.max_uniform_stddev:
        return REASON_UNIFORM
    return None


def similarity(photo: GraySample, original: GraySample) -> float:
    """How much ``photo`` looks like ``original``, 0..1 (samples of the same size)."""
    if (photo.width, photo.height) != (original.width, original.height):
        raise ValueError("samples differ in size")
    return round(max(0.0, correlation(photo.pixels, original.pixels)), 4)


def screen(photo: GraySample, original: GraySample | None, rules: ScreeningRules) -> Screening:
    """Pre-screen ``photo``; the similarity is None when the original is unknown."""
    score = similarity(photo, original) if original is not None else None
    return Screening(reason=blank_reason(photo, rules), similarity=score)
