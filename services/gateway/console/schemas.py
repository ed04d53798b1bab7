"""Bodies of the operators' console API (``/ops/api``), named by role."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel, Field

from services.gateway.console.ports import QueueDepth
from services.gateway.console.sessions import OpsSession
from services.gateway.core.schemas import ClipStatus, moment
from shared.records import AuditEntry, ReviewView


class OpsSignIn(BaseModel):
    """The operator token, exchanged for a console session cookie."""

    token: str = Field(min_length=1, max_length=512)


class OpsSignedIn(BaseModel):
    """Who the console session is (its label in the audit log), and until when."""

    session: str
    expires_at: datetime

    @classmethod
    def of(cls, session: OpsSession) -> OpsSignedIn:
        """The API view of a session."""
        return cls(session=session.session_id, expires_at=moment(session.expires_at))


class QueueDepthView(BaseModel):
    """One queue: messages waiting, in flight, and in its dead-letter queue."""

    queue: str
    waiting: int
    in_flight: int
    dead_letters: int | None

    @classmethod
    def of(cls, depth: QueueDepth) -> QueueDepthView:
        """The API view of a queue's depth."""
        return cls(**asdict(depth))


class QueueDepthList(BaseModel):
    """Every queue the site runs on."""

    queues: list[QueueDepthView]


class AuditLogView(BaseModel):
    """The newest operator actions first."""

    entries: list[AuditEntry]


class ProgressList(BaseModel):
    """Every video's progress."""

    videos: list[ClipStatus]


class ActionDone(BaseModel):
    """What an operator action changed."""

    action: str
    target: str
    reviews: list[ReviewView] = []
