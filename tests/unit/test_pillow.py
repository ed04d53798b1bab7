from PIL import features

from shared.pillow_check import pil_distributions, problems


def test_import_pil_loads_pillow_simd_not_plain_pillow():
    assert [name.lower() for name in pil_distributions()] == ["pillow-simd"]


def test_pil_can_read_jpeg_png_and_webp():
    assert features.check("jpg")
    assert features.check("zlib")
    assert features.check("webp")
    assert problems() == []
