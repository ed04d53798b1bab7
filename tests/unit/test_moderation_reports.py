"""Reports, the report queue and the operators' decisions, over in-memory fakes."""

from datetime import timedelta

import pytest

from services.moderation.reports.desk import ReportDesk
from services.moderation.reviews.spending import spend_of
from shared.errors import Conflict, NotFound
from tests.fakes.moderation import FakeReportStore
from tests.pictures import good_copy
from tests.unit.test_moderation_usecases import World, judgments, unit_for


class Desk(World):
    def __init__(self) -> None:
        super().__init__()
        self.reports = FakeReportStore()
        self.desk = ReportDesk(self.moderator, self.reports, 2, clock=lambda: self.now)

    async def approved(self, sid: str, frame: int = 3, client: str = "c") -> None:
        message = self.submission(sid, good_copy(1), frame).model_copy(update={"client_id": client})
        await self.moderator.ingest(message)
        await self.receive_unit(unit_for(sid, judgments(5, prefix=sid)))


@pytest.fixture
async def desk() -> Desk:
    desk = Desk()
    await desk.approved("s1")
    return desk


async def test_one_visitor_counts_once_and_does_not_hide_a_photo_alone(desk):
    first = await desk.desk.report("s1", "v1", "hate", "bad\x00 words")
    again = await desk.desk.report("s1", "v1", "other", None)
    assert (first.counted, again.counted) == (True, False)
    assert not again.hidden
    [entry] = await desk.desk.queue(10)
    assert entry.photo.reports == 1
    assert [c.note for c in entry.reports] == ["bad words"]
    assert (await desk.moderator.review("s1")).status == "approved"


async def test_enough_visitors_hide_the_photo_like_a_takedown(desk):
    await desk.desk.report("s1", "v1", "nudity", "")
    taken = await desk.desk.report("s1", "v2", "nudity", "")
    assert taken.hidden
    review = await desk.moderator.review("s1")
    assert (review.status, review.reasons) == ("rejected", ("reported",))
    assert [v.verdict for v in desk.queues.verdicts] == ["approved", "rejected"]
    assert await desk.moderator.recent(10) == []
    assert [e.photo.submission_id for e in await desk.desk.queue(10)] == ["s1"]


async def test_a_restore_approves_again_announces_it_and_empties_the_queue(desk):
    await desk.desk.report("s1", "v1", "nudity", "")
    await desk.desk.report("s1", "v2", "nudity", "")
    desk.now += timedelta(seconds=5)
    restored = await desk.desk.restore("s1")
    again = await desk.desk.restore("s1")
    assert restored.status == again.status == "approved"
    assert [v.verdict for v in desk.queues.verdicts] == ["approved", "rejected", "approved"]
    assert desk.queues.verdicts[-1].decided_at > desk.queues.verdicts[1].decided_at
    assert await desk.slots.approved_of("demo", 3) == ["s1"]
    assert await desk.desk.queue(10) == []
    assert [r.submission_id for r in await desk.moderator.recent(10)] == ["s1"]


async def test_a_photo_taken_down_restored_and_taken_down_again_announces_each_time(desk):
    await desk.desk.takedown("s1")
    await desk.desk.restore("s1")
    again = await desk.desk.takedown("s1")
    assert again.status == "rejected"
    assert [v.verdict for v in desk.queues.verdicts] == [
        "approved",
        "rejected",
        "approved",
        "rejected",
    ]
    assert await desk.slots.approved_of("demo", 3) == []


async def test_only_shown_photos_can_be_reported_or_restored(desk):
    await desk.moderator.ingest(desk.submission("s2", good_copy(1), frame=4))
    with pytest.raises(NotFound):
        await desk.desk.report("s2", "v1", "hate", "")
    with pytest.raises(NotFound):
        await desk.desk.report("nope", "v1", "hate", "")
    with pytest.raises(Conflict):
        await desk.desk.restore("s2")


async def test_a_bulk_revert_takes_down_every_approved_photo_of_one_contributor(desk):
    await desk.approved("s2", frame=4, client="other")
    await desk.approved("s3", frame=5)
    reverted = await desk.desk.revert_contributor("c")
    assert sorted(r.submission_id for r in reverted) == ["s1", "s3"]
    assert [r.submission_id for r in await desk.moderator.recent(10)] == ["s2"]


async def test_pending_reviews_are_listed_oldest_first(desk):
    await desk.moderator.ingest(desk.submission("s2", good_copy(1), frame=4))
    assert [r.submission_id for r in await desk.moderator.pending(10)] == ["s2"]


async def test_crowd_spend_is_pay_per_page_shared_by_its_photos_per_judgment(desk):
    await desk.approved("s2", frame=4)
    spend = spend_of(await desk.moderator.recent(10), payment_cents=6, units_per_page=2)
    assert spend.cents_per_judgment == 3.0
    assert [(v.video, v.approved_frames, v.judgments, v.cents) for v in spend.videos] == [
        ("demo", 2, 6, 18.0)
    ]
    assert [(f.frame, f.cents) for f in spend.frames] == [(3, 9.0), (4, 9.0)]


async def test_decisions_takedowns_and_restores_are_counted_for_metrics(desk):
    await desk.desk.takedown("s1")
    await desk.desk.restore("s1")
    tally = desk.moderator.observer
    assert tally.value("ofof_verdicts", outcome="approved", reason="") == 1
    assert tally.value("ofof_verdicts", outcome="taken_down", reason="takedown") == 1
    assert tally.value("ofof_verdicts", outcome="restored", reason="") == 1
    assert tally.value("ofof_crowd_units") == 1


async def test_a_mechanical_turk_photo_costs_what_its_hit_recorded(desk):
    await desk.approved("s2", frame=4)
    approved = await desk.moderator.recent(10)
    hit = next(r for r in approved if r.submission_id == "s2").changed(crowd_cost="0.18")
    others = [r for r in approved if r.submission_id != "s2"]
    spend = spend_of([*others, hit], payment_cents=6, units_per_page=2)
    assert [(f.frame, f.cents, f.recorded) for f in spend.frames] == [
        (3, 9.0, False),
        (4, 18.0, True),
    ]
    assert spend.videos[0].cents == 27.0
