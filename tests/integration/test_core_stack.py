"""The core stack (deploy/cloudformation/core.yaml) deployed into the local AWS.

It must create what the code expects (what ``shared.bootstrap`` creates for `make run`):
the same table layout, the same queue attributes, an output for every resource setting.
"""

import json
import os
import subprocess
from contextlib import AsyncExitStack

import pytest

from shared.aws import open_aws_clients
from shared.bootstrap import RETENTION_SECONDS, table_definition
from shared.settings import AwsSettings, env_names
from tests.cloudstack import (
    OUTPUT_ENV,
    client,
    deploy_core,
    enforce_iam,
    fill_moto_gaps,
    iam_moto_server,
    resource_env,
    role_env,
    unique_prefix,
)
from tests.media import short_video
from tests.processes import PYTHON, ROOT


@pytest.fixture(scope="module")
def stack(moto_endpoint: str) -> dict[str, str]:
    return deploy_core(moto_endpoint, unique_prefix())


def test_every_output_feeds_a_setting_and_every_resource_setting_has_an_output(stack):
    assert set(OUTPUT_ENV.values()) <= env_names(AwsSettings)
    resource_fields = ("media_bucket", "frames_queue", "moderation_queue", "render_queue")
    resource_fields += ("reviews_table", "slots_table")
    settings = AwsSettings.model_validate(resource_env(stack))
    for field in resource_fields:
        assert getattr(settings, field) == stack[_output_of(field)]


def _output_of(field: str) -> str:
    return "".join(part.title() for part in field.split("_"))


def test_the_tables_have_the_layout_the_code_queries(moto_endpoint, stack):
    dynamodb = client(moto_endpoint, "dynamodb")
    for table in (stack["ReviewsTable"], stack["SlotsTable"]):
        described = dynamodb.describe_table(TableName=table)["Table"]
        wanted = table_definition(table)
        assert described["KeySchema"] == wanted["KeySchema"]
        assert _sorted(described["AttributeDefinitions"]) == _sorted(wanted["AttributeDefinitions"])
        indexes = [
            {k: i[k] for k in ("IndexName", "KeySchema", "Projection")}
            for i in described["GlobalSecondaryIndexes"]
        ]
        assert indexes == wanted["GlobalSecondaryIndexes"]


def _sorted(definitions):
    return sorted(definitions, key=lambda d: d["AttributeName"])


@pytest.mark.parametrize("queue", ["ModerationQueue", "RenderQueue", "SegmentsQueue"])
def test_each_work_queue_keeps_14_days_and_redrives_to_its_dead_letter_queue(
    moto_endpoint, stack, queue
):
    sqs = client(moto_endpoint, "sqs")
    name = stack[queue]
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["MessageRetentionPeriod"] == str(RETENTION_SECONDS)
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(f":{name}-dlq")
    assert int(redrive["maxReceiveCount"]) == AwsSettings().max_receive_count
    dlq = sqs.get_queue_url(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_attributes = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])
    assert dlq_attributes["Attributes"]["MessageRetentionPeriod"] == str(RETENTION_SECONDS)


async def test_temporary_credentials_from_the_environment_are_used_with_their_token(
    output_dir, tmp_path
):
    """An operator who assumed the importer role exports three variables, not two."""
    with iam_moto_server(output_dir / "moto-iam-token.log") as endpoint:
        outputs = deploy_core(endpoint, "ofof")
        fill_moto_gaps(endpoint, outputs["ImporterRoleArn"], outputs["MediaBucket"])
        env = {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": "us-east-1",
            **resource_env(outputs),
            **role_env(endpoint, outputs["ImporterRoleArn"]),
        }
        enforce_iam(endpoint)
        source = short_video(tmp_path / "clip.mp4", seconds=0.5)
        command = [PYTHON, "-m", "importer", "video", str(source), "--video", "clip"]
        done = subprocess.run(
            command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, check=False
        )
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        settings = AwsSettings.model_validate(env)
        async with AsyncExitStack() as exits:
            aws = await open_aws_clients(settings, exits)
            listed = await aws.s3.list_objects_v2(Bucket=settings.media_bucket)
        assert any(o["Key"].endswith("video.json") for o in listed["Contents"])
