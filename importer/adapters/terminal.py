"""``TerminalProgress``: a rich progress bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

log = logging.getLogger(__name__)
LOG_EVERY_PERCENT = 10


class TerminalProgress:
    """Counts work done out of an expected total and shows it on ``stream`` (stderr).

    On a terminal, a rich bar redrawn in place; anywhere else (a pipe, a log file,
    honcho), a log line every ten percent. A :data:`importer.ports.ProgressFactory`:
    use it as ``with TerminalProgress(what, total) as bar: bar.advance()``.
    """

    def __init__(self, what: str, total: int, stream: TextIO | None = None) -> None:
        self.what = what
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.is_tty = self.stream.isatty()
        self._logged_step = 0
        self._bar: Progress | None = None
        self._task = TaskID(0)
        if self.is_tty:
            self._bar = _rich_bar(self.stream)
            self._task = self._bar.add_task(what, total=self.total)
            self._bar.start()

    def advance(self, count: int = 1) -> None:
        """Record ``count`` more units done."""
        self.done += count
        if self._bar is not None:
            # The container's frame count is an estimate: grow the total rather than overflow.
            self._bar.update(self._task, completed=self.done, total=max(self.total, self.done))
            return
        percent = min(100, self.done * 100 // self.total)
        if percent // LOG_EVERY_PERCENT > self._logged_step:
            self._logged_step = percent // LOG_EVERY_PERCENT
            log.info("%s: %d/%d (%d %%)", self.what, self.done, self.total, percent)

    def finish(self) -> None:
        """End the bar, full at what was really done, and its line."""
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, total=max(self.done, 1))
        self._stop()

    def _stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # A failed run leaves the bar where it stopped.
        if kind is None:
            self.finish()
        else:
            self._stop()


def _rich_bar(stream: TextIO) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(file=stream, force_terminal=True),
    )
