"""Share images: a contributor's photo beside the original frame, made for link previews
(``og:image``). Pure Pillow on bytes, no I/O; callers run it off the event loop.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

# Open Graph and Twitter's summary_large_image both show about 1.91:1.
CARD_SIZE = (1200, 630)
GAP_PIXELS = 16
BACKGROUND = (17, 17, 17)
JPEG_QUALITY = 85


def _fitted(data: bytes, box: tuple[int, int]) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return ImageOps.contain(image.convert("RGB"), box)


def share_card(photo: bytes, original: bytes) -> bytes:
    """A JPEG of ``photo`` (left) beside ``original`` (right), each fitted to half the card."""
    width, height = CARD_SIZE
    half = ((width - 3 * GAP_PIXELS) // 2, height - 2 * GAP_PIXELS)
    card = Image.new("RGB", CARD_SIZE, BACKGROUND)
    for index, data in enumerate((photo, original)):
        picture = _fitted(data, half)
        left = GAP_PIXELS + index * (half[0] + GAP_PIXELS) + (half[0] - picture.width) // 2
        card.paste(picture, (left, (height - picture.height) // 2))
    out = io.BytesIO()
    card.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
