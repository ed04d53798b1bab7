"""``DynamoSlotStore``: the :class:`SlotStore` and :class:`PublishState` ports in DynamoDB.

Items of the renderer's table (generic ``pk``/``sk`` keys):

- candidate: ``pk = cand#{video}#{frame:06d}``, ``sk = {submission_id}`` — the latest
  verdict about one submission (a later ``decided_at`` wins: a conditional put);
- slot: ``pk = slots#{video}``, ``sk = {frame:06d}`` — the photo the slot shows, with a
  revision number; written only with ``rev = <rev read>`` (or "absent"), so two
  consumers can never lose each other's update: the loser re-reads and recomputes;
- publish state: ``pk = publish#{video}``, ``sk = {target}`` (e.g. Blip's item id).

This adapter only stores and loads; which photo a slot shows is decided in
:mod:`services.renderer.renders.slots`. Errors are mapped once, by :mod:`shared.tables`;
retries are botocore's (``shared.aws``), none are added here.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.renderer.renders.clips import BlobRef
from services.renderer.renders.slots import Candidate, SlotChoice
from shared.tables import table_errors, write_if

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient


class DynamoSlotStore:
    """Slot candidates, slot choices and publish state on the renderer's DynamoDB table."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    async def put_candidate(self, video: str, frame: int, candidate: Candidate) -> None:
        """Store ``candidate`` unless a later verdict about its submission is stored."""
        c = candidate
        item = {
            "pk": {"S": f"cand#{video}#{frame:06d}"},
            "sk": {"S": c.submission_id},
            "verdict": {"S": c.verdict},
            "score": {"N": repr(c.score)},
            "decided_at": {"S": c.decided_at.isoformat()},
            "photo_key": {"S": c.photo_key},
            "photo_etag": {"S": c.photo_etag},
        }
        await self._put_if(
            item,
            "attribute_not_exists(sk) OR decided_at < :d",
            {":d": {"S": c.decided_at.isoformat()}},
        )

    async def choice(self, video: str, frame: int) -> SlotChoice | None:
        """What the slot shows now; None before its first verdict."""
        answer = await self._call(
            "get_item", TableName=self.table, Key=_slot_key(video, frame), ConsistentRead=True
        )
        item = answer.get("Item")
        if item is None:
            return None
        photo = (
            BlobRef(item["photo_key"]["S"], item["photo_etag"]["S"])
            if "photo_key" in item
            else None
        )
        return SlotChoice(item.get("submission_id", {}).get("S", ""), photo, int(item["rev"]["N"]))

    async def save_choice(self, video: str, frame: int, choice: SlotChoice) -> bool:
        """Store ``choice`` only over revision ``choice.rev - 1`` (or none); False if not."""
        item: dict[str, Any] = {
            **_slot_key(video, frame),
            "rev": {"N": str(choice.rev)},
            "submission_id": {"S": choice.submission_id},
        }
        if choice.photo is not None:
            item |= {"photo_key": {"S": choice.photo.key}, "photo_etag": {"S": choice.photo.etag}}
        return await self._put_if(
            item, "attribute_not_exists(sk) OR rev = :rev", {":rev": {"N": str(choice.rev - 1)}}
        )

    async def candidates(self, video: str, frame: int) -> list[Candidate]:
        """Every candidate of one slot (strongly consistent)."""
        items = await self._query(f"cand#{video}#{frame:06d}")
        return [
            Candidate(
                submission_id=i["sk"]["S"],
                verdict="approved" if i["verdict"]["S"] == "approved" else "rejected",
                score=float(i["score"]["N"]),
                decided_at=datetime.fromisoformat(i["decided_at"]["S"]),
                photo_key=i["photo_key"]["S"],
                photo_etag=i["photo_etag"]["S"],
            )
            for i in items
        ]

    async def filled_slots(self, video: str) -> dict[int, BlobRef]:
        """Frame → photo of every slot that shows a photo instead of its original."""
        return {
            int(i["sk"]["S"]): BlobRef(i["photo_key"]["S"], i["photo_etag"]["S"])
            for i in await self._query(f"slots#{video}")
            if "photo_key" in i
        }

    async def publish_state(self, video: str, target: str) -> str | None:
        """What a publisher remembered about ``video`` (e.g. Blip's item id)."""
        key = {"pk": {"S": f"publish#{video}"}, "sk": {"S": target}}
        answer = await self._call("get_item", TableName=self.table, Key=key, ConsistentRead=True)
        item = answer.get("Item")
        return item["value"]["S"] if item else None

    async def save_publish_state(self, video: str, target: str, value: str) -> None:
        """Remember ``value`` for a publisher."""
        item = {"pk": {"S": f"publish#{video}"}, "sk": {"S": target}, "value": {"S": value}}
        await self._call("put_item", TableName=self.table, Item=item)

    async def _query(self, pk: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while True:
            extra: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
            page = await self._call(
                "query",
                TableName=self.table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": pk}},
                ConsistentRead=True,
                **extra,
            )
            items.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return items

    async def _put_if(self, item: dict[str, Any], condition: str, values: dict[str, Any]) -> bool:
        """Put ``item`` if ``condition`` holds; False when it did not."""
        write = self.dynamodb.put_item(
            TableName=self.table,
            Item=item,
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
        )
        return await write_if("put_item", write)

    async def _call(self, operation: str, **kwargs: Any) -> Any:
        with table_errors(operation):
            return await getattr(self.dynamodb, operation)(**kwargs)


def _slot_key(video: str, frame: int) -> dict[str, Any]:
    return {"pk": {"S": f"slots#{video}"}, "sk": {"S": f"{frame:06d}"}}
