"""DynamoDB's one error map: every table adapter's calls run inside :func:`table_errors`.

``ClientError``, ``BotoCoreError`` and the transport's ``aiohttp.ClientError`` never leave
a ``with table_errors(...)`` block. One mapping:

    a refused ``ConditionExpression``             → :class:`ConditionFailed` (a Conflict)
    a table that does not exist                   → :class:`TableMissing`
    a table being created or already there        → :class:`Conflict` (``table_in_use``)
    throttling, after botocore's retries          → :class:`Throttled`
    anything else, or no answer                   → :class:`DependencyUnavailable`

One retry policy: botocore's ``standard`` mode, set once for every client in
:func:`shared.aws.client_kwargs`; nothing here retries again. :func:`write_if` is the
shape every conditional write takes: True when written, False when its condition failed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from contextlib import contextmanager

from aiohttp import ClientError as TransportError
from botocore.exceptions import BotoCoreError, ClientError

from shared.aws import CONDITION_FAILED_CODE, MISSING_TABLE_CODE, error_code
from shared.errors import (
    ConditionFailed,
    Conflict,
    DependencyUnavailable,
    OfofError,
    TableMissing,
    Throttled,
)

TABLE_IN_USE_CODE = "ResourceInUseException"
# What DynamoDB answers when a table's or the account's rate is exceeded.
THROTTLING_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)


def translate_table_error(exc: ClientError, action: str) -> OfofError:
    """Our error for a DynamoDB ``ClientError`` raised while doing ``action``."""
    code = error_code(exc)
    if code == CONDITION_FAILED_CODE:
        return ConditionFailed(f"{action}: the item changed meanwhile")
    if code == MISSING_TABLE_CODE:
        return TableMissing("dynamodb", f"{action}: the table does not exist")
    if code == TABLE_IN_USE_CODE:
        return Conflict(f"{action}: the table is in use ({code})", code="table_in_use")
    if code in THROTTLING_CODES:
        return Throttled("dynamodb", f"{action} was throttled ({code})")
    return DependencyUnavailable("dynamodb", f"{action} failed ({code})")


@contextmanager
def table_errors(action: str) -> Iterator[None]:
    """Within the block, DynamoDB failures become the project's errors (module doc).

    ``action`` says what was being done, e.g. ``"writing a slot"``; it starts the detail.
    """
    try:
        yield
    except ClientError as exc:
        raise translate_table_error(exc, action) from exc
    except (BotoCoreError, TransportError) as exc:
        detail = f"{action} failed ({type(exc).__name__})"
        raise DependencyUnavailable("dynamodb", detail) from exc


async def write_if(action: str, write: Awaitable[object]) -> bool:
    """Await a conditional write; False when DynamoDB refused its condition.

    Every other failure is raised as :func:`table_errors` maps it.
    """
    try:
        with table_errors(action):
            await write
    except ConditionFailed:
        return False
    return True
