import json
from datetime import UTC, datetime

import pytest

from shared.messages import (
    FrameSlot,
    MalformedMessage,
    Renditions,
    SubmissionIngested,
    SubmissionModerated,
    parse_message,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def ingested() -> SubmissionIngested:
    return SubmissionIngested(
        submission_id="lease-1",
        video="demo",
        frame=42,
        client_id="client-1",
        display_name="Ada",
        renditions=Renditions(
            large="submissions/lease-1/large.jpg",
            medium="submissions/lease-1/medium.jpg",
            thumb="submissions/lease-1/thumb.jpg",
        ),
        width=640,
        height=360,
        created_at=NOW,
    )


@pytest.mark.parametrize(
    "message",
    [
        FrameSlot(video="demo", frame=7),
        ingested(),
        SubmissionModerated(
            submission_id="lease-1",
            video="demo",
            frame=42,
            verdict="rejected",
            score=0.2,
            reasons=["low_mimic"],
            judgments=4,
            decided_at=NOW,
        ),
    ],
)
def test_every_message_survives_a_round_trip_through_its_body(message):
    assert parse_message(message.to_body(), type(message)) == message


def test_bodies_carry_a_version():
    assert '"version":1' in FrameSlot(video="demo", frame=0).to_body()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        '{"video": "demo"}',
        '{"version": 2, "video": "demo", "frame": 1}',
        '{"version": 1, "video": "demo", "frame": -1}',
        '{"version": 1, "video": "Demo Video", "frame": 1}',
        '{"version": 1, "video": "demo", "frame": 1, "extra": true}',
    ],
)
def test_malformed_bodies_raise_malformed_message(body):
    with pytest.raises(MalformedMessage) as caught:
        parse_message(body, FrameSlot)
    assert caught.value.code == "malformed_message"


def test_score_outside_zero_to_one_is_refused():
    good = {
        "submission_id": "s",
        "video": "demo",
        "frame": 1,
        "verdict": "approved",
        "score": 0.9,
        "judgments": 3,
        "decided_at": NOW.isoformat(),
    }
    assert parse_message(json.dumps(good), SubmissionModerated).score == 0.9
    with pytest.raises(MalformedMessage):
        parse_message(json.dumps(good | {"score": 1.5}), SubmissionModerated)
