"""Turning one uploaded photo into the three JPEG renditions. Pure: bytes in, bytes out.

Speed comes from decoding less: JPEG's DCT scaling (``Image.draft``) decodes straight
to the smallest power-of-two reduction that still covers the large rendition, and
orientation is applied to that reduced image, not the full one. When that reduction is
already the large rendition (a 1280×720 webcam frame for a 640×360 clip) it is encoded
as it is, without a resize. Medium and thumb are made from the large rendition, not
from the original. Decoding to RGB is deliberate: libjpeg-turbo's merged SIMD
upsampling and colour conversion make RGB cheaper to decode and to encode than YCbCr
(measured: ``bench/ingest.py``).

A YCbCr JPEG is decoded by simplejpeg, which calls libjpeg-turbo without Pillow in
between: Pillow still reads the header and the EXIF orientation (without decoding), then
simplejpeg decodes at the same DCT scale as ``draft``, with the same accurate IDCT and
smooth upsampling, straight into a buffer that Pillow maps without a copy (RGBX). Its
strict mode refuses any JPEG libjpeg warns about; such a photo goes to Pillow's decoder,
which decides as before (truncated data is an error, a stray byte is not). Encoding stays
with Pillow: simplejpeg's encoder, always libjpeg-turbo's fast DCT, measured no faster
here and is less exact; its fast decode flags gave nothing either (``docs/benchmarks.md``).

Safety: only the declared format is tried, the pixel count is checked from the header
before anything is decoded, decompression-bomb warnings are errors, truncated data is
an error, animated images are refused, and nothing of the input's metadata (EXIF with
GPS, ICC, comments, XMP) reaches the output.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import simplejpeg
from PIL import Image, ImageFile, _imaging

from shared.errors import Unprocessable

ImageFile.LOAD_TRUNCATED_IMAGES = False
# Pillow hands every freed image back to the allocator, so each photo pays the page
# faults of fresh memory again (11 % of a 12 MP photo's time). Keep freed memory instead,
# in small equal blocks that any image can reuse: at most 128 × 64 KiB = 8 MiB per process.
IMAGE_BLOCK_BYTES = 64 * 1024
CACHED_IMAGE_BLOCKS = 128
_imaging.set_block_size(IMAGE_BLOCK_BYTES)
_imaging.set_blocks_max(CACHED_IMAGE_BLOCKS)

# Declared content type → the only Pillow format we try for it.
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
THUMB_WIDTH = 128
JPEG_QUALITY = {"large": 88, "medium": 85, "thumb": 80}
# EXIF orientation → the transpose that makes the image upright.
_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION_TAG = 0x0112


class UnusableImage(Unprocessable):
    """The body is not a usable image of its declared type."""

    default_code = "unusable_image"


@dataclass(frozen=True)
class CropBox:
    """A crop rectangle in source pixels: left, top, right, bottom."""

    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class RenditionPlan:
    """Sizes of the three renditions and the cover-crop of the upright source."""

    crop: CropBox
    large: tuple[int, int]
    medium: tuple[int, int]
    thumb: tuple[int, int]


@dataclass(frozen=True)
class EncodedRenditions:
    """The encoded renditions and the upright source size."""

    large: bytes
    medium: bytes
    thumb: bytes
    source_width: int
    source_height: int


def cover_crop(width: int, height: int, aspect: float) -> CropBox:
    """The largest centred box of ``width``×``height`` with ``aspect`` (w/h)."""
    if width / height > aspect:
        crop_width = height * aspect
        left = (width - crop_width) / 2
        return CropBox(left, 0, left + crop_width, height)
    crop_height = width / aspect
    top = (height - crop_height) / 2
    return CropBox(0, top, width, top + crop_height)


def plan_renditions(width: int, height: int, clip_width: int, clip_height: int) -> RenditionPlan:
    """Plan the renditions of an upright ``width``×``height`` photo for a clip size."""
    thumb_height = max(1, round(THUMB_WIDTH * clip_height / clip_width))
    return RenditionPlan(
        crop=cover_crop(width, height, clip_width / clip_height),
        large=(clip_width, clip_height),
        medium=(max(1, clip_width // 2), max(1, clip_height // 2)),
        thumb=(THUMB_WIDTH, thumb_height),
    )


def is_sideways(orientation: int) -> bool:
    """True when the EXIF orientation swaps width and height."""
    return orientation in (5, 6, 7, 8)


def open_checked(data: bytes, content_type: str, max_pixels: int) -> Image.Image:
    """Open ``data`` as its declared format and check it before decoding pixels."""
    image_format = FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[image_format])
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning) as exc:
        raise UnusableImage(f"not a readable {image_format} image") from exc
    except Image.DecompressionBombError as exc:
        raise UnusableImage("image has too many pixels") from exc
    width, height = image.size
    if width * height > max_pixels:
        raise UnusableImage(f"image has {width * height} pixels; the limit is {max_pixels}")
    if getattr(image, "n_frames", 1) > 1:
        raise UnusableImage("animated images are not accepted; send a single photo")
    return image


def orientation_of(image: Image.Image) -> int:
    """The EXIF orientation (1 = upright) of an opened image."""
    value = image.getexif().get(_EXIF_ORIENTATION_TAG, 1)
    return value if isinstance(value, int) else 1


def upright_size(image: Image.Image) -> tuple[int, int]:
    """Width and height of ``image`` once its EXIF orientation is applied."""
    width, height = image.size
    return (height, width) if is_sideways(orientation_of(image)) else (width, height)


def decode_upright(image: Image.Image, clip_size: tuple[int, int]) -> Image.Image:
    """Decode ``image`` (reduced by DCT scaling where possible), upright, in RGB."""
    orientation = orientation_of(image)
    if image.format == "JPEG":
        wanted = clip_size[::-1] if is_sideways(orientation) else clip_size
        # draft keeps at least the requested size in both directions.
        image.draft("RGB", _draft_size(image.size, wanted))
    try:
        image.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise UnusableImage("image data is truncated or corrupt") from exc
    image = _to_rgb(image)
    if orientation in _ORIENTATION:
        image = image.transpose(_ORIENTATION[orientation])
    return image


def _draft_size(size: tuple[int, int], clip_size: tuple[int, int]) -> tuple[int, int]:
    """Request for ``draft``: enough pixels that the cover-crop still fills the clip."""
    scale = max(clip_size[0] / size[0], clip_size[1] / size[1])
    return (max(1, round(size[0] * scale)), max(1, round(size[1] * scale)))


def _draft_scale(size: tuple[int, int], wanted: tuple[int, int]) -> int:
    """The power-of-two reduction ``draft`` picks for ``wanted`` (see ``_draft_size``)."""
    fits = min(size[0] // wanted[0], size[1] // wanted[1])
    return next((scale for scale in (8, 4, 2) if fits >= scale), 1)


def decode_jpeg_fast(
    image: Image.Image, data: bytes, clip_size: tuple[int, int]
) -> Image.Image | None:
    """Decode the YCbCr JPEG ``image`` (opened from ``data``) upright, as ``draft`` would.

    None when Pillow must decode it: another colour space, or a warning from libjpeg.
    """
    if image.format != "JPEG" or image.mode != "RGB":
        return None
    orientation = orientation_of(image)
    wanted = clip_size[::-1] if is_sideways(orientation) else clip_size
    scale = _draft_scale(image.size, _draft_size(image.size, wanted))
    try:
        pixels = simplejpeg.decode_jpeg(
            data, "RGBX", min_width=-(-image.width // scale), min_height=-(-image.height // scale)
        )
    except ValueError:
        return None  # libjpeg warned (truncated, stray bytes): Pillow decides, as before
    height, width = pixels.shape[:2]
    # RGBX is Pillow's own layout: the image maps the decoded buffer instead of copying it.
    decoded = Image.frombuffer("RGBX", (width, height), pixels, "raw", "RGBX", 0, 1)
    if orientation in _ORIENTATION:
        return decoded.transpose(_ORIENTATION[orientation])
    return decoded


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB for any mode we accept: alpha over white, 16-bit scaled down, CMYK converted."""
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda value: value / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, quality: int) -> bytes:
    image.info = {}  # never carry the input's EXIF, ICC profile or comment
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=False)
    return out.getvalue()


