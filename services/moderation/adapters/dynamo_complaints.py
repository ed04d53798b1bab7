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

from botocore.exceptions import ClientError

from services.moderation.adapters.dynamo import _s, index_items, translated
from services.moderation.complaints import Complaint, ComplaintReason, ReportedPhoto
from shared.aws import is_condition_failed
from shared.errors import DependencyUnavailable

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

REPORTED = "reported"
VISITOR_PREFIX = "visitor#"
Item = dict[str, Any]


def photo_pk(submission_id: str) -> dict[str, str]:
    """The partition of one photo's reports."""
    return _s(f"complaint#{submission_id}")


def complaint_item(complaint: Complaint) -> Item:
    """``complaint`` as a DynamoDB item."""
    return {
        "pk": photo_pk(complaint.submission_id),
        "sk": _s(VISITOR_PREFIX + complaint.visitor),
        "reason": _s(complaint.reason),
        "note": _s(complaint.note),
        "created_at": _s(complaint.created_at.isoformat()),
    }


def complaint_of(submission_id: str, item: Item) -> Complaint:
    """A report from its item."""
    reason: ComplaintReason = item["reason"]["S"]
    return Complaint(
        submission_id=submission_id,
        visitor=item["sk"]["S"].removeprefix(VISITOR_PREFIX),
        reason=reason,
        note=item["note"]["S"],
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
    )


class DynamoComplaintStore:
    """:class:`~services.moderation.ports.ComplaintStore` on moderation's table."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    async def add(self, complaint: Complaint) -> bool:
        """Write the report if this visitor has none on the photo; queue the photo."""
        try:
            await self.dynamodb.put_item(
                TableName=self.table,
                Item=complaint_item(complaint),
                ConditionExpression="attribute_not_exists(pk)",
            )
            is_new = True
        except ClientError as exc:
            if not is_condition_failed(exc):
                raise DependencyUnavailable("dynamodb", f"writing a report failed: {exc}") from exc
            is_new = False
        if is_new:
            await self._queue(complaint.submission_id, complaint.created_at)
        return is_new

    async def _queue(self, submission_id: str, now: datetime) -> None:
        first = _s(now.isoformat())
        with translated("queueing a reported photo"):
            await self.dynamodb.update_item(
                TableName=self.table,
                Key={"pk": photo_pk(submission_id), "sk": _s("queue")},
                UpdateExpression=(
                    "SET first_reported_at = if_not_exists(first_reported_at, :f), "
                    "gsi1pk = :r, gsi1sk = if_not_exists(gsi1sk, :k)"
                ),
                ExpressionAttributeValues={
                    ":f": first,
                    ":r": _s(REPORTED),
                    ":k": _s(f"{now.isoformat()}#{submission_id}"),
                },
            )

    async def of_photo(self, submission_id: str) -> list[Complaint]:
        """Every report about the photo, ordered by when it was made."""
        items = await self._reports(submission_id)
        return sorted((complaint_of(submission_id, i) for i in items), key=lambda c: c.created_at)

    async def _reports(self, submission_id: str) -> list[Item]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :v)",
            "ExpressionAttributeValues": {":p": photo_pk(submission_id), ":v": _s(VISITOR_PREFIX)},
            "ConsistentRead": True,
        }
        items: list[Item] = []
        while True:
            with translated("reading reports"):
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
            sid = item["pk"]["S"].removeprefix("complaint#")
            first = datetime.fromisoformat(item["first_reported_at"]["S"])
            found.append(ReportedPhoto(sid, len(await self._reports(sid)), first))
            if len(found) >= limit:
                break
        return found

    async def resolve(self, submission_id: str) -> None:
        """Remove the photo's index attributes: it leaves the queue (no entry: nothing)."""
        try:
            await self.dynamodb.update_item(
                TableName=self.table,
                Key={"pk": photo_pk(submission_id), "sk": _s("queue")},
                UpdateExpression="REMOVE gsi1pk, gsi1sk",
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as exc:
            if not is_condition_failed(exc):
                raise DependencyUnavailable(
                    "dynamodb", f"resolving a report failed: {exc}"
                ) from exc
