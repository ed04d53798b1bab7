"""The operations the local MTurk answers: one function per ``X-Amz-Target`` operation.

Each takes the request body (already held to botocore's input shape) and returns the
answer body; refusals are raised as :class:`sims.mturk.errors.TurkError`.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sims.mturk.errors import TurkError, invalid_parameter
from sims.mturk.hits import Hit, Json, new_id
from sims.mturk.market import Market
from sims.mturk.notices import Notifier, check_spec, message_of
from sims.mturk.questions import html_of, page_of
from sims.mturk.requirements import check as check_requirements
from sims.mturk.shapes import assignment_json, hit_json
from sims.mturk.workforce import Workforce

T = TypeVar("T")
DEFAULT_PAGE = 10
MAX_ANNOTATION_CHARS = 255
MAX_QUALIFICATIONS = 10
YEAR_SECONDS = 365 * 24 * 3600
# The ranges the API reference gives for numbers the model leaves unbounded.
TYPE_RANGES = {
    "AssignmentDurationInSeconds": (30, YEAR_SECONDS),
    "AutoApprovalDelayInSeconds": (0, 30 * 24 * 3600),
}
HIT_RANGES = {"LifetimeInSeconds": (30, YEAR_SECONDS), "MaxAssignments": (1, 1_000_000)}


@dataclass
class Sim:
    """What every operation works on."""

    market: Market
    notifier: Notifier
    workforce: Workforce


Operation = Callable[[Sim, Json], Awaitable[Json]]
OPERATIONS: dict[str, Operation] = {}


def operation(function: Operation) -> Operation:
    """Register ``function`` under its name, which is the operation's (``CreateHITType``)."""
    OPERATIONS[function.__name__] = function
    return function


def text(body: Json, name: str) -> str:
    """A string member, or "" when it is absent."""
    value = body.get(name)
    return value if isinstance(value, str) else ""


def whole(body: Json, name: str, default: int) -> int:
    """An integer member, or ``default`` when it is absent."""
    value = body.get(name)
    return value if isinstance(value, int) else default


def member(body: Json, name: str) -> Json:
    """A structure member, or {} when it is absent."""
    value = body.get(name)
    return value if isinstance(value, dict) else {}


def paged(items: list[T], body: Json) -> tuple[list[T], Json]:
    """One page of ``items`` and the ``NextToken``/``NumResults`` members to show."""
    start = 0
    if body.get("NextToken"):
        try:
            start = int(base64.urlsafe_b64decode(text(body, "NextToken")).decode())
        except (ValueError, binascii.Error):
            raise invalid_parameter("The pagination token is invalid.") from None
    size = body.get("MaxResults")
    end = start + (size if isinstance(size, int) else DEFAULT_PAGE)
    shown: Json = {"NumResults": len(items[start:end])}
    if end < len(items):
        shown["NextToken"] = base64.urlsafe_b64encode(str(end).encode()).decode()
    return items[start:end], shown


def check_ranges(body: Json, ranges: dict[str, tuple[int, int]]) -> None:
    """Refuse a number outside the range the API reference gives for it."""
    for name, (low, high) in ranges.items():
        value = body.get(name)
        if isinstance(value, int) and not low <= value <= high:
            raise invalid_parameter(f"{name} must be between {low} and {high}, not {value}.")


@operation
async def CreateHITType(sim: Sim, body: Json) -> Json:
    """Register a HIT type (the same values give the same id)."""
    check_ranges(body, TYPE_RANGES)
    requirements = body.get("QualificationRequirements")
    if isinstance(requirements, list) and len(requirements) > MAX_QUALIFICATIONS:
        raise invalid_parameter(
            f"A HIT type has at most {MAX_QUALIFICATIONS} qualification requirements."
        )
    check_requirements(requirements)
    return {"HITTypeId": sim.market.register_type(body).type_id}


@operation
async def CreateHITWithHITType(sim: Sim, body: Json) -> Json:
    """Publish a HIT of an existing type; workers take it after a delay."""
    hit_type = sim.market.hit_type(text(body, "HITTypeId"))
    now = time.time()
    token = text(body, "UniqueRequestToken") or None
    sim.market.check_token(token, now)
    if "Question" not in body:
        raise invalid_parameter("The local MTurk needs a Question (no HITLayoutId).")
    check_ranges(body, HIT_RANGES)
    annotation = body.get("RequesterAnnotation")
    if isinstance(annotation, str) and len(annotation) > MAX_ANNOTATION_CHARS:
        raise invalid_parameter(
            f"RequesterAnnotation is longer than {MAX_ANNOTATION_CHARS} characters."
        )
    question = text(body, "Question")
    hit = Hit(
        new_id(),
        hit_type,
        question,
        page_of(html_of(question)),
        whole(body, "MaxAssignments", 1),
        now,
        now + whole(body, "LifetimeInSeconds", 0),
        annotation if isinstance(annotation, str) else None,
    )
    sim.market.add_hit(hit, token)
    sim.workforce.start(hit)
    return {"HIT": hit_json(hit, now)}


@operation
async def GetHIT(sim: Sim, body: Json) -> Json:
    """One HIT."""
    return {"HIT": hit_json(sim.market.hit(text(body, "HITId")), time.time())}


