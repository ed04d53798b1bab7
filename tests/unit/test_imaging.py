import io
import math

import pytest
from PIL import Image, ImageChops, JpegImagePlugin

from services.ingest.imaging import (
    UnusableImage,
    cover_crop,
    decode_jpeg_fast,
    decode_upright,
    make_renditions,
    plan_renditions,
)
from tests.images import encode, exif_bytes, jpeg, photo
from tests.imaging_reference import reference_renditions
from tests.photo_sets import PHONE_12MP, SETS, WEBCAM_720P, photo_jpeg

CLIP = (640, 360)
MAX_PIXELS = 40_000_000


def test_a_wider_photo_is_cropped_left_and_right():
    box = cover_crop(2000, 720, 16 / 9)
    assert (box.top, box.bottom) == (0, 720)
    assert box.right - box.left == pytest.approx(1280)
    assert box.left == pytest.approx(360)


def test_a_portrait_photo_is_cropped_top_and_bottom():
    box = cover_crop(720, 1280, 16 / 9)
    assert (box.left, box.right) == (0, 720)
    assert box.bottom - box.top == pytest.approx(405)
    assert box.top == pytest.approx((1280 - 405) / 2)


def test_renditions_are_clip_size_half_and_a_128_wide_thumb():
    plan = plan_renditions(1280, 720, 640, 360)
    assert (plan.large, plan.medium, plan.thumb) == ((640, 360), (320, 180), (128, 72))


def sizes(renditions) -> list[tuple[int, int]]:
    return [
        Image.open(io.BytesIO(data)).size
        for data in (renditions.large, renditions.medium, renditions.thumb)
    ]


@pytest.mark.parametrize(
    ("width", "height"), [(1280, 720), (720, 1280), (4000, 3000), (300, 200), (641, 361)]
)
def test_every_input_size_gives_exact_rendition_sizes(width, height):
    out = make_renditions(jpeg(width, height), "image/jpeg", CLIP, MAX_PIXELS)
    assert sizes(out) == [(640, 360), (320, 180), (128, 72)]
    assert (out.source_width, out.source_height) == (width, height)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_applied_and_all_metadata_is_stripped(orientation):
    upright = photo(1280, 720)
    # Store the pixels so that applying the orientation gives the upright photo back.
    undo = {
        3: Image.Transpose.ROTATE_180,
        6: Image.Transpose.ROTATE_90,
        8: Image.Transpose.ROTATE_270,
    }[orientation]
    stored = upright.transpose(undo)
    data = encode(
        stored,
        "JPEG",
        quality=92,
        exif=exif_bytes(orientation, gps=True),
        comment=b"secret comment",
    )
    out = make_renditions(data, "image/jpeg", CLIP, MAX_PIXELS)
    assert (out.source_width, out.source_height) == (1280, 720)
    large = Image.open(io.BytesIO(out.large))
    # The red marker of the upright photo is top-left in the rendition.
    red, green, blue = large.getpixel((10, 10))
    assert red > 200 and green < 60 and blue < 60
    for data in (out.large, out.medium, out.thumb):
        image = Image.open(io.BytesIO(data))
        assert not image.getexif()
        assert "exif" not in image.info
        assert "comment" not in image.info
        assert "icc_profile" not in image.info


def test_a_declared_type_that_does_not_match_the_bytes_is_refused():
    with pytest.raises(UnusableImage):
        make_renditions(jpeg(), "image/png", CLIP, MAX_PIXELS)


def test_more_pixels_than_the_limit_is_refused_before_decoding():
    with pytest.raises(UnusableImage, match="pixels"):
        make_renditions(jpeg(1280, 720), "image/jpeg", CLIP, max_pixels=1280 * 720 - 1)


def test_png_with_alpha_is_flattened_onto_white():
    image = Image.new("RGBA", (800, 450), (0, 0, 0, 0))
    out = make_renditions(encode(image, "PNG"), "image/png", CLIP, MAX_PIXELS)
    assert Image.open(io.BytesIO(out.large)).getpixel((320, 180)) == pytest.approx(
        (255, 255, 255), abs=2
    )


