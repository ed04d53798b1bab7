"""Notifications over SQS: the real message body, sent to the queue a HIT type names.

A HIT type's ``UpdateNotificationSettings`` names an SQS queue URL (``Transport`` SQS;
``Version`` ``2006-05-05`` as botocore's model documents it, or ``2014-08-15`` as the
notification guide does) and the event types it wants. Each event is sent as one message:
``{"EventDocId", "EventDocVersion": "2014-08-15", "SourceAccount", "CustomerId",
"Events": [{"EventType", "EventTimestamp", "HITTypeId", "HITId", "AssignmentId"}]}``.
Faults for tests: ``drop_notifications`` of them are never sent and
``duplicate_notifications`` are sent twice (same ``EventDocId``), both drawn from the
seeded generator. A send that fails is logged and not retried.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit

from shared.errors import OfofError
from shared.queues import queue_errors
from sims.mturk.errors import invalid_parameter
from sims.mturk.hits import Event, Json
from sims.mturk.settings import MTurkSimSettings

log = logging.getLogger("sims.mturk")
EVENT_DOC_VERSION = "2014-08-15"
VERSIONS = ("2006-05-05", EVENT_DOC_VERSION)


class QueueClient(Protocol):
    """The one SQS call notifications need (an aiobotocore SQS client has it)."""

    async def send_message(self, *, QueueUrl: str, MessageBody: str) -> object: ...


def check_spec(spec: Json) -> None:
    """Refuse a notification specification the local MTurk cannot honour."""
    if spec.get("Transport") != "SQS":
        raise invalid_parameter("The local MTurk delivers notifications over SQS only.")
    if spec.get("Version") not in VERSIONS:
        raise invalid_parameter(f"Version must be one of {', '.join(VERSIONS)}.")
    url = urlsplit(str(spec.get("Destination", "")))
    parts = [p for p in url.path.split("/") if p]
    if url.scheme not in ("http", "https") or not url.netloc or len(parts) != 2:
        raise invalid_parameter(
            f"Destination {spec.get('Destination')} is not an SQS queue URL "
            "(https://sqs.<region>.amazonaws.com/<account>/<queue>)."
        )
    if not spec.get("EventTypes"):
        raise invalid_parameter("EventTypes must name at least one event type.")


def iso(seconds: float) -> str:
    """An event time as the real notifications write it (UTC, ISO 8601, ``Z``)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def message_of(event_type: str, event: Event | None, account: str, at: float) -> str:
    """One notification's body: one event of ``event_type`` (about ``event``'s HIT)."""
    shown: Json = {"EventType": event_type, "EventTimestamp": iso(at)}
    if event is not None:
        shown |= {"HITTypeId": event.hit.hit_type.type_id, "HITId": event.hit.hit_id}
        if event.assignment_id:
            shown["AssignmentId"] = event.assignment_id
    body = {
        "EventDocId": uuid.uuid4().hex,
        "EventDocVersion": EVENT_DOC_VERSION,
        "SourceAccount": account,
        "CustomerId": account,
        "Events": [shown],
    }
    return json.dumps(body)


class Notifier:
    """Sends notifications to the queues HIT types name, with the configured faults."""

    def __init__(
        self, settings: MTurkSimSettings, sqs: QueueClient | None, rng: random.Random
    ) -> None:
        self.settings = settings
        self.sqs = sqs
        self.rng = rng

    async def events(self, events: list[Event]) -> None:
        """Notify every event its HIT's type asks for."""
        for event in events:
            hit_type = event.hit.hit_type
            if hit_type.wants(event.event_type) and hit_type.notification is not None:
                body = message_of(event.event_type, event, self.settings.account_id, event.time)
                await self.send(str(hit_type.notification["Destination"]), body)

    async def send(self, queue_url: str, body: str) -> None:
        """Send one message, maybe dropped or doubled (the faults tests ask for)."""
        if self.rng.random() < self.settings.drop_notifications:
            log.info("notification dropped", extra={"queue_url": queue_url})
            return
        times = 2 if self.rng.random() < self.settings.duplicate_notifications else 1
        for _ in range(times):
            await self.deliver(queue_url, body)

    async def deliver(self, queue_url: str, body: str) -> None:
        if self.sqs is None:
            log.warning("no SQS endpoint configured", extra={"queue_url": queue_url})
            return
        try:
            with queue_errors(queue_url, "notifying"):
                await self.sqs.send_message(QueueUrl=queue_url, MessageBody=body)
        except (OfofError, OSError) as exc:
            log.warning(
                "notification not delivered",
                extra={"queue_url": queue_url, "problem": f"{type(exc).__name__}: {exc}"},
            )
