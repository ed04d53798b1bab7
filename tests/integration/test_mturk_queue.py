"""Bootstrap's Mechanical Turk notification queue, on both local AWS servers."""

from __future__ import annotations

import json

import pytest

from shared.aws import AwsClients
from shared.bootstrap import MTURK_PRINCIPAL
from shared.queues import dead_letter_queue

pytestmark = pytest.mark.every_aws


async def test_bootstrap_makes_the_mturk_queue_that_only_mturk_may_send_to(
    aws: AwsClients, aws_fields: dict[str, object]
):
    name = "ofof-mturk"
    url = await aws.queue_url(name)
    answer = await aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    attributes = answer["Attributes"]
    (statement,) = json.loads(attributes["Policy"])["Statement"]
    assert statement["Principal"] == {"Service": MTURK_PRINCIPAL}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == attributes["QueueArn"]
    assert statement["Condition"]["Bool"] == {"aws:SecureTransport": "true"}
    assert (
        statement["Condition"]["StringEquals"]["aws:SourceAccount"]
        == (attributes["QueueArn"].split(":")[4])
    )
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(dead_letter_queue(name))
