"""Slots in DynamoDB: every verdict as a candidate, and each slot's current choice.

Items of the renderer's table (generic ``pk``/``sk`` keys):

- candidate: ``pk = cand#{video}#{frame:06d}``, ``sk = {submission_id}`` — the latest
  verdict about one submission (a later ``decided_at`` wins: a conditional put);
- slot: ``pk = slots#{video}``, ``sk = {frame:06d}`` — the photo the slot shows, with a
  revision number; written only with ``rev = <rev read>`` (or "absent"), so two
  consumers can never lose each other's update: the loser re-reads and recomputes;
- publish state: ``pk = publish#{video}``, ``sk = {target}`` (e.g. Blip's item id).

``ClientError`` stays inside this module.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from services.renderer.segments import BlobRef
from services.renderer.slots import Candidate, best_candidate
from shared.errors import Conflict, DependencyUnavailable
from shared.retry import is_transient_aws_error, transient_retry

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

MAX_RACE_ROUNDS = 20
RETRY_SECONDS = 20.0


class SlotStore(Protocol):
    """Where slot choices live."""

    async def record(self, video: str, frame: int, candidate: Candidate) -> bool: ...

    async def filled_slots(self, video: str) -> dict[int, BlobRef]: ...


class DynamoSlotStore:
    """``SlotStore`` on the renderer's DynamoDB table."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    async def record(self, video: str, frame: int, candidate: Candidate) -> bool:
        """Store a verdict and update the slot's choice; True when the choice changed."""
        await self._put_candidate(video, frame, candidate)
        for _ in range(MAX_RACE_ROUNDS):
            changed = await self._recompute(video, frame)
            if changed is not None:
                return changed
        raise Conflict(f"slot {video}/{frame} kept changing; will retry")

    async def _put_candidate(self, video: str, frame: int, c: Candidate) -> None:
        item = {
            "pk": {"S": f"cand#{video}#{frame:06d}"},
            "sk": {"S": c.submission_id},
            "verdict": {"S": c.verdict},
            "score": {"N": repr(c.score)},
            "decided_at": {"S": c.decided_at.isoformat()},
            "photo_key": {"S": c.photo_key},
            "photo_etag": {"S": c.photo_etag},
        }
        await self._call(
            "put_item",
            TableName=self.table,
            Item=item,
            ConditionExpression="attribute_not_exists(sk) OR decided_at < :d",
            ExpressionAttributeValues={":d": {"S": c.decided_at.isoformat()}},
            conditional_ok=True,
        )

    async def _recompute(self, video: str, frame: int) -> bool | None:
        """One optimistic round: True/False = changed or not, None = lost a race."""
        key = {"pk": {"S": f"slots#{video}"}, "sk": {"S": f"{frame:06d}"}}
        current = await self._call("get_item", TableName=self.table, Key=key, ConsistentRead=True)
        slot = current.get("Item")
        best = best_candidate(await self.candidates(video, frame))
        chosen = best.submission_id if best else ""
        if slot is not None and slot.get("submission_id", {}).get("S", "") == chosen:
            return False
        rev = int(slot["rev"]["N"]) if slot else 0
        item: dict[str, Any] = {**key, "rev": {"N": str(rev + 1)}, "submission_id": {"S": chosen}}
        if best is not None:
            item |= {"photo_key": {"S": best.photo_key}, "photo_etag": {"S": best.photo_etag}}
        answer = await self._call(
            "put_item",
            TableName=self.table,
            Item=item,
            ConditionExpression="attribute_not_exists(sk) OR rev = :rev",
            ExpressionAttributeValues={":rev": {"N": str(rev)}},
            conditional_ok=True,
        )
        return None if answer.get("conditional_failed") else True

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

    async def _call(self, operation: str, *, conditional_ok: bool = False, **kwargs: Any) -> Any:
        method = getattr(self.dynamodb, operation)
        try:
            async for attempt in transient_retry(
                is_transient_aws_error, max_elapsed_seconds=RETRY_SECONDS
            ):
                with attempt:
                    return await method(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if conditional_ok and code == "ConditionalCheckFailedException":
                return {"conditional_failed": True}
            raise DependencyUnavailable("dynamodb", f"{operation} failed: {code}") from exc
        raise AssertionError("unreachable")
