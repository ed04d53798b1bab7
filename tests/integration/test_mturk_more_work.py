"""The local MTurk's ``CreateAdditionalAssignmentsForHIT`` and ``UpdateExpirationForHIT``,
driven by the real boto3 ``mturk`` client: their shapes and errors, a repeated token
extending once, the rule that a HIT of fewer than 10 assignments never reaches 10, an
expiry now and a new life; the added assignments are worked by workers new to the HIT
and notified like the first ones. The local MTurk's first taker of each HIT returns it
unsubmitted (``returns_per_hit``), so a HIT is short of its assignments by design.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.integration.test_mturk_conformance import hit_type, images, mturk
from tests.integration.test_mturk_notifications import drain, notify, sqs_client
from tests.mturk_process import (
    FAST,
    answered,
    assignments,
    create_hit,
    mturk_server,
    question,
    refusal,
)
from tests.processes import wait_for

# The conformance test's fixtures, aimed at this module's local MTurk (``endpoint``).
__all__ = ["hit_type", "images", "mturk"]


@pytest.fixture(scope="module")
def endpoint(output_dir: Path, moto_endpoint: str) -> Iterator[str]:
    log = output_dir / "mturk-more-work.log"
    with mturk_server(
        log, sqs_endpoint_url=moto_endpoint, seed=19, returns_per_hit=1, **FAST
    ) as url:
        yield url


def hit_of(mturk, hit_id: str) -> dict:
    return dict(mturk.get_hit(HITId=hit_id)["HIT"])


def test_added_assignments_are_worked_by_new_workers_and_notified(
    mturk, hit_type, images, moto_endpoint
):
    sqs = sqs_client(moto_endpoint)
    queue_url = sqs.create_queue(QueueName=f"more-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    notify(mturk, hit_type, queue_url)
    hit_id = create_hit(mturk, hit_type, question([f"{images}/photo.jpg"]), MaxAssignments=3)
    first = answered(mturk, hit_id, 2)
    time.sleep(1.0)  # the first taker returned it: no third assignment comes
    assert len(assignments(mturk, hit_id)) == 2
    assert hit_of(mturk, hit_id)["HITStatus"] == "Assignable"
    mturk.update_expiration_for_hit(HITId=hit_id, ExpireAt=datetime.now(UTC) - timedelta(hours=1))
    assert hit_of(mturk, hit_id)["HITStatus"] == "Reviewable"
    assert [e["EventType"] for b in drain(sqs, queue_url, 3) for e in b["Events"]] == [
        "AssignmentSubmitted",
        "AssignmentSubmitted",
        "HITReviewable",
    ]
    mturk.create_additional_assignments_for_hit(
        HITId=hit_id, NumberOfAdditionalAssignments=2, UniqueRequestToken=f"t-{hit_id}"
    )
    assert hit_of(mturk, hit_id)["MaxAssignments"] == 5
    assert hit_of(mturk, hit_id)["HITStatus"] == "Reviewable"  # expired: nobody takes it
    mturk.update_expiration_for_hit(HITId=hit_id, ExpireAt=datetime.now(UTC) + timedelta(hours=1))
    work = answered(mturk, hit_id, 4)
    wait_for(lambda: hit_of(mturk, hit_id)["HITStatus"] == "Reviewable", 30, "all five in")
    work = assignments(mturk, hit_id)
    assert len(work) == 5 and len({a["WorkerId"] for a in work}) == 5
    assert {a["AssignmentId"] for a in first} < {a["AssignmentId"] for a in work}
    events = [e for body in drain(sqs, queue_url, 4) for e in body["Events"]]
    assert sorted(e["EventType"] for e in events) == [
        "AssignmentSubmitted",
        "AssignmentSubmitted",
        "AssignmentSubmitted",
        "HITReviewable",
    ]


def test_a_repeated_token_extends_the_hit_once(mturk, hit_type):
    hit_id = create_hit(mturk, hit_type, question([]), MaxAssignments=2)
    token = f"round-{uuid.uuid4().hex}"
    mturk.create_additional_assignments_for_hit(
        HITId=hit_id, NumberOfAdditionalAssignments=1, UniqueRequestToken=token
    )
    with pytest.raises(ClientError) as exc:
        mturk.create_additional_assignments_for_hit(
            HITId=hit_id, NumberOfAdditionalAssignments=1, UniqueRequestToken=token
        )
    code, message, turk_code = refusal(exc)
    assert (code, turk_code) == ("RequestError", "AWS.MechanicalTurk.HitAlreadyExists")
    assert "has already been processed" in message and hit_id in message
    assert hit_of(mturk, hit_id)["MaxAssignments"] == 3
    answer = mturk.create_additional_assignments_for_hit(
        HITId=hit_id, NumberOfAdditionalAssignments=1
    )
    assert set(answer) == {"ResponseMetadata"}
    assert hit_of(mturk, hit_id)["MaxAssignments"] == 4


def test_a_hit_of_fewer_than_ten_assignments_never_reaches_ten(mturk, hit_type):
    small = create_hit(mturk, hit_type, question([]), MaxAssignments=3)
    with pytest.raises(ClientError) as exc:
        mturk.create_additional_assignments_for_hit(HITId=small, NumberOfAdditionalAssignments=7)
    code, _, turk_code = refusal(exc)
    assert (code, turk_code) == (
        "RequestError",
        "AWS.MechanicalTurk.InvalidMaximumAssignmentsIncrease",
    )
    mturk.create_additional_assignments_for_hit(HITId=small, NumberOfAdditionalAssignments=6)
    assert hit_of(mturk, small)["MaxAssignments"] == 9
    big = create_hit(mturk, hit_type, question([]), MaxAssignments=10)
    mturk.create_additional_assignments_for_hit(HITId=big, NumberOfAdditionalAssignments=5)
    assert hit_of(mturk, big)["MaxAssignments"] == 15


def test_bad_requests_get_the_real_errors(mturk, hit_type):
    hit_id = create_hit(mturk, hit_type, question([]), MaxAssignments=2)
    for count in (0, -1):
        with pytest.raises(ClientError) as exc:
            mturk.create_additional_assignments_for_hit(
                HITId=hit_id, NumberOfAdditionalAssignments=count
            )
        assert refusal(exc)[2] == "AWS.MechanicalTurk.InvalidParameterValue"
    missing = "3NOSUCHHIT00000000000000000000"
    with pytest.raises(ClientError) as exc:
        mturk.create_additional_assignments_for_hit(HITId=missing, NumberOfAdditionalAssignments=1)
    code, message, _ = refusal(exc)
    assert code == "RequestError" and f"Hit {missing} does not exist" in message
    with pytest.raises(ClientError) as exc:
        mturk.update_expiration_for_hit(HITId=missing, ExpireAt=datetime.now(UTC))
    assert refusal(exc)[0] == "RequestError"
    with pytest.raises(ClientError) as exc:
        mturk.create_additional_assignments_for_hit(
            HITId="lower-case", NumberOfAdditionalAssignments=1
        )
    assert refusal(exc)[0] == "ValidationException"


def test_an_expiry_can_be_brought_forward_to_now_but_not_shortened(mturk, hit_type):
    hit_id = create_hit(mturk, hit_type, question([]), MaxAssignments=2, LifetimeInSeconds=3600)
    with pytest.raises(ClientError) as exc:
        mturk.update_expiration_for_hit(
            HITId=hit_id, ExpireAt=datetime.now(UTC) + timedelta(minutes=10)
        )
    assert refusal(exc)[2] == "AWS.MechanicalTurk.InvalidParameterValue"
    mturk.update_expiration_for_hit(HITId=hit_id, ExpireAt=datetime(2020, 1, 1, tzinfo=UTC))
    expired = hit_of(mturk, hit_id)
    assert expired["HITStatus"] == "Reviewable"
    assert expired["Expiration"] <= datetime.now(UTC)
    assert expired["NumberOfAssignmentsAvailable"] == 0
    later = datetime.now(UTC) + timedelta(minutes=10)
    mturk.update_expiration_for_hit(HITId=hit_id, ExpireAt=later)
    reopened = hit_of(mturk, hit_id)
    assert reopened["HITStatus"] == "Assignable"
    assert abs((reopened["Expiration"] - later).total_seconds()) < 1
    assert reopened["NumberOfAssignmentsAvailable"] == 2
