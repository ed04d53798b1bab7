"""The local MTurk (``sims/mturk``) driven by the real boto3 ``mturk`` client.

The stand-in is only as good as its strictness: these tests hold it to the requester
API's error codes and shapes, its idempotency, paging and state rules, and check that
its simulated workers answer only HITs whose page really shows the photo, and that its
notifications land in an SQS queue (the moto server) in the real message shape.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.mturk_process import MTURK_KEY_ID, MTURK_SECRET, mturk_server
from tests.pictures import good_copy, jpeg, original_frame
from tests.processes import PYTHON, answers, free_port, running, wait_for

NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
ANSWERS = "{http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd}"
FAST = {"judgment_delay_seconds": 0.3, "judgment_jitter_seconds": 0, "assignment_gap_seconds": 0.05}
HIT_TYPE = {
    "Title": "Does the photo mimic the frame?",
    "Description": "Look at a photo beside a video frame and answer three questions.",
    "Reward": "0.05",
    "AssignmentDurationInSeconds": 600,
    "AutoApprovalDelayInSeconds": 86400,
    "Keywords": "image, comparison",
}
INPUTS = """
<p><label><input type="radio" name="nudity" value="yes" required> yes</label>
<label><input type="radio" name="nudity" value="no"> no</label></p>
<p><select name="mimic" required><option value="">?</option><option value="1">1</option>
<option value="2">2</option><option value="3">3</option><option value="4">4</option>
<option value="5">5</option></select></p>
<p><input type="radio" name="trying" value="yes" required>
<input type="radio" name="trying" value="no"></p>
"""


def question(images: list[str], inputs: str = INPUTS, action: str | None = None) -> str:
    """An HTMLQuestion showing ``images`` with the three questions in an MTurk form."""
    shown = "".join(f'<img src="{url}" alt="">' for url in images)
    target = action or "https://workersandbox.mturk.com/mturk/externalSubmit"
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<form name="mturk_form" method="post" id="mturk_form" action="{target}">
<input type="hidden" value="" name="assignmentId" id="assignmentId">
<input type="hidden" name="submission" value="sub-1">
{shown}{inputs}<input type="submit"></form></body></html>"""
    return (
        f'<HTMLQuestion xmlns="{NS}"><HTMLContent><![CDATA[{html}]]></HTMLContent>'
        "<FrameHeight>0</FrameHeight></HTMLQuestion>"
    )


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A loopback web server showing a photo and its original frame."""
    root = tmp_path_factory.mktemp("images")
    (root / "photo.jpg").write_bytes(good_copy(3))
    (root / "original.jpg").write_bytes(jpeg(original_frame(3)))
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=5)


def client(endpoint: str, key: str = MTURK_KEY_ID, secret: str = MTURK_SECRET):
    return boto3.client(
        "mturk",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def endpoint(output_dir: Path, moto_endpoint: str) -> Iterator[str]:
    with mturk_server(
        output_dir / "mturk.log", sqs_endpoint_url=moto_endpoint, seed=11, **FAST
    ) as url:
        yield url


@pytest.fixture
def mturk(endpoint: str):
    return client(endpoint)


@pytest.fixture
def hit_type(mturk) -> str:
    # A fresh type per test: a new title, so notification settings do not leak between tests.
    fields = {**HIT_TYPE, "Title": f"{HIT_TYPE['Title']} {uuid.uuid4().hex[:6]}"}
    return str(mturk.create_hit_type(**fields)["HITTypeId"])


def create_hit(mturk, hit_type: str, shown: str, **extra: object) -> str:
    fields = {"LifetimeInSeconds": 3600, **extra}
    hit = mturk.create_hit_with_hit_type(HITTypeId=hit_type, Question=shown, **fields)["HIT"]
    return str(hit["HITId"])


def assignments(mturk, hit_id: str, **extra: object) -> list[dict]:
    return list(mturk.list_assignments_for_hit(HITId=hit_id, **extra)["Assignments"])


def answered(mturk, hit_id: str, count: int) -> list[dict]:
    wait_for(lambda: len(assignments(mturk, hit_id)) >= count, 30, f"{count} assignments")
    return assignments(mturk, hit_id)


def refusal(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, str]:
    error = exc.value.response["Error"]
    return error["Code"], error.get("Message", ""), exc.value.response.get("TurkErrorCode", "")


def test_a_hit_showing_the_photo_is_answered_by_distinct_workers(mturk, hit_type, images):
    shown = question([f"{images}/photo.jpg", f"{images}/original.jpg"])
    hit_id = create_hit(mturk, hit_type, shown, MaxAssignments=3, RequesterAnnotation="sub-1")
    work = answered(mturk, hit_id, 3)
    assert len({a["WorkerId"] for a in work}) == 3
    for assignment in work:
        assert assignment["AssignmentStatus"] == "Submitted"
        root = ET.fromstring(assignment["Answer"])
        given = {
            a.findtext(f"{ANSWERS}QuestionIdentifier"): a.findtext(f"{ANSWERS}FreeText")
            for a in root.findall(f"{ANSWERS}Answer")
        }
        assert given["nudity"] in ("yes", "no") and given["trying"] in ("yes", "no")
        assert given["mimic"] in ("1", "2", "3", "4", "5")
        assert given["submission"] == "sub-1" and "assignmentId" not in given
    hit = mturk.get_hit(HITId=hit_id)["HIT"]
    assert (hit["HITStatus"], hit["RequesterAnnotation"], hit["MaxAssignments"]) == (
        "Reviewable",
        "sub-1",
        3,
    )
    reviewable = mturk.list_reviewable_hits(HITTypeId=hit_type)["HITs"]
    assert [h["HITId"] for h in reviewable] == [hit_id]


def test_workers_never_answer_a_hit_whose_page_does_not_show_the_photo(mturk, hit_type, images):
    pageless = [
        question([]),  # no image at all
        question([f"{images}/missing.jpg", f"{images}/original.jpg"]),  # the photo is a 404
        question([f"{images}/photo.jpg"], inputs=INPUTS.replace(" required", "")),
        question([f"{images}/photo.jpg"], action="https://example.com/submit"),
    ]
    unanswered = [create_hit(mturk, hit_type, shown, MaxAssignments=2) for shown in pageless]
    good = create_hit(mturk, hit_type, question([f"{images}/photo.jpg"]), MaxAssignments=2)
    answered(mturk, good, 2)
    time.sleep(1.0)
    for hit_id in unanswered:
        assert assignments(mturk, hit_id) == []
        assert mturk.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Assignable"


def test_a_unique_request_token_is_honoured_for_24_hours(mturk, hit_type, images):
    token = f"submission-{uuid.uuid4().hex}"
    first = create_hit(mturk, hit_type, question([]), UniqueRequestToken=token)
    with pytest.raises(ClientError) as exc:
        create_hit(mturk, hit_type, question([]), UniqueRequestToken=token)
    code, message, turk_code = refusal(exc)
    assert (code, turk_code) == ("RequestError", "AWS.MechanicalTurk.HitAlreadyExists")
    assert "has already been processed" in message and first in message


def test_an_unknown_hit_type_is_refused_with_the_real_error(mturk):
    with pytest.raises(ClientError) as exc:
        create_hit(mturk, "3NOSUCHTYPE0000000000000000000", question([]))
    code, message, _ = refusal(exc)
    assert code == "RequestError" and "does not exist" in message
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as missing:
        mturk.get_hit(HITId="3NOSUCHHIT")
    assert refusal(missing)[1].startswith("Hit 3NOSUCHHIT does not exist.")


@pytest.mark.parametrize(
    "shown",
    [
        "<HTMLQuestion><HTMLContent>unclosed",
        f'<HTMLQuestion xmlns="{NS}"><FrameHeight>0</FrameHeight></HTMLQuestion>',
        '<ExternalQuestion xmlns="urn:x"><ExternalURL>https://x</ExternalURL></ExternalQuestion>',
        '<!DOCTYPE x [<!ENTITY a "aaaa">]><HTMLQuestion>&a;</HTMLQuestion>',
    ],
)
def test_question_xml_that_is_not_a_good_html_question_is_refused(mturk, hit_type, shown):
    with pytest.raises(ClientError) as exc:
        create_hit(mturk, hit_type, shown)
    code, message, turk_code = refusal(exc)
    assert (code, turk_code) == ("RequestError", "AWS.MechanicalTurk.XMLParseError")
    assert "error parsing the XML question" in message


def test_model_constraints_are_checked_on_the_server(mturk, hit_type):
    with pytest.raises(ClientError) as exc:
        create_hit(mturk, hit_type, question([]), UniqueRequestToken="t" * 65)
    code, message, _ = refusal(exc)
    assert code == "ValidationException"
    assert "uniqueRequestToken" in message and "less than or equal to 64" in message
    with pytest.raises(ClientError) as annotated:
        create_hit(mturk, hit_type, question([]), RequesterAnnotation="a" * 256)
    assert refusal(annotated)[0] == "RequestError"
    with pytest.raises(ClientError) as short_lived:
        create_hit(mturk, hit_type, question([]), LifetimeInSeconds=10)
    assert "LifetimeInSeconds" in refusal(short_lived)[1]
    with pytest.raises(ClientError) as late_approval:
        mturk.create_hit_type(**{**HIT_TYPE, "AutoApprovalDelayInSeconds": 31 * 24 * 3600})
    assert "AutoApprovalDelayInSeconds" in refusal(late_approval)[1]


def test_assignments_and_reviewable_hits_are_paged_with_next_token(mturk, hit_type, images):
    hit_id = create_hit(mturk, hit_type, question([f"{images}/photo.jpg"]), MaxAssignments=5)
    every = answered(mturk, hit_id, 5)
    pages, token = [], None
    while True:
        extra = {"NextToken": token} if token else {}
        page = mturk.list_assignments_for_hit(HITId=hit_id, MaxResults=2, **extra)
        pages.append([a["AssignmentId"] for a in page["Assignments"]])
        assert page["NumResults"] == len(pages[-1])
        token = page.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [a for page in pages for a in page] == [a["AssignmentId"] for a in every]
    paginator = mturk.get_paginator("list_assignments_for_hit")
    assert (
        sum(
            len(p["Assignments"])
            for p in paginator.paginate(HITId=hit_id, PaginationConfig={"PageSize": 2})
        )
        == 5
    )
    second = create_hit(mturk, hit_type, question([f"{images}/photo.jpg"]), MaxAssignments=1)
    answered(mturk, second, 1)
    first_page = mturk.list_reviewable_hits(HITTypeId=hit_type, MaxResults=1)
    rest = mturk.list_reviewable_hits(
        HITTypeId=hit_type, MaxResults=1, NextToken=first_page["NextToken"]
    )
    assert {first_page["HITs"][0]["HITId"], rest["HITs"][0]["HITId"]} == {hit_id, second}
    assert "NextToken" not in rest


def test_approve_and_reject_follow_the_real_rules(mturk, hit_type, images):
    hit_id = create_hit(mturk, hit_type, question([f"{images}/photo.jpg"]), MaxAssignments=3)
    first, second, third = (a["AssignmentId"] for a in answered(mturk, hit_id, 3))
    before = float(mturk.get_account_balance()["AvailableBalance"])
    mturk.approve_assignment(AssignmentId=first, RequesterFeedback="thanks")
    assert float(mturk.get_account_balance()["AvailableBalance"]) == pytest.approx(before - 0.06)
    with pytest.raises(ClientError) as again:
        mturk.approve_assignment(AssignmentId=first)
    assert "can be called with a status of: Submitted" in refusal(again)[1]
    with pytest.raises(ClientError) as no_feedback:
        mturk.reject_assignment(AssignmentId=second, RequesterFeedback="")
    assert refusal(no_feedback)[0] == "RequestError"
    mturk.reject_assignment(AssignmentId=second, RequesterFeedback="failed the check question")
    with pytest.raises(ClientError) as approved_rejection:
        mturk.approve_assignment(AssignmentId=second)
    assert refusal(approved_rejection)[0] == "RequestError"
    mturk.approve_assignment(AssignmentId=second, OverrideRejection=True)
    shown = mturk.get_assignment(AssignmentId=second)
    assert shown["Assignment"]["AssignmentStatus"] == "Approved"
    assert shown["HIT"]["HITId"] == hit_id
    submitted = assignments(mturk, hit_id, AssignmentStatuses=["Submitted"])
    assert [a["AssignmentId"] for a in submitted] == [third]
    mturk.update_hit_review_status(HITId=hit_id)
    assert mturk.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewing"
    reviewing = mturk.list_reviewable_hits(HITTypeId=hit_type, Status="Reviewing")["HITs"]
    assert [h["HITId"] for h in reviewing] == [hit_id]
    mturk.update_hit_review_status(HITId=hit_id, Revert=True)
    with pytest.raises(ClientError):
        mturk.delete_hit(HITId=hit_id)  # one assignment is still undecided
    mturk.reject_assignment(AssignmentId=third, RequesterFeedback="answered at random")
    mturk.delete_hit(HITId=hit_id)
    with pytest.raises(ClientError):
        mturk.get_hit(HITId=hit_id)


def test_requests_not_signed_with_the_requester_key_are_refused(endpoint):
    with pytest.raises(ClientError) as wrong_secret:
        client(endpoint, secret="not-the-secret").get_account_balance()
    assert refusal(wrong_secret)[0] == "InvalidSignatureException"
    with pytest.raises(ClientError) as unknown_key:
        client(endpoint, key="AKIASOMEONEELSE").get_account_balance()
    assert refusal(unknown_key)[0] == "UnrecognizedClientException"
    unsigned = httpx.post(
        f"{endpoint}/",
        content=b"{}",
        headers={
            "X-Amz-Target": "MTurkRequesterServiceV20170117.GetAccountBalance",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    assert unsigned.status_code == 403
    assert unsigned.json()["__type"] == "MissingAuthenticationTokenException"


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
    hit_type = mturk.create_hit_type(**HIT_TYPE)["HITTypeId"]
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


def test_a_notification_to_something_else_than_an_sqs_queue_is_refused(mturk, hit_type):
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
