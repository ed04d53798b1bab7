"""What the chaos suite reads back after the storm: submissions, reviews, slots, decisions.

Durable state is the judge: every submission ingest committed (its record in S3), its
review in moderation (through moderation's API), every slot's record in moderation's
table, the video's frames messages left (received once with a long visibility, never
deleted, so each is counted exactly once) and the ``decided`` lines of every moderation
process's log (one per stored verdict).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import httpx

from services.moderation.slots.adapters.dynamo import DynamoSlotRegistry
from shared.aws import AwsClients
from shared.messages import FrameSlot
from shared.records import SubmissionRecord
from tests.peeks import keys

# Long enough that no message received while counting shows up a second time.
COUNT_VISIBILITY_SECONDS = 300
EMPTY_RECEIVES_TO_STOP = 2


async def submissions(aws: AwsClients, bucket: str) -> dict[str, SubmissionRecord]:
    """Every committed submission, by id."""
    found: dict[str, SubmissionRecord] = {}
    for key in await keys(aws, bucket, "submissions/"):
        if key.endswith("/submission.json"):
            body = await (await aws.s3.get_object(Bucket=bucket, Key=key))["Body"].read()
            record = SubmissionRecord.model_validate_json(body)
            found[record.submission_id] = record
    return found


async def review_statuses(moderation_url: str, sids: list[str]) -> dict[str, str]:
    """Moderation's status of each submission (``missing`` when it has no review)."""
    async with httpx.AsyncClient(base_url=moderation_url, timeout=10.0) as client:
        answers = [await client.get(f"/reviews/{sid}") for sid in sids]
    return {
        sid: a.json()["status"] if a.status_code == 200 else "missing"
        for sid, a in zip(sids, answers, strict=True)
    }


async def frame_messages(aws: AwsClients, queue: str) -> Counter[int]:
    """How many ``frames`` messages each frame has (each message counted once)."""
    url = await aws.queue_url(queue)
    counted: Counter[int] = Counter()
    empty = 0
    while empty < EMPTY_RECEIVES_TO_STOP:
        got = await aws.sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            VisibilityTimeout=COUNT_VISIBILITY_SECONDS,
        )
        messages = got.get("Messages", [])
        empty = 0 if messages else empty + 1
        counted.update(FrameSlot.model_validate_json(m["Body"]).frame for m in messages)
    return counted


def decisions_logged(log_paths: list[Path]) -> Counter[str]:
    """How many times each submission was decided, over every moderation process's log."""
    counted: Counter[str] = Counter()
    for path in log_paths:
        for line in path.read_text(errors="replace").splitlines():
            if '"decided"' not in line:
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if entry.get("msg") == "decided":
                counted[str(entry["submission_id"])] += 1
    return counted


async def offers_sent(aws: AwsClients, table: str, video: str, frame_count: int) -> bool:
    """No photo is still under review on its slot and every offer's send completed (a kill
    between marking a slot offered and sending its message is repaired by the sweep)."""
    registry = DynamoSlotRegistry(aws.dynamodb, table)
    for frame in range(frame_count):
        slot = await registry.get(video, frame)
        if slot is None or slot.reviewing or (slot.state == "offered" and not slot.message_id):
            return False
    return True


async def slot_problems(
    aws: AwsClients,
    table: str,
    video: str,
    frame_count: int,
    messages: Counter[int],
    approved: dict[int, set[str]],
) -> dict[int, str]:
    """Each slot whose record disagrees with what is out or approved (empty: all agree).

    After the storm, with every submission decided: an offered slot has exactly one
    frames message and any other slot none; no photo is still under review; the slot's
    approved photos are exactly the approved submissions of its frame; a slot with no
    approved photo is open or offered (handed out, or about to be): never held, which
    would leave it with no one to photograph it.
    """
    registry = DynamoSlotRegistry(aws.dynamodb, table)
    problems: dict[int, str] = {}
    for frame in range(frame_count):
        slot = await registry.get(video, frame)
        if slot is None:
            problems[frame] = "no slot record"
            continue
        wanted = 1 if slot.state == "offered" else 0
        if messages[frame] != wanted:
            problems[frame] = f"{slot.state} with {messages[frame]} frames message(s)"
        elif slot.reviewing:
            problems[frame] = f"still under review: {sorted(slot.reviewing)}"
        elif slot.approved != approved.get(frame, set()):
            problems[frame] = f"approved {sorted(slot.approved)}, expected {approved.get(frame)}"
        elif not slot.approved and slot.state == "held":
            problems[frame] = "held with no approved photo: lost"
    return problems


async def stuck_details(
    aws: AwsClients, table: str, crowd_url: str, crowd_key: str, sids: list[str]
) -> list[str]:
    """For each undecided submission: its stored review's crowd fields and the crowd's
    own view of its unit, so a failed storm says where the review stopped."""
    lines = []
    async with httpx.AsyncClient(base_url=crowd_url, timeout=10.0) as crowd:
        for sid in sids:
            got = await aws.dynamodb.get_item(
                TableName=table, Key={"pk": {"S": f"review#{sid}"}, "sk": {"S": "review"}}
            )
            item = {k: next(iter(v.values())) for k, v in got.get("Item", {}).items()}
            fields = {k: item.get(k) for k in ("job_id", "unit_id", "unit_ordered_at", "reasons")}
            unit = None
            if fields["job_id"] and fields["unit_id"]:
                path = f"/v1/jobs/{fields['job_id']}/units/{fields['unit_id']}.json"
                answer = await crowd.get(path, params={"key": crowd_key})
                shown = answer.json() if answer.status_code == 200 else {}
                unit = {k: shown.get(k) for k in ("state", "judgments_count")}
            lines.append(f"{sid}: review {fields}, crowd unit {unit}")
    return lines
