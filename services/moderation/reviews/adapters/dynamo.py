"""Reviews in moderation's DynamoDB table (slots: :mod:`.dynamo_slots`).

Item layout (the table has generic ``pk``/``sk`` keys and one index ``gsi1``):

- review: ``pk = review#{submission_id}``, ``sk = review``. While it needs work (a
  verdict, or steps after one) it is indexed under ``gsi1pk = open``,
  ``gsi1sk = {created_at}#{id}``; once approved and done under ``gsi1pk = approved``,
  ``gsi1sk = {decided_at}#{id}`` (newest first by querying backwards); once withdrawn
  after approval (taken down, hidden by reports, deleted by its contributor) and done
  under ``gsi1pk = withdrawn`` (so a lost render queue can be told again); once rejected
  by its first verdict and done it leaves the index.
- a visitor's submission: ``pk = client#{client_id}``, ``sk = {submission_id}``, written
  before the review is first stored (so every review of a visitor is listed; a crash
  in between leaves an entry whose review is missing, which the listing skips). Its
  reads query the table itself, no index: a visitor has a handful of submissions.
- slot and video feed records: see :mod:`services.moderation.slots.adapters.dynamo`.
- lock: ``pk = lock#reconcile``, ``sk = lock`` (see :mod:`shared.locks`).
- crowd job: ``pk = crowdjob#{video}``, ``sk = job`` (see :mod:`.dynamo_jobs`).

A review's item is derived from the :class:`Review` dataclass, one attribute per field,
by the field's type: text, numbers, booleans and ISO timestamps as themselves, text
tuples and sets as lists (sets sorted), pydantic models and tuples of dataclasses (the
judgments) as one JSON string (a dataclass field at its default left out of it); a
field that is None is left out, and an attribute
missing from an item written before its field existed reads as the field's default.
Every write of a review
is conditional on its version (optimistic concurrency, see
:mod:`services.moderation.reviews.review`).
AWS calls retry transient failures in botocore (standard mode, ``aws_max_attempts``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import MISSING, asdict, dataclass, fields, is_dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin, get_type_hints

from pydantic import BaseModel

from services.moderation.reviews.adapters.table import (
    Item,
    index_items,
    number_attr,
    string_attr,
)
from services.moderation.reviews.review import Review
from shared.tables import table_errors, write_if

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

OPEN, APPROVED, WITHDRAWN = "open", "approved", "withdrawn"


@dataclass(frozen=True)
class Codec:
    """How one dataclass field is written as, and read from, one DynamoDB attribute."""

    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]
    # None is stored as an absent attribute.
    optional: bool = False


TEXT = Codec(string_attr, lambda a: a["S"])
SCALARS: dict[object, Codec] = {
    str: TEXT,
    int: Codec(number_attr, lambda a: int(a["N"])),
    float: Codec(number_attr, lambda a: float(a["N"])),
    bool: Codec(lambda v: {"BOOL": v}, lambda a: a["BOOL"]),
    datetime: Codec(lambda v: string_attr(v.isoformat()), lambda a: datetime.fromisoformat(a["S"])),
}


def _text_list(collection: Any) -> Codec:
    def encode(values: Any) -> Any:
        ordered = sorted(values) if collection is frozenset else values
        return {"L": [string_attr(v) for v in ordered]}

    return Codec(encode, lambda a: collection(v["S"] for v in a["L"]))


def _json_list(collection: Any, element: Any) -> Codec:
    defaults = {f.name: f.default for f in fields(element) if f.default is not MISSING}

    def shown(value: Any) -> dict[str, Any]:
        # A field at its default is left out, so items keep the layout they had before
        # the field existed (a judgment's ``loads``), and read back as the default.
        return {k: v for k, v in asdict(value).items() if k not in defaults or v != defaults[k]}

    return Codec(
        lambda values: string_attr(json.dumps([shown(v) for v in values])),
        lambda a: collection(element(**v) for v in json.loads(a["S"])),
    )


def _model(model: type[BaseModel]) -> Codec:
    return Codec(
        lambda v: string_attr(v.model_dump_json()), lambda a: model.model_validate_json(a["S"])
    )


def codec_for(hint: Any) -> Codec:
    """The codec of a field annotated ``hint`` (the layout is in the module doc)."""
    args = get_args(hint)
    if type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        return replace(codec_for(inner), optional=True)
    origin = get_origin(hint)
    if origin is Literal:
        return TEXT
    if origin in (tuple, frozenset):
        return _json_list(origin, args[0]) if is_dataclass(args[0]) else _text_list(origin)
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return _model(hint)
    return SCALARS[hint]


def codecs_of(cls: type[Any]) -> dict[str, Codec]:
    """Field name → codec, for every field of the dataclass ``cls``."""
    hints = get_type_hints(cls)
    return {field.name: codec_for(hints[field.name]) for field in fields(cls)}


REVIEW_CODECS = codecs_of(Review)
# Defaults of the fields added after reviews were first stored.
REVIEW_DEFAULTS = {f.name: f.default for f in fields(Review) if f.default is not MISSING}


def review_key(submission_id: str) -> Item:
    """The primary key of the review of ``submission_id``."""
    return {"pk": string_attr(f"review#{submission_id}"), "sk": string_attr("review")}


def client_key(client_id: str, submission_id: str) -> Item:
    """The key of the entry filing ``submission_id`` under its visitor's client id."""
    return {"pk": string_attr(f"client#{client_id}"), "sk": string_attr(submission_id)}


