"""The ingest pipeline for JPEG photos as it was before the speed work (issue 9).

Kept frozen as the reference the imaging tests compare today's renditions with (PSNR),
so any later speed-up has to stay visually the same. JPEG input only; the checks on the
input (pixel limits, formats, truncation) are tested against the service itself.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from services.ingest.imaging import JPEG_QUALITY, cover_crop


def reference_renditions(data: bytes, clip_size: tuple[int, int]) -> list[bytes]:
    """Large, medium and thumb of a JPEG photo, made the way ingest made them before."""
    image = Image.open(io.BytesIO(data), formats=["JPEG"])
    orientation = image.getexif().get(0x0112, 1)
    wanted = clip_size[::-1] if orientation in (5, 6, 7, 8) else clip_size
    scale = max(wanted[0] / image.width, wanted[1] / image.height)
    image.draft("RGB", (max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    # The same transposes as the old table of EXIF orientations; RGB JPEGs stay RGB.
    image = ImageOps.exif_transpose(image).convert("RGB")
    crop = cover_crop(image.width, image.height, clip_size[0] / clip_size[1])
    box = (crop.left, crop.top, crop.right, crop.bottom)
    large = image.resize(clip_size, Image.Resampling.BICUBIC, box=box)
    medium = large.resize((clip_size[0] // 2, clip_size[1] // 2), Image.Resampling.BILINEAR)
    thumb_size = (128, max(1, round(128 * clip_size[1] / clip_size[0])))
    thumb = medium.resize(thumb_size, Image.Resampling.BILINEAR)
    renditions = zip((large, medium, thumb), ("large", "medium", "thumb"), strict=True)
    return [_encode(image, JPEG_QUALITY[name]) for image, name in renditions]


def _encode(image: Image.Image, quality: int) -> bytes:
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=False)
    return out.getvalue()
