"""The local MTurk's marketplace rules that depend on the clock (pure, no server)."""

from decimal import Decimal

import pytest

from sims.mturk.errors import TurkError
from sims.mturk.hits import Hit, new_id
from sims.mturk.market import DEFAULT_AUTO_APPROVAL_SECONDS, Market
from sims.mturk.questions import Page

DAY = 24 * 3600
TYPE = {"Title": "t", "Description": "d", "Reward": "0.05", "AssignmentDurationInSeconds": 600}


def a_hit(market: Market, now: float = 0.0, max_assignments: int = 2, **fields: object) -> Hit:
    hit_type = market.register_type({**TYPE, **fields})
    hit = Hit(new_id(), hit_type, "<q/>", Page(), max_assignments, now, now + 3600, None)
    return market.add_hit(hit, None)


def test_registering_the_same_values_again_gives_the_same_hit_type():
    market = Market(100)
    assert market.register_type(dict(TYPE)) is market.register_type(dict(TYPE))
    assert market.register_type({**TYPE, "Reward": "0.06"}) is not market.register_type(TYPE)


def test_a_request_token_is_refused_for_24_hours_and_free_again_after():
    market = Market(100)
    hit = a_hit(market)
    market.tokens["token"] = (hit.hit_id, 0.0)
    with pytest.raises(TurkError) as refused:
        market.check_token("token", DAY - 1)
    assert refused.value.turk_code == "AWS.MechanicalTurk.HitAlreadyExists"
    assert hit.hit_id in refused.value.message
    market.check_token("token", DAY + 1)


def test_the_last_submission_makes_the_hit_reviewable_and_says_so():
    market = Market(100)
    hit = a_hit(market)
    first = market.submit(hit, "A1", "<a/>", 10.0)
    assert [e.event_type for e in first] == ["AssignmentSubmitted"]
    assert market.submit(hit, "A1", "<a/>", 11.0) == []  # one assignment per worker
    second = market.submit(hit, "A2", "<a/>", 12.0)
    assert [e.event_type for e in second] == ["AssignmentSubmitted", "HITReviewable"]
    assert hit.status == "Reviewable" and not hit.is_open(13.0)


def test_an_expired_hit_becomes_reviewable_when_the_clock_settles():
    market = Market(100)
    hit = a_hit(market)
    assert market.settle(3599.0) == []
    events = market.settle(3600.0)
    assert [e.event_type for e in events] == ["HITExpired", "HITReviewable"]
    assert hit.status == "Reviewable" and market.settle(3601.0) == []


def test_a_submitted_assignment_is_approved_automatically_after_the_delay():
    market = Market(100)
    hit = a_hit(market, AutoApprovalDelayInSeconds=60)
    market.submit(hit, "A1", "<a/>", 10.0)
    assignment = hit.assignments[0]
    market.settle(69.0)
    assert assignment.status == "Submitted"
    market.settle(70.0)
    assert (assignment.status, assignment.approval_time) == ("Approved", 70.0)
    default = a_hit(market, Title="other")
    market.submit(default, "A1", "<a/>", 0.0)
    assert default.assignments[0].auto_approval_time == DEFAULT_AUTO_APPROVAL_SECONDS


def test_a_rejection_can_be_overridden_only_within_30_days_of_submission():
    market = Market(100)
    hit = a_hit(market)
    market.submit(hit, "A1", "<a/>", 0.0)
    market.submit(hit, "A2", "<a/>", 0.0)
    late, early = hit.assignments
    for assignment in (late, early):
        market.reject(assignment, "failed the check question", 1.0)
    with pytest.raises(TurkError):
        market.approve(late, None, True, 31 * DAY)
    market.approve(early, None, True, 29 * DAY)
    assert (late.status, early.status) == ("Rejected", "Approved")


def test_each_approval_pays_the_reward_and_the_fee():
    market = Market(1)
    small, big = a_hit(market), a_hit(market, max_assignments=10, Title="big")
    assert (small.fee(), big.fee()) == (Decimal("0.01"), Decimal("0.02"))
    market.submit(big, "A1", "<a/>", 0.0)
    market.approve(big.assignments[0], None, False, 1.0)
    assert market.balance == Decimal("0.93")


def test_an_approval_the_balance_cannot_pay_is_refused():
    market = Market(0.05)
    hit = a_hit(market)
    market.submit(hit, "A1", "<a/>", 0.0)
    with pytest.raises(TurkError) as refused:
        market.approve(hit.assignments[0], None, False, 1.0)
    assert refused.value.turk_code == "AWS.MechanicalTurk.InsufficientFunds"
    assert hit.assignments[0].status == "Submitted"
