"""``MturkCrowd``: the :class:`~services.moderation.crowd.mturk.ports.HitCrowd` port over
aioboto3's ``mturk`` client (the requester API ``MTurkRequesterServiceV20170117``,
SigV4-signed by botocore; transient failures retried by botocore's standard mode).

- HIT types carry the reward, durations, keywords and qualification requirements of the
  :class:`HitTerms`; MTurk answers the same HIT type id for the same terms.
- A HIT is created with ``UniqueRequestToken`` = the submission id (64 characters at
  most) and the submission id as ``RequesterAnnotation``. A retry after a lost answer
  gets MTurk's "already exists" error, whose message names the HIT: the HIT is taken
  from it when its annotation matches, else found by paging ``ListHITs``.
- A HIT short of quorum gets more assignments (``CreateAdditionalAssignmentsForHIT``,
  once per round: the round's ``UniqueRequestToken``, a repeat's refusal taken as done)
  and a new life (``UpdateExpirationForHIT``).
- Lists (``ListAssignmentsForHIT``, ``ListReviewableHITs``, ``ListHITs``) are read page
  by page with ``NextToken``.
- ``ServiceFault`` and transport errors leave as transient :class:`CrowdUnavailable`,
  ``RequestError`` as a lasting one; MTurk's "… does not exist." (``Hit 3X… does not
  exist. (1619128282649)``, TurkErrorCode ``AWS.MechanicalTurk.HITDoesNotExist``; the
  same for a HIT type) as :class:`~services.moderation.crowd.healing.CrowdForgot`.
- A HIT created again after MTurk forgot it (heal generation *n*) gets a fresh token,
  the submission id's with ``-h{n}``, so a retry of that creation repeats it.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from services.moderation.crowd.healing import CrowdForgot
from services.moderation.crowd.mturk.hits import HitState
from services.moderation.crowd.mturk.ports import HitRequest, WorkAssignment
from services.moderation.reviews.ports import CrowdUnavailable
from shared.aws import error_code

if TYPE_CHECKING:
    from types_aiobotocore_mturk.client import MTurkClient
    from types_aiobotocore_mturk.literals import EventTypeType
    from types_aiobotocore_mturk.type_defs import QualificationRequirementTypeDef

T = TypeVar("T")
# MTurk's page size limit for list operations.
PAGE_SIZE = 100
NOTIFICATION_VERSION = "2006-05-05"
EVENT_TYPES: tuple[EventTypeType, ...] = ("AssignmentSubmitted", "HITReviewable")
# MTurk ids are 20..40 upper-case letters and digits.
HIT_ID = re.compile(r"\b[A-Z0-9]{20,40}\b")
MAX_TOKEN_CHARS = 64


@dataclass(frozen=True)
class HitTerms:
    """What every HIT of ours offers and asks (from the settings)."""

    title: str
    description: str
    keywords: str
    reward: Decimal
    assignment_seconds: int
    auto_approval_seconds: int
    lifetime_seconds: int
    assignments: int
    # The SQS queue MTurk sends notifications to (its name; the URL is looked up when
    # notifications are switched on, so moderation may start before the queue exists).
    notify_queue: str
    qualifications: tuple[QualificationRequirementTypeDef, ...] = field(default=())


def request_token(submission_id: str, suffix: str = "") -> str:
    """The ``UniqueRequestToken`` of a submission's HIT, or with ``suffix`` of another
    request about it (a digest when too long for MTurk's 64 characters, so two long ids
    never share one)."""
    token = f"ofof-{submission_id}{suffix}"
    if len(token) <= MAX_TOKEN_CHARS:
        return token
    return hashlib.sha256(f"{submission_id}{suffix}".encode()).hexdigest()


def hit_token(submission_id: str, generation: int) -> str:
    """The ``UniqueRequestToken`` of a submission's HIT, created for the ``generation``-th
    time (0: the first HIT; MTurk refuses a token it processed, however the HIT ended)."""
    return request_token(submission_id, f"-h{generation}" if generation else "")


def round_token(submission_id: str, round_number: int) -> str:
    """The ``UniqueRequestToken`` of top-up round ``round_number`` of a submission's HIT."""
    return request_token(submission_id, f"-r{round_number}")


