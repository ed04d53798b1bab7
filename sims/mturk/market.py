"""The requester's side of the marketplace: HIT types, HITs, assignments.

The rules are pure; each change is handed to the market's :class:`Keeper` (the local
MTurk's ledger, :mod:`sims.mturk.ledger`, which commits it to disk before the answer;
nothing in pure tests), so the marketplace outlives its process as MTurk's does.

Rules played as the real service plays them: registering a HIT type with the values of
an existing one returns the existing id; a ``UniqueRequestToken`` used again within
24 hours is refused (``AWS.MechanicalTurk.HitAlreadyExists``, naming the HIT); a HIT
is ``Assignable`` until its ``MaxAssignments`` are submitted or its lifetime ends, then
``Reviewable``; ``UpdateHITReviewStatus`` moves it to ``Reviewing`` and back; only a
``Submitted`` assignment can be approved or rejected, except that a ``Rejected`` one
may be approved with ``OverrideRejection`` within 30 days of its submission; a
``Submitted`` assignment is approved automatically ``AutoApprovalDelayInSeconds`` after
submission. Each approval takes the reward plus MTurk's fee (20 %, 40 % for HITs of 10
or more assignments, at least $0.01) from the balance. Times are epoch seconds.

More work for a HIT (:meth:`Market.add_assignments`, :meth:`Market.set_expiration`): a
HIT gains assignments (never from fewer than 10 to 10 or more: the fee changes there),
once per ``UniqueRequestToken``; a new expiration in the past expires it at once, a
later one re-opens an expired HIT, an earlier one in the future is refused.
"""

from __future__ import annotations

import contextlib
import json
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Protocol

from sims.mturk.errors import TurkError, does_not_exist, invalid_parameter, wrong_status
from sims.mturk.hits import CENT, Assignment, Event, Hit, HitType, Json, new_id

TOKEN_SECONDS = 24 * 3600
OVERRIDE_SECONDS = 30 * 24 * 3600
DEFAULT_AUTO_APPROVAL_SECONDS = 30 * 24 * 3600
# MTurk's fee changes at this many assignments; a HIT below it may not be extended to it.
BIG_HIT_ASSIGNMENTS = 10
# The kind of request a CreateAdditionalAssignmentsForHIT token is kept under.
EXTENSION = "extend:"


class Keeper(Protocol):
    """Where the market's changes go, each as it happens (grouped by ``batch``)."""

    def batch(self) -> AbstractContextManager[None]: ...
    def hit_changed(self, hit: Hit) -> None: ...
    def type_changed(self, hit_type: HitType) -> None: ...
    def token_used(self, key: str, hit_id: str, at: float) -> None: ...
    def balance_changed(self, balance: Decimal) -> None: ...


