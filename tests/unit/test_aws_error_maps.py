"""The one error map per AWS kind: botocore's errors become the project's, by code."""

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from shared.errors import (
    ConditionFailed,
    Conflict,
    DependencyUnavailable,
    Gone,
    MissingResource,
    NotFound,
    QueueMissing,
    StaleReceipt,
    TableMissing,
    Throttled,
)
from shared.objects import object_errors
from shared.queues import queue_errors
from shared.tables import table_errors, write_if


def refusal(code: str, operation: str = "Call") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "refused"}}, operation)


def offline() -> EndpointConnectionError:
    return EndpointConnectionError(endpoint_url="http://127.0.0.1:1")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ConditionalCheckFailedException", ConditionFailed),
        ("ResourceNotFoundException", TableMissing),
        ("ProvisionedThroughputExceededException", Throttled),
        ("ThrottlingException", Throttled),
        ("InternalServerError", DependencyUnavailable),
    ],
)
def test_a_dynamodb_refusal_becomes_the_error_callers_branch_on(code, expected):
    with pytest.raises(expected) as raised, table_errors("writing a slot"):
        raise refusal(code)
    assert raised.type is expected
    assert raised.value.detail.startswith("writing a slot")
    assert isinstance(raised.value.__cause__, ClientError)


def test_a_failed_condition_is_a_conflict_and_a_missing_table_is_unavailable():
    assert issubclass(ConditionFailed, Conflict)
    assert issubclass(TableMissing, MissingResource)
    assert issubclass(MissingResource, DependencyUnavailable)
    assert TableMissing("dynamodb", "gone").code == "dependency_unavailable"


def test_a_table_being_created_is_a_conflict_the_bootstrap_can_skip():
    with pytest.raises(Conflict) as raised, table_errors("creating table t"):
        raise refusal("ResourceInUseException")
    assert raised.value.code == "table_in_use"


def test_dynamodb_not_answering_is_unavailable():
    with pytest.raises(DependencyUnavailable) as raised, table_errors("reading a slot"):
        raise offline()
    assert raised.value.dependency == "dynamodb"
    assert raised.value.retry_after_seconds


async def test_a_conditional_write_says_whether_it_was_written():
    async def refused() -> None:
        raise refusal("ConditionalCheckFailedException")

    async def accepted() -> None:
        return None

    assert await write_if("writing", accepted()) is True
    assert await write_if("writing", refused()) is False


async def test_a_conditional_write_that_fails_otherwise_raises_unavailable():
    async def down() -> None:
        raise refusal("InternalServerError")

    with pytest.raises(DependencyUnavailable):
        await write_if("writing", down())


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("AWS.SimpleQueueService.NonExistentQueue", QueueMissing),
        ("QueueDoesNotExist", QueueMissing),
        ("ReceiptHandleIsInvalid", StaleReceipt),
        ("MessageNotInflight", StaleReceipt),
        ("RequestThrottled", Throttled),
        ("InternalError", DependencyUnavailable),
    ],
)
def test_an_sqs_refusal_becomes_the_error_callers_branch_on(code, expected):
    with pytest.raises(expected) as raised, queue_errors("ofof-render", "sending"):
        raise refusal(code)
    assert raised.type is expected
    assert "ofof-render" in raised.value.detail


def test_a_stale_receipt_is_gone_and_a_missing_queue_is_unavailable():
    assert issubclass(StaleReceipt, Gone)
    assert issubclass(QueueMissing, MissingResource)


def test_sqs_not_answering_is_unavailable():
    with pytest.raises(DependencyUnavailable) as raised, queue_errors("ofof-render", "receiving"):
        raise offline()
    assert raised.value.dependency == "sqs"


@pytest.mark.parametrize(
    ("code", "expected", "error_code"),
    [
        ("NoSuchKey", NotFound, "not_found"),
        ("PreconditionFailed", Conflict, "precondition_failed"),
        ("NoSuchBucket", MissingResource, "dependency_unavailable"),
        ("BucketAlreadyOwnedByYou", Conflict, "bucket_owned"),
        ("AccessDenied", DependencyUnavailable, "dependency_unavailable"),
    ],
)
def test_an_s3_refusal_becomes_the_projects_error(code, expected, error_code):
    with pytest.raises(expected) as raised, object_errors("clips/demo/current.json"):
        raise refusal(code)
    assert raised.type is expected
    assert raised.value.code == error_code


def test_our_own_errors_pass_through_a_map_untouched():
    with pytest.raises(NotFound) as raised, queue_errors("q", "x"), table_errors("y"):
        raise NotFound("no such review")
    assert raised.value.detail == "no such review"