class AlreadyCreated(CrowdUnavailable):
    """MTurk refused a reused ``UniqueRequestToken``: an earlier try did the work (its
    answer lost). The detail carries MTurk's message, which names the HIT."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, transient=False)


async def translated(action: str, call: Awaitable[T]) -> T:
    """Await ``call``; botocore failures leave as :class:`CrowdUnavailable` (MTurk's one
    error map: ``ServiceFault`` and transport errors transient, a reused token
    :class:`AlreadyCreated`, any other refusal lasting)."""
    try:
        return await call
    except ClientError as exc:
        code = error_code(exc)
        if is_already_created(exc):
            raise AlreadyCreated(f"{action}: {code} {exc}") from exc
        if is_unknown(exc):
            raise CrowdForgot(f"{action}: {code} {exc}") from exc
        raise CrowdUnavailable(f"{action}: {code} {exc}", transient=code == "ServiceFault") from exc
    except BotoCoreError as exc:
        raise CrowdUnavailable(f"{action}: {exc}", transient=True) from exc


def is_already_created(exc: ClientError) -> bool:
    """Is this MTurk's answer to a reused ``UniqueRequestToken``?"""
    text = f"{exc.response.get('Error', {})} {exc.response.get('TurkErrorCode', '')}"
    return error_code(exc) == "RequestError" and (
        "AlreadyExists" in text
        or "already exists" in text.lower()
        or "already been processed" in text.lower()
    )


def is_unknown(exc: ClientError) -> bool:
    """Is this MTurk's answer about a HIT, HIT type or assignment it does not know?"""
    message = str(exc.response.get("Error", {}).get("Message", ""))
    return error_code(exc) == "RequestError" and "does not exist" in message


