"""Render bench at 1080p: ``bench/render.py --height 1080 --runs 1`` (``make bench`` runs it).

The same method as the 360p bench (ours and the ffmpeg CLI in turn on the same cached
JPEGs, identical x264 settings but threads), one run each to keep ``make bench`` short:
a 1080p full render of 4,500 frames takes minutes. ``--runs N`` and other options of
``bench/render.py`` pass through.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from render import main

if __name__ == "__main__":
    main(["--height", "1080", "--runs", "1", *sys.argv[1:]])
