"""A HIT short of quorum gets more work from reconcile, over in-memory fakes of every port:
its unworked assignments come back with a new life, the judgments still needed beyond
them are added once per round, and at the cap the review waits for an operator."""

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial

from services.moderation.crowd.mturk import hits
from services.moderation.crowd.mturk.hits import (
    HitState,
    TopUpRules,
    assignments_allowed,
    assignments_to_add,
    can_give_more,
)
from services.moderation.reviews.ports import CrowdUnavailable
from services.moderation.reviews.review import REASON_HIT_TOO_OLD, REASON_SHORT_AT_CAP
from shared.metrics import Tally
from tests.fakes.moderation import answer_xml
from tests.unit.test_mturk_usecases import World

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
# Trust of a worker who agreed with 0 of 10 verdicts: below the 0.7 that counts.
DOUBTED = (0, 10)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def state(offered: int = 3, answered: int = 3, pending: int = 0, expires=NOW + DAY) -> HitState:
    available = max(0, offered - answered - pending)
    return HitState("HIT1", offered, pending, available, expires, answered)


def test_a_hit_with_work_taken_or_open_can_still_give_judgments():
    assert can_give_more(state(answered=2), NOW)
    assert can_give_more(state(answered=2, pending=1, expires=NOW - DAY), NOW)
    assert not can_give_more(state(answered=2, expires=NOW - DAY), NOW)
    assert not can_give_more(state(answered=3), NOW)


def test_unworked_assignments_come_back_before_any_is_added():
    assert assignments_to_add(1, state(answered=2, expires=NOW - DAY)) == 0
    assert assignments_to_add(3, state(answered=1, expires=NOW - DAY)) == 1
    assert assignments_to_add(2, state(answered=3)) == 2


def test_a_hit_of_fewer_than_ten_assignments_is_never_taken_to_ten():
    rules = TopUpRules(max_assignments=20)
    assert assignments_allowed(5, rules) == 4
    assert assignments_allowed(9, rules) == 0
    assert assignments_allowed(10, rules) == 10
    assert assignments_allowed(3, TopUpRules(max_assignments=4)) == 1


def test_a_new_life_never_outlives_the_photo_urls():
    rules = TopUpRules(lifetime_seconds=3 * 86400)
    new_expiry = partial(hits.new_expiry, photo_url_seconds=7 * 86400)
    assert new_expiry(NOW, NOW, rules) == NOW + 3 * DAY
    assert new_expiry(NOW + 6 * DAY, NOW, rules) == NOW + 7 * DAY
    assert new_expiry(NOW + 6.5 * DAY, NOW, rules) is None


async def decided_by_three(world: World) -> None:
    await world.moderator.ingest(world.submission("s1"))
    for worker in ("w1", "w2"):
        world.mturk.answer("HIT1", worker, answer_xml())


async def expired(days_later: int) -> tuple[World, Clock]:
    """Two answers on a HIT that expired a day after its creation; ``days_later`` now."""
    clock = Clock()
    world = World(clock=clock)
    await decided_by_three(world)
    world.mturk.expiry["HIT1"] = NOW + DAY
    clock.now = NOW + days_later * DAY
    await world.moderator.reconcile()
    return world, clock


async def test_an_expired_hit_short_of_quorum_gets_a_new_life_and_decides_once():
    world, clock = await expired(days_later=2)
    review = await world.moderator.review("s1")
    assert (review.status, review.topup_rounds, review.hit_assignments) == ("pending", 1, 3)
    assert world.mturk.rounds == []  # its third assignment was never taken: no new one
    assert world.mturk.expiry["HIT1"] == clock.now + 3 * DAY
    await world.moderator.reconcile()
    assert (await world.moderator.review("s1")).topup_rounds == 1
    world.mturk.answer("HIT1", "w3", answer_xml())
    await world.moderator.reconcile()
    await world.moderator.reconcile()
    assert (await world.moderator.review("s1")).status == "approved"
    assert [v.verdict for v in world.queues.verdicts] == ["approved"]


async def test_an_untrusted_answer_gets_one_more_assignment_once_and_its_cost():
    world = World()
    await decided_by_three(world)
    world.trust.counts["w3"] = DOUBTED
    world.mturk.answer("HIT1", "w3", answer_xml())
    await world.moderator.reconcile()
    await world.moderator.reconcile()
    review = await world.moderator.review("s1")
    assert (review.topup_rounds, review.hit_assignments, review.crowd_cost) == (1, 4, "0.24")
    assert world.mturk.rounds == [("HIT1", 1, "s1", 1)]
    assert world.mturk.expiry == {}  # not expired: no new life
    spent = await world.moderator.spend("demo")
    assert spent.total == Decimal("0.24")
    world.mturk.answer("HIT1", "w4", answer_xml())
    await world.moderator.reconcile()
    assert (await world.moderator.review("s1")).status == "approved"


async def test_a_round_recorded_but_not_sent_is_sent_again_with_its_own_token(monkeypatch):
    world = World()
    await decided_by_three(world)
    world.trust.counts["w3"] = DOUBTED
    world.mturk.answer("HIT1", "w3", answer_xml())
    real = world.mturk.add_assignments

    async def lost(*args: object) -> None:
        await real(*args)  # MTurk added them, but the answer is lost
        raise CrowdUnavailable("connection reset", transient=True)

    monkeypatch.setattr(world.mturk, "add_assignments", lost)
    await world.moderator.reconcile()
    assert (await world.moderator.review("s1")).topup_rounds == 1  # recorded first
    world.mturk.offered["HIT1"] = 3  # ...or MTurk never got it
    world.mturk.rounds.clear()
    monkeypatch.setattr(world.mturk, "add_assignments", real)
    await world.moderator.reconcile()
    await world.moderator.reconcile()
    assert world.mturk.rounds == [("HIT1", 1, "s1", 1)]
    assert (await world.moderator.review("s1")).topup_rounds == 1
    assert world.mturk.offered["HIT1"] == 4


async def test_at_the_cap_the_review_waits_for_an_operator_logged_once(caplog):
    world = World(top_up=TopUpRules(max_assignments=4))
    world.moderator.observer = tally = Tally()
    await decided_by_three(world)
    world.mturk.answer("HIT1", "w3", answer_xml())
    for worker in ("w1", "w2", "w3"):
        world.trust.counts[worker] = DOUBTED
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            await world.moderator.reconcile()
    review = await world.moderator.review("s1")
    assert (review.status, review.reasons, review.topup_rounds) == (
        "pending",
        (REASON_SHORT_AT_CAP,),
        None,
    )
    assert world.mturk.rounds == []
    assert sum("an operator decides" in r.message for r in caplog.records) == 1
    assert tally.value("ofof_reviews_for_operator") == 1
    assert [r.submission_id for r in await world.moderator.pending(10)] == ["s1"]


async def test_a_hit_whose_photo_urls_die_soon_is_not_given_a_new_life():
    world, _ = await expired(days_later=7)
    review = await world.moderator.review("s1")
    assert review.reasons == (REASON_HIT_TOO_OLD,)
    assert "HIT1" not in world.mturk.rounds and world.mturk.expiry["HIT1"] == NOW + DAY
