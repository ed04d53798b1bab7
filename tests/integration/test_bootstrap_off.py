"""Bootstrap off, the production path: services create nothing and say what is missing.

Each service starts (lifespan, consumers and loops included) against an AWS where none of
its resources exist. ``/readyz`` must answer 503 naming every missing bucket, queue and
table by its name, and afterwards the account must still hold none of them.
"""

import asyncio
import re
from contextlib import AsyncExitStack

import pytest

from shared.aws import open_aws_clients
from shared.bootstrap import BootstrapOff, main
from shared.settings import AwsSettings
from tests.integration.test_readiness import SECRETS, SERVICES, serving

# A consumer that found its queue missing waits and asks again every second: give the
# loops time for a few rounds, in which an implicit create would have happened.
LOOP_ROUNDS_SECONDS = 2.5
MISSING = re.compile(r"MissingResource: (bucket|queue|table) (?P<name>\S+) does not exist")


def resource_names(fields: dict[str, object]) -> set[str]:
    names = ("media_bucket", "moderation_queue", "render_queue", "segments_queue")
    return {str(fields[n]) for n in (*names, "reviews_table", "slots_table")}


async def existing(fields: dict[str, object]) -> set[str]:
    """Which of this test's bucket, queues and tables exist."""
    async with AsyncExitStack() as stack:
        aws = await open_aws_clients(AwsSettings(**fields), stack)  # type: ignore[arg-type]
        buckets = {b["Name"] for b in (await aws.s3.list_buckets()).get("Buckets", [])}
        urls = (await aws.sqs.list_queues()).get("QueueUrls", [])
        tables = set((await aws.dynamodb.list_tables())["TableNames"])
    return (buckets | {u.rsplit("/", 1)[1] for u in urls} | tables) & resource_names(fields)


@pytest.mark.parametrize("name", sorted(SERVICES))
async def test_with_bootstrap_off_readyz_names_each_missing_resource_and_nothing_is_created(
    name, aws_fields
):
    factory, settings_cls = SERVICES[name]
    settings = settings_cls(**aws_fields, **SECRETS, bootstrap=False)
    async with serving(factory(settings)) as client:
        answer = await client.get("/readyz")
        await asyncio.sleep(LOOP_ROUNDS_SECONDS)
    assert answer.status_code == 503, answer.text
    body = answer.json()
    for check, result in body["checks"].items():
        named = MISSING.fullmatch(result)
        assert named, (check, result)
        assert named["name"] in resource_names(aws_fields)
        assert f"{check} ({result})" in body["detail"]
    assert await existing(aws_fields) == set()


async def test_the_bootstrap_command_refuses_to_create_anything_when_bootstrap_is_off(
    aws_fields,
):
    with pytest.raises(BootstrapOff, match="OFOF_BOOTSTRAP"):
        await main(AwsSettings(**aws_fields, bootstrap=False))  # type: ignore[arg-type]
    assert await existing(aws_fields) == set()
    await main(AwsSettings(**aws_fields, bootstrap=True))  # type: ignore[arg-type]
    assert await existing(aws_fields) == resource_names(aws_fields)
