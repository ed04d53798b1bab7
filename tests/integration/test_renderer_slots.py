import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from services.renderer.renders.adapters.dynamo import DynamoSlotStore
from services.renderer.renders.clips import BlobRef
from services.renderer.renders.slots import Candidate
from services.renderer.renders.usecases import record_candidate

pytestmark = pytest.mark.every_aws

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def cand(sub, verdict="approved", score=0.5, minutes=0):
    return Candidate(
        sub,
        verdict,
        score,
        T0 + timedelta(minutes=minutes),
        f"submissions/{sub}/large.jpg",
        f"e-{sub}",
    )


async def shown(store, frame=7):
    return (await store.filled_slots("v")).get(frame)


async def test_a_better_approval_replaces_the_photo_and_a_worse_one_does_not(aws, aws_fields):
    store = DynamoSlotStore(aws.dynamodb, aws_fields["slots_table"])
    assert await record_candidate(store, "v", 7, cand("a", score=0.6))
    assert await record_candidate(store, "v", 7, cand("b", score=0.9, minutes=1))
    assert not await record_candidate(store, "v", 7, cand("c", score=0.7, minutes=2))
    assert await shown(store) == BlobRef("submissions/b/large.jpg", "e-b")


async def test_a_takedown_of_the_shown_photo_falls_back_to_the_next_best_then_the_original(
    aws, aws_fields
):
    store = DynamoSlotStore(aws.dynamodb, aws_fields["slots_table"])
    await record_candidate(store, "v", 7, cand("a", score=0.6))
    await record_candidate(store, "v", 7, cand("b", score=0.9))
    assert await record_candidate(store, "v", 7, cand("b", "rejected", 0.9, minutes=5))
    assert (await shown(store)).key == "submissions/a/large.jpg"
    assert await record_candidate(store, "v", 7, cand("a", "rejected", 0.6, minutes=6))
    assert await shown(store) is None


async def test_a_redelivered_or_older_verdict_changes_nothing(aws, aws_fields):
    store = DynamoSlotStore(aws.dynamodb, aws_fields["slots_table"])
    await record_candidate(store, "v", 7, cand("a", "rejected", 0.6, minutes=5))
    assert not await record_candidate(
        store, "v", 7, cand("a", "approved", 0.6, minutes=1)
    )  # older, late
    assert not await record_candidate(
        store, "v", 7, cand("a", "rejected", 0.6, minutes=5)
    )  # duplicate
    assert await shown(store) is None


async def test_concurrent_approvals_for_one_slot_never_lose_the_best(aws, aws_fields):
    store = DynamoSlotStore(aws.dynamodb, aws_fields["slots_table"])
    scores = [0.31, 0.77, 0.52, 0.95, 0.12, 0.64, 0.88, 0.43]
    await asyncio.gather(
        *(record_candidate(store, "v", 7, cand(f"s{i}", score=s)) for i, s in enumerate(scores))
    )
    assert (await shown(store)).key == "submissions/s3/large.jpg"


async def test_filled_slots_lists_only_slots_showing_a_photo(aws, aws_fields):
    store = DynamoSlotStore(aws.dynamodb, aws_fields["slots_table"])
    await record_candidate(store, "v", 1, cand("a"))
    await record_candidate(store, "v", 2, cand("b", "rejected"))
    await record_candidate(store, "other", 3, cand("c"))
    assert set(await store.filled_slots("v")) == {1}
