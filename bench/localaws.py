"""The local AWS stand-ins side by side: ministack + dynalite (what `make run` ships)
against the moto server, in one run, through the project's own aioboto3 clients.

``python bench/localaws.py`` prints a Markdown table (docs/operations.md keeps one):
SQS send + receive + delete cycles per second with the queue held at a depth of 10,
100 and 1,000 messages; S3 put and get of a 100 KB object; DynamoDB put, conditional
update and query per second. Each figure is the rate of sequential calls over at most
``MEASURE_SECONDS`` (or ``OPS`` calls), so a slow stand-in costs seconds, not minutes.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.aws import AwsClients, open_aws_clients  # noqa: E402
from shared.bootstrap import bootstrap  # noqa: E402
from shared.settings import AwsSettings  # noqa: E402
from tests.conftest import aws_settings_for, local_aws_settings_for  # noqa: E402
from tests.processes import local_aws_servers, moto_server  # noqa: E402

DEPTHS = (10, 100, 1_000)
OPS = 300
MEASURE_SECONDS = 5.0
OBJECT_BYTES = 100 * 1024

# Calls per second by figure name: (ministack + dynalite, moto server).
Figures = tuple[dict[str, float], dict[str, float]]


async def rate(call: Callable[[int], Awaitable[object]]) -> float:
    """Calls per second of ``call(n)`` run one after another."""
    started = time.perf_counter()
    done = 0
    while done < OPS and time.perf_counter() - started < MEASURE_SECONDS:
        await call(done)
        done += 1
    return done / (time.perf_counter() - started)


async def fill(aws: AwsClients, url: str, depth: int) -> None:
    for start in range(0, depth, 10):
        entries = [{"Id": str(n), "MessageBody": f"slot {start + n}"} for n in range(10)]
        await aws.sqs.send_message_batch(QueueUrl=url, Entries=entries)  # type: ignore[arg-type]


async def sqs_rates(aws: AwsClients, settings: AwsSettings) -> dict[str, float]:
    """Send + receive + delete cycles per second, the queue kept at each depth."""
    figures = {}
    for depth in DEPTHS:
        url = (await aws.sqs.create_queue(QueueName=f"{settings.frames_queue}-{depth}"))["QueueUrl"]
        await fill(aws, url, depth)

        async def cycle(n: int, url: str = url) -> None:
            await aws.sqs.send_message(QueueUrl=url, MessageBody=f"cycle {n}")
            got = await aws.sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)
            for message in got.get("Messages", []):
                await aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

        figures[f"SQS cycles/s, depth {depth:,}"] = await rate(cycle)
    return figures


async def s3_rates(aws: AwsClients, settings: AwsSettings) -> dict[str, float]:
    body = bytes(OBJECT_BYTES)
    bucket = settings.media_bucket

    async def put(n: int) -> None:
        await aws.s3.put_object(Bucket=bucket, Key=f"bench/{n}", Body=body)

    async def get(n: int) -> None:
        answer = await aws.s3.get_object(Bucket=bucket, Key=f"bench/{n % 10}")
        await answer["Body"].read()

    return {"S3 put 100 KB/s": await rate(put), "S3 get 100 KB/s": await rate(get)}


async def dynamodb_rates(aws: AwsClients, settings: AwsSettings) -> dict[str, float]:
    table = settings.slots_table

    async def put(n: int) -> None:
        item = {"pk": {"S": "BENCH"}, "sk": {"S": f"{n:06d}"}, "score": {"N": "0"}}
        await aws.dynamodb.put_item(TableName=table, Item=item)

    async def update(n: int) -> None:
        await aws.dynamodb.update_item(
            TableName=table,
            Key={"pk": {"S": "BENCH"}, "sk": {"S": f"{n % 10:06d}"}},
            UpdateExpression="SET score = :new",
            ConditionExpression="score < :new",
            ExpressionAttributeValues={":new": {"N": str(n + 1)}},
        )

    async def query(n: int) -> None:
        await aws.dynamodb.query(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "BENCH"}},
            Limit=10,
        )

    return {
        "DynamoDB put/s": await rate(put),
        "DynamoDB conditional update/s": await rate(update),
        "DynamoDB query/s": await rate(query),
    }


async def measure(local_fields: dict[str, object], moto_fields: dict[str, object]) -> Figures:
    """Every figure on both stand-ins, one group after the other on each, so a change of
    the machine's load falls on both alike."""
    figures: Figures = ({}, {})
    async with AsyncExitStack() as stack:
        both = []
        for fields in (local_fields, moto_fields):
            settings = AwsSettings(**fields)  # type: ignore[arg-type]
            aws = await open_aws_clients(settings, stack)
            await bootstrap(aws, settings)
            both.append((aws, settings))
        for group in (sqs_rates, s3_rates, dynamodb_rates):
            for (aws, settings), found in zip(both, figures, strict=True):
                found.update(await group(aws, settings))
    return figures


def table(local: dict[str, float], moto: dict[str, float]) -> str:
    lines = [
        "| operation | ministack + dynalite | moto server | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, value in local.items():
        lines.append(f"| {name} | {value:,.0f} | {moto[name]:,.0f} | {value / moto[name]:.1f}× |")
    return "\n".join(lines)


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        local_aws_servers(Path(tmp) / "state", Path(tmp)) as servers,
        moto_server() as endpoint,
    ):
        local, moto = asyncio.run(
            measure(local_aws_settings_for(servers.local), aws_settings_for(endpoint))
        )
    print(table(local, moto))
    print(f"\nload average during the run: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
