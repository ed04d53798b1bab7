"""Images built in the tests: photos, EXIF-rotated photos and a bad-input corpus."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw


def photo(width: int = 1280, height: int = 720, seed: int = 0) -> Image.Image:
    """A webcam-like picture: gradient background, a few shapes, a red top-left marker."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for index in range(6):
        x = (seed * 37 + index * 211) % max(1, width - 120)
        y = (seed * 53 + index * 97) % max(1, height - 120)
        draw.ellipse((x, y, x + 110, y + 110), fill=(40 * index % 255, 120, 200))
    draw.rectangle((0, 0, width // 8, height // 8), fill=(255, 0, 0))
    return image


def encode(image: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    """``image`` encoded as ``fmt``."""
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpeg(width: int = 1280, height: int = 720, seed: int = 0, **options: object) -> bytes:
    """A JPEG webcam photo."""
    return encode(photo(width, height, seed), "JPEG", quality=90, **options)


def exif_bytes(orientation: int, gps: bool = False) -> bytes:
    """EXIF with an orientation tag (and a GPS block, to prove it is stripped)."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "TestCam"
    if gps:
        exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    return exif.tobytes()


def png_bomb(side: int = 20_000) -> bytes:
    """A tiny PNG that claims ``side``×``side`` pixels of zeros (a decompression bomb)."""
    raw_row = b"\x00" + b"\x00" * side
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(raw_row) for _ in range(side)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def with_jpeg_dimensions(data: bytes, width: int, height: int) -> bytes:
    """A JPEG whose frame header claims ``width``×``height`` (the data stays small)."""
    sof = data.index(b"\xff\xc0")
    header = data[sof + 5 : sof + 9]
    assert len(header) == 4
    return data[: sof + 5] + struct.pack(">HH", height, width) + data[sof + 9 :]


def corrupt_png_data(data: bytes) -> bytes:
    """A PNG with a byte of its compressed pixel data flipped (bad CRC, bad zlib)."""
    at = data.index(b"IDAT") + 20
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def animated_webp() -> bytes:
    """A three-frame animated WebP."""
    frames = [photo(320, 180, seed) for seed in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10"/></svg>'
)


def rejected_corpus() -> list[tuple[str, str, bytes, int]]:
    """(name, content type, body, expected status) for uploads that must store nothing."""
    good = jpeg(640, 360)
    png = encode(photo(640, 360), "PNG")
    gif = encode(photo(64, 36).convert("P"), "GIF")
    return [
        ("zero bytes", "image/jpeg", b"", 422),
        ("text as jpeg", "image/jpeg", b"hello, this is not a photo\n" * 20, 422),
        ("html as png", "image/png", b"<html><body>hi</body></html>", 422),
        ("truncated jpeg", "image/jpeg", good[: len(good) // 2], 422),
        ("png bomb", "image/png", png_bomb(), 422),
        ("huge dimensions jpeg", "image/jpeg", with_jpeg_dimensions(good, 9000, 6000), 422),
        ("corrupt png data", "image/png", corrupt_png_data(png), 422),
        ("svg", "image/svg+xml", SVG, 415),
        ("svg as png", "image/png", SVG, 422),
        ("gif", "image/gif", gif, 415),
        ("gif as jpeg", "image/jpeg", gif, 422),
        ("bmp as png", "image/png", encode(photo(64, 36), "BMP"), 422),
        ("jpeg as webp", "image/webp", good, 422),
        ("webp as jpeg", "image/jpeg", encode(photo(320, 180), "WEBP"), 422),
        ("animated webp", "image/webp", animated_webp(), 422),
        ("octet stream", "application/octet-stream", good, 415),
        ("no content type", "", good, 415),
        ("over 8 MB", "image/jpeg", good + b"\x00" * (8 * 1024 * 1024), 413),
    ]


def tolerated_corpus() -> list[tuple[str, str, bytes]]:
    """(name, content type, body) of unusual but valid photos that must be accepted."""
    return [
        ("cmyk jpeg", "image/jpeg", encode(photo(800, 450).convert("CMYK"), "JPEG")),
        ("16-bit png", "image/png", encode(photo(800, 450).convert("L").convert("I;16"), "PNG")),
        ("png with alpha", "image/png", encode(photo(800, 450).convert("RGBA"), "PNG")),
        ("still webp", "image/webp", encode(photo(800, 450), "WEBP")),
        ("tiny jpeg", "image/jpeg", jpeg(4, 3)),
    ]
