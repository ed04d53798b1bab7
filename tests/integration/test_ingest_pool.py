"""The photo process pool starts its workers before ingest answers, not on the first photo."""

from __future__ import annotations

from services.ingest.adapters.pool import ProcessPoolPhotoProcessor
from tests.images import jpeg


def worker_pids(photos: ProcessPoolPhotoProcessor) -> set[int]:
    return set(photos.executor._processes)  # CPython's record of the pool's workers


async def test_warm_up_starts_every_worker_before_the_first_photo():
    photos = ProcessPoolPhotoProcessor(workers=2, max_pixels=50_000_000)
    try:
        await photos.warm_up()
        workers = worker_pids(photos)
        assert len(workers) == 2
        await photos.renditions(jpeg(1280, 720), "image/jpeg", (640, 360))
        assert worker_pids(photos) == workers  # the photo did not start a process
    finally:
        photos.close()