def index_keys(review: Review) -> Item:
    """The ``gsi1`` attributes placing ``review`` in the open or approved list."""
    if review.is_open():
        return {
            "gsi1pk": string_attr(OPEN),
            "gsi1sk": string_attr(f"{review.created_at.isoformat()}#{review.submission_id}"),
        }
    if review.decided_at is None:
        return {}
    if review.status == "approved":
        listed = APPROVED
    elif review.is_withdrawn:
        listed = WITHDRAWN
    else:
        return {}
    return {
        "gsi1pk": string_attr(listed),
        "gsi1sk": string_attr(f"{review.decided_at.isoformat()}#{review.submission_id}"),
    }


def to_item(review: Review) -> Item:
    """``review`` as a DynamoDB item."""
    values = {name: getattr(review, name) for name in REVIEW_CODECS}
    attributes = {
        name: REVIEW_CODECS[name].encode(value)
        for name, value in values.items()
        if value is not None
    }
    return {**review_key(review.submission_id), **attributes, **index_keys(review)}


def from_item(item: Item) -> Review:
    """A review from its DynamoDB item."""
    values: dict[str, Any] = {
        name: codec.decode(item[name]) if name in item else REVIEW_DEFAULTS.get(name)
        for name, codec in REVIEW_CODECS.items()
    }
    return Review(**values)


class DynamoReviewStore:
    """:class:`~services.moderation.reviews.ports.ReviewStore` on a DynamoDB table."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table

    async def get(self, submission_id: str) -> Review | None:
        """The stored review (a strongly consistent read), or None."""
        with table_errors("reading a review"):
            answer = await self.dynamodb.get_item(
                TableName=self.table, Key=review_key(submission_id), ConsistentRead=True
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
                "ExpressionAttributeValues": {":read": number_attr(review.version)},
            }
        stored = review.changed(version=review.version + 1)
        if review.version == 0 and review.client_id:
            with table_errors("filing a review under its client"):
                key = client_key(review.client_id, review.submission_id)
                await self.dynamodb.put_item(TableName=self.table, Item=key)
        write = self.dynamodb.put_item(TableName=self.table, Item=to_item(stored), **condition)
        return stored if await write_if("writing a review", write) else None

    async def open_reviews(self) -> AsyncIterator[Review]:
        """Every open review, oldest first, page by page."""
        async for item in self._index(OPEN, forward=True):
            yield from_item(item)

    async def withdrawn(self) -> AsyncIterator[Review]:
        """Every review withdrawn after a decision and done, page by page."""
        async for item in self._index(WITHDRAWN, forward=True):
            yield from_item(item)

    async def recent_approved(self, limit: int) -> list[Review]:
        """Up to ``limit`` approved reviews, newest decision first."""
        found: list[Review] = []
        async for item in self._index(APPROVED, forward=False, page_size=limit):
            found.append(from_item(item))
            if len(found) >= limit:
                break
        return found

    async def of_client(self, client_id: str, limit: int) -> list[Review]:
        """The visitor's reviews still filed under them, newest first."""
        with table_errors("listing a client's reviews"):
            answer = await self.dynamodb.query(
                TableName=self.table,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": string_attr(f"client#{client_id}")},
                Limit=limit,
            )
        ids = [item["sk"]["S"] for item in answer.get("Items", [])]
        found = await asyncio.gather(*(self.get(sid) for sid in ids))
        mine = [r for r in found if r is not None and r.client_id == client_id]
        return sorted(mine, key=lambda r: (r.created_at, r.submission_id), reverse=True)

    async def forget_client(self, client_id: str, submission_id: str) -> None:
        """Delete the entry filing ``submission_id`` under ``client_id``."""
        with table_errors("forgetting a client's review"):
            await self.dynamodb.delete_item(
                TableName=self.table, Key=client_key(client_id, submission_id)
            )

    async def _index(
        self, partition: str, *, forward: bool, page_size: int = 100
    ) -> AsyncIterator[Item]:
        async for item in index_items(
            self.dynamodb, self.table, partition, forward=forward, page_size=page_size
        ):
            yield item
