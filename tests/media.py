"""Small media made in the tests: JPEG frames, short videos, decoding helpers."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageStat

from importer.demo import write_demo_video


def jpeg(colour: tuple[int, int, int], size: tuple[int, int] = (64, 48), label: int = 0) -> bytes:
    """A JPEG of one colour with a small white mark that moves with ``label``."""
    image = Image.new("RGB", size, colour)
    x = (label * 3) % max(size[0] - 8, 1)
    ImageDraw.Draw(image).rectangle([x, 2, x + 6, 8], fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def write_frames(folder: Path, count: int, size: tuple[int, int] = (64, 48)) -> list[Path]:
    """``count`` grey JPEG frames in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"{n:06d}.jpg"
        path.write_bytes(jpeg((90, 90, 90), size, n))
        paths.append(path)
    return paths


def short_video(path: Path, seconds: float = 2.0, fps: int = 25) -> Path:
    """A short demo-style clip (moving figures and a tone)."""
    return write_demo_video(path, seconds=seconds, fps=fps)


def decoded_frames(path: Path) -> list[av.VideoFrame]:
    """Every video frame of ``path``, decoded."""
    with av.open(str(path)) as container:
        return list(container.decode(video=0))


def audio_seconds(path: Path) -> float:
    """How many seconds of audio ``path`` decodes to."""
    with av.open(str(path)) as container:
        samples = sum(frame.samples for frame in container.decode(audio=0))
        rate = container.streams.audio[0].codec_context.sample_rate
    return float(Fraction(samples, rate))


def mean_rgb(frame: av.VideoFrame, box: tuple[int, int, int, int]) -> tuple[int, int, int]:
    """The average colour of ``box`` (left, top, right, bottom) in ``frame``."""
    mean = ImageStat.Stat(frame.to_image().crop(box)).mean
    return (int(mean[0]), int(mean[1]), int(mean[2]))


def tiny_video(path: Path, seconds: float, fps: int = 25, size: tuple[int, int] = (64, 36)) -> Path:
    """A silent H.264 clip of ``seconds`` at ``fps``, few pixels a frame so that minutes of
    it encode in seconds; each frame's grey level follows its number."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for index in range(int(seconds * fps)):
            image = Image.new("RGB", size, (index % 256, 96, 160))
            out.mux(stream.encode(av.VideoFrame.from_image(image)))
        out.mux(stream.encode(None))
    return path
