"""The local AWS of ``make run`` is ``kill -9``ed mid-flow: what SQS held is re-derived.

ministack keeps S3 on disk but no queues, so a restart loses every message: the frames
waiting for visitors, a submission announced to moderation but not yet received. The
durable records (S3, dynalite) survive, and moderation's sweep notices the recreated
queues and re-derives their messages, each exactly once in effect.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from contextlib import AsyncExitStack

import httpx
import pytest

from services.moderation.slots.adapters.dynamo import DynamoSlotRegistry
from shared.aws import open_aws_clients
from shared.bootstrap import bootstrap
from shared.settings import AwsSettings
from tests.chaos.ledger import frame_messages
from tests.conftest import local_aws_settings_for
from tests.peeks import frames_of
from tests.pictures import good_copy
from tests.processes import local_aws_servers
from tests.stack import seed_video, service_stack, slots_offered

FRAMES = 6
# The longest lease, set alike for the gateway and moderation: slots whose messages were
# lost wait this long after the loss is seen before they are offered again.
MAX_LEASE_SECONDS = "8"
ENV = {
    "GATEWAY_LEASE_SECONDS": MAX_LEASE_SECONDS,
    "GATEWAY_MAX_LEASE_SECONDS": MAX_LEASE_SECONDS,
    "MODERATION_MAX_LEASE_SECONDS": MAX_LEASE_SECONDS,
    "MODERATION_SWEEP_SECONDS": "1",
    "MODERATION_UNSENT_GRACE_SECONDS": "1",
    "MODERATION_CONSUMER_WAIT_SECONDS": "1",
    # No crowd: reviews stay pending, which is all this test needs of them.
    "MODERATION_CROWD_BASE_URL": "http://127.0.0.1:9",
}


async def until(probe, timeout_seconds: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_seconds
    while not (found := await probe()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.5)
    return found


@pytest.mark.timeout(600)
async def test_a_kill_9_of_the_local_aws_loses_no_slot_and_no_submission(tmp_path, output_dir):
    with local_aws_servers(tmp_path / "localaws", output_dir) as servers:
        fields = local_aws_settings_for(servers.local)
        settings = AwsSettings(**fields)  # type: ignore[arg-type]
        async with AsyncExitStack() as exits:
            aws = await open_aws_clients(settings, exits)
            await bootstrap(aws, settings)
            await seed_video(aws, settings, frames=FRAMES, offer=False)
            with service_stack(
                ["ingest", "moderation", "gateway"], fields, output_dir, **ENV
            ) as stack:
                await slots_offered(aws, fields)
                # Moderation is away while a visitor's photo is stored and announced.
                stack.stop("moderation")
                async with httpx.AsyncClient(base_url=stack.urls["gateway"]) as visitor:
                    lease = (await visitor.post("/api/leases")).json()
                    sent = await visitor.post(
                        f"/api/leases/{lease['lease_id']}/photo",
                        content=good_copy(lease["frame"]),
                        headers={"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"},
                    )
                    assert sent.status_code == 202, sent.text
                # The crash: every queue and message is gone; S3 and DynamoDB are kept.
                servers.kill("ministack")
                servers.start("ministack")
                await bootstrap(aws, settings)
                stack.start("moderation")

                async def reviewed() -> bool:
                    async with httpx.AsyncClient(base_url=stack.urls["moderation"]) as client:
                        answer = await client.get(f"/reviews/{lease['lease_id']}")
                    return answer.status_code == 200

                await until(reviewed, 60, "the lost announcement to be re-derived")
                await slots_offered(aws, fields)
                registry = DynamoSlotRegistry(aws.dynamodb, settings.reviews_table)

                async def settled() -> bool:
                    slots = [await registry.get("demo", n) for n in range(FRAMES)]
                    return all(
                        s and s.state != "leased" and (s.state != "offered" or s.message_id)
                        for s in slots
                    )

                # Once no lease of a lost message can bring a photo any more.
                await until(settled, 30, "every reopened slot offered again")
                stack.stop("moderation")  # the records hold still while messages are counted
                messages = await frame_messages(aws, frames_of(settings))
                slots = {n: await registry.get("demo", n) for n in range(FRAMES)}
    photographed = lease["frame"]
    assert slots[photographed].state == "held"
    assert slots[photographed].reviewing == {lease["lease_id"]}
    assert messages[photographed] == 0, "the photographed slot is not offered again"
    others = Counter({n: messages[n] for n in range(FRAMES) if n != photographed})
    assert others == Counter(dict.fromkeys(others, 1)), f"each other slot once: {messages}"
    assert all(slots[n].state == "offered" for n in others)