def psnr(first: bytes, second: bytes) -> float:
    """Peak signal-to-noise ratio in dB of two decoded JPEGs of the same size."""
    a, b = (Image.open(io.BytesIO(data)).convert("RGB") for data in (first, second))
    assert a.size == b.size
    histogram = ImageChops.difference(a, b).histogram()
    squared = sum(count * (value % 256) ** 2 for value, count in enumerate(histogram))
    mse = squared / (a.width * a.height * 3)
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


@pytest.mark.parametrize("photo_set", SETS, ids=lambda photo_set: photo_set.name)
def test_real_photos_give_renditions_visually_the_same_as_before_the_speed_work(photo_set):
    data = photo_jpeg(photo_set, seed=1)
    out = make_renditions(data, "image/jpeg", CLIP, MAX_PIXELS)
    before = reference_renditions(data, CLIP)
    for now, then in zip((out.large, out.medium, out.thumb), before, strict=True):
        assert Image.open(io.BytesIO(now)).size == Image.open(io.BytesIO(then)).size
        assert psnr(now, then) >= 40
    assert sizes(out) == [(640, 360), (320, 180), (128, 72)]


def test_a_rotated_12_mp_phone_photo_is_upright_and_stripped_of_its_metadata():
    out = make_renditions(photo_jpeg(PHONE_12MP, seed=0), "image/jpeg", CLIP, MAX_PIXELS)
    assert (out.source_width, out.source_height) == (3024, 4032)
    for data in (out.large, out.medium, out.thumb):
        image = Image.open(io.BytesIO(data))
        assert not image.getexif()
        assert not {"exif", "comment", "icc_profile"} & set(image.info)


@pytest.mark.parametrize("orientation", [1, 6])
@pytest.mark.parametrize("photo_set", SETS, ids=lambda photo_set: photo_set.name)
def test_the_fast_jpeg_decode_gives_the_pixels_of_pillows_draft_decode(photo_set, orientation):
    data = encode(
        Image.open(io.BytesIO(photo_jpeg(photo_set, seed=2))),
        "JPEG",
        quality=90,
        exif=exif_bytes(orientation),
    )
    fast = decode_jpeg_fast(Image.open(io.BytesIO(data)), data, CLIP)
    assert fast is not None
    pillow = decode_upright(Image.open(io.BytesIO(data)), CLIP)
    assert fast.size == pillow.size
    assert fast.convert("RGB").tobytes() == pillow.tobytes()


def test_a_jpeg_libjpeg_warns_about_is_decoded_by_pillow_and_accepted_as_before():
    data = jpeg(1280, 720)
    scan = data.index(b"\xff\xda")
    stray = data[:scan] + b"\x00\x00" + data[scan:]  # "2 extraneous bytes before marker"
    assert decode_jpeg_fast(Image.open(io.BytesIO(stray)), stray, CLIP) is None
    out = make_renditions(stray, "image/jpeg", CLIP, MAX_PIXELS)
    assert sizes(out) == [(640, 360), (320, 180), (128, 72)]


def test_a_truncated_jpeg_is_refused():
    data = jpeg(1280, 720)
    with pytest.raises(UnusableImage, match="truncated"):
        make_renditions(data[: len(data) // 2], "image/jpeg", CLIP, MAX_PIXELS)


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_grey_and_cmyk_jpegs_are_decoded_by_pillow_into_rgb_renditions(mode):
    data = encode(photo(1280, 720).convert(mode), "JPEG")
    assert decode_jpeg_fast(Image.open(io.BytesIO(data)), data, CLIP) is None
    out = make_renditions(data, "image/jpeg", CLIP, MAX_PIXELS)
    assert {Image.open(io.BytesIO(data)).mode for data in (out.large, out.thumb)} == {"RGB"}


def test_renditions_keep_pillows_4_2_0_chroma_subsampling():
    out = make_renditions(photo_jpeg(WEBCAM_720P, seed=0), "image/jpeg", CLIP, MAX_PIXELS)
    for data in (out.large, out.medium, out.thumb):
        assert JpegImagePlugin.get_sampling(Image.open(io.BytesIO(data))) == 2  # 4:2:0
