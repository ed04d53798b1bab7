"""Visitors' reports in moderation's DynamoDB table (reviews: :mod:`.dynamo`).

Item layout:

- one report: ``pk = complaint#{submission_id}``, ``sk = visitor#{client_id}`` with
  ``reason``, ``note``, ``created_at``; written only if absent, so a visitor counts once.
- the photo's queue entry: same ``pk``, ``sk = queue``, with ``first_reported_at``;
  indexed under ``gsi1pk = reported``, ``gsi1sk = {first_reported_at}#{id}`` until an
  operator decides (then the index attributes are removed).

The count of a photo's reports is the number of its report items, so a crash between
the two writes loses nothing: the visitor's retry writes the queue entry again.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.moderation.reports.report import Report, ReportedPhoto
from services.moderation.reviews.adapters.table import index_items, string_attr
from shared.records import ReportReason
from shared.tables import table_errors, write_if

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

REPORTED = "reported"
VISITOR_PREFIX = "visitor#"
# Stored data keeps the word reports had before they were called reports.
PHOTO_PREFIX = "complaint#"
Item = dict[str, Any]


def photo_pk(submission_id: str) -> dict[str, str]:
    """The partition of one photo's reports."""
    return string_attr(PHOTO_PREFIX + submission_id)


def report_item(report: Report) -> Item:
    """``report`` as a DynamoDB item."""
    return {
        "pk": photo_pk(report.submission_id),
        "sk": string_attr(VISITOR_PREFIX + report.visitor),
        "reason": string_attr(report.reason),
        "note": string_attr(report.note),
        "created_at": string_attr(report.created_at.isoformat()),
    }


def report_of(submission_id: str, item: Item) -> Report:
    """A report from its item."""
    reason: ReportReason = item["reason"]["S"]
    return Report(
        submission_id=submission_id,
        visitor=item["sk"]["S"].removeprefix(VISITOR_PREFIX),
        reason=reason,
        note=item["note"]["S"],
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
    )


class DynamoReportStore:
    """:class:`~services.moderation.reports.ports.ReportStore` on moderation's table."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    async def add(self, report: Report) -> bool:
        """Write the report if this visitor has none on the photo; queue the photo."""
        write = self.dynamodb.put_item(
            TableName=self.table,
            Item=report_item(report),
            ConditionExpression="attribute_not_exists(pk)",
        )
        is_new = await write_if("writing a report", write)
        if is_new:
            await self._queue(report.submission_id, report.created_at)
        return is_new

    async def _queue(self, submission_id: str, now: datetime) -> None:
        first = string_attr(now.isoformat())
        with table_errors("queueing a reported photo"):
            await self.dynamodb.update_item(
                TableName=self.table,
                Key={"pk": photo_pk(submission_id), "sk": string_attr("queue")},
                UpdateExpression=(
                    "SET first_reported_at = if_not_exists(first_reported_at, :f), "
                    "gsi1pk = :r, gsi1sk = if_not_exists(gsi1sk, :k)"
                ),
                ExpressionAttributeValues={
                    ":f": first,
                    ":r": string_attr(REPORTED),
                    ":k": string_attr(f"{now.isoformat()}#{submission_id}"),
                },
            )

    async def of_photo(self, submission_id: str) -> list[Report]:
        """Every report about the photo, ordered by when it was made."""
        items = await self._reports(submission_id)
        return sorted((report_of(submission_id, i) for i in items), key=lambda c: c.created_at)

    async def _reports(self, submission_id: str) -> list[Item]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :v)",
            "ExpressionAttributeValues": {
                ":p": photo_pk(submission_id),
                ":v": string_attr(VISITOR_PREFIX),
            },
            "ConsistentRead": True,
        }
        items: list[Item] = []
        while True:
            with table_errors("reading reports"):
                answer = await self.dynamodb.query(**kwargs)
            items.extend(answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                return items
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    async def queued(self, limit: int) -> list[ReportedPhoto]:
        """The oldest ``limit`` queued photos, each with its count of reports."""
        found: list[ReportedPhoto] = []
        async for item in index_items(
            self.dynamodb, self.table, REPORTED, forward=True, page_size=limit
        ):
            sid = item["pk"]["S"].removeprefix(PHOTO_PREFIX)
            first = datetime.fromisoformat(item["first_reported_at"]["S"])
            found.append(ReportedPhoto(sid, len(await self._reports(sid)), first))
            if len(found) >= limit:
                break
        return found

    async def resolve(self, submission_id: str) -> None:
        """Remove the photo's index attributes: it leaves the queue (no entry: nothing)."""
        write = self.dynamodb.update_item(
            TableName=self.table,
            Key={"pk": photo_pk(submission_id), "sk": string_attr("queue")},
            UpdateExpression="REMOVE gsi1pk, gsi1sk",
            ConditionExpression="attribute_exists(pk)",
        )
        await write_if("resolving a report", write)
