"""The frames queue under churn, through the real gateway process over the moto server.

A lease is a receive of the slot's SQS message, so released and expired leases must not
count towards dead-lettering: only a malformed message belongs in the dead-letter queue.
"""

import asyncio
import json

import httpx
import pytest

from shared.aws import AwsClients
from shared.bootstrap import ensure_work_queue
from shared.queues import dead_letter_queue
from shared.settings import AwsSettings
from tests.peeks import drain, frames_of, queue_counts
from tests.stack import seed_video

# Bound of the wait for an expired lease's slot, in seconds: generous for two loaded cores.
LEASE_BACK_WITHIN_SECONDS = 20.0


@pytest.fixture
async def one_slot(aws, aws_fields):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, frames=1)
    return settings


async def lease_again(client: httpx.AsyncClient, previous: str) -> httpx.Response:
    """POST /api/leases until a new lease (not ``previous``) is granted, within a bound."""
    deadline = asyncio.get_running_loop().time() + LEASE_BACK_WITHIN_SECONDS
    while True:
        answer = await client.post("/api/leases")
        if answer.status_code == 201 and answer.json()["lease_id"] != previous:
            return answer
        assert asyncio.get_running_loop().time() < deadline, answer.text
        await asyncio.sleep(0.3)


async def dead_letters(aws: AwsClients, queue: str) -> int:
    visible, in_flight = await queue_counts(aws, dead_letter_queue(queue))
    return visible + in_flight


async def test_a_slot_released_eight_times_is_still_offered_and_never_dead_lettered(
    aws, one_slot, stack_factory
):
    stack = stack_factory(["gateway"])
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as visitor:
        for _ in range(8):
            created = await visitor.post("/api/leases")
            assert created.status_code == 201, created.text
            lease = created.json()
            assert (lease["video"], lease["frame"]) == ("demo", 0)
            released = await visitor.delete(
                f"/api/leases/{lease['lease_id']}", headers={"X-Lease-Token": lease["token"]}
            )
            assert released.status_code == 204, released.text
        assert (await visitor.post("/api/leases")).status_code == 201
    assert await dead_letters(aws, frames_of(one_slot)) == 0


async def test_a_slot_whose_leases_expire_again_and_again_is_still_offered(
    aws, one_slot, stack_factory
):
    stack = stack_factory(
        ["gateway"], GATEWAY_LEASE_SECONDS="1", GATEWAY_LEASE_RATE_PER_MINUTE="1000"
    )
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as visitor:
        created = await visitor.post("/api/leases")
        assert created.status_code == 201, created.text
        for _ in range(6):
            # Nobody releases it: the lease runs out and the slot comes back by itself.
            created = await lease_again(visitor, created.json()["lease_id"])
            assert (created.json()["video"], created.json()["frame"]) == ("demo", 0)
    assert await dead_letters(aws, frames_of(one_slot)) == 0


async def test_a_malformed_frames_message_goes_to_the_dead_letter_queue_and_is_not_offered(
    aws, aws_fields, stack_factory
):
    settings = AwsSettings(**aws_fields)
    await ensure_work_queue(aws, frames_of(settings), None)
    url = await aws.queue_url(frames_of(settings))
    poison = ["{not json", json.dumps({"version": 1, "video": "Not A Name", "frame": -1})]
    for body in poison:
        await aws.sqs.send_message(QueueUrl=url, MessageBody=body)
    await seed_video(aws, settings, frames=1)
    stack = stack_factory(["gateway"])
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as alice:
        created = await alice.post("/api/leases")
        assert created.status_code == 201, created.text
        assert (created.json()["video"], created.json()["frame"]) == ("demo", 0)
    async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as bob:
        nothing = await bob.post("/api/leases")
        assert nothing.status_code == 503
        assert nothing.json()["error"] == "no_frame_available"
    assert await queue_counts(aws, frames_of(settings)) == (0, 1)
    dead = await drain(aws, dead_letter_queue(frames_of(settings)))
    assert sorted(dead) == sorted(poison)
