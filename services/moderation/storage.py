"""Reviews and approved-slot markers in moderation's DynamoDB table.

Item layout (the table has generic ``pk``/``sk`` keys and one index ``gsi1``):

- review: ``pk = review#{submission_id}``, ``sk = review``. While it needs work (a
  verdict, or steps after one) it is indexed under ``gsi1pk = open``,
  ``gsi1sk = {created_at}#{id}``; once approved and done under ``gsi1pk = approved``,
  ``gsi1sk = {decided_at}#{id}`` (newest first by querying backwards); once rejected
  and done it leaves the index.
- slot marker: ``pk = slot#{video}#{frame:06d}``, ``sk = approved``; ``submissions`` is
  the string set of the slot's approved photos (absent when there are none).
- lock: ``pk = lock#reconcile``, ``sk = lock`` (see :mod:`shared.locks`).

A review's judgments are stored with it as one JSON string. Every write of a review is
conditional on its version (optimistic concurrency, see :mod:`services.moderation.reviews`).
AWS calls retry transient failures in botocore (standard mode, ``aws_max_attempts``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from services.moderation.reviews import Review
from services.moderation.verdicts import Judgment
from shared.errors import DependencyUnavailable
from shared.messages import Renditions

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

OPEN, APPROVED = "open", "approved"
Item = dict[str, Any]


class ReviewStore(Protocol):
    """Where reviews live."""

    async def get(self, submission_id: str) -> Review | None:
        """The stored review, or None."""
        ...

    async def put(self, review: Review) -> Review | None:
        """Store ``review`` unless the stored version moved on since it was read.

        Returns the review as stored (its version bumped), or None when someone else
        wrote first. A review of version 0 is new and is stored only if none exists.
        """
        ...

    def open_reviews(self) -> AsyncIterator[Review]:
        """Every review that still needs a verdict or steps after one."""
        ...

    async def recent_approved(self, limit: int) -> list[Review]:
        """Approved reviews, newest decision first."""
        ...


class SlotMarkers(Protocol):
    """Which slots already have an approved photo."""

    async def has_approved(self, video: str, frame: int) -> bool:
        """Does the slot have at least one approved photo?"""
        ...

    async def approved_of(self, video: str, frame: int) -> list[str]:
        """The submission ids of the slot's approved photos."""
        ...

    async def add(self, video: str, frame: int, submission_id: str) -> None:
        """Record an approved photo of the slot (idempotent)."""
        ...

    async def remove(self, video: str, frame: int, submission_id: str) -> None:
        """Forget an approved photo of the slot (idempotent)."""
        ...


