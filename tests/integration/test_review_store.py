"""DynamoReviewStore on a real (moto) DynamoDB table."""

from datetime import UTC, datetime, timedelta

import pytest

from services.ingest.keys import renditions_of
from services.moderation.reviews.adapters.dynamo import DynamoReviewStore
from services.moderation.reviews.review import Review, decided, taken_down, with_step_done
from services.moderation.reviews.verdicts import Judgment, Verdict

pytestmark = pytest.mark.every_aws

START = datetime(2026, 1, 1, tzinfo=UTC)


def review(sid: str, minute: int = 0) -> Review:
    return Review(
        submission_id=sid,
        video="demo",
        frame=minute,
        client_id="c",
        display_name=None,
        renditions=renditions_of(sid),
        created_at=START + timedelta(minutes=minute),
        judgments=(Judgment("j1", "w1", 0.9, False, 4, True),),
    )


async def approve(store: DynamoReviewStore, stored: Review, minute: int) -> Review:
    verdict = Verdict("approved", 0.75, (), 3)
    current = await store.put(decided(stored, verdict, START + timedelta(hours=1, minutes=minute)))
    assert current is not None
    for step in current.open_steps():
        current = await store.put(with_step_done(current, step))
        assert current is not None
    return current


async def test_a_review_round_trips_and_of_two_writers_of_one_version_only_one_wins(
    aws, aws_fields
):
    store = DynamoReviewStore(aws.dynamodb, str(aws_fields["reviews_table"]))
    stored = await store.put(review("s1"))
    assert stored == review("s1").changed(version=1)
    assert await store.put(review("s1")) is None
    assert await store.get("s1") == stored
    assert await store.put(stored.changed(unit_id="u1")) is not None
    assert await store.put(stored.changed(unit_id="u2")) is None
    assert (await store.get("s1")).unit_id == "u1"
    assert await store.get("nobody") is None


async def test_open_reviews_and_recent_approvals_come_from_the_index(aws, aws_fields):
    store = DynamoReviewStore(aws.dynamodb, str(aws_fields["reviews_table"]))
    stored = [await store.put(review(f"s{n}", minute=n)) for n in range(5)]
    for n in (3, 1, 4):
        await approve(store, stored[n], minute=n)
    assert [r.submission_id async for r in store.open_reviews()] == ["s0", "s2"]
    recent = await store.recent_approved(2)
    assert [r.submission_id for r in recent] == ["s4", "s3"]
    assert recent[0].status == "approved"


async def test_withdrawn_reviews_are_listed_once_their_steps_are_done(aws, aws_fields):
    store = DynamoReviewStore(aws.dynamodb, str(aws_fields["reviews_table"]))
    stored = [await store.put(review(f"w{n}", minute=n)) for n in range(3)]
    approved = [await approve(store, stored[n], minute=n) for n in range(3)]
    withdrawn = await store.put(taken_down(approved[1], START + timedelta(hours=2)))
    assert withdrawn is not None
    assert [r.submission_id async for r in store.withdrawn()] == []  # steps still owed
    for step in withdrawn.open_steps():
        withdrawn = await store.put(with_step_done(withdrawn, step))
    assert [r.submission_id async for r in store.withdrawn()] == ["w1"]
    assert "w1" not in {r.submission_id for r in await store.recent_approved(10)}
