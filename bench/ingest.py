"""``make bench`` — ingest: one 1280×720 webcam JPEG into three renditions, on one core.

Compares our pipeline (pillow-simd, DCT-scaled decode) with the same pipeline written
with plain Pillow's defaults and with pyvips' ``thumbnail_buffer``, on the same photos
in the same run. The peers live in their own virtualenv (``bench/.venv-peers``) so that
plain Pillow never touches the project's environment.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.ingest.imaging import make_renditions  # noqa: E402
from tests.images import encode, exif_bytes, photo  # noqa: E402

PEERS_VENV = ROOT / "bench" / ".venv-peers"
PEER_PACKAGES = ["pillow==12.0.0", "pyvips==3.2.0", "pyvips-binary==8.18.7"]
PHOTOS = 20
TARGET_RATE = 120.0
TARGET_VS_PILLOW = 1.7
TARGET_VS_PYVIPS = 3.0


def peers_python() -> Path:
    """The peers' interpreter, installing them on first use."""
    python = PEERS_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
        uv = Path(sys.executable).parent / "uv"
        subprocess.run(
            [str(uv), "pip", "install", "-q", "-p", str(python), *PEER_PACKAGES], check=True
        )
    return python


def make_photos(folder: Path) -> None:
    """Webcam-like 1280×720 JPEGs (quality 90, with an EXIF block, as browsers send)."""
    for seed in range(PHOTOS):
        data = encode(photo(1280, 720, seed), "JPEG", quality=90, exif=exif_bytes(1))
        (folder / f"{seed:03d}.jpg").write_bytes(data)


def ours(folder: Path, runs: int = 5, rounds: int = 3) -> list[float]:
    """Photos per second of our pipeline, pinned to one core."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    photos = [p.read_bytes() for p in sorted(folder.glob("*.jpg"))]
    for data in photos:
        make_renditions(data, "image/jpeg", (640, 360), 40_000_000)
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        for _ in range(rounds):
            for data in photos:
                make_renditions(data, "image/jpeg", (640, 360), 40_000_000)
        rates.append(len(photos) * rounds / (time.perf_counter() - started))
    return rates


def peer(python: Path, impl: str, folder: Path) -> list[float]:
    """Photos per second of a peer pipeline, run in the peers' environment."""
    script = ROOT / "bench" / "ingest_peers.py"
    env = {**os.environ, "VIPS_CONCURRENCY": "1"}
    done = subprocess.run(
        [str(python), str(script), impl, str(folder)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    rates: list[float] = json.loads(done.stdout)["rates"]
    return rates


def main() -> int:
    python = peers_python()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_photos(folder)
        medians = {
            "ours (pillow-simd)": statistics.median(ours(folder)),
            "plain Pillow defaults": statistics.median(peer(python, "pillow", folder)),
            "pyvips thumbnail_buffer": statistics.median(peer(python, "pyvips", folder)),
        }
    mine = medians["ours (pillow-simd)"]
    print("\ningest: 1280x720 JPEG -> large 640x360 + medium 320x180 + thumb 128x72, one core")
    print(f"{'pipeline':<26}{'photos/s (median of 5)':>24}{'ours is':>12}")
    for name, rate in medians.items():
        print(f"{name:<26}{rate:>24.1f}{mine / rate:>11.2f}x")
    checks = {
        f"ours >= {TARGET_RATE:g} photos/s": mine >= TARGET_RATE,
        f">= {TARGET_VS_PILLOW}x plain Pillow": mine / medians["plain Pillow defaults"]
        >= TARGET_VS_PILLOW,
        f">= {TARGET_VS_PYVIPS}x pyvips": mine / medians["pyvips thumbnail_buffer"]
        >= TARGET_VS_PYVIPS,
    }
    for label, ok in checks.items():
        print(f"  {'PASS' if ok else 'MISS'}  {label}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
