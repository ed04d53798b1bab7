"""The operators' console: a use-case object over the console's ports (moderation's
operator routes, the renderer's, the queues, the audit log) and the core's showcase.

Every console action is audited: who (the session's label), what, on what, when and how
it ended, kept durably before the answer goes back; an action whose audit entry cannot be
written fails.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from services.gateway.console.ports import ConsolePorts, QueueDepth
from services.gateway.console.sessions import OpsSession, new_session, session_of, token_matches
from services.gateway.core.ratelimits import RATE_WINDOW_SECONDS, SlidingWindowLimiter
from services.gateway.core.schemas import ClipStatus
from services.gateway.core.usecases import Showcase
from services.gateway.settings import GatewaySettings
from shared.errors import Forbidden, OfofError, RateLimited, Unauthorized
from shared.metrics import Observer, Tally
from shared.queues import frames_queue_of
from shared.records import AuditEntry, CrowdSpend, RenderHistory, ReportQueue, ReviewView

log = logging.getLogger(__name__)
T = TypeVar("T")
# Sign-in attempts one address may make per minute: guessing the token stays hopeless.
SIGN_INS_PER_MINUTE = 10
AUDIT_SHOWN = 100


class Console:
    """What an operator sees and does at ``/ops``."""

    def __init__(
        self,
        ports: ConsolePorts,
        showcase: Showcase,
        settings: GatewaySettings,
        clock: Callable[[], float] = time.time,
        observer: Observer | None = None,
    ) -> None:
        self.ports, self.showcase, self.settings = ports, showcase, settings
        self.clock = clock
        self.sign_ins = SlidingWindowLimiter(SIGN_INS_PER_MINUTE, RATE_WINDOW_SECONDS)
        # Queue depths for /metrics (ofof_queue_messages), refreshed on every look.
        self.observer: Observer = observer or Tally()

    @property
    def token(self) -> str:
        """The operator token; empty turns the console off."""
        return self.settings.operator_token.get_secret_value()

    def check_enabled(self) -> None:
        """Refuse (403) when the console is switched off or has no operator token."""
        if not self.settings.ops_enabled or not self.token:
            raise Forbidden("the operators' console is disabled")

    # Sessions

    async def sign_in(self, offered: str, client_ip: str) -> tuple[OpsSession, str]:
        """Exchange the operator token for a session and its cookie value (audited;
        rate limited per address)."""
        self.check_enabled()
        retry_after = self.sign_ins.retry_after(client_ip, self.clock())
        if retry_after is not None:
            raise RateLimited("too many sign-in attempts", retry_after_seconds=retry_after)
        if not token_matches(offered, self.token):
            await self._audit("-", "sign_in", "console", "unauthorized")
            raise Unauthorized("that is not the operator token")
        session, cookie = new_session(self.token, self.clock(), self.settings.ops_session_seconds)
        await self._audit(session.session_id, "sign_in", "console", "ok")
        return session, cookie

    def session(self, cookie: str | None) -> OpsSession:
        """The signed-in session of a request; 401 without a genuine, live one."""
        self.check_enabled()
        found = session_of(cookie, self.token, self.clock())
        if found is None:
            raise Unauthorized("sign in to the console first", code="no_session")
        return found

    # What the console shows

    async def queue_depths(self) -> list[QueueDepth]:
        """The fixed queues, then each video's frames queue, with their dead letters."""
        settings = self.settings
        names = [settings.moderation_queue, settings.render_queue, settings.segments_queue]
        names += [
            frames_queue_of(settings.frames_queue, v.video) for v in await self.showcase.videos()
        ]
        depths = [await self.ports.queues.depth(name) for name in names]
        found = [depth for depth in depths if depth is not None]
        for depth in found:
            self._gauge(depth)
        return found

    def _gauge(self, depth: QueueDepth) -> None:
        states = {"waiting": depth.waiting, "in_flight": depth.in_flight}
        if depth.dead_letters is not None:
            states["dead_letters"] = depth.dead_letters
        for state, count in states.items():
            self.observer.level("ofof_queue_messages", count, queue=depth.queue, state=state)

    async def progress(self) -> list[ClipStatus]:
        """Every video's size, re-made frames and current clip."""
        return [await self.showcase.clip(record.video) for record in await self.showcase.videos()]

    async def pending(self) -> list[ReviewView]:
        """Reviews waiting for the crowd, oldest first."""
        return await self.ports.desk.pending()

    async def report_queue(self) -> ReportQueue:
        """Reported photos awaiting a decision, with their reports."""
        return await self.ports.desk.report_queue()

    async def spend(self) -> CrowdSpend:
        """Crowd spend per video and per approved frame."""
        return await self.ports.desk.spend()

    async def render_history(self, video: str) -> RenderHistory:
        """A video's recent renders, newest first."""
        return await self.ports.renders.history(video)

    async def audit_log(self) -> list[AuditEntry]:
        """The newest operator actions first."""
        return await self.ports.audit.latest(AUDIT_SHOWN)

    # What an operator does (each audited)

    async def takedown(self, session: OpsSession, submission_id: str) -> list[ReviewView]:
        """Take one photo down."""
        return [await self._act(session, "takedown", submission_id, self._decision("takedown"))]

    async def restore(self, session: OpsSession, submission_id: str) -> list[ReviewView]:
        """Show a taken-down (or reported) photo again."""
        return [await self._act(session, "restore", submission_id, self._decision("restore"))]

    async def revert(self, session: OpsSession, client_id: str) -> list[ReviewView]:
        """Take down every approved photo of one contributor."""
        return await self._act(session, "revert_contributor", client_id, self.ports.desk.revert)

    async def render_now(self, session: OpsSession, video: str) -> None:
        """Force a render of ``video``."""
        await self.showcase.video(video)
        await self._act(session, "render_now", video, self.ports.renders.render_now)

    async def _act(
        self,
        session: OpsSession,
        action: str,
        target: str,
        call: Callable[[str], Awaitable[T]],
    ) -> T:
        try:
            result = await call(target)
        except OfofError as exc:
            await self._audit(session.session_id, action, target, exc.code)
            raise
        await self._audit(session.session_id, action, target, "ok")
        return result

    def _decision(self, action: str) -> Callable[[str], Awaitable[ReviewView]]:
        async def decide(submission_id: str) -> ReviewView:
            return await self.ports.desk.decide(submission_id, action)

        return decide

    async def _audit(self, who: str, action: str, target: str, outcome: str) -> None:
        at = datetime.fromtimestamp(self.clock(), UTC)
        entry = AuditEntry(at=at, who=who, action=action, target=target, outcome=outcome)
        log.info("operator action", extra=entry.model_dump(mode="json"))
        await self.ports.audit.record(entry)