@contextmanager
def translated(action: str) -> Iterator[None]:
    """Turn botocore failures into :class:`DependencyUnavailable`."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise DependencyUnavailable("dynamodb", f"{action} failed: {exc}") from exc


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: float) -> dict[str, str]:
    return {"N": repr(value)}


def _optional(item: Item, name: str, value: Any, encode: Any) -> None:
    if value is not None:
        item[name] = encode(value)


def index_keys(review: Review) -> Item:
    """The ``gsi1`` attributes placing ``review`` in the open or approved list."""
    if review.is_open():
        return {
            "gsi1pk": _s(OPEN),
            "gsi1sk": _s(f"{review.created_at.isoformat()}#{review.submission_id}"),
        }
    if review.status == "approved" and review.decided_at is not None:
        return {
            "gsi1pk": _s(APPROVED),
            "gsi1sk": _s(f"{review.decided_at.isoformat()}#{review.submission_id}"),
        }
    return {}


def to_item(review: Review) -> Item:
    """``review`` as a DynamoDB item."""
    item: Item = {
        "pk": _s(f"review#{review.submission_id}"),
        "sk": _s("review"),
        "submission_id": _s(review.submission_id),
        "video": _s(review.video),
        "frame": _n(review.frame),
        "client_id": _s(review.client_id),
        "renditions": _s(review.renditions.model_dump_json()),
        "created_at": _s(review.created_at.isoformat()),
        "status": _s(review.status),
        "reasons": {"L": [_s(r) for r in review.reasons]},
        "judgments": _s(json.dumps([asdict(j) for j in review.judgments])),
        "judgment_count": _n(review.judgment_count),
        "unit_requested": {"BOOL": review.unit_requested},
        "revision": _n(review.revision),
        "done_steps": {"L": [_s(step) for step in sorted(review.done_steps)]},
        "version": _n(review.version),
        **index_keys(review),
    }
    for name in ("display_name", "job_id", "unit_id"):
        _optional(item, name, getattr(review, name), _s)
    _optional(item, "auto_score", review.auto_score, _n)
    _optional(item, "score", review.score, _n)
    _optional(item, "decided_at", review.decided_at, lambda d: _s(d.isoformat()))
    return item


def _text(item: Item, name: str) -> str | None:
    return item[name]["S"] if name in item else None


def _number(item: Item, name: str) -> float | None:
    return float(item[name]["N"]) if name in item else None


def from_item(item: Item) -> Review:
    """A review from its DynamoDB item."""
    decided_at = _text(item, "decided_at")
    return Review(
        submission_id=item["submission_id"]["S"],
        video=item["video"]["S"],
        frame=int(item["frame"]["N"]),
        client_id=item["client_id"]["S"],
        display_name=_text(item, "display_name"),
        renditions=Renditions.model_validate_json(item["renditions"]["S"]),
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
        status=item["status"]["S"],
        auto_score=_number(item, "auto_score"),
        score=_number(item, "score"),
        reasons=tuple(r["S"] for r in item["reasons"]["L"]),
        judgments=tuple(Judgment(**j) for j in json.loads(item["judgments"]["S"])),
        judgment_count=int(item["judgment_count"]["N"]),
        job_id=_text(item, "job_id"),
        unit_id=_text(item, "unit_id"),
        unit_requested=item["unit_requested"]["BOOL"],
        decided_at=datetime.fromisoformat(decided_at) if decided_at else None,
        revision=int(item["revision"]["N"]),
        done_steps=frozenset(s["S"] for s in item["done_steps"]["L"]),
        version=int(item["version"]["N"]),
    )


class DynamoReviewStore:
    """:class:`ReviewStore` on a DynamoDB table."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    async def get(self, submission_id: str) -> Review | None:
        """The stored review (a strongly consistent read), or None."""
        key = {"pk": _s(f"review#{submission_id}"), "sk": _s("review")}
        with translated("reading a review"):
            answer = await self.dynamodb.get_item(
                TableName=self.table, Key=key, ConsistentRead=True
            )
        return from_item(answer["Item"]) if "Item" in answer else None

    async def put(self, review: Review) -> Review | None:
        """Write ``review`` as version + 1 if the stored version is still ``review.version``."""
        if review.version == 0:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {
                "ConditionExpression": "#v = :read",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": {":read": _n(review.version)},
            }
        stored = review.changed(version=review.version + 1)
        try:
            await self.dynamodb.put_item(TableName=self.table, Item=to_item(stored), **condition)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise DependencyUnavailable("dynamodb", f"writing a review failed: {exc}") from exc
        return stored

    async def open_reviews(self) -> AsyncIterator[Review]:
        """Every open review, oldest first, page by page."""
        async for item in self._index(OPEN, forward=True):
            yield from_item(item)

    async def recent_approved(self, limit: int) -> list[Review]:
        """Up to ``limit`` approved reviews, newest decision first."""
        found: list[Review] = []
        async for item in self._index(APPROVED, forward=False, page_size=limit):
            found.append(from_item(item))
            if len(found) >= limit:
                break
        return found

    async def _index(
        self, partition: str, *, forward: bool, page_size: int = 100
    ) -> AsyncIterator[Item]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": {":p": _s(partition)},
            "ScanIndexForward": forward,
            "Limit": page_size,
        }
        while True:
            with translated("querying reviews"):
                answer = await self.dynamodb.query(**kwargs)
            for item in answer.get("Items", []):
                yield item
            if "LastEvaluatedKey" not in answer:
                return
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


class DynamoSlotMarkers:
    """:class:`SlotMarkers` as one item per slot holding a set of submission ids."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    def _key(self, video: str, frame: int) -> Item:
        return {"pk": _s(f"slot#{video}#{frame:06d}"), "sk": _s("approved")}

    async def has_approved(self, video: str, frame: int) -> bool:
        """True when the slot's set of approved photos is not empty."""
        with translated("reading a slot marker"):
            answer = await self.dynamodb.get_item(
                TableName=self.table, Key=self._key(video, frame), ConsistentRead=True
            )
        return bool(answer.get("Item", {}).get("submissions", {}).get("SS"))

    async def approved_of(self, video: str, frame: int) -> list[str]:
        """The submission ids in the slot's approved set."""
        with translated("reading a slot marker"):
            answer = await self.dynamodb.get_item(
                TableName=self.table, Key=self._key(video, frame), ConsistentRead=True
            )
        return sorted(answer.get("Item", {}).get("submissions", {}).get("SS", []))

    async def add(self, video: str, frame: int, submission_id: str) -> None:
        """Add ``submission_id`` to the slot's approved set."""
        await self._update(video, frame, "ADD submissions :s", submission_id)

    async def remove(self, video: str, frame: int, submission_id: str) -> None:
        """Remove ``submission_id`` from the slot's approved set."""
        await self._update(video, frame, "DELETE submissions :s", submission_id)

    async def _update(self, video: str, frame: int, expression: str, submission_id: str) -> None:
        with translated("updating a slot marker"):
            await self.dynamodb.update_item(
                TableName=self.table,
                Key=self._key(video, frame),
                UpdateExpression=expression,
                ExpressionAttributeValues={":s": {"SS": [submission_id]}},
            )
