"""moderation's contributor routes against moto: a visitor's list, deleting, credits."""

import pytest

from services.ingest.keys import renditions_of
from shared.aws import AwsClients
from shared.messages import SubmissionModerated
from shared.records import share_image_key
from tests.integration import test_moderation_api as base
from tests.peeks import drain
from tests.pictures import good_copy

ANN, BOB = "ann-client-id-00000001", "bob-client-id-00000002"
pytestmark = pytest.mark.every_aws
# The moderation app of test_moderation_api, over moto (and the local AWS), fake crowd.
client, settings = base.client, base.settings
pending_review, unit_payload, webhook_form = (
    base.pending_review,
    base.unit_payload,
    base.webhook_form,
)


async def approved(client, aws, settings, sid: str, client_id: str, frame: int) -> None:
    await base.submit(aws, settings, sid, frame, client_id)
    renditions = renditions_of(sid)
    for key in (renditions.large, renditions.thumb, share_image_key(sid)):
        await aws.s3.put_object(Bucket=settings.media_bucket, Key=key, Body=good_copy(3))
    await pending_review(client, sid)
    await client.post("/crowd/webhook", data=webhook_form(unit_payload(sid, 5)))


async def keys_of(aws: AwsClients, settings, sid: str) -> list[str]:
    found = await aws.s3.list_objects_v2(Bucket=settings.media_bucket)
    return [o["Key"] for o in found.get("Contents", []) if sid in o["Key"]]


async def test_a_visitor_sees_only_their_submissions_and_deletes_one_for_good(
    client, aws, settings
):
    await approved(client, aws, settings, "sub-ann", ANN, frame=4)
    await approved(client, aws, settings, "sub-bob", BOB, frame=6)
    mine = (await client.get(f"/clients/{ANN}/reviews")).json()["reviews"]
    assert [(r["submission_id"], r["status"]) for r in mine] == [("sub-ann", "approved")]
    credits = (await client.get("/videos/demo/credits")).json()["reviews"]
    assert [r["frame"] for r in credits] == [4, 6]

    assert (await client.delete(f"/clients/{BOB}/reviews/sub-ann")).status_code == 404
    answer = await client.delete(f"/clients/{ANN}/reviews/sub-ann")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["display_name"]) == ("deleted", None)
    assert (await client.delete(f"/clients/{ANN}/reviews/sub-ann")).status_code == 404
    assert (await client.get(f"/clients/{ANN}/reviews")).json() == {"reviews": []}
    assert await keys_of(aws, settings, "sub-ann") == []
    credits = (await client.get("/videos/demo/credits")).json()["reviews"]
    assert [r["submission_id"] for r in credits] == ["sub-bob"]
    verdicts = [
        SubmissionModerated.model_validate_json(b) for b in await drain(aws, settings.render_queue)
    ]
    assert ("sub-ann", "rejected") in [(v.submission_id, v.verdict) for v in verdicts]


async def test_a_client_id_that_is_not_a_cookie_value_is_refused(client):
    assert (await client.get("/clients/short/reviews")).status_code == 422
    assert (await client.delete("/clients/x/reviews/s1")).status_code == 422
