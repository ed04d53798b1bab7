"""Peer ingest pipelines, run by ``bench/ingest.py`` inside the peers' own virtualenv.

``pillow``: the same steps as ours, written with plain Pillow: read the EXIF orientation,
``draft`` (DCT-scaled decode) to the smallest size that still covers the large rendition,
``exif_transpose``, one bicubic cover-crop resize to large, medium and thumb resized from
large, three saves without metadata. Decode and encode are Pillow's own (the libjpeg-turbo
bundled in its wheel), never simplejpeg: this is the plain Pillow peer. ``pyvips``:
libvips' best call for the job, one ``thumbnail_buffer`` (shrink-on-load, auto-rotate,
centre crop) for large, kept in memory, then medium and thumb from it, written with
``strip``.

Prints one JSON object: photos per CPU-second of each timed run, pinned to one core.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

LARGE, MEDIUM, THUMB = (640, 360), (320, 180), (128, 72)
QUALITY = {"large": 88, "medium": 85, "thumb": 80}
SIDEWAYS = (5, 6, 7, 8)  # EXIF orientations that swap width and height


def cover_box(width: int, height: int) -> tuple[float, float, float, float]:
    """The largest centred box of ``width``×``height`` with the large rendition's aspect."""
    aspect = LARGE[0] / LARGE[1]
    if width / height > aspect:
        left = (width - height * aspect) / 2
        return (left, 0, width - left, height)
    top = (height - width / aspect) / 2
    return (0, top, width, height - top)


def pillow_pipeline(data: bytes) -> list[bytes]:
    from PIL import Image, ImageOps

    image = Image.open(io.BytesIO(data), formats=["JPEG"])
    wanted = LARGE[::-1] if image.getexif().get(0x0112, 1) in SIDEWAYS else LARGE
    scale = max(wanted[0] / image.width, wanted[1] / image.height)
    image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
    image.load()
    ImageOps.exif_transpose(image, in_place=True)
    large = image.resize(LARGE, Image.Resampling.BICUBIC, box=cover_box(*image.size))
    medium = large.resize(MEDIUM, Image.Resampling.BILINEAR)
    thumb = medium.resize(THUMB, Image.Resampling.BILINEAR)
    outputs = []
    for rendition, name in ((large, "large"), (medium, "medium"), (thumb, "thumb")):
        out = io.BytesIO()
        rendition.save(out, "JPEG", quality=QUALITY[name])
        outputs.append(out.getvalue())
    return outputs


def pyvips_pipeline(data: bytes) -> list[bytes]:
    import pyvips

    large = pyvips.Image.thumbnail_buffer(data, LARGE[0], height=LARGE[1], crop="centre")
    large = large.copy_memory()  # decode once; medium and thumb reuse the pixels
    medium = large.resize(MEDIUM[0] / LARGE[0])
    thumb = medium.resize(THUMB[0] / MEDIUM[0])
    return [
        image.write_to_buffer(f".jpg[Q={QUALITY[name]},strip]")
        for image, name in ((large, "large"), (medium, "medium"), (thumb, "thumb"))
    ]


def rates(pipeline: Callable[[bytes], list[bytes]], photos: list[bytes], runs: int) -> list[float]:
    """Photos per CPU-second (all threads of this process) of ``runs`` passes over ``photos``."""
    result = []
    for _ in range(runs):
        started = time.process_time()
        for data in photos:
            pipeline(data)
        result.append(len(photos) / (time.process_time() - started))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("impl", choices=["pillow", "pyvips"])
    parser.add_argument("photos", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    pipeline = pillow_pipeline if args.impl == "pillow" else pyvips_pipeline
    photos = [p.read_bytes() for p in sorted(args.photos.glob("*.jpg"))]
    for data in photos:  # warm up: imports, caches, thread pools
        pipeline(data)
    print(json.dumps({"impl": args.impl, "rates": rates(pipeline, photos, args.runs)}))


if __name__ == "__main__":
    main()
