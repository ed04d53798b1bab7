"""Dependencies failing and coming back, through real service processes.

Every service talks to the moto server through an :class:`~tests.faults.HttpFaultProxy`
that fails chosen calls (by AWS service and request) with a 503 answer, a reset
connection or a delay; the crowd sits behind one too. AWS clients try once
(``OFOF_AWS_MAX_ATTEMPTS=1``) so each outage is seen at once. Each test proves three
things: the caller gets a 503 with ``Retry-After`` (never a 500), nothing is half
written or announced, and the work completes once the dependency is back.
"""

import uuid

import httpx
import pytest

from shared.messages import SubmissionIngested, parse_message
from shared.records import submission_record_key
from shared.settings import AwsSettings
from tests.faults import Fault, http_fault_proxy
from tests.images import jpeg
from tests.integration.importer_fixtures import import_short_video
from tests.outages import (
    ONE_AWS_TRY,
    assert_unavailable,
    log_has,
    newest_log,
    poll,
    submit_for_review,
)
from tests.outages import aws_proxy as aws_proxy
from tests.peeks import drain, frames_of, keys, queue_counts
from tests.stack import approve_photo, seed_video

RENDER_TIMEOUT_SECONDS = 30
RENDERER_READ_TIMEOUT_SECONDS = 6
# Longer than the renderer's read timeout: a slow read is a failed read.
SLOW_S3_SECONDS = RENDERER_READ_TIMEOUT_SECONDS + 1.0
RENDER_FAILED = "render failed; retrying later"
GATEWAY_READ_TIMEOUT_SECONDS = 1.0


@pytest.fixture
async def one_slot(aws, aws_fields):
    settings = AwsSettings(**aws_fields)
    await seed_video(aws, settings, frames=1)
    return settings


async def test_s3_failing_mid_upload_is_503_with_nothing_committed_and_the_retry_succeeds_once(
    one_slot, aws, aws_proxy, stack_factory
):
    settings = one_slot
    stack = stack_factory(
        ["gateway", "ingest"],
        AWS_ENDPOINT_URL=aws_proxy.url,
        GATEWAY_INGEST_RETRY_SECONDS="1",
        **ONE_AWS_TRY,
    )
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as visitor:
        lease = (await visitor.post("/api/leases")).json()
        sid = lease["lease_id"]
        upload = {
            "url": f"/api/leases/{sid}/photo",
            "content": jpeg(640, 360),
            "headers": {"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"},
        }
        # The renditions are written, then S3 fails at the commit.
        commit = f"PUT /{settings.media_bucket}/{submission_record_key(sid)}"
        aws_proxy.inject(Fault("s3", commit, "unavailable"))
        assert_unavailable(await visitor.post(**upload))
        assert aws_proxy.calls("s3", commit, "unavailable")
        stored = await keys(aws, settings.media_bucket, f"submissions/{sid}/")
        assert submission_record_key(sid) not in stored
        assert await queue_counts(aws, settings.moderation_queue) == (0, 0)

        aws_proxy.heal()
        again = await visitor.post(**upload)
        assert again.status_code == 202, again.text

    assert submission_record_key(sid) in await keys(aws, settings.media_bucket, "submissions/")
    announced = [
        parse_message(b, SubmissionIngested) for b in await drain(aws, settings.moderation_queue)
    ]
    assert [a.submission_id for a in announced] == [sid]
    assert await queue_counts(aws, frames_of(settings)) == (0, 0)  # the lease is done


@pytest.mark.parametrize("action", ["unavailable", "refused"])
async def test_sqs_failing_for_the_gateway_makes_a_lease_503_not_500_and_it_recovers(
    action, one_slot, aws_proxy, stack_factory
):
    stack = stack_factory(["gateway"], AWS_ENDPOINT_URL=aws_proxy.url, **ONE_AWS_TRY)
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as visitor:
        aws_proxy.inject(Fault("sqs", "ReceiveMessage", action))  # type: ignore[arg-type]
        for _ in range(2):
            assert_unavailable(await visitor.post("/api/leases"))
        assert len(aws_proxy.calls("sqs", "ReceiveMessage", action)) >= 2

        aws_proxy.heal()
        lease = await visitor.post("/api/leases")
        assert lease.status_code == 201, lease.text
        assert (lease.json()["video"], lease.json()["frame"]) == ("demo", 0)


