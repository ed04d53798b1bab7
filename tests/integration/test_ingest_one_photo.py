"""Two different photos uploaded at once for one lease: one photo wins, whole.

Through a real ingest process over the moto server. For every lease, all three
renditions and the committed record must come from the same photo (the first to claim
the submission), and the other upload gets that photo's answer (200, ``created`` false).
"""

import asyncio
import time
import uuid

import httpx
import pytest

from services.ingest.claims import photo_digest
from services.ingest.imaging import make_renditions
from services.ingest.keys import RENDITION_NAMES, claim_key
from shared.leases import LeaseClaims, sign
from shared.messages import SubmissionIngested, parse_message
from shared.records import SubmissionRecord, rendition_key
from shared.settings import AwsSettings
from tests.images import jpeg
from tests.peeks import drain, frames_of
from tests.stack import seed_video

LEASES = 20
CLIP = (640, 360)
# Two photos per lease of different sizes, so the record's width tells which one it is.
SIZES = {"a": (800, 450), "b": (960, 540)}


async def leased_receipts(aws, settings: AwsSettings, count: int) -> list[str]:
    url = await aws.queue_url(frames_of(settings))
    receipts: list[str] = []
    while len(receipts) < count:
        got = await aws.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300, WaitTimeSeconds=1
        )
        receipts += [m["ReceiptHandle"] for m in got.get("Messages", [])]
    return receipts


def token(secret: str, lease_id: str, frame: int, receipt: str) -> str:
    now = time.time()
    claims = LeaseClaims(lease_id, "demo", frame, "visitor", receipt, now, now + 300, now + 900)
    return sign(claims, secret.encode())


def renditions_by_photo(photos: dict[str, bytes]) -> dict[str, dict[str, bytes]]:
    """What ingest writes for each photo: rendition name → JPEG bytes."""
    made = {
        name: make_renditions(data, "image/jpeg", CLIP, 40_000_000) for name, data in photos.items()
    }
    return {
        name: {"large": r.large, "medium": r.medium, "thumb": r.thumb} for name, r in made.items()
    }


def origin(data: bytes, rendition: str, made: dict[str, dict[str, bytes]]) -> str:
    """Which photo a stored rendition was made from (``?`` for neither)."""
    return next((name for name, parts in made.items() if parts[rendition] == data), "?")


async def stored(aws, bucket: str, key: str) -> bytes:
    return await (await aws.s3.get_object(Bucket=bucket, Key=key))["Body"].read()


@pytest.mark.timeout(240)
async def test_two_photos_at_once_for_one_lease_never_mix_and_the_loser_gets_the_first_answer(
    aws, aws_fields, stack_factory
):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, frames=LEASES, size=CLIP)
    # Loaded cores must not turn a wait for the first upload into a 409.
    stack = stack_factory(["ingest"], INGEST_SUBMISSION_WAIT_SECONDS="90")
    secret = stack.env["OFOF_LEASE_SECRET"]
    receipts = await leased_receipts(aws, settings, LEASES)
    leases = [f"race-{n}-{uuid.uuid4().hex[:6]}" for n in range(LEASES)]
    photos = [
        {name: jpeg(*size, seed=10 * n + i) for i, (name, size) in enumerate(SIZES.items())}
        for n in range(LEASES)
    ]

    async with httpx.AsyncClient(base_url=stack.urls["ingest"], timeout=120) as client:

        async def put(n: int, name: str) -> httpx.Response:
            headers = {
                "X-Lease-Token": token(secret, leases[n], n, receipts[n]),
                "Content-Type": "image/jpeg",
            }
            return await client.put(
                f"/submissions/{leases[n]}", content=photos[n][name], headers=headers
            )

        answers = await asyncio.gather(*(put(n, name) for n in range(LEASES) for name in SIZES))

    mixed, wrong_answers = [], []
    for n, lease in enumerate(leases):
        pair = dict(zip(SIZES, answers[2 * n : 2 * n + 2], strict=True))
        record = SubmissionRecord.model_validate_json(
            await stored(aws, settings.media_bucket, f"submissions/{lease}/submission.json")
        )
        winner = next(name for name, size in SIZES.items() if size == (record.width, record.height))
        made = renditions_by_photo(photos[n])
        origins = {
            r: origin(await stored(aws, settings.media_bucket, rendition_key(lease, r)), r, made)
            for r in RENDITION_NAMES
        }
        if set(origins.values()) != {winner}:
            mixed.append((lease, winner, origins))
        # The winner's upload created it; the other one is answered with the winner's record.
        loser = next(name for name in SIZES if name != winner)
        statuses = (pair[winner].status_code, pair[loser].status_code)
        if statuses != (201, 200) or pair[loser].json()["width"] != record.width:
            wrong_answers.append((lease, statuses))
    assert mixed == [], f"{len(mixed)} of {LEASES} submissions mix photos: {mixed[:3]}"
    assert wrong_answers == []
    announced = [
        parse_message(b, SubmissionIngested) for b in await drain(aws, settings.moderation_queue)
    ]
    assert sorted(m.submission_id for m in announced) == sorted(leases)


async def test_a_photo_other_than_the_one_another_replica_claimed_is_a_409_with_retry_after(
    aws, aws_fields, stack_factory
):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, frames=1, size=CLIP)
    stack = stack_factory(["ingest"])
    (receipt,) = await leased_receipts(aws, settings, 1)
    first, second = jpeg(800, 450, seed=1), jpeg(800, 450, seed=2)
    # Another replica claimed the submission for its photo and is still writing it.
    await aws.s3.put_object(
        Bucket=settings.media_bucket, Key=claim_key("lease-x"), Body=photo_digest(first).encode()
    )
    headers = {"X-Lease-Token": token(stack.env["OFOF_LEASE_SECRET"], "lease-x", 0, receipt)}

    async with httpx.AsyncClient(base_url=stack.urls["ingest"], timeout=60) as client:
        other = await client.put(
            "/submissions/lease-x", content=second, headers=headers | {"Content-Type": "image/jpeg"}
        )
        same = await client.put(
            "/submissions/lease-x", content=first, headers=headers | {"Content-Type": "image/jpeg"}
        )
        late = await client.put(
            "/submissions/lease-x", content=second, headers=headers | {"Content-Type": "image/jpeg"}
        )

    assert other.status_code == 409 and other.headers["Retry-After"] == "1"
    assert other.json()["error"] == "submission_in_progress"
    # The claimed photo carries on; once it is committed, the other photo gets its answer.
    assert same.status_code == 201
    assert late.status_code == 200 and late.json() == {**same.json(), "created": False}
