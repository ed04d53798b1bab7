"""The core CloudFormation stack (deploy/cloudformation/core.yaml) in the local AWS.

moto implements CloudFormation for S3, SQS, DynamoDB and IAM, and can enforce IAM: after
``enforce_iam`` every request must be signed by known credentials, and only what their
policies allow passes. Services then run with the temporary credentials of their own
task role, so a policy that misses a call the code makes fails the test.

moto's authorizer has gaps that ``fill_moto_gaps`` closes with a separate, test-only
policy per role, so that the template itself stays exactly what AWS gets:

- DynamoDB calls are checked against the resource ``*``, never the table's ARN: the
  role's DynamoDB actions are allowed on ``*`` (actions are still checked, tables not).
- ``GetQueueUrl`` and ``CreateQueue`` are checked against ``*``, not the queue's ARN.
- The batch calls are checked as their own actions (``sqs:SendMessageBatch``); AWS
  checks them as the single ones (``sqs:SendMessage``): each role gets the batch name
  wherever it has the single one.
- HeadBucket is checked as ``s3:HeadBucket``; AWS checks ``s3:ListBucket``, which every
  role has.
- Inline policies made through CloudFormation are stored in a form the authorizer cannot
  read: each is written back unchanged through PutRolePolicy.
"""

from __future__ import annotations

import ast
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx

from tests.processes import ROOT, moto_server

CORE_TEMPLATE = ROOT / "deploy" / "cloudformation" / "core.yaml"
SERVICES_TEMPLATE = ROOT / "deploy" / "cloudformation" / "services.yaml"
STACK_TIMEOUT_SECONDS = 60
# moto's fixed account; credentials for setting up before IAM is enforced.
ADMIN = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"
# SQS calls whose batch form moto checks under its own name.
BATCHED_ACTIONS = ("sqs:SendMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility")

# Stack output → the environment variable that takes it (what the compute stack sets).
OUTPUT_ENV = {
    "MediaBucket": "OFOF_MEDIA_BUCKET",
    "FramesQueue": "OFOF_FRAMES_QUEUE",
    "ModerationQueue": "OFOF_MODERATION_QUEUE",
    "RenderQueue": "OFOF_RENDER_QUEUE",
    "SegmentsQueue": "OFOF_SEGMENTS_QUEUE",
    "ReviewsTable": "OFOF_REVIEWS_TABLE",
    "SlotsTable": "OFOF_SLOTS_TABLE",
    "MaxReceiveCount": "OFOF_MAX_RECEIVE_COUNT",
}


@contextmanager
def iam_moto_server(log_path: Path) -> Iterator[str]:
    """A moto server of its own (IAM gets enforced on it); yields its endpoint URL."""
    with moto_server(log_path, module="tests.moto_iam_server") as endpoint:
        yield endpoint


def client(endpoint: str, service: str, **credentials: str) -> Any:
    """A plain boto3 client of the local AWS (admin credentials unless given)."""
    return boto3.client(
        service, endpoint_url=endpoint, region_name=REGION, **(credentials or ADMIN)
    )


def unique_prefix() -> str:
    """A resource-name prefix of the template's pattern, unique to one test."""
    return f"t{uuid.uuid4().hex[:8]}"


def deploy_core(endpoint: str, prefix: str) -> dict[str, str]:
    """Create the core stack with ``Prefix=prefix``; return its outputs."""
    cloudformation = client(endpoint, "cloudformation")
    name = f"{prefix}-core"
    cloudformation.create_stack(
        StackName=name,
        TemplateBody=CORE_TEMPLATE.read_text(),
        Parameters=[{"ParameterKey": "Prefix", "ParameterValue": prefix}],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    deadline = time.monotonic() + STACK_TIMEOUT_SECONDS
    while True:
        stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            break
        assert time.monotonic() < deadline, f"stack {name} still {stack['StackStatus']}"
        time.sleep(0.2)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}


def resource_env(outputs: dict[str, str]) -> dict[str, str]:
    """The resource settings of every process, from the stack's outputs."""
    return {env: outputs[key] for key, env in OUTPUT_ENV.items()}


def role_name(role_arn: str) -> str:
    return role_arn.rsplit("/", 1)[1]


def fill_moto_gaps(endpoint: str, role_arn: str, bucket: str) -> None:
    """Rewrite the role's policies readably and add the test-only allowances (above)."""
    iam = client(endpoint, "iam")
    name = role_name(role_arn)
    dynamodb_actions: set[str] = set()
    gaps: list[dict[str, Any]] = []
    for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
        if isinstance(document, str):
            document = ast.literal_eval(document)
        iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(document))
        for statement in document["Statement"]:
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            dynamodb_actions |= {a for a in actions if a.startswith("dynamodb:")}
            if "sqs:CreateQueue" in actions:  # checked against "*" by moto (above)
                gaps.append({"Effect": "Allow", "Action": "sqs:CreateQueue", "Resource": "*"})
            batches = [f"{a}Batch" for a in actions if a in BATCHED_ACTIONS]
            if batches:
                gaps.append(
                    {"Effect": "Allow", "Action": batches, "Resource": statement["Resource"]}
                )
    gaps += [
        {"Effect": "Allow", "Action": "sqs:GetQueueUrl", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:HeadBucket", "Resource": f"arn:aws:s3:::{bucket}"},
    ]
    if dynamodb_actions:
        gaps.append({"Effect": "Allow", "Action": sorted(dynamodb_actions), "Resource": "*"})
    iam.put_role_policy(
        RoleName=name,
        PolicyName="moto-gaps",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": gaps}),
    )


def role_env(endpoint: str, role_arn: str) -> dict[str, str]:
    """Temporary credentials of ``role_arn``, as the environment a process reads."""
    sts = client(endpoint, "sts")
    answer = sts.assume_role(RoleArn=role_arn, RoleSessionName=role_name(role_arn))
    credentials = answer["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }


def enforce_iam(endpoint: str) -> None:
    """From now on, every request to this moto server is checked against IAM."""
    answer = httpx.post(f"{endpoint}/moto-api/reset-auth", content=b"0")
    answer.raise_for_status()
