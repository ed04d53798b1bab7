"""The local MTurk's qualification requirements, driven by the real boto3 ``mturk`` client.

A HIT type's ``QualificationRequirements`` are refused as MTurk refuses them, and only
workers who meet every requirement work its HITs: the point of moderation's default
requirements (approval rate >= 95 %, >= 100 approved HITs) is that the sloppy and
careless workers never get its HITs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.mturk_process import (
    FAST,
    HIT_TYPE,
    MTURK_KEY_ID,
    MTURK_SECRET,
    answered,
    assignments,
    create_hit,
    image_server,
    mturk_server,
    question,
    refusal,
)
from tests.processes import wait_for

APPROVAL = "000000000000000000L0"
APPROVED_HITS = "00000000000000000040"
LOCALE = "00000000000000000071"
DEFAULTS = [
    {"QualificationTypeId": APPROVAL, "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [95]},
    {
        "QualificationTypeId": APPROVED_HITS,
        "Comparator": "GreaterThanOrEqualTo",
        "IntegerValues": [100],
    },
]
# Plenty of every kind of worker, so each test has someone to keep out.
POOL = {"untrusted_share": 0.3, "careless_share": 0.2, "newcomer_share": 0.2, "seed": 95}
EVERYONE = 1000


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with image_server(tmp_path_factory.mktemp("images")) as url:
        yield url


@pytest.fixture(scope="module")
def endpoint(output_dir: Path) -> Iterator[str]:
    with mturk_server(output_dir / "mturk-qualifications.log", **POOL, **FAST) as url:
        yield url


@pytest.fixture
def mturk(endpoint: str):
    """boto3's client without its own parameter checks, so the server's are what answer."""
    return boto3.client(
        "mturk",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=MTURK_KEY_ID,
        aws_secret_access_key=MTURK_SECRET,
        config=Config(retries={"mode": "standard", "max_attempts": 1}, parameter_validation=False),
    )


@pytest.fixture
def pool(endpoint: str) -> list[dict]:
    """The simulated workers, their kinds and qualification values."""
    return list(httpx.get(f"{endpoint}/sim/workers", timeout=10).json())


def hit_type(mturk, title: str, requirements: list[dict]) -> str:
    fields = {**HIT_TYPE, "Title": f"{HIT_TYPE['Title']} ({title})"}
    return str(mturk.create_hit_type(**fields, QualificationRequirements=requirements)["HITTypeId"])


def refused(mturk, requirements: list[dict]) -> tuple[str, str, str]:
    with pytest.raises(ClientError) as exc:
        hit_type(mturk, "refused", requirements)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return refusal(exc)


def workers_of(mturk, hit_id: str) -> set[str]:
    return {a["WorkerId"] for a in assignments(mturk, hit_id, MaxResults=100)}


@pytest.mark.parametrize(
    ("requirement", "problem"),
    [
        ({"QualificationTypeId": APPROVAL}, "qualificationRequirements.1.member.comparator"),
        ({"Comparator": "Exists"}, "qualificationRequirements.1.member.qualificationTypeId"),
        ({"QualificationTypeId": APPROVAL, "Comparator": "AtLeast"}, "enum value set"),
        (
            {"QualificationTypeId": LOCALE, "Comparator": "Exists", "ActionsGuarded": "Discover"},
            "DiscoverPreviewAndAccept",
        ),
    ],
)
def test_requirements_outside_the_model_are_refused_by_the_front_end(mturk, requirement, problem):
    code, message, _ = refused(mturk, [requirement])
    assert code == "ValidationException" and problem in message


@pytest.mark.parametrize(
    ("requirement", "wording"),
    [
        (
            {
                "QualificationTypeId": LOCALE,
                "Comparator": "EqualTo",
                "LocaleValues": [{"Country": "US"}, {"Country": "CA"}],
            },
            'The value "US,CA" is not valid for the parameter LocaleValue. LocaleValue must be '
            "null when used with the EqualTo comparator..",
        ),
        (
            {"QualificationTypeId": APPROVAL, "Comparator": "Exists", "IntegerValues": [1]},
            'The value "1" is not valid for the parameter IntegerValue.',
        ),
        (
            {
                "QualificationTypeId": APPROVAL,
                "Comparator": "GreaterThan",
                "IntegerValues": [90, 95],
            },
            "IntegerValue must be null when used with the GreaterThan comparator",
        ),
        (
            {"QualificationTypeId": APPROVAL, "Comparator": "GreaterThanOrEqualTo"},
            "IntegerValue must not be null when used with the GreaterThanOrEqualTo comparator",
        ),
        (
            {"QualificationTypeId": APPROVAL, "Comparator": "In"},
            "IntegerValue must not be null when used with the In comparator",
        ),
        (
            {
                "QualificationTypeId": APPROVAL,
                "Comparator": "EqualTo",
                "LocaleValues": [{"Country": "US"}],
            },
            'The value "US" is not valid for the parameter LocaleValue.',
        ),
        (
            {"QualificationTypeId": LOCALE, "Comparator": "EqualTo", "IntegerValues": [1]},
            "IntegerValue must be null",
        ),
        (
            {
                "QualificationTypeId": LOCALE,
                "Comparator": "LessThan",
                "LocaleValues": [{"Country": "US"}],
            },
            "not LessThan",
        ),
        (
            {"QualificationTypeId": APPROVAL, "Comparator": "In", "IntegerValues": list(range(16))},
            "At most 15 IntegerValue",
        ),
    ],
)
def test_values_the_comparator_does_not_take_are_refused_as_mturk_refuses_them(
    mturk, requirement, wording
):
    code, message, _ = refused(mturk, [*DEFAULTS, requirement])
    assert code == "ParameterValidationError" and wording in message, message
    assert message.endswith(")")  # the request time in milliseconds, as MTurk's


def test_an_unknown_qualification_type_is_refused_with_the_real_error(mturk):
    unknown = {"QualificationTypeId": "3NOSUCHQUALIFICATIONTYPE00000", "Comparator": "Exists"}
    code, message, turk_code = refused(mturk, [unknown])
    assert (code, turk_code) == ("RequestError", "AWS.MechanicalTurk.QualificationTypeDoesNotExist")
    assert message.startswith("QualificationType [3NOSUCHQUALIFICATIONTYPE00000] does not exist.")


def test_well_formed_requirements_are_taken_and_shown_on_the_hits(mturk, images):
    requirements = [
        *DEFAULTS,
        {
            "QualificationTypeId": LOCALE,
            "Comparator": "In",
            "LocaleValues": [{"Country": "US"}, {"Country": "IN"}],
            "ActionsGuarded": "DiscoverPreviewAndAccept",
        },
        {"QualificationTypeId": APPROVED_HITS, "Comparator": "Exists", "RequiredToPreview": True},
    ]
    type_id = hit_type(mturk, "well formed", requirements)
    hit_id = create_hit(mturk, type_id, question([f"{images}/photo.jpg"]))
    assert mturk.get_hit(HITId=hit_id)["HIT"]["QualificationRequirements"] == requirements


def test_only_workers_meeting_every_requirement_work_the_hit(mturk, pool, images):
    high = {w["WorkerId"] for w in pool if w["Qualifications"][APPROVAL] >= 95}
    seasoned = {w["WorkerId"] for w in pool if w["Qualifications"][APPROVED_HITS] >= 100}
    assert 3 <= len(high) < len(pool) and high - seasoned  # some to keep out, some newcomers
    shown = question([f"{images}/photo.jpg", f"{images}/original.jpg"])
    rate_only = create_hit(
        mturk, hit_type(mturk, "rate", DEFAULTS[:1]), shown, MaxAssignments=EVERYONE
    )
    both = create_hit(mturk, hit_type(mturk, "defaults", DEFAULTS), shown, MaxAssignments=EVERYONE)
    wait_for(lambda: len(workers_of(mturk, rate_only)) >= len(high), 30, "the high rated")
    wait_for(lambda: len(workers_of(mturk, both)) >= len(high & seasoned), 30, "the qualified")
    time.sleep(1.0)  # nobody else comes
    assert workers_of(mturk, rate_only) == high
    assert workers_of(mturk, both) == high & seasoned
    kinds = {w["kind"] for w in pool if w["WorkerId"] in high & seasoned}
    assert kinds == {"good"} and {w["kind"] for w in pool} == {"good", "sloppy", "careless"}
    # Fewer qualified workers than MaxAssignments: the HIT waits for more, as on MTurk.
    assert mturk.get_hit(HITId=both)["HIT"]["HITStatus"] == "Assignable"


def test_a_hit_whose_requirements_nobody_meets_gets_no_assignment(mturk, images):
    nobody = [
        {
            "QualificationTypeId": APPROVED_HITS,
            "Comparator": "GreaterThan",
            "IntegerValues": [10**6],
        }
    ]
    shown = question([f"{images}/photo.jpg"])
    strict = create_hit(mturk, hit_type(mturk, "nobody", nobody), shown, MaxAssignments=2)
    control = create_hit(mturk, hit_type(mturk, "anybody", []), shown, MaxAssignments=2)
    answered(mturk, control, 2)
    time.sleep(1.0)
    assert assignments(mturk, strict) == []
    assert mturk.get_hit(HITId=strict)["HIT"]["HITStatus"] == "Assignable"
