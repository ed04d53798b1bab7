"""``python -m importer`` (or ``ofof-import``): import videos; ``--help`` lists the commands."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from importer.cli import run


def main(argv: Sequence[str] | None = None) -> int:
    """The command line's entry point; returns the exit status."""
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
