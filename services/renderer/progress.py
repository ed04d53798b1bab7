"""Progress of a long command: a bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

log = logging.getLogger(__name__)
BAR_WIDTH = 30
LOG_EVERY_PERCENT = 10


class Progress:
    """Counts work done out of an expected total and shows it."""

    def __init__(self, what: str, total: int, stream: TextIO | None = None) -> None:
        self.what = what
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.is_tty = self.stream.isatty()
        self._logged_step = 0

    def advance(self, count: int = 1) -> None:
        """Record ``count`` more units done."""
        self.done += count
        percent = min(100, self.done * 100 // self.total)
        if self.is_tty:
            filled = BAR_WIDTH * percent // 100
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            self.stream.write(f"\r{self.what} [{bar}] {self.done}/{self.total}")
            self.stream.flush()
        elif percent // LOG_EVERY_PERCENT > self._logged_step:
            self._logged_step = percent // LOG_EVERY_PERCENT
            log.info("%s: %d/%d (%d %%)", self.what, self.done, self.total, percent)

    def finish(self) -> None:
        """End the bar's line."""
        if self.is_tty:
            self.stream.write("\n")
            self.stream.flush()
