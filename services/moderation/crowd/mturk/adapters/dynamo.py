"""Mechanical Turk's bookkeeping in moderation's DynamoDB table: worker trust and spend.

- worker: ``pk = worker#{worker_id}``, ``sk = trust``; ``agreed`` and ``judged``
  counters, added to atomically (``ADD``); trust follows from them
  (:func:`services.moderation.crowd.mturk.hits.worker_trust`).
- spend: ``pk = spend#{video}``, ``sk = hit#{submission_id}``; ``cost`` (USD, text). One
  item per submission, so recording the same cost again counts it once; a video's
  total is a query over its partition.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from services.moderation.crowd.mturk.hits import worker_trust
from services.moderation.reviews.adapters.table import Item, number_attr, string_attr
from services.moderation.reviews.ports import SpendTotal
from shared.tables import table_errors

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

# BatchGetItem reads at most this many keys a call.
BATCH_KEYS = 100


def _worker_key(worker_id: str) -> Item:
    return {"pk": string_attr(f"worker#{worker_id}"), "sk": string_attr("trust")}


class DynamoWorkerTrust:
    """:class:`~services.moderation.crowd.mturk.ports.WorkerTrust` as counters per worker."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    async def trust(self, worker_ids: Sequence[str]) -> dict[str, float]:
        """Each worker's trust; the starting trust for a worker never seen."""
        counts: dict[str, tuple[int, int]] = {}
        for start in range(0, len(worker_ids), BATCH_KEYS):
            counts.update(await self._counts(worker_ids[start : start + BATCH_KEYS]))
        return {w: worker_trust(*counts.get(w, (0, 0))) for w in worker_ids}

    async def _counts(self, worker_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        request: Any = {self.table: {"Keys": [_worker_key(w) for w in worker_ids]}}
        found: dict[str, tuple[int, int]] = {}
        while request:
            with table_errors("reading worker trust"):
                answer = await self.dynamodb.batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(self.table, []):
                worker = item["pk"]["S"].removeprefix("worker#")
                found[worker] = (int(item["agreed"]["N"]), int(item["judged"]["N"]))
            request = answer.get("UnprocessedKeys") or {}
        return found

    async def record(self, worker_id: str, agreed: bool) -> None:
        """Add one judgment (and one agreement if it agreed) to the worker's counters."""
        with table_errors("counting a worker's judgment"):
            await self.dynamodb.update_item(
                TableName=self.table,
                Key=_worker_key(worker_id),
                UpdateExpression="ADD agreed :a, judged :one",
                ExpressionAttributeValues={":a": number_attr(int(agreed)), ":one": number_attr(1)},
            )


class DynamoSpendLedger:
    """:class:`~services.moderation.crowd.mturk.ports.SpendLedger`: one item per submission."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    async def record(self, video: str, submission_id: str, cost: Decimal) -> None:
        """Write the submission's cost (the same item again on a retry)."""
        item = {
            "pk": string_attr(f"spend#{video}"),
            "sk": string_attr(f"hit#{submission_id}"),
            "cost": string_attr(str(cost)),
        }
        with table_errors("recording crowd spend"):
            await self.dynamodb.put_item(TableName=self.table, Item=item)

    async def of_video(self, video: str) -> SpendTotal:
        """The sum of the video's recorded costs, page by page."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": string_attr(f"spend#{video}")},
            "ProjectionExpression": "cost",
        }
        total, hits = Decimal(0), 0
        while True:
            with table_errors("summing crowd spend"):
                answer = await self.dynamodb.query(**kwargs)
            for item in answer.get("Items", []):
                total += Decimal(item["cost"]["S"])
                hits += 1
            if "LastEvaluatedKey" not in answer:
                return SpendTotal(video=video, total=total, hits=hits)
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
