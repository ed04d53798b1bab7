"""Moderation when DynamoDB or the crowd fails and comes back, through real processes.

Moderation talks to the moto server through an :class:`~tests.faults.HttpFaultProxy`, and
to the local crowd through another. Whatever fails while a submission is reviewed, the
submission is decided exactly once when the dependency is back: one verdict on the
``render`` queue, never zero, never two.
"""

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.aws import AwsClients
from shared.messages import SubmissionModerated, parse_message
from shared.settings import AwsSettings
from tests.crowd_process import crowd_server
from tests.faults import Fault, HttpFaultProxy, http_fault_proxy
from tests.outages import (
    ONE_AWS_TRY,
    assert_unavailable,
    log_has,
    newest_log,
    poll,
    submit_for_review,
)
from tests.outages import aws_proxy as aws_proxy
from tests.peeks import drain

KEY = "fault-crowd-key"
CROWD = {"judgment_delay_seconds": 1.0, "judgment_jitter_seconds": 0.2, "seed": 13}
RECONCILE_SECONDS = 2
DECIDE_TIMEOUT_SECONDS = 30
# A few lines per reconcile pass while the crowd is out (about 16 seen): a warning, not
# an error, and no traceback.
MAX_OUTAGE_WARNINGS = 40


@pytest.fixture
def crowd_log(output_dir: Path) -> Path:
    return output_dir / f"fault-crowd-{time.monotonic_ns()}.log"


@pytest.fixture
def crowd_proxy(crowd_log: Path) -> Iterator[HttpFaultProxy]:
    with crowd_server(KEY, crowd_log, **CROWD) as crowd_url, http_fault_proxy(crowd_url) as proxy:
        yield proxy


def moderation_env(aws_proxy: HttpFaultProxy, crowd_url: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": aws_proxy.url,
        "MODERATION_CROWD_BASE_URL": crowd_url,
        "MODERATION_CROWD_API_KEY": KEY,
        "MODERATION_CROWD_TIMEOUT_SECONDS": "1",
        "MODERATION_CROWD_RETRY_SECONDS": "2",
        "MODERATION_RECONCILE_SECONDS": str(RECONCILE_SECONDS),
        "MODERATION_RECONCILE_LOCK_SECONDS": "6",
        "MODERATION_OUTBOX_GRACE_SECONDS": "2",
        "MODERATION_CONSUMER_WAIT_SECONDS": "1",
        "MODERATION_CONSUMER_VISIBILITY_SECONDS": "2",
        **ONE_AWS_TRY,
    }


async def review_item(aws: AwsClients, settings: AwsSettings, sid: str) -> dict:
    """The review's DynamoDB item, read around the proxy (empty if none)."""
    key = {"pk": {"S": f"review#{sid}"}, "sk": {"S": "review"}}
    answer = await aws.dynamodb.get_item(TableName=settings.reviews_table, Key=key)
    return answer.get("Item", {})


async def decided(moderation: httpx.AsyncClient, sid: str) -> dict | None:
    answer = await moderation.get(f"/reviews/{sid}")
    if answer.status_code == 200 and answer.json()["status"] != "pending":
        return answer.json()
    return None


async def verdicts(aws: AwsClients, settings: AwsSettings) -> list[str]:
    """Submission ids of every verdict on the ``render`` queue, after a few quiet passes."""
    await asyncio.sleep(RECONCILE_SECONDS * 2)
    bodies = await drain(aws, settings.render_queue)
    return sorted(parse_message(b, SubmissionModerated).submission_id for b in bodies)


async def test_dynamodb_failing_while_the_crowd_answers_loses_no_verdict(
    aws, aws_fields, aws_proxy, crowd_proxy, crowd_log, stack_factory
):
    settings = AwsSettings(**aws_fields)
    stack = stack_factory(["moderation"], **moderation_env(aws_proxy, crowd_proxy.url))
    await submit_for_review(aws, settings, "dynamo-down", frame=1)
    # Once the crowd unit is recorded as ordered (the crowd judges nothing before), DynamoDB
    # fails until the crowd's webhook has come.
    await poll(
        lambda: _has_unit(aws, settings, "dynamo-down"),
        DECIDE_TIMEOUT_SECONDS,
        "the crowd unit to be recorded as ordered",
    )
    aws_proxy.inject(Fault("dynamodb", "", "unavailable"))
    async with httpx.AsyncClient(base_url=stack.urls["moderation"], timeout=10) as moderation:
        # The unit's own delivery: job_complete needs no DynamoDB and may be answered first.
        await poll(
            lambda: log_has(crowd_log, '"signal": "unit_complete"'),
            DECIDE_TIMEOUT_SECONDS,
            "the webhook",
        )
        assert '"status": 503' in crowd_log.read_text()  # the webhook met the outage
        assert_unavailable(await moderation.get("/reviews/dynamo-down"))
        assert "decided_at" not in await review_item(aws, settings, "dynamo-down")

        aws_proxy.heal()
        review = await poll(
            lambda: decided(moderation, "dynamo-down"), DECIDE_TIMEOUT_SECONDS, "a verdict"
        )
    assert review["judgments"] >= 3
    assert await verdicts(aws, settings) == ["dynamo-down"]


async def _has_unit(aws: AwsClients, settings: AwsSettings, sid: str) -> bool:
    return "unit_ordered_at" in await review_item(aws, settings, sid)


@pytest.mark.parametrize("fault", [Fault("*", "", "slow", 3.0), Fault("*", "", "unavailable")])
async def test_a_slow_or_failing_crowd_leaves_submissions_pending_then_they_are_decided_once(
    fault, aws, aws_fields, aws_proxy, crowd_proxy, stack_factory
):
    settings = AwsSettings(**aws_fields)
    crowd_proxy.inject(fault)
    stack = stack_factory(["moderation"], **moderation_env(aws_proxy, crowd_proxy.url))
    sids = ["crowd-down-1", "crowd-down-2"]
    for frame, sid in enumerate(sids):
        await submit_for_review(aws, settings, sid, frame)
    async with httpx.AsyncClient(base_url=stack.urls["moderation"], timeout=10) as moderation:
        for sid in sids:
            await poll(
                lambda sid=sid: review_item(aws, settings, sid),
                DECIDE_TIMEOUT_SECONDS,
                f"review of {sid}",
            )
            pending = await moderation.get(f"/reviews/{sid}")
            assert pending.status_code == 200, pending.text
            assert pending.json()["status"] == "pending"
        await asyncio.sleep(RECONCILE_SECONDS * 2)  # reconcile passes meet the outage too
        assert crowd_proxy.calls("", "", fault.action)

        crowd_proxy.heal()
        for sid in sids:
            await poll(
                lambda sid=sid: decided(moderation, sid),
                DECIDE_TIMEOUT_SECONDS,
                f"a verdict on {sid}",
            )
    assert await verdicts(aws, settings) == sids
    log = newest_log(stack.log_dir, "moderation").read_text()
    assert '"level": "error"' not in log
    assert "Traceback" not in log
    assert log.count('"level": "warning"') <= MAX_OUTAGE_WARNINGS
