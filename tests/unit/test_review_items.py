"""The DynamoDB item of a review: derived from the Review's fields, in the stored layout."""

from datetime import UTC, datetime

from services.ingest.keys import renditions_of
from services.moderation.reviews.adapters.dynamo import from_item, to_item
from services.moderation.reviews.review import Review, taken_down
from services.moderation.reviews.verdicts import Judgment

CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def approved_then_taken_down() -> Review:
    review = Review(
        submission_id="s1",
        video="demo",
        frame=3,
        client_id="c",
        display_name="Ann",
        renditions=renditions_of("s1"),
        created_at=CREATED,
        status="approved",
        auto_score=0.93,
        score=0.75,
        judgments=(Judgment("j1", "w1", 0.9, False, 4, True),),
        judgment_count=3,
        job_id="job",
        unit_id="unit",
        unit_requested=True,
        done_steps=frozenset({"1:mark_slot", "1:announce"}),
        version=7,
    )
    return taken_down(review, datetime(2026, 1, 3, tzinfo=UTC))


def test_a_review_is_stored_in_the_layout_existing_tables_hold():
    item = to_item(approved_then_taken_down())
    assert item == {
        "pk": {"S": "review#s1"},
        "sk": {"S": "review"},
        "submission_id": {"S": "s1"},
        "video": {"S": "demo"},
        "frame": {"N": "3"},
        "client_id": {"S": "c"},
        "display_name": {"S": "Ann"},
        "renditions": {
            "S": '{"large":"submissions/s1/large.jpg","medium":"submissions/s1/medium.jpg",'
            '"thumb":"submissions/s1/thumb.jpg"}'
        },
        "created_at": {"S": "2026-01-01T00:00:00+00:00"},
        "status": {"S": "rejected"},
        "auto_score": {"N": "0.93"},
        "score": {"N": "0.75"},
        "reasons": {"L": [{"S": "takedown"}]},
        "judgments": {
            "S": '[{"judgment_id": "j1", "worker_id": "w1", "trust": 0.9, "nudity": false, '
            '"mimic": 4, "trying": true}]'
        },
        "judgment_count": {"N": "3"},
        "job_id": {"S": "job"},
        "unit_id": {"S": "unit"},
        "unit_requested": {"BOOL": True},
        "decided_at": {"S": "2026-01-03T00:00:00+00:00"},
        "revision": {"N": "2"},
        "done_steps": {"L": [{"S": "1:announce"}, {"S": "1:mark_slot"}]},
        "version": {"N": "7"},
        "gsi1pk": {"S": "open"},
        "gsi1sk": {"S": "2026-01-01T00:00:00+00:00#s1"},
    }


def test_a_review_round_trips_and_its_empty_fields_are_left_out():
    full = approved_then_taken_down()
    bare = Review("s2", "demo", 4, "c", None, renditions_of("s2"), CREATED)
    assert from_item(to_item(full)) == full
    assert from_item(to_item(bare)) == bare
    absent = {"display_name", "auto_score", "score", "job_id", "unit_id", "decided_at"}
    assert absent.isdisjoint(to_item(bare))


def test_a_judgment_of_a_photo_that_did_not_load_is_stored_as_such_and_read_back():
    unseen = Judgment("j2", "w2", 0.9, False, 1, False, loads=False)
    review = approved_then_taken_down()
    review = review.changed(judgments=(*review.judgments, unseen))
    item = to_item(review)
    assert '"loads": false' in item["judgments"]["S"]
    assert item["judgments"]["S"].count('"loads"') == 1
    assert from_item(item).judgments == review.judgments
