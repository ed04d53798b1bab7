"""Peer ingest pipelines, run by ``bench/ingest.py`` inside the peers' own virtualenv.

``pillow``: the same pipeline written with plain Pillow's defaults (open, exif_transpose,
three resizes, three saves). ``pyvips``: libvips' ``thumbnail_buffer`` for the same three
sizes. Prints one JSON object: photos per second of each timed run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import time
from pathlib import Path

SIZES = ((640, 360), (320, 180), (128, 72))
QUALITY = (88, 85, 80)


def pillow_pipeline(data: bytes) -> list[bytes]:
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    outputs = []
    for size, quality in zip(SIZES, QUALITY, strict=True):
        out = io.BytesIO()
        image.resize(size).save(out, "JPEG", quality=quality)
        outputs.append(out.getvalue())
    return outputs


def pyvips_pipeline(data: bytes) -> list[bytes]:
    import pyvips

    return [
        pyvips.Image.thumbnail_buffer(data, width, height=height, crop="centre").write_to_buffer(
            f".jpg[Q={quality},strip]"
        )
        for (width, height), quality in zip(SIZES, QUALITY, strict=True)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("impl", choices=["pillow", "pyvips"])
    parser.add_argument("photos", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    pipeline = pillow_pipeline if args.impl == "pillow" else pyvips_pipeline
    photos = [p.read_bytes() for p in sorted(args.photos.glob("*.jpg"))]
    for data in photos:  # warm up: imports, caches, thread pools
        pipeline(data)
    rates = []
    for _ in range(args.runs):
        started = time.perf_counter()
        for _ in range(args.rounds):
            for data in photos:
                pipeline(data)
        rates.append(len(photos) * args.rounds / (time.perf_counter() - started))
    print(json.dumps({"impl": args.impl, "rates": rates}))


if __name__ == "__main__":
    main()
