"""Render bench: our segment renderer against the ffmpeg CLI on the same cached JPEGs.

``python bench/render.py [--frames 4500] [--runs 3] [--height 360]`` (``make bench`` runs
it, and ``bench/render_1080.py`` runs it at 1080p). Both
encode the same 16:9 JPEG sequence with the same x264 preset, CRF, GOP (one closed
GOP per 2 s segment), no B-frames, yuv420p limited range; the x264 settings string
embedded in each output is printed so a reader can check they match. Reported:
median seconds and fps of a full render for each, the ratio, the incremental render
after one slot changed (and its share of the full render), and peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from importer.demo import draw_frame  # noqa: E402
from services.renderer.encoding.adapters.pyav import SegmentRenderer  # noqa: E402
from services.renderer.encoding.encoder import x264_settings  # noqa: E402
from services.renderer.renders.clips import (  # noqa: E402
    BlobRef,
    ClipInputs,
    EncoderSettings,
    frames_per_segment,
)
from services.renderer.settings import RendererSettings  # noqa: E402

WIDTH, HEIGHT, FPS = 640, 360, 25
# Above 360p the sequence repeats this many distinct frames (hard links), so making it
# once stays quick; x264 still sees a new picture every frame.
DISTINCT_HD_FRAMES = 250
PRESET, CRF = "veryfast", 23
WORK = ROOT / "var" / "bench"
NOISE_SIGMA, NOISE_SHARE = 40, 0.25


def make_frames(count: int, size: tuple[int, int] = (WIDTH, HEIGHT)) -> Path:
    """The cached JPEG sequence (made once, reused by later runs)."""
    hd = size != (WIDTH, HEIGHT)
    folder = WORK / (f"frames-noisy-{size[0]}x{size[1]}-{count}" if hd else f"frames-noisy-{count}")
    if (folder / f"{count - 1:06d}.jpg").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    distinct = DISTINCT_HD_FRAMES if hd else count
    for index in range(count):
        path = folder / f"{index:06d}.jpg"
        if index >= distinct:
            path.unlink(missing_ok=True)
            os.link(folder / f"{index % distinct:06d}.jpg", path)
            continue
        buffer = io.BytesIO()
        frame(index, size).save(buffer, "JPEG", quality=90)
        path.write_bytes(buffer.getvalue())
    return folder


def frame(index: int, size: tuple[int, int] = (WIDTH, HEIGHT)) -> Image.Image:
    """A demo frame with sensor-like noise, so x264 works as hard as on webcam photos."""
    noise = Image.effect_noise(size, NOISE_SIGMA).convert("RGB")
    return Image.blend(draw_frame(index, *size), noise, NOISE_SHARE)


def photo_for(index: int, size: tuple[int, int] = (WIDTH, HEIGHT)) -> Path:
    """A different JPEG standing for an approved photo."""
    path = WORK / f"photo-{index}-{size[1]}.jpg"
    frame(index + 7777, size).rotate(180).save(path, "JPEG", quality=90)
    return path


def ffmpeg_cli(frames: Path, out: Path, per_segment: int) -> float:
    """Seconds the ffmpeg CLI takes to encode the sequence with our settings."""
    # Only the GOP and B-frame options: the size is the input's, as for ours.
    params = EncoderSettings(WIDTH, HEIGHT, Fraction(FPS), PRESET, CRF, 1).x264_params(per_segment)
    command = [
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-framerate",
        str(FPS),
        "-i",
        str(frames / "%06d.jpg"),
        "-c:v",
        "libx264",
        "-preset",
        PRESET,
        "-crf",
        str(CRF),
        "-x264-params",
        params,
        "-pix_fmt",
        "yuv420p",
        "-color_range",
        "tv",
        "-an",
        str(out),
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def local_fetch(paths: dict[BlobRef, Path]):
    """A warm cache: every ref is already a local file."""

    async def fetch(refs: list[BlobRef]) -> list[Path]:
        return [paths[ref] for ref in refs]

    return fetch


async def interleaved(
    frames: Path, count: int, processes: int, threads: int, runs: int, size: tuple[int, int]
):
    """Ours and the CLI in turn, so load from elsewhere hits both alike.

    Returns (ours full seconds, ours incremental seconds, CLI seconds, our clip, peak RSS MB).
    """
    refs = {
        BlobRef(f"originals/bench/{n:06d}.jpg", "e"): frames / f"{n:06d}.jpg" for n in range(count)
    }
    encoder = EncoderSettings(*size, Fraction(FPS), PRESET, CRF, threads)
    per_segment = frames_per_segment(Fraction(FPS), 2.0)
    context = multiprocessing.get_context("spawn")
    full, incremental, cli, clip, rss = [], [], [], Path(), 0.0
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        pool.submit(int).result()  # start the workers before timing, as a running service has
        for run in range(runs):
            folder = WORK / f"ours-{run}"
            shutil.rmtree(folder, ignore_errors=True)
            renderer = SegmentRenderer(folder, pool, processes)
            inputs = ClipInputs("bench", encoder, per_segment, tuple(refs), None)
            rendered = await renderer.render(inputs, local_fetch(refs))
            full.append(rendered.render_seconds)
            clip = rendered.mp4_path
            changed = list(refs)
            slot = (run * 997 + 123) % count
            changed[slot] = BlobRef(f"submissions/bench-{run}/large.jpg", "p")
            paths = dict(refs) | {changed[slot]: photo_for(slot, size)}
            again = await renderer.render(
                ClipInputs("bench", encoder, per_segment, tuple(changed), None), local_fetch(paths)
            )
            assert again.encoded_segments == 1, again
            incremental.append(again.render_seconds)
            rss = max(rss, peak_rss_mb(pool))
            cli.append(
                await asyncio.to_thread(ffmpeg_cli, frames, WORK / "ffmpeg.mp4", per_segment)
            )
    return full, incremental, cli, clip, rss


def settings_diff(a: str, b: str) -> list[str]:
    """Options whose values differ between two x264 settings strings."""
    left = dict(item.split("=", 1) for item in a.split() if "=" in item)
    right = dict(item.split("=", 1) for item in b.split() if "=" in item)
    return [
        f"{k}: {left.get(k)} vs {right.get(k)}"
        for k in sorted(set(left) | set(right))
        if left.get(k) != right.get(k)
    ]


def peak_rss_mb(pool: ProcessPoolExecutor) -> float:
    """The largest peak RSS of this process and each encoding worker, in MB."""
    peaks = [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]
    for pid in pool._processes:  # the workers' pids: a private attribute, fine for a bench
        status = Path(f"/proc/{pid}/status").read_text()
        peaks += [
            int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM")
        ]
    return max(peaks)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=4500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2)
    threads = RendererSettings.model_fields["x264_threads"].default
    parser.add_argument("--threads", type=int, default=threads)
    parser.add_argument("--height", type=int, default=HEIGHT, help="16:9 frames of this height")
    args = parser.parse_args(argv)
    if shutil.which("ffmpeg") is None:
        sys.exit("the render bench needs the ffmpeg CLI (apt-get install ffmpeg; make bench does)")
    args.size = (args.height * 16 // 9 // 2 * 2, args.height)
    frames = make_frames(args.frames, args.size)
    full, incremental, cli, clip, our_rss = asyncio.run(
        interleaved(frames, args.frames, args.processes, args.threads, args.runs, args.size)
    )
    report(args, full, incremental, cli, clip, our_rss)


def row(label: str, seconds: float, fps: str, ratio: str, target: str = "") -> str:
    return f"{label:34}{seconds:>10.3f}{fps:>10}{ratio:>10}   {target}"


def report(args, full, incremental, cli, clip, our_rss) -> None:
    ours_s, cli_s = statistics.median(full), statistics.median(cli)
    inc_s = statistics.median(incremental)
    ours_settings = x264_settings(clip.read_bytes())
    cli_settings = x264_settings((WORK / "ffmpeg.mp4").read_bytes())
    print(
        f"\nRender bench: {args.frames} frames {args.size[0]}x{args.size[1]} from cached JPEGs, "
        f"x264 {PRESET} crf {CRF}, 2 s closed GOPs, no B-frames, yuv420p limited range; "
        f"median of {args.runs} runs; "
        f"ours = {args.processes} worker processes x {args.threads} x264 threads"
    )
    print(f"{'':34}{'seconds':>10}{'fps':>10}{'ratio':>10}")
    print(row("ffmpeg CLI (full)", cli_s, f"{args.frames / cli_s:.1f}", "1.00x"))
    print(
        row(
            "ours (full render)",
            ours_s,
            f"{args.frames / ours_s:.1f}",
            f"{cli_s / ours_s:.2f}x",
            "target >= 1.0x the CLI",
        )
    )
    print(
        row(
            "ours (after one slot changed)",
            inc_s,
            "",
            f"{inc_s / ours_s:.4f}",
            f"target <= {1 / 40:.4f} of the full render",
        )
    )
    print(f"{'peak RSS, largest render process':34}{our_rss:>9.0f}M{'':>20}   target <= 400 MB")
    print(f"\nx264 settings, ours:       {ours_settings}")
    print(f"x264 settings, ffmpeg CLI: {cli_settings}")
    print("differences: " + ("; ".join(settings_diff(ours_settings, cli_settings)) or "none"))


if __name__ == "__main__":
    main()
