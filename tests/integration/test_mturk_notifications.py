"""The local MTurk's notifications, driven by the real boto3 ``mturk`` client: they land
in an SQS queue (the moto server and ministack, the local AWS of `make run`) in the real
message shape, with the drop and duplicate faults tests ask for; and `make run`'s
Procfile line becomes the local MTurk only when it is wanted.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.mturk_process import (
    FAST,
    HIT_TYPE,
    MTURK_KEY_ID,
    MTURK_SECRET,
    answered,
    assignments,
    client,
    create_hit,
    fresh_hit_type,
    image_server,
    mturk_server,
    question,
    refusal,
)
from tests.processes import PYTHON, answers, free_port, running, wait_for


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with image_server(tmp_path_factory.mktemp("images")) as url:
        yield url


@pytest.fixture(scope="module")
def endpoint(output_dir: Path, moto_endpoint: str) -> Iterator[str]:
    log = output_dir / "mturk-notifications.log"
    with mturk_server(log, sqs_endpoint_url=moto_endpoint, seed=12, **FAST) as url:
        yield url


def sqs_client(moto_endpoint: str):
    return boto3.client(
        "sqs",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def drain(sqs, queue_url: str, wanted: int, timeout_seconds: float = 30) -> list[dict]:
    """Every message body received until ``wanted`` arrived (or the timeout passed)."""
    bodies: list[dict] = []
    deadline = time.monotonic() + timeout_seconds
    while len(bodies) < wanted and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in got.get("Messages", []):
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def notify(mturk, hit_type: str, queue_url: str) -> None:
    mturk.update_notification_settings(
        HITTypeId=hit_type,
        Notification={
            "Destination": queue_url,
            "Transport": "SQS",
            "Version": "2014-08-15",
            "EventTypes": ["AssignmentSubmitted", "HITReviewable"],
        },
        Active=True,
    )


@pytest.fixture
def sqs_endpoint(aws_backend: str, request: pytest.FixtureRequest) -> str:
    """The SQS of this test: the moto server, or ministack (the local AWS of `make run`)."""
    if aws_backend == "moto":
        return str(request.getfixturevalue("moto_endpoint"))
    return str(request.getfixturevalue("local_aws_endpoint").ministack_url)


@pytest.fixture
def notified(aws_backend: str, sqs_endpoint: str, endpoint: str, output_dir: Path):
    """A client of a local MTurk whose notifications go to this test's SQS."""
    if aws_backend == "moto":
        yield client(endpoint)
        return
    log = output_dir / "mturk-localaws.log"
    with mturk_server(log, sqs_endpoint_url=sqs_endpoint, **FAST) as url:
        yield client(url)


@pytest.mark.every_aws
def test_notifications_land_in_the_sqs_queue_in_the_real_shape(notified, images, sqs_endpoint):
    mturk = notified
    hit_type = fresh_hit_type(mturk)
    sqs = sqs_client(sqs_endpoint)
    queue_url = sqs.create_queue(QueueName=f"mturk-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    notify(mturk, hit_type, queue_url)
    hit_id = create_hit(mturk, hit_type, question([f"{images}/photo.jpg"]), MaxAssignments=2)
    bodies = drain(sqs, queue_url, 3)
    events = [event for body in bodies for event in body["Events"]]
    assert sorted(e["EventType"] for e in events) == [
        "AssignmentSubmitted",
        "AssignmentSubmitted",
        "HITReviewable",
    ]
    work = {a["AssignmentId"] for a in assignments(mturk, hit_id)}
    assert {
        e.get("AssignmentId") for e in events if e["EventType"] == "AssignmentSubmitted"
    } == work
    for body in bodies:
        assert body["EventDocVersion"] == "2014-08-15" and body["EventDocId"]
        assert body["SourceAccount"] and body["CustomerId"]
        assert all(e["HITId"] == hit_id and e["HITTypeId"] == hit_type for e in body["Events"])
    mturk.send_test_event_notification(
        Notification={
            "Destination": queue_url,
            "Transport": "SQS",
            "Version": "2014-08-15",
            "EventTypes": ["AssignmentSubmitted"],
        },
        TestEventType="Ping",
    )
    assert drain(sqs, queue_url, 1)[0]["Events"][0]["EventType"] == "Ping"


def test_a_notification_to_something_else_than_an_sqs_queue_is_refused(endpoint):
    mturk = client(endpoint)
    hit_type = fresh_hit_type(mturk)
    with pytest.raises(ClientError) as exc:
        mturk.update_notification_settings(
            HITTypeId=hit_type,
            Notification={
                "Destination": "someone@example.com",
                "Transport": "Email",
                "Version": "2014-08-15",
                "EventTypes": ["HITReviewable"],
            },
        )
    assert refusal(exc)[0] == "RequestError"


@pytest.mark.parametrize(
    ("setting", "copies"), [("drop_notifications", 0), ("duplicate_notifications", 2)]
)
def test_notification_faults_drop_or_double_deliveries(
    output_dir, moto_endpoint, images, setting, copies
):
    sqs = sqs_client(moto_endpoint)
    queue_url = sqs.create_queue(QueueName=f"mturk-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    settings = {**FAST, setting: 1.0, "sqs_endpoint_url": moto_endpoint}
    with mturk_server(output_dir / f"mturk-{setting}.log", **settings) as url:
        mturk = client(url)
        hit_type = mturk.create_hit_type(**HIT_TYPE)["HITTypeId"]
        notify(mturk, hit_type, queue_url)
        hit_id = create_hit(mturk, hit_type, question([f"{images}/photo.jpg"]), MaxAssignments=1)
        answered(mturk, hit_id, 1)
        bodies = drain(sqs, queue_url, 2 * copies, timeout_seconds=5 if copies == 0 else 30)
    assert len(bodies) == 2 * copies
    if copies:
        ids = [body["EventDocId"] for body in bodies]
        assert all(ids.count(doc_id) == copies for doc_id in ids)


def test_the_procfile_line_becomes_the_local_mturk_only_when_it_is_wanted(output_dir):
    devstack = [PYTHON, "deploy/devstack.py", "mturk"]
    with running(devstack, env={"OFOF_LOCAL_MTURK": ""}) as idle:
        time.sleep(2.0)
        assert idle.poll() is None  # idles: honcho would stop the stack if it exited
    port = free_port()
    wanted = {
        "OFOF_LOCAL_MTURK": "1",
        "MTURK_SIM_PORT": str(port),
        "MTURK_SIM_ACCESS_KEY_ID": MTURK_KEY_ID,
        "MTURK_SIM_SECRET_ACCESS_KEY": MTURK_SECRET,
    }
    with running(devstack, env=wanted, log_path=output_dir / "mturk-devstack.log"):
        endpoint = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{endpoint}/healthz"), 30, "the local MTurk under devstack")
        assert client(endpoint).get_account_balance()["AvailableBalance"] == "10000.00"
