"""moderation's DynamoDB table as every wing's adapters write it: one ``pk``/``sk`` table
(the reviews table) holding reviews, slots, reports, crowd jobs and workers, one index
``gsi1``; the attribute shapes and the paging of the index. Errors are mapped once, by
:func:`shared.tables.table_errors`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from shared.tables import table_errors

if TYPE_CHECKING:
    from types_aiobotocore_dynamodb.client import DynamoDBClient

Item = dict[str, Any]


def string_attr(value: str) -> dict[str, str]:
    """A DynamoDB string attribute."""
    return {"S": value}


def number_attr(value: float) -> dict[str, str]:
    """A DynamoDB number attribute."""
    return {"N": repr(value)}


async def index_items(
    dynamodb: DynamoDBClient, table: str, gsi1pk: str, *, forward: bool, page_size: int
) -> AsyncIterator[Item]:
    """Every item of one ``gsi1`` partition in index order, ``page_size`` a query."""
    kwargs: dict[str, Any] = {
        "TableName": table,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :p",
        "ExpressionAttributeValues": {":p": string_attr(gsi1pk)},
        "ScanIndexForward": forward,
        "Limit": page_size,
    }
    while True:
        with table_errors(f"querying {gsi1pk}"):
            answer = await dynamodb.query(**kwargs)
        for item in answer.get("Items", []):
            yield item
        if "LastEvaluatedKey" not in answer:
            return
        kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
