"""The crowd job of each video, remembered in moderation's DynamoDB table, and the count
of healings.

Item: ``pk = crowdjob#{video}`` (Mechanical Turk's HIT type: ``hittype#{video}``),
``sk = job``; ``job_id``; ``generation`` (absent: 0; one more each time a forgotten job
is replaced); ``gold_units`` (a JSON object, gold name → unit id, once the test
questions exist); ``gold_urls_at`` (ISO time their photo URLs were issued). The first
writer of a video's job wins (a conditional put); a replacement is written only over
the job it replaces (a condition on its id and generation), and so is a gold update.

Healings: ``pk = crowdhealed``, ``sk = counts``, one number attribute per kind.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from services.moderation.crowd.healing import HealKind
from services.moderation.crowd.jobs import CrowdJob
from services.moderation.reviews.adapters.table import Item, number_attr, string_attr
from shared.tables import table_errors, write_if

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient


class DynamoCrowdJobs:
    """:class:`~services.moderation.crowd.jobs.CrowdJobs`: one item per video in the reviews
    table, so a restart never lists the crowd's jobs."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, prefix: str = "crowdjob") -> None:
        self.dynamodb = dynamodb
        self.table = table
        # ``hittype`` keeps Mechanical Turk's HIT type of each video apart from its job.
        self.prefix = prefix

    def _key(self, video: str) -> Item:
        return {"pk": string_attr(f"{self.prefix}#{video}"), "sk": string_attr("job")}

    async def job_of(self, video: str) -> CrowdJob | None:
        """The remembered job of ``video`` (a strongly consistent read)."""
        with table_errors("reading a crowd job"):
            answer = await self.dynamodb.get_item(
                TableName=self.table, Key=self._key(video), ConsistentRead=True
            )
        item = answer.get("Item")
        if item is None:
            return None
        at = item.get("gold_urls_at")
        return CrowdJob(
            video=video,
            job_id=item["job_id"]["S"],
            gold_units=json.loads(item.get("gold_units", {}).get("S", "{}")),
            gold_urls_at=datetime.fromisoformat(at["S"]) if at else None,
            generation=int(item.get("generation", {}).get("N", "0")),
        )

    async def remember(self, job: CrowdJob) -> CrowdJob:
        """Write the job unless the video has one; the one stored wins."""
        item = {**self._key(job.video), "job_id": string_attr(job.job_id)}
        write = self.dynamodb.put_item(
            TableName=self.table, Item=item, ConditionExpression="attribute_not_exists(pk)"
        )
        if await write_if("writing a crowd job", write):
            return job
        return await self.job_of(job.video) or job

    async def update(self, job: CrowdJob) -> None:
        """Store the job's gold units and when their URLs were issued, only while the
        video's job is still this one."""
        values: Item = {
            ":g": string_attr(json.dumps(job.gold_units, sort_keys=True)),
            **_same_job(job),
        }
        expression = "SET gold_units = :g"
        if job.gold_urls_at is not None:
            values[":t"] = string_attr(job.gold_urls_at.isoformat())
            expression += ", gold_urls_at = :t"
        write = self.dynamodb.update_item(
            TableName=self.table,
            Key=self._key(job.video),
            UpdateExpression=expression,
            ConditionExpression=_same_job_condition(job),
            ExpressionAttributeValues=values,
        )
        await write_if("updating a crowd job", write)

    async def replace(self, old: CrowdJob, job_id: str) -> tuple[CrowdJob, bool]:
        """Put ``job_id`` (no gold, generation + 1) in place of ``old`` if it is still
        the video's job; else keep the job stored (a replica won the race)."""
        new = CrowdJob(video=old.video, job_id=job_id, generation=old.generation + 1)
        item = {
            **self._key(old.video),
            "job_id": string_attr(job_id),
            "generation": number_attr(new.generation),
        }
        write = self.dynamodb.put_item(
            TableName=self.table,
            Item=item,
            ConditionExpression=_same_job_condition(old),
            ExpressionAttributeValues=_same_job(old),
        )
        if await write_if("replacing a crowd job", write):
            return new, True
        return await self.job_of(old.video) or new, False


def _same_job_condition(job: CrowdJob) -> str:
    """The video's job is still ``job``: same id, same generation (the first job's item
    has no ``generation``)."""
    if job.generation == 0:
        return "job_id = :old AND attribute_not_exists(generation)"
    return "job_id = :old AND generation = :gen"


def _same_job(job: CrowdJob) -> Item:
    values: Item = {":old": string_attr(job.job_id)}
    if job.generation:
        values[":gen"] = number_attr(job.generation)
    return values


class DynamoHealCounts:
    """:class:`~services.moderation.crowd.healing.HealCounts`: one item, a number per kind
    (``ADD``, so replicas never lose each other's counts)."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table
        self.key: Item = {"pk": string_attr("crowdhealed"), "sk": string_attr("counts")}

    async def add(self, kind: HealKind) -> None:
        """Count one more healing of ``kind``."""
        with table_errors("counting a crowd healing"):
            await self.dynamodb.update_item(
                TableName=self.table,
                Key=self.key,
                UpdateExpression="ADD #k :one",
                ExpressionAttributeNames={"#k": kind},
                ExpressionAttributeValues={":one": number_attr(1)},
            )

    async def counts(self) -> dict[str, int]:
        """Every kind's count so far."""
        with table_errors("reading the crowd healings"):
            answer = await self.dynamodb.get_item(TableName=self.table, Key=self.key)
        item = answer.get("Item", {})
        return {name: int(value["N"]) for name, value in item.items() if "N" in value}
