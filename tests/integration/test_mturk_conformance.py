"""The local MTurk (``sims/mturk``) driven by the real boto3 ``mturk`` client.

The stand-in is only as good as its strictness: these tests hold it to the requester
API's error codes and shapes, its idempotency, paging and state rules, and check that
its simulated workers answer only HITs whose page really shows the photo.
"""

from __future__ import annotations

import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.mturk_process import (
    FAST,
    HIT_TYPE,
    INPUTS,
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

ANSWERS = "{http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd}"
NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with image_server(tmp_path_factory.mktemp("images")) as url:
        yield url


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
    return fresh_hit_type(mturk)


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
