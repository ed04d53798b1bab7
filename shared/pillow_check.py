"""Fail loudly unless ``import PIL`` loads pillow-simd built with JPEG, zlib and WebP.

Run by ``make install``: another package that depends on plain Pillow would silently
replace pillow-simd's files, and a build without libwebp headers cannot read WebP.
"""

from __future__ import annotations

import importlib.metadata
import sys

REQUIRED_CODECS = ("jpg", "zlib", "webp")


def pil_distributions() -> list[str]:
    """Names of the installed distributions that provide the ``PIL`` package."""
    return importlib.metadata.packages_distributions().get("PIL", [])


def problems() -> list[str]:
    """What is wrong with the installed PIL, if anything."""
    from PIL import features

    found: list[str] = []
    distributions = [name.lower() for name in pil_distributions()]
    if distributions != ["pillow-simd"]:
        found.append(f"PIL comes from {distributions}, expected only pillow-simd")
    found.extend(f"PIL lacks {codec}" for codec in REQUIRED_CODECS if not features.check(codec))
    return found


if __name__ == "__main__":
    trouble = problems()
    for line in trouble:
        print(f"pillow check: {line}", file=sys.stderr)
    sys.exit(1 if trouble else 0)
