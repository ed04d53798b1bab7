"""Reports, the report queue, restore and bulk revert through moderation's HTTP API,
on the real DynamoDB adapter (moto) with an in-memory crowd."""

import pytest

from services.moderation.settings import ModerationSettings
from shared.messages import SubmissionModerated
from tests.integration.test_moderation_api import (
    OPERATOR,
    moderation_settings,
    pending_review,
    submit,
    unit_payload,
    webhook_form,
)
from tests.integration.test_moderation_api import client as moderation_client
from tests.peeks import drain

# The moderation app over moto and a fake crowd, as in test_moderation_api.
client = moderation_client

AUTH = {"Authorization": f"Bearer {OPERATOR}"}


@pytest.fixture
def settings(aws_fields) -> ModerationSettings:
    return moderation_settings(aws_fields, report_hide_after=2)


async def approved(client, aws, settings, sid: str, frame: int) -> None:
    await submit(aws, settings, sid, frame=frame)
    await pending_review(client, sid)
    answer = await client.post("/crowd/webhook", data=webhook_form(unit_payload(sid, 5)))
    assert answer.json() == {"outcome": "decided"}


def report(visitor: str, reason: str = "nudity", note: str = "") -> dict[str, str]:
    return {"visitor": visitor, "reason": reason, "note": note}


async def test_reports_count_once_per_visitor_and_enough_hide_the_photo(client, aws, settings):
    await approved(client, aws, settings, "rep-1", frame=2)
    first = await client.post("/reviews/rep-1/reports", json=report("v1"))
    again = await client.post("/reviews/rep-1/reports", json=report("v1", "hate"))
    assert first.json() == {"counted": True, "hidden": False}
    assert again.json() == {"counted": False, "hidden": False}
    hidden = await client.post("/reviews/rep-1/reports", json=report("v2", "other", "mine"))
    assert hidden.json() == {"counted": True, "hidden": True}
    assert (await client.get("/reviews/recent")).json() == {"reviews": []}
    queue = (await client.get("/reports", headers=AUTH)).json()["photos"]
    assert [(p["review"]["submission_id"], len(p["reports"])) for p in queue] == [("rep-1", 2)]
    assert queue[0]["client_id"] == "c1"


async def test_a_restore_shows_the_photo_again_and_tells_the_renderer(client, aws, settings):
    await approved(client, aws, settings, "rep-2", frame=3)
    for visitor in ("v1", "v2"):
        await client.post("/reviews/rep-2/reports", json=report(visitor))
    assert (await client.post("/reviews/rep-2/restore")).status_code == 401
    restored = await client.post("/reviews/rep-2/restore", headers=AUTH)
    assert restored.json()["status"] == "approved"
    verdicts = [
        SubmissionModerated.model_validate_json(b) for b in await drain(aws, settings.render_queue)
    ]
    assert [(v.verdict, v.reasons) for v in verdicts] == [
        ("approved", []),
        ("rejected", ["reported"]),
        ("approved", []),
    ]
    assert (await client.get("/reports", headers=AUTH)).json() == {"photos": []}
    shown = (await client.get("/slots/demo/3/reviews")).json()["reviews"]
    assert [r["submission_id"] for r in shown] == ["rep-2"]


async def test_a_report_with_an_unknown_reason_or_a_long_note_is_422(client, aws, settings):
    await approved(client, aws, settings, "rep-3", frame=4)
    bad = await client.post("/reviews/rep-3/reports", json=report("v1", "ugly"))
    long = await client.post("/reviews/rep-3/reports", json=report("v1", note="x" * 501))
    assert (bad.status_code, long.status_code) == (422, 422)
    unknown = await client.post("/reviews/nobody/reports", json=report("v1"))
    assert unknown.status_code == 404


async def test_a_bulk_revert_takes_down_one_contributors_photos(client, aws, settings):
    await approved(client, aws, settings, "rep-4", frame=6)
    assert (await client.post("/clients/c1/takedown")).status_code == 401
    reverted = await client.post("/clients/c1/takedown", headers=AUTH)
    assert [r["status"] for r in reverted.json()["reviews"]] == ["rejected"]
    assert (await client.get("/reviews/recent")).json() == {"reviews": []}
    spend = (await client.get("/crowd/spend", headers=AUTH)).json()
    assert spend["videos"] == []


async def test_pending_reviews_and_spend_are_operator_only(client, aws, settings):
    await submit(aws, settings, "rep-5", frame=8)
    await pending_review(client, "rep-5")
    assert (await client.get("/pending-reviews")).status_code == 401
    pending = (await client.get("/pending-reviews", headers=AUTH)).json()["reviews"]
    assert [r["submission_id"] for r in pending] == ["rep-5"]
    await client.post("/crowd/webhook", data=webhook_form(unit_payload("rep-5", 5)))
    spend = (await client.get("/crowd/spend", headers=AUTH)).json()
    assert [(v["video"], v["approved_frames"], v["judgments"]) for v in spend["videos"]] == [
        ("demo", 1, 3)
    ]
    assert spend["healed"] == {}