class Forgetful:
    """A keeper that keeps nothing: the market alone, in memory."""

    def batch(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()

    def hit_changed(self, hit: Hit) -> None:
        pass

    def type_changed(self, hit_type: HitType) -> None:
        pass

    def token_used(self, key: str, hit_id: str, at: float) -> None:
        pass

    def balance_changed(self, balance: Decimal) -> None:
        pass


class Market:
    """Every HIT type, HIT and assignment of the one requester this process plays."""

    def __init__(self, balance_dollars: float, keeper: Keeper | None = None) -> None:
        self.keeper: Keeper = keeper or Forgetful()
        self.types: dict[str, HitType] = {}
        self.hits: dict[str, Hit] = {}
        self.assignments: dict[str, Assignment] = {}
        self.tokens: dict[str, tuple[str, float]] = {}
        self.balance = Decimal(str(balance_dollars)).quantize(CENT)

    def register_type(self, fields: Json) -> HitType:
        """The HIT type of these values: the existing one if any, else a new one."""
        key = json.dumps(fields, sort_keys=True)
        for hit_type in self.types.values():
            if json.dumps(hit_type.fields, sort_keys=True) == key:
                return hit_type
        hit_type = HitType(new_id(), dict(fields))
        self.types[hit_type.type_id] = hit_type
        self.keeper.type_changed(hit_type)
        return hit_type

    def notify(self, hit_type: HitType, spec: Json | None, active: object) -> None:
        """``UpdateNotificationSettings``: a new specification and/or (de)activation."""
        if spec is not None:
            hit_type.notification = spec
        if hit_type.notification is None:
            raise invalid_parameter("This HIT type has no notification specification to activate.")
        hit_type.active = active is not False
        self.keeper.type_changed(hit_type)

    def hit_type(self, type_id: str) -> HitType:
        if type_id not in self.types:
            raise does_not_exist("HIT type", type_id, "HITTypeDoesNotExist")
        return self.types[type_id]

    def hit(self, hit_id: str) -> Hit:
        found = self.hits.get(hit_id)
        if found is None or found.status == "Disposed":
            raise does_not_exist("Hit", hit_id, "HITDoesNotExist")
        return found

    def assignment(self, assignment_id: str) -> Assignment:
        if assignment_id not in self.assignments:
            raise does_not_exist("Assignment", assignment_id, "AssignmentDoesNotExist")
        return self.assignments[assignment_id]

    def check_token(self, token: str | None, now: float, kind: str = "") -> None:
        """Refuse a ``UniqueRequestToken`` already used (by a request of ``kind``: tokens
        of HIT creations and of extensions are apart) in the last 24 hours."""
        earlier = self.tokens.get(f"{kind}{token}") if token else None
        if earlier is not None and now - earlier[1] < TOKEN_SECONDS:
            raise TurkError(
                "AWS.MechanicalTurk.HitAlreadyExists",
                f'The idempotency token "{token}" has already been processed. '
                f"HIT {earlier[0]} already exists.",
            )

    def add_hit(self, hit: Hit, token: str | None) -> Hit:
        """Publish ``hit`` (its token checked first by :meth:`check_token`)."""
        with self.keeper.batch():
            self.hits[hit.hit_id] = hit
            self.keeper.hit_changed(hit)
            if token:
                self._use_token(token, hit.hit_id, hit.creation_time)
        return hit

    def _use_token(self, key: str, hit_id: str, at: float) -> None:
        self.tokens[key] = (hit_id, at)
        self.keeper.token_used(key, hit_id, at)

    def submit(self, hit: Hit, worker_id: str, answer: str, now: float) -> list[Event]:
        """Record a worker's submission; the HIT turns Reviewable with its last one."""
        if not hit.is_open(now) or any(a.worker_id == worker_id for a in hit.assignments):
            return []
        duration = hit.hit_type.seconds("AssignmentDurationInSeconds", 3600)
        delay = hit.hit_type.seconds("AutoApprovalDelayInSeconds", DEFAULT_AUTO_APPROVAL_SECONDS)
        accepted = max(hit.creation_time, now - min(30.0, duration / 2))
        assignment = Assignment(
            new_id(), worker_id, hit.hit_id, answer, accepted, now, now + delay, accepted + duration
        )
        hit.assignments.append(assignment)
        self.assignments[assignment.assignment_id] = assignment
        events = [Event("AssignmentSubmitted", hit, assignment.assignment_id, now)]
        if len(hit.assignments) >= hit.max_assignments:
            hit.status = "Reviewable"
            events.append(Event("HITReviewable", hit, None, now))
        self.keeper.hit_changed(hit)
        return events

    def approve(
        self, assignment: Assignment, feedback: str | None, override: bool, now: float
    ) -> None:
        """Approve a Submitted assignment (or, with ``override``, a recently Rejected one)."""
        overriding = override and assignment.status == "Rejected"
        if overriding and now - assignment.submit_time > OVERRIDE_SECONDS:
            raise wrong_status("Submitted")
        if assignment.status != "Submitted" and not overriding:
            raise wrong_status("Submitted" if not override else "Submitted,Rejected")
        hit = self.hits[assignment.hit_id]
        cost = hit.hit_type.reward + hit.fee()
        if cost > self.balance:
            raise TurkError(
                "AWS.MechanicalTurk.InsufficientFunds",
                "This Requester has insufficient funds in their account to complete this "
                "transaction. Please visit https://requester.mturk.com/account to purchase "
                "additional prepaid HITs.",
            )
        self.balance -= cost
        assignment.status, assignment.approval_time = "Approved", now
        assignment.rejection_time = None
        assignment.feedback = feedback or assignment.feedback
        with self.keeper.batch():
            self.keeper.balance_changed(self.balance)
            self.keeper.hit_changed(hit)

    def reject(self, assignment: Assignment, feedback: str, now: float) -> None:
        """Reject a Submitted assignment, telling the worker why."""
        if assignment.status != "Submitted":
            raise wrong_status("Submitted")
        if not feedback.strip():
            raise invalid_parameter("RequesterFeedback is required to reject an assignment.")
        assignment.status, assignment.rejection_time = "Rejected", now
        assignment.feedback = feedback
        self.keeper.hit_changed(self.hits[assignment.hit_id])

    def set_reviewing(self, hit: Hit, revert: bool) -> None:
        """Reviewable -> Reviewing, or back with ``revert``."""
        before, after = ("Reviewing", "Reviewable") if revert else ("Reviewable", "Reviewing")
        if hit.status != before:
            raise wrong_status(before)
        hit.status = after
        self.keeper.hit_changed(hit)

    def delete(self, hit: Hit, now: float) -> None:
        """Dispose of a HIT that no worker can take any more and whose work is decided."""
        undecided = any(a.status == "Submitted" for a in hit.assignments)
        if hit.is_open(now) or undecided:
            raise TurkError(
                "AWS.MechanicalTurk.InvalidHITState",
                f"This HIT is currently in the state '{hit.status}'. This operation can be "
                "called with a status of: Reviewing, Reviewable, and only once every "
                "submitted assignment is approved or rejected.",
            )
        hit.status = "Disposed"
        self.keeper.hit_changed(hit)

    def settle(self, now: float) -> list[Event]:
        """What the clock does: expired HITs become Reviewable, due auto-approvals happen."""
        events: list[Event] = []
        for hit in self.hits.values():
            events += self.settle_hit(hit, now)
        for assignment in self.assignments.values():
            if assignment.status == "Submitted" and now >= assignment.auto_approval_time:
                # Without funds it stays Submitted until the requester adds some.
                with contextlib.suppress(TurkError):
                    self.approve(assignment, None, False, now)
        return events

    # More work for a HIT -----------------------------------------------------------

    def add_assignments(self, hit: Hit, count: int, token: str | None, now: float) -> None:
        """``CreateAdditionalAssignmentsForHIT``: ``count`` more assignments, once per token."""
        if count < 1:
            # The API reference: "The number of additional assignments to request"; the
            # real service refuses zero and negative numbers as an invalid parameter.
            raise invalid_parameter("NumberOfAdditionalAssignments must be 1 or more.")
        if hit.max_assignments < BIG_HIT_ASSIGNMENTS <= hit.max_assignments + count:
            # Code and rule from the API reference of CreateAdditionalAssignmentsForHIT.
            raise TurkError(
                "AWS.MechanicalTurk.InvalidMaximumAssignmentsIncrease",
                f"HITs created with fewer than {BIG_HIT_ASSIGNMENTS} assignments cannot be "
                f"extended to have {BIG_HIT_ASSIGNMENTS} or more assignments.",
            )
        # The API reference: a repeated token gets "an error with a message containing
        # the request ID"; refused as CreateHITWithHITType's repeated token is.
        self.check_token(token, now, EXTENSION)
        hit.max_assignments += count
        if hit.status == "Reviewable" and now < hit.expiration:
            hit.status = "Assignable"
        with self.keeper.batch():
            self.keeper.hit_changed(hit)
            if token:
                self._use_token(f"{EXTENSION}{token}", hit.hit_id, now)

    def set_expiration(self, hit: Hit, expire_at: float, now: float) -> list[Event]:
        """``UpdateExpirationForHIT``: expire now (a time past) or live until ``expire_at``."""
        if expire_at <= now:
            hit.expiration = min(hit.expiration, now)
            self.keeper.hit_changed(hit)
            return self.settle_hit(hit, now)
        if now < hit.expiration and expire_at < hit.expiration:
            # The API reference: "You cannot shorten the expiration time so that you're
            # not affecting Workers who have accepted your HIT."
            raise invalid_parameter("The expiration time of a HIT cannot be shortened.")
        hit.expiration = expire_at
        if hit.status == "Reviewable" and len(hit.assignments) < hit.max_assignments:
            hit.status = "Assignable"
        self.keeper.hit_changed(hit)
        return []

    def settle_hit(self, hit: Hit, now: float) -> list[Event]:
        """An Assignable HIT whose life is over becomes Reviewable (with its events)."""
        if hit.status != "Assignable" or now < hit.expiration:
            return []
        hit.status = "Reviewable"
        self.keeper.hit_changed(hit)
        return [Event("HITExpired", hit, None, now), Event("HITReviewable", hit, None, now)]
