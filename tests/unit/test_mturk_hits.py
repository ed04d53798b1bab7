"""Mechanical Turk's pure rules: the question, the answers, the cost and the pay."""

from decimal import Decimal

import pytest
from defusedxml.ElementTree import fromstring

from services.moderation.crowd.mturk.hits import (
    Answers,
    Fees,
    MalformedAnswer,
    hit_cost,
    parse_answers,
    payment_for,
    question_xml,
    worker_trust,
)
from services.moderation.reviews.verdicts import Judgment, VerdictRules
from tests.fakes.moderation import answer_xml

SUBMIT = "https://workersandbox.mturk.com/mturk/externalSubmit"


def html_of(question: str) -> str:
    root = fromstring(question)
    content = next(child for child in root if child.tag.endswith("HTMLContent"))
    return content.text or ""


def test_the_question_shows_the_photo_beside_the_original_with_three_required_inputs():
    page = html_of(question_xml("https://s3/p.jpg?a=1&b=2", "https://s3/o.jpg", SUBMIT))
    assert 'src="https://s3/p.jpg?a=1&amp;b=2"' in page
    assert 'src="https://s3/o.jpg"' in page
    assert f'action="{SUBMIT}"' in page
    assert 'name="assignmentId"' in page
    for name, first in (("nudity", "yes"), ("mimic", "1"), ("trying", "yes")):
        assert f'name="{name}" value="{first}" required' in page


def test_a_url_cannot_break_out_of_the_page_or_the_cdata_section():
    hostile = 'https://x/"><script>alert(1)</script>]]><b>'
    question = question_xml(hostile, "https://s3/o.jpg", SUBMIT)
    page = html_of(question)
    assert "<script>alert" not in page
    assert "&quot;&gt;&lt;script&gt;" in page


def test_answers_are_read_from_question_form_answers():
    assert parse_answers(answer_xml("no", "4", "yes")) == Answers(False, 4, True)
    assert parse_answers(answer_xml("YES", "1", "no")) == Answers(True, 1, False)


@pytest.mark.parametrize(
    "document",
    [
        "not xml at all",
        "<Other/>",
        answer_xml(mimic="7"),
        answer_xml(nudity="maybe"),
        "<QuestionFormAnswers><Answer><QuestionIdentifier>nudity</QuestionIdentifier>"
        "<FreeText>no</FreeText></Answer></QuestionFormAnswers>",
        '<!DOCTYPE x [<!ENTITY e "boom">]><QuestionFormAnswers>&e;</QuestionFormAnswers>',
    ],
)
def test_anything_else_is_a_malformed_answer(document):
    with pytest.raises(MalformedAnswer):
        parse_answers(document)


def test_a_hit_costs_reward_times_assignments_plus_the_fee():
    fees = Fees()
    assert hit_cost(Decimal("0.05"), 3, fees) == Decimal("0.18")
    # 10 assignments or more: 40 % on top.
    assert hit_cost(Decimal("0.50"), 10, fees) == Decimal("7.00")
    # The fee is at least a cent an assignment.
    assert hit_cost(Decimal("0.01"), 3, fees) == Decimal("0.06")


def judgment(nudity: bool, mimic: int, trying: bool) -> Judgment:
    return Judgment("a1", "w1", 0.8, nudity, mimic, trying)


def test_agreeing_work_is_approved_disagreeing_left_and_contradictions_rejected():
    rules = VerdictRules()
    good = (judgment(False, 4, True), Answers(False, 4, True))
    bad = (judgment(False, 1, False), Answers(False, 1, False))
    contradiction = (judgment(False, 5, False), Answers(False, 5, False))
    assert payment_for(*good, approved=True, rules=rules, approve_all=False) == "approve"
    assert payment_for(*bad, approved=True, rules=rules, approve_all=False) == "leave"
    assert payment_for(*bad, approved=True, rules=rules, approve_all=True) == "approve"
    assert payment_for(*bad, approved=False, rules=rules, approve_all=False) == "approve"
    for every in (False, True):
        assert payment_for(*contradiction, approved=True, rules=rules, approve_all=every) == (
            "reject"
        )


def test_a_new_worker_counts_and_repeated_disagreement_loses_trust():
    rules = VerdictRules()
    assert worker_trust(0, 0) >= rules.min_worker_trust
    assert worker_trust(0, 1) >= rules.min_worker_trust
    assert worker_trust(0, 2) < rules.min_worker_trust
    assert worker_trust(20, 20) > worker_trust(0, 0)


def test_the_sandbox_is_the_default_and_a_stand_in_overrides_both_endpoints():
    from services.moderation.settings import ModerationSettings

    sandbox = ModerationSettings()
    assert sandbox.crowd_provider == "crowdflower"
    assert sandbox.mturk_url() == "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
    assert sandbox.mturk_form_target().startswith("https://workersandbox.mturk.com/")
    production = ModerationSettings(mturk_sandbox=False)
    assert production.mturk_url() == "https://mturk-requester.us-east-1.amazonaws.com"
    assert production.mturk_form_target() == "https://www.mturk.com/mturk/externalSubmit"
    local = ModerationSettings(mturk_endpoint_url="http://127.0.0.1:8006")
    assert local.mturk_url() == "http://127.0.0.1:8006"
    required = [q.requirement() for q in sandbox.mturk_qualifications]
    assert [(q["QualificationTypeId"], q["IntegerValues"]) for q in required] == [
        ("000000000000000000L0", [95]),
        ("00000000000000000040", [100]),
    ]
    assert ModerationSettings(mturk_qualifications=[]).mturk_qualifications == []


def test_the_request_token_is_the_submission_id_within_mturks_64_characters():
    from services.moderation.crowd.mturk.adapters.api import request_token

    assert request_token("abc") == "ofof-abc"
    assert len(request_token("x" * 100)) <= 64
    assert request_token("x" * 100) != request_token("x" * 99 + "y")
