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