async def test_s3_slow_for_the_renderer_retries_the_render_and_the_clip_is_published(
    aws, aws_fields, aws_proxy, stack_factory, tmp_path
):
    settings = AwsSettings(**aws_fields)
    await import_short_video(aws, settings, tmp_path, video="clip", seconds=1.0)
    stack = stack_factory(
        ["renderer"],
        AWS_ENDPOINT_URL=aws_proxy.url,
        RENDERER_WORK_DIR=str(tmp_path / "work"),
        RENDERER_DEFAULT_VIDEO="clip",
        RENDERER_MIN_INTERVAL_SECONDS="1",
        RENDERER_MAX_DELAY_SECONDS="2",
        RENDERER_PUBLISH_RETRY_SECONDS="2",
        # One try, and a read timeout above the consumer's 5 s long poll of ``render``.
        OFOF_AWS_MAX_ATTEMPTS="0",
        OFOF_AWS_READ_TIMEOUT_SECONDS=str(RENDERER_READ_TIMEOUT_SECONDS),
    )
    async with httpx.AsyncClient(base_url=stack.urls["renderer"], timeout=10) as renderer:
        first = await poll(lambda: clip_where(renderer, 0), RENDER_TIMEOUT_SECONDS, "a clip")
        # Photo reads now take longer than the read timeout: every render attempt fails.
        photos = f"GET /{settings.media_bucket}/submissions/"
        aws_proxy.inject(Fault("s3", photos, "slow", SLOW_S3_SECONDS))
        await approve_photo(
            aws, settings.media_bucket, settings.render_queue, "clip", "slow-s3", 3, jpeg(640, 360)
        )
        log = newest_log(stack.log_dir, "renderer")
        await poll(lambda: log_has(log, RENDER_FAILED), RENDER_TIMEOUT_SECONDS, "a failed render")
        assert aws_proxy.calls("s3", photos, "slow")
        assert await clip_where(renderer, 0) == first

        aws_proxy.heal()
        await poll(lambda: clip_where(renderer, 1), RENDER_TIMEOUT_SECONDS, "the new clip")


async def clip_where(renderer: httpx.AsyncClient, filled_slots: int) -> dict | None:
    """The renderer's current clip when it has ``filled_slots`` photos, else None."""
    answer = await renderer.get("/clip")
    assert answer.status_code in (200, 404), answer.text
    found = answer.json() if answer.status_code == 200 else {}
    return found if found.get("filled_slots") == filled_slots else None


MODERATION_FAULTS = [
    Fault("*", "", "refused"),
    Fault("*", "", "unavailable"),
    Fault("*", "", "slow", GATEWAY_READ_TIMEOUT_SECONDS + 1.0),
]


async def test_moderation_down_the_read_api_serves_the_last_good_answer_or_503_never_500(
    one_slot, aws, stack_factory
):
    stack = stack_factory(
        ["moderation"],
        MODERATION_CROWD_BASE_URL="http://127.0.0.1:9",  # no crowd: reviews stay pending
        MODERATION_CONSUMER_WAIT_SECONDS="1",
        GATEWAY_REVIEWS_CACHE_SECONDS="0",  # every read asks moderation
        GATEWAY_HTTP_READ_TIMEOUT_SECONDS=str(GATEWAY_READ_TIMEOUT_SECONDS),
    )
    sid = uuid.uuid4().hex
    await submit_for_review(aws, one_slot, sid, frame=0)
    with http_fault_proxy(stack.urls["moderation"]) as moderation:
        stack.env["GATEWAY_MODERATION_URL"] = moderation.url
        stack.start("gateway")
        async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as visitor:
            reads = [f"/api/submissions/{sid}", "/api/frames/recent", "/api/frames/demo/0"]
            good = await poll(lambda: _answers(visitor, reads), 30, "moderation's reviews")
            assert good[reads[0]]["status"] == "pending"
            for fault in MODERATION_FAULTS:
                moderation.inject(fault)
                assert await _answers(visitor, reads) == good, fault
                assert_unavailable(await visitor.get(f"/api/submissions/{uuid.uuid4().hex}"))
                moderation.heal()
            assert await _answers(visitor, reads) == good
            stack.stop("moderation")  # and down for good: nothing listens any more
            assert await _answers(visitor, reads) == good
            assert_unavailable(await visitor.get(f"/api/submissions/{uuid.uuid4().hex}"))


async def _answers(visitor: httpx.AsyncClient, paths: list[str]) -> dict[str, object] | None:
    """The JSON answers of ``paths``, or None while one is not 200 (never a 500)."""
    found = {}
    for path in paths:
        answer = await visitor.get(path)
        assert answer.status_code < 500 or answer.status_code == 503, (path, answer.text)
        if answer.status_code != 200:
            return None
        found[path] = answer.json()
    return found
