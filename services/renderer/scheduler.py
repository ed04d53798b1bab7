"""The render loop: debounced renders of videos with pending changes.

Changes are noted in memory (a verdict that changed a slot, an operator's force, a
newly imported video). After a restart every known video is noted once, so nothing
pending is lost: a render with nothing new publishes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from services.renderer.renders import RenderBusy, RenderService
from services.renderer.scheduling import PendingChanges, RenderPolicy, due_at

log = logging.getLogger(__name__)
BUSY_RETRY_SECONDS = 5.0
IDLE_WAKE_SECONDS = 60.0


class RenderScheduler:
    """Decides when each video renders, and runs the renders one at a time."""

    def __init__(
        self,
        service: RenderService,
        policy: RenderPolicy,
        retry_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.policy = policy
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.pending: dict[str, PendingChanges] = {}
        self.last_render_at: dict[str, float] = {}
        self._wake = asyncio.Event()

    def note_change(self, video: str, *, forced: bool = False, delay_seconds: float = 0.0) -> None:
        """Remember that ``video`` has something new to render."""
        now = self.clock() + delay_seconds
        before = self.pending.get(video)
        first = min(before.first_change_at, now) if before else now
        self.pending[video] = PendingChanges(
            first, self.last_render_at.get(video), forced or bool(before and before.forced)
        )
        self._wake.set()

    async def run(self, stopping: asyncio.Event) -> None:
        """Render due videos until ``stopping`` is set."""
        while not stopping.is_set():
            self._wake.clear()
            due = {v: due_at(self.policy, p) for v, p in self.pending.items()}
            now = self.clock()
            ready = [v for v, at in due.items() if at <= now]
            if not ready:
                wait = min((at - now for at in due.values()), default=IDLE_WAKE_SECONDS)
                await self._sleep(stopping, wait)
                continue
            await self.render_now(ready[0])

    async def render_now(self, video: str) -> None:
        """Render ``video`` at once; on failure, note it again for a later retry."""
        self.pending.pop(video, None)
        self.last_render_at[video] = self.clock()
        try:
            report = await self.service.render(video)
        except RenderBusy:
            self.note_change(video, delay_seconds=BUSY_RETRY_SECONDS)
            return
        except Exception:
            log.exception("render failed; retrying later", extra={"video": video})
            self.note_change(video, delay_seconds=self.retry_seconds)
            return
        if report.failed_targets:
            self.note_change(video, delay_seconds=self.retry_seconds)

    async def _sleep(self, stopping: asyncio.Event, seconds: float) -> None:
        waits = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stopping.wait())}
        await asyncio.wait(waits, timeout=max(seconds, 0.0), return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()
