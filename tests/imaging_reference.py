"""The ingest pipeline for JPEG photos as it was before the speed work (issue 9).

Kept frozen as the reference the imaging tests compare today's renditions with (PSNR),
so any later speed-up has to stay visually the same. JPEG input only; the checks on the
input (pixel limits, formats, truncation) are tested against the service itself.
"""

from __future__ import annotations

import io

from PIL import Image

from services.ingest.imaging import JPEG_QUALITY, cover_crop

# EXIF orientation → the transpose that makes the image upright.
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def reference_renditions(data: bytes, clip_size: tuple[int, int]) -> list[bytes]:
    """Large, medium and thumb of a JPEG photo, made the way ingest made them before."""
    image = Image.open(io.BytesIO(data), formats=["JPEG"])
    orientation = image.getexif().get(0x0112, 1)
    wanted = clip_size[::-1] if orientation in (5, 6, 7, 8) else clip_size
    scale = max(wanted[0] / image.width, wanted[1] / image.height)
    image.draft("RGB", (max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    image = image.convert("RGB")
    if orientation in UPRIGHT:
        image = image.transpose(UPRIGHT[orientation])
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
