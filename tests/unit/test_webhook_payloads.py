import json

import pytest

from services.moderation.crowd.crowdflower.payloads import (
    MalformedPayload,
    parse_judgments,
    parse_judgments_payload,
    parse_unit_payload,
)
from services.moderation.crowd.crowdflower.signatures import is_signed, is_valid_signature, sign

UNIT = {
    "id": 100001,
    "job_id": 7,
    "state": "complete",
    "data": {"submission_id": "sub-1", "photo_url": "http://x/p", "original_url": "http://x/o"},
    "results": {
        "judgments": [
            {
                "id": 5,
                "worker_id": 1001,
                "worker_trust": 0.91,
                "data": {"nudity": "no", "mimic": "4", "trying": "yes"},
            }
        ]
    },
}


def test_a_good_signature_is_accepted_and_a_bad_or_missing_one_is_not():
    payload = json.dumps(UNIT)
    good = sign(payload, "secret")
    assert is_valid_signature(payload, good, "secret")
    assert is_valid_signature(payload, good.upper(), "secret")
    assert not is_valid_signature(payload, good, "other")
    assert not is_valid_signature(payload + " ", good, "secret")
    assert not is_valid_signature(payload, None, "secret")
    assert not is_valid_signature(payload, "", "secret")
    assert not is_valid_signature(payload, sign(payload, ""), "")


def test_a_unit_payload_reads_as_judgments_in_domain_words():
    unit = parse_unit_payload(json.dumps(UNIT))
    assert unit.submission_id == "sub-1"
    assert unit.id == "100001"
    [judgment] = unit.judgments()
    assert (judgment.judgment_id, judgment.worker_id, judgment.trust) == ("5", "1001", 0.91)
    assert (judgment.nudity, judgment.mimic, judgment.trying) == (False, 4, True)


def test_a_one_element_list_payload_reads_like_the_unit_itself():
    assert parse_unit_payload(json.dumps([UNIT])) == parse_unit_payload(json.dumps(UNIT))


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[]",
        json.dumps([UNIT, UNIT]),
        json.dumps({**UNIT, "data": {}}),
        json.dumps({**UNIT, "results": {"judgments": [{"id": 1}]}}),
    ],
)
def test_malformed_payloads_are_refused(raw):
    with pytest.raises(MalformedPayload):
        parse_unit_payload(raw)


def test_a_judgments_list_parses_and_garbage_does_not():
    assert len(parse_judgments(UNIT["results"]["judgments"])) == 1
    with pytest.raises(MalformedPayload):
        parse_judgments([{"id": 1, "data": {"mimic": "9"}}])


def test_the_signature_is_the_hex_sha1_of_payload_then_key():
    import hashlib

    assert sign("abc", "key") == hashlib.sha1(b"abckey").hexdigest()


def judgment_in(unit_id: int, sid: str | None, judgment_id: int, golden: bool = False) -> dict:
    return {
        "id": judgment_id,
        "unit_id": unit_id,
        "job_id": 7,
        "worker_id": 1000 + judgment_id,
        "worker_trust": 0.9,
        "trust": 0.9,
        "golden": golden,
        "unit_data": {"submission_id": sid} if sid else {"gold_name": "noise-0"},
        "data": {"nudity": "no", "mimic": "4", "trying": "yes"},
    }


def test_a_new_judgments_array_of_many_units_is_grouped_by_unit_without_gold():
    payload = json.dumps(
        [
            judgment_in(1, "s1", 11),
            judgment_in(2, "s2", 21),
            judgment_in(1, "s1", 12),
            judgment_in(9, None, 91, golden=True),
        ]
    )
    units = parse_judgments_payload(payload)
    assert [(u.unit_id, u.submission_id, len(u.judgments)) for u in units] == [
        ("1", "s1", 2),
        ("2", "s2", 1),
    ]
    assert [j.judgment_id for j in units[0].judgments] == ["11", "12"]


@pytest.mark.parametrize(
    "raw",
    [
        "{}",
        json.dumps(UNIT),
        json.dumps([{"id": 1}]),
        json.dumps([{**judgment_in(1, "s", 1), "unit_id": None}]),
    ],
)
def test_a_new_judgments_payload_that_is_not_an_array_of_judgments_is_refused(raw):
    with pytest.raises(MalformedPayload):
        parse_judgments_payload(raw)


def test_each_signature_mode_checks_its_own_secret():
    payload = json.dumps(UNIT)
    by_key, by_token = sign(payload, "api-key"), sign(payload, "token")
    keys = {"api_key": "api-key", "token": "token"}
    assert is_signed("none", payload, None, **keys)
    assert is_signed("api_key", payload, by_key, **keys)
    assert not is_signed("api_key", payload, by_token, **keys)
    assert is_signed("webhook_token", payload, by_token, **keys)
    assert not is_signed("webhook_token", payload, by_key, **keys)
    assert not is_signed("webhook_token", payload, sign(payload, ""), api_key="k", token="")


def test_a_unit_shaped_like_a_captured_v1_payload_reads_with_list_answers():
    # The keys and value types of a unit_complete payload captured from the platform
    # (answers as one-element lists, trust as an int, nulls, extra keys).
    captured = {
        "id": 3077828077,
        "data": {"submission_id": "sub-9", "photo_url": "https://p", "original_url": "https://o"},
        "judgments_count": 1,
        "state": "finalized",
        "agreement": 1.0,
        "missed_count": 0,
        "gold_pool": None,
        "created_at": "2021-07-09T18:44:43+00:00",
        "updated_at": "2021-07-20T03:28:56+00:00",
        "job_id": 1808791,
        "results": {
            "judgments": [
                {
                    "id": 6126074074,
                    "created_at": "2021-07-19T13:20:28+00:00",
                    "started_at": "2021-07-19T13:18:16+00:00",
                    "acknowledged_at": None,
                    "external_type": "cf_internal",
                    "golden": False,
                    "missed": None,
                    "rejected": None,
                    "tainted": False,
                    "country": "IND",
                    "region": "28",
                    "city": "Kolkata",
                    "unit_id": 3077828077,
                    "job_id": 1808791,
                    "worker_id": 45232718,
                    "trust": 1,
                    "worker_trust": 0.953095858117445,
                    "unit_state": "finalized",
                    "data": {"nudity": ["no"], "mimic": ["4"], "trying": "yes"},
                    "unit_data": {"submission_id": "sub-9", "photo_url": "https://p"},
                }
            ],
            "mimic": {"agg": "4", "confidence": 1.0},
        },
    }
    [judgment] = parse_unit_payload(json.dumps(captured)).judgments()
    assert (judgment.worker_id, judgment.mimic, judgment.nudity) == ("45232718", 4, False)
    two = {**captured["results"]["judgments"][0], "data": {"nudity": ["no", "yes"], "mimic": 4}}
    with pytest.raises(MalformedPayload):
        parse_unit_payload(json.dumps({**captured, "results": {"judgments": [two]}}))
