"""``make bench`` — ingest: real photos into the three renditions, photos per core-second.

Three sets built from real photographs with their sensor noise (``tests/photo_sets.py``,
sources and licences in ``tests/photographs/README.md``): 1280×720 and 1920×1080 webcam
JPEGs, and 12 MP phone photos stored sideways with EXIF Orientation 6. Each is turned
into large 640×360, medium 320×180 and thumb 128×72 by three pipelines:

- ours: ``services.ingest.imaging.make_renditions``: simplejpeg's libjpeg-turbo decodes,
  pillow-simd reads the header, orients, resizes and encodes;
- plain Pillow doing the same steps (``draft`` included) with the libjpeg-turbo of its
  own wheel, see ``bench/ingest_peers.py``;
- pyvips' best call (``thumbnail_buffer``: shrink-on-load, auto-rotate, centre crop).

The peers live in their own virtualenv (``bench/.venv-peers``) so that plain Pillow never
touches the project's environment. Every process is pinned to one core and timed in CPU
seconds (all its threads), so the figures are photos per core-second even while other
work shares the machine. The three pipelines take turns, round after round, and each
round's ratios compare runs made moments apart.
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

from bench.venvs import side_venv  # noqa: E402
from services.ingest.imaging import make_renditions  # noqa: E402
from tests.photo_sets import SETS, WEBCAM_720P, PhotoSet, write_set  # noqa: E402

PEERS_VENV = ROOT / "bench" / ".venv-peers"
PEER_PACKAGES = ["pillow==12.0.0", "pyvips==3.2.0", "pyvips-binary==8.18.7"]
CLIP = (640, 360)
MAX_PIXELS = 40_000_000
ROUNDS = 5
PASSES = {WEBCAM_720P.name: 3}  # passes over a set per round; others one
PIPELINES = ("ours", "pillow", "pyvips")
# Checked on the 1280×720 set. Issue 9 hoped for 2.0× plain Pillow, which is out of reach:
# libjpeg-turbo's decode and encode alone take ours 3.0 ms per photo (decode 2.1 through
# simplejpeg, encode 0.9 through Pillow), while 2.0× plain Pillow's 5.9 ms would leave
# 2.97 ms for everything. Measured 1.75–1.85× per round over three runs
# (docs/benchmarks.md); the floor leaves room for a busy machine.
TARGET_RATE = 180.0
TARGET_VS_PILLOW = 1.7
TARGET_VS_PYVIPS = 3.0


def peers_python() -> Path:
    """The peers' interpreter, installing them on first use."""
    return side_venv(PEERS_VENV, PEER_PACKAGES)


def ours(photos: list[bytes], passes: int) -> float:
    """Photos per CPU-second of our pipeline over ``photos``, ``passes`` times."""
    started = time.process_time()
    for _ in range(passes):
        for data in photos:
            make_renditions(data, "image/jpeg", CLIP, MAX_PIXELS)
    return len(photos) * passes / (time.process_time() - started)


def peer(python: Path, impl: str, folder: Path, passes: int) -> float:
    """Photos per CPU-second of a peer pipeline, run in the peers' environment."""
    script = ROOT / "bench" / "ingest_peers.py"
    env = {**os.environ, "VIPS_CONCURRENCY": "1"}
    done = subprocess.run(
        [str(python), str(script), impl, str(folder), "--runs", str(passes)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    rates: list[float] = json.loads(done.stdout)["rates"]
    return statistics.median(rates)


def measure(python: Path, photo_set: PhotoSet, folder: Path) -> dict[str, list[float]]:
    """Each pipeline's rate in every round, the pipelines taking turns."""
    paths = write_set(photo_set, folder)
    photos = [path.read_bytes() for path in paths]
    passes = PASSES.get(photo_set.name, 1)
    ours(photos, 1)  # warm up, as the peers do
    rates: dict[str, list[float]] = {name: [] for name in PIPELINES}
    for _ in range(ROUNDS):
        rates["ours"].append(ours(photos, passes))
        rates["pillow"].append(peer(python, "pillow", folder, passes))
        rates["pyvips"].append(peer(python, "pyvips", folder, passes))
    return rates


def ratios(rates: dict[str, list[float]], peer_name: str) -> list[float]:
    """Ours over ``peer_name``, round by round."""
    return [mine / theirs for mine, theirs in zip(rates["ours"], rates[peer_name], strict=True)]


def report(photo_set: PhotoSet, rates: dict[str, list[float]]) -> None:
    print(f"\n{photo_set.name} ({photo_set.count} photos), photos per core-second:")
    for name in PIPELINES:
        low, mid, high = min(rates[name]), statistics.median(rates[name]), max(rates[name])
        line = f"  {name:<8}{mid:>8.1f}  ({low:.1f}–{high:.1f})"
        if name != "ours":
            each = ratios(rates, name)
            line += f"   ours is {statistics.median(each):.2f}× ({min(each):.2f}–{max(each):.2f})"
        print(line)


def checks(rates: dict[str, list[float]]) -> dict[str, bool]:
    """The targets, on the medians of the 1280×720 set."""
    return {
        f"ours >= {TARGET_RATE:g} photos/s per core": statistics.median(rates["ours"])
        >= TARGET_RATE,
        f">= {TARGET_VS_PILLOW}x plain Pillow (same steps)": statistics.median(
            ratios(rates, "pillow")
        )
        >= TARGET_VS_PILLOW,
        f">= {TARGET_VS_PYVIPS}x pyvips": statistics.median(ratios(rates, "pyvips"))
        >= TARGET_VS_PYVIPS,
    }


def main() -> int:
    python = peers_python()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, the peers' too
    print("ingest: real photos -> large 640x360 + medium 320x180 + thumb 128x72")
    print(f"median of {ROUNDS} interleaved rounds (range); ratios are per round")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for index, photo_set in enumerate(SETS):
            results[photo_set.name] = measure(python, photo_set, Path(tmp) / str(index))
            report(photo_set, results[photo_set.name])
    outcome = checks(results[WEBCAM_720P.name])
    print()
    for label, ok in outcome.items():
        print(f"  {'PASS' if ok else 'MISS'}  {label} ({WEBCAM_720P.name})")
    return 0 if all(outcome.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
