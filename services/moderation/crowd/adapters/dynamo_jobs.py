"""The crowd job of each video, remembered in moderation's DynamoDB table.

Item: ``pk = crowdjob#{video}`` (Mechanical Turk's HIT type: ``hittype#{video}``),
``sk = job``; ``job_id``; ``gold_units`` (a JSON object,
gold name → unit id, once the test questions exist); ``gold_urls_at`` (ISO time their
photo URLs were issued). The first writer of a video's job wins (a conditional put).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from services.moderation.crowd.jobs import CrowdJob
from services.moderation.reviews.adapters.table import Item, string_attr
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
        """Store the job's gold units and when their URLs were issued."""
        values: Item = {":g": string_attr(json.dumps(job.gold_units, sort_keys=True))}
        expression = "SET gold_units = :g"
        if job.gold_urls_at is not None:
            values[":t"] = string_attr(job.gold_urls_at.isoformat())
            expression += ", gold_urls_at = :t"
        with table_errors("updating a crowd job"):
            await self.dynamodb.update_item(
                TableName=self.table,
                Key=self._key(job.video),
                UpdateExpression=expression,
                ExpressionAttributeValues=values,
            )
