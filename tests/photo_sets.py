"""Bench and test photos built from real photographs (``tests/photographs``, see its README).

A set's photo is a mosaic of native-resolution crops of the five photographs: the
photographs are smaller than a webcam frame, and upscaling one would smooth away the
sensor noise that makes real photos slow to decode. No pixel is resampled here, so the
JPEG decoder sees real noise in every block; the tile seams add a little more detail than
one continuous scene would, so the sets are, if anything, slower to decode than a real
frame of the same size.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image

from tests.images import exif_bytes

PHOTOGRAPHS = Path(__file__).resolve().parent / "photographs"
# Tiles are at most the smallest photograph (chelsea, 451×300), so every tile is a crop.
TILE_SIZE = (450, 300)
# Browsers' canvas encoders and webcams write 4:2:0 JPEG at about this quality.
WEBCAM_QUALITY = 90
PHONE_QUALITY = 92
PHONE_SIZE = (4032, 3024)  # 12 MP, stored landscape as the sensor reads it


@dataclass(frozen=True)
class PhotoSet:
    """A named bench set: ``count`` JPEGs of one size, possibly EXIF-rotated."""

    name: str
    width: int
    height: int
    count: int
    orientation: int = 1


WEBCAM_720P = PhotoSet("1280x720 webcam", 1280, 720, 20)
WEBCAM_1080P = PhotoSet("1920x1080 webcam", 1920, 1080, 12)
PHONE_12MP = PhotoSet("4032x3024 phone, EXIF rotated", *PHONE_SIZE, count=4, orientation=6)
SETS = (WEBCAM_720P, WEBCAM_1080P, PHONE_12MP)


@cache
def photographs() -> tuple[Image.Image, ...]:
    """The decoded source photographs, in a fixed order."""
    return tuple(Image.open(path).convert("RGB") for path in sorted(PHOTOGRAPHS.glob("*.jpg")))


def mosaic(width: int, height: int, seed: int) -> Image.Image:
    """A ``width``×``height`` picture tiled with random crops of the real photographs."""
    rng = random.Random(seed)
    canvas = Image.new("RGB", (width, height))
    columns = -(-width // TILE_SIZE[0])
    rows = -(-height // TILE_SIZE[1])
    tile_width, tile_height = -(-width // columns), -(-height // rows)
    for row in range(rows):
        for column in range(columns):
            source = rng.choice(photographs())
            left = rng.randrange(source.width - tile_width + 1)
            top = rng.randrange(source.height - tile_height + 1)
            tile = source.crop((left, top, left + tile_width, top + tile_height))
            canvas.paste(tile, (column * tile_width, row * tile_height))
    return canvas


def photo_jpeg(photo_set: PhotoSet, seed: int) -> bytes:
    """Photo number ``seed`` of ``photo_set`` as the camera writes it (JPEG with EXIF)."""
    quality = WEBCAM_QUALITY if photo_set.orientation == 1 else PHONE_QUALITY
    out = io.BytesIO()
    mosaic(photo_set.width, photo_set.height, seed).save(
        out, "JPEG", quality=quality, exif=exif_bytes(photo_set.orientation)
    )
    return out.getvalue()


def write_set(photo_set: PhotoSet, folder: Path) -> list[Path]:
    """Write the photos of ``photo_set`` into ``folder`` and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{seed:03d}.jpg" for seed in range(photo_set.count)]
    for seed, path in enumerate(paths):
        path.write_bytes(photo_jpeg(photo_set, seed))
    return paths