def _large_rendition(upright: Image.Image, plan: RenditionPlan) -> Image.Image:
    """The cover-cropped large rendition; the decoded image itself when it already is."""
    crop = plan.crop
    box = (crop.left, crop.top, crop.right, crop.bottom)
    if upright.size == plan.large and box == (0, 0, *upright.size):
        return upright  # Pillow's resize would only copy it
    return upright.resize(plan.large, Image.Resampling.BICUBIC, box=box)


def make_renditions(
    data: bytes, content_type: str, clip_size: tuple[int, int], max_pixels: int
) -> EncodedRenditions:
    """Decode, orient, cover-crop and encode the three renditions of one photo."""
    image = open_checked(data, content_type, max_pixels)
    try:
        source_width, source_height = upright_size(image)
        upright = decode_jpeg_fast(image, data, clip_size) or decode_upright(image, clip_size)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        # Some formats read pixel data while looking for metadata (PNG's eXIf chunk).
        raise UnusableImage("image data is truncated or corrupt") from exc
    plan = plan_renditions(upright.width, upright.height, *clip_size)
    large = _large_rendition(upright, plan)
    medium = large.resize(plan.medium, Image.Resampling.BILINEAR)
    thumb = medium.resize(plan.thumb, Image.Resampling.BILINEAR)
    return EncodedRenditions(
        large=_encode(large, JPEG_QUALITY["large"]),
        medium=_encode(medium, JPEG_QUALITY["medium"]),
        thumb=_encode(thumb, JPEG_QUALITY["thumb"]),
        source_width=source_width,
        source_height=source_height,
    )