class MturkCrowd:
    """Mechanical Turk through one long-lived aioboto3 client."""

    def __init__(
        self, client: MTurkClient, terms: HitTerms, queue_url: Callable[[str], Awaitable[str]]
    ) -> None:
        self.client = client
        self.terms = terms
        # A queue's URL by its name (``AwsClients.queue_url``).
        self.queue_url = queue_url

    async def create_hit_type(self, video: str) -> str:
        """The HIT type of our terms (the video is named in the title)."""
        terms = self.terms
        answer = await translated(
            "creating a HIT type",
            self.client.create_hit_type(
                Title=f"{terms.title} ({video})",
                Description=terms.description,
                Keywords=terms.keywords,
                Reward=str(terms.reward),
                AssignmentDurationInSeconds=terms.assignment_seconds,
                AutoApprovalDelayInSeconds=terms.auto_approval_seconds,
                QualificationRequirements=list(terms.qualifications),
            ),
        )
        return answer["HITTypeId"]

    async def listen(self, hit_type_id: str) -> None:
        """Send the type's ``AssignmentSubmitted`` and ``HITReviewable`` events to SQS."""
        destination = await translated(
            "finding the notification queue", self.queue_url(self.terms.notify_queue)
        )
        await translated(
            "switching notifications on",
            self.client.update_notification_settings(
                HITTypeId=hit_type_id,
                Notification={
                    "Destination": destination,
                    "Transport": "SQS",
                    "Version": NOTIFICATION_VERSION,
                    "EventTypes": list(EVENT_TYPES),
                },
                Active=True,
            ),
        )

    async def create_hit(self, hit_type_id: str, request: HitRequest) -> str:
        """Create the submission's HIT, or find the one a lost answer already created."""
        call = self.client.create_hit_with_hit_type(
            HITTypeId=hit_type_id,
            MaxAssignments=self.terms.assignments,
            LifetimeInSeconds=self.terms.lifetime_seconds,
            Question=request.question,
            RequesterAnnotation=request.submission_id,
            UniqueRequestToken=hit_token(request.submission_id, request.generation),
        )
        try:
            answer = await translated("creating a HIT", call)
        except AlreadyCreated as exc:
            return await self._existing(request.submission_id, exc.detail)
        return str(answer["HIT"]["HITId"])

    async def _existing(self, submission_id: str, message: str) -> str:
        for candidate in HIT_ID.findall(message):
            if await self._annotation(candidate) == submission_id:
                return str(candidate)
        async for hit in self._pages(self.client.list_hits, "HITs"):
            if hit.get("RequesterAnnotation") == submission_id:
                return str(hit["HITId"])
        raise CrowdUnavailable(f"HIT of {submission_id} exists but was not found", transient=True)

    async def _annotation(self, hit_id: str) -> str | None:
        try:
            answer = await translated("reading a HIT", self.client.get_hit(HITId=hit_id))
        except CrowdUnavailable:
            return None
        return answer["HIT"].get("RequesterAnnotation")

    async def submission_of(self, hit_id: str) -> str | None:
        """The submission id a HIT carries as its annotation."""
        answer = await translated("reading a HIT", self.client.get_hit(HITId=hit_id))
        return answer["HIT"].get("RequesterAnnotation") or None

    async def assignments(self, hit_id: str) -> list[WorkAssignment]:
        """Every answered assignment of the HIT."""
        found: list[WorkAssignment] = []
        pages = self._pages(
            self.client.list_assignments_for_hit,
            "Assignments",
            HITId=hit_id,
            AssignmentStatuses=["Submitted", "Approved", "Rejected"],
        )
        async for item in pages:
            found.append(
                WorkAssignment(
                    assignment_id=item["AssignmentId"],
                    worker_id=item["WorkerId"],
                    hit_id=item["HITId"],
                    status=item["AssignmentStatus"],
                    answer=item.get("Answer", ""),
                )
            )
        return found

    async def reviewable_hits(self) -> AsyncIterator[str]:
        """Every reviewable HIT's id."""
        async for hit in self._pages(self.client.list_reviewable_hits, "HITs", Status="Reviewable"):
            yield str(hit["HITId"])

    async def _pages(
        self, operation: Callable[..., Awaitable[Any]], key: str, **kwargs: Any
    ) -> AsyncIterator[Any]:
        token: str | None = None
        while True:
            page_kwargs = {**kwargs, "MaxResults": PAGE_SIZE}
            if token:
                page_kwargs["NextToken"] = token
            answer = await translated(f"listing {key}", operation(**page_kwargs))
            for item in answer.get(key, []):
                yield item
            token = answer.get("NextToken")
            if not token or not answer.get(key):
                return

    async def approve(self, assignment_id: str, feedback: str) -> None:
        """Approve; an assignment approved or rejected already is left as it is."""
        await self._settle(
            self.client.approve_assignment(AssignmentId=assignment_id, RequesterFeedback=feedback),
            assignment_id,
        )

    async def reject(self, assignment_id: str, feedback: str) -> None:
        """Reject with ``feedback``; one approved or rejected already is left as it is."""
        await self._settle(
            self.client.reject_assignment(AssignmentId=assignment_id, RequesterFeedback=feedback),
            assignment_id,
        )

    async def _settle(self, call: Awaitable[Any], assignment_id: str) -> None:
        try:
            await translated("settling an assignment", call)
        except CrowdUnavailable:
            answer = await translated(
                "reading an assignment", self.client.get_assignment(AssignmentId=assignment_id)
            )
            if answer["Assignment"].get("AssignmentStatus") not in ("Approved", "Rejected"):
                raise

    async def reviewed(self, hit_id: str) -> None:
        """Move the HIT from Reviewable to Reviewing, off the reviewable list."""
        await translated(
            "marking a HIT reviewed", self.client.update_hit_review_status(HITId=hit_id)
        )

    async def hit_state(self, hit_id: str) -> HitState:
        """``GetHIT``'s counts and expiry."""
        hit = (await translated("reading a HIT", self.client.get_hit(HITId=hit_id)))["HIT"]
        return HitState(
            hit_id=hit_id,
            max_assignments=hit.get("MaxAssignments", 0),
            pending=hit.get("NumberOfAssignmentsPending", 0),
            available=hit.get("NumberOfAssignmentsAvailable", 0),
            expires_at=hit["Expiration"],
        )

    async def add_assignments(
        self, hit_id: str, count: int, submission_id: str, round_number: int
    ) -> None:
        """``CreateAdditionalAssignmentsForHIT`` with the round's token; MTurk's refusal
        of a token it already processed means an earlier try (answer lost) added them."""
        call = self.client.create_additional_assignments_for_hit(
            HITId=hit_id,
            NumberOfAdditionalAssignments=count,
            UniqueRequestToken=round_token(submission_id, round_number),
        )
        with contextlib.suppress(AlreadyCreated):
            await translated("adding assignments", call)

    async def extend(self, hit_id: str, until: datetime) -> None:
        """``UpdateExpirationForHIT`` to ``until``."""
        await translated(
            "extending a HIT",
            self.client.update_expiration_for_hit(HITId=hit_id, ExpireAt=until),
        )