@operation
async def DeleteHIT(sim: Sim, body: Json) -> Json:
    """Dispose of a decided HIT."""
    sim.market.delete(sim.market.hit(text(body, "HITId")), time.time())
    return {}


@operation
async def ListAssignmentsForHIT(sim: Sim, body: Json) -> Json:
    """A HIT's assignments, maybe only those of some statuses, paged."""
    hit = sim.market.hit(text(body, "HITId"))
    statuses = body.get("AssignmentStatuses") or ["Submitted", "Approved", "Rejected"]
    chosen = [a for a in hit.assignments if isinstance(statuses, list) and a.status in statuses]
    page, shown = paged(chosen, body)
    return shown | {"Assignments": [assignment_json(a) for a in page]}


@operation
async def ListReviewableHITs(sim: Sim, body: Json) -> Json:
    """HITs in the Reviewable (or Reviewing) state, maybe of one type, paged."""
    type_id = text(body, "HITTypeId")
    if type_id:
        sim.market.hit_type(type_id)
    status = text(body, "Status") or "Reviewable"
    now = time.time()
    chosen = [
        hit
        for hit in sim.market.hits.values()
        if hit.status == status and (not type_id or hit.hit_type.type_id == type_id)
    ]
    page, shown = paged(chosen, body)
    return shown | {"HITs": [hit_json(hit, now) for hit in page]}


@operation
async def GetAssignment(sim: Sim, body: Json) -> Json:
    """One assignment and its HIT."""
    assignment = sim.market.assignment(text(body, "AssignmentId"))
    hit = sim.market.hits[assignment.hit_id]
    return {"Assignment": assignment_json(assignment), "HIT": hit_json(hit, time.time())}


@operation
async def ApproveAssignment(sim: Sim, body: Json) -> Json:
    """Approve (and pay for) a submitted assignment."""
    assignment = sim.market.assignment(text(body, "AssignmentId"))
    feedback = text(body, "RequesterFeedback") or None
    sim.market.approve(assignment, feedback, body.get("OverrideRejection") is True, time.time())
    return {}


@operation
async def RejectAssignment(sim: Sim, body: Json) -> Json:
    """Reject a submitted assignment, with feedback for the worker."""
    assignment = sim.market.assignment(text(body, "AssignmentId"))
    sim.market.reject(assignment, text(body, "RequesterFeedback"), time.time())
    return {}


@operation
async def UpdateHITReviewStatus(sim: Sim, body: Json) -> Json:
    """Reviewable -> Reviewing, or back with Revert."""
    sim.market.set_reviewing(sim.market.hit(text(body, "HITId")), body.get("Revert") is True)
    return {}


@operation
async def UpdateNotificationSettings(sim: Sim, body: Json) -> Json:
    """Where (and whether) a HIT type's notifications go."""
    hit_type = sim.market.hit_type(text(body, "HITTypeId"))
    spec, active = body.get("Notification"), body.get("Active")
    if spec is None and active is None:
        raise invalid_parameter("Either Notification or Active must be given.")
    if isinstance(spec, dict):
        check_spec(spec)
    sim.market.notify(hit_type, spec if isinstance(spec, dict) else None, active)
    return {}


@operation
async def SendTestEventNotification(sim: Sim, body: Json) -> Json:
    """Send one test event to a notification specification."""
    spec = member(body, "Notification")
    check_spec(spec)
    account = sim.notifier.settings.account_id
    message = message_of(text(body, "TestEventType"), None, account, time.time())
    await sim.notifier.deliver(str(spec["Destination"]), message)
    return {}


@operation
async def GetAccountBalance(sim: Sim, body: Json) -> Json:
    """What the requester has left to pay with."""
    return {"AvailableBalance": f"{sim.market.balance:.2f}", "OnHoldBalance": "0.00"}


def moment(body: Json, name: str) -> float:
    """A timestamp member as epoch seconds (the JSON protocol sends a number; a string
    is read as ISO 8601)."""
    value = body.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise invalid_parameter(f"{name} is not a timestamp.") from None


@operation
async def CreateAdditionalAssignmentsForHIT(sim: Sim, body: Json) -> Json:
    """More assignments for a HIT (once per token); new workers take them."""
    hit = sim.market.hit(text(body, "HITId"))
    now = time.time()
    count = whole(body, "NumberOfAdditionalAssignments", 0)
    sim.market.add_assignments(hit, count, text(body, "UniqueRequestToken") or None, now)
    if hit.is_open(now):
        sim.workforce.start(hit)
    return {}


@operation
async def UpdateExpirationForHIT(sim: Sim, body: Json) -> Json:
    """Expire a HIT now (a time past) or give it a longer life (re-opening it)."""
    hit = sim.market.hit(text(body, "HITId"))
    now = time.time()
    await sim.notifier.events(sim.market.set_expiration(hit, moment(body, "ExpireAt"), now))
    if hit.is_open(now):
        sim.workforce.start(hit)
    return {}


def unsupported(name: str) -> TurkError:
    """An operation of the API that the local MTurk does not play."""
    return TurkError(
        "AWS.MechanicalTurk.UnsupportedOperation", f"The local MTurk does not play {name}."
    )
