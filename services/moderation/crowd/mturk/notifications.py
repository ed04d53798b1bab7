"""Mechanical Turk's notifications as they arrive over SQS, read into domain words (no
I/O): one message is one event document (``EventDocId``; the same document may arrive
more than once) naming the HITs whose assignments changed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.messages import MalformedMessage


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)


class MturkEvent(_Lenient):
    """One event of a Mechanical Turk notification."""

    EventType: str
    HITId: str | None = None
    AssignmentId: str | None = None
    HITTypeId: str | None = None


class MturkNotification(_Lenient):
    """A Mechanical Turk notification as it arrives over SQS (one message, one
    ``EventDocId``; the same document may arrive more than once)."""

    EventDocId: str
    EventDocVersion: str | None = None
    Events: list[MturkEvent] = Field(default_factory=list)

    def hit_ids(self) -> list[str]:
        """The HITs the events are about, each once, in order."""
        return list(dict.fromkeys(e.HITId for e in self.Events if e.HITId))


def parse_notification(body: str) -> MturkNotification:
    """One SQS body from Mechanical Turk; :class:`MalformedMessage` if it is not one."""
    try:
        return MturkNotification.model_validate_json(body)
    except ValidationError as exc:
        raise MalformedMessage(f"not a Mechanical Turk notification: {exc}") from exc
