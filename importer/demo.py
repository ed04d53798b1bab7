"""A generated demo video (no downloads): moving figures over a gradient and a tone.

``python -m importer demo --video demo`` generates and imports it; ``make run`` does
that on every start (a no-op once imported). Drawing is Pillow, encoding PyAV
(H.264 + AAC).
"""

from __future__ import annotations

import array
import math
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw

WIDTH, HEIGHT, FPS, SECONDS = 640, 360, 25, 10
SAMPLE_RATE = 44_100
TONE_HZ = 440.0
AUDIO_FRAME_SAMPLES = 1024


def draw_frame(index: int, width: int, height: int) -> Image.Image:
    """Frame ``index``: a sky gradient, a bouncing ball, a walking block and a counter."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 8):
        shade = int(60 + 120 * y / height)
        draw.rectangle([0, y, width, y + 8], fill=(shade // 3, shade // 2, shade))
    t = index / FPS
    x = int((width - 80) * (0.5 + 0.5 * math.sin(t * 1.3)))
    y = int(height * 0.6 - abs(math.sin(t * 3.0)) * height * 0.4)
    draw.ellipse([x, y, x + 80, y + 80], fill=(240, 200, 40), outline=(20, 20, 20), width=3)
    walker = int((index * 6) % (width + 60)) - 60
    draw.rectangle([walker, height - 120, walker + 50, height - 20], fill=(200, 60, 60))
    draw.text((12, 10), f"frame {index:04d}", fill=(255, 255, 255))
    return image


def tone_samples(start: int, count: int) -> bytes:
    """Signed 16-bit mono samples of the tone, from sample ``start``."""
    return array.array(
        "h",
        (
            int(12_000 * math.sin(2 * math.pi * TONE_HZ * (start + i) / SAMPLE_RATE))
            for i in range(count)
        ),
    ).tobytes()


def write_demo_video(path: Path, seconds: float = SECONDS, fps: int = FPS) -> Path:
    """Write the demo clip to ``path`` (MP4, H.264 + AAC); return ``path``."""
    frame_count = int(seconds * fps)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        audio = out.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        for index in range(frame_count):
            image = draw_frame(index, WIDTH, HEIGHT)
            frame = av.VideoFrame.from_image(image)  # type: ignore[no-untyped-call]
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        _write_tone(out, audio, int(seconds * SAMPLE_RATE))
    return path


def _write_tone(out: av.container.OutputContainer, stream: av.AudioStream, total: int) -> None:
    for start in range(0, total, AUDIO_FRAME_SAMPLES):
        count = min(AUDIO_FRAME_SAMPLES, total - start)
        frame = av.AudioFrame(format="s16", layout="mono", samples=count)
        frame.planes[0].update(tone_samples(start, count))
        frame.sample_rate = SAMPLE_RATE
        frame.pts = start
        frame.time_base = Fraction(1, SAMPLE_RATE)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))
