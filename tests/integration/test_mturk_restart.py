"""The local MTurk keeps its marketplace like MTurk: stopped by SIGKILL (a crash), SIGINT
(Ctrl-C) or SIGTERM (honcho) and started again on the same state file, it knows every HIT
type (and where its notifications go), HIT, assignment and decision, the balance, the
request tokens used and its workers; a HIT still open at the stop is worked after it, by
workers new to it, and notified. Driven by boto3's own ``mturk`` client, the
notifications received from the moto server's SQS.
"""

import signal
import uuid
from pathlib import Path

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.integration.test_mturk_notifications import drain, notify, sqs_client
from tests.mturk_process import (
    HIT_TYPE,
    MTURK_KEY_ID,
    MTURK_SECRET,
    answered,
    assignments,
    client,
    create_hit,
    image_server,
    question,
    refusal,
)
from tests.processes import free_port, stand_in, stop_with

STOPS = [signal.SIGKILL, signal.SIGINT, signal.SIGTERM]
# A HIT is looked at 2 s after it is created: the second HIT is still open at the stop.
SETTINGS = {
    "MTURK_SIM_JUDGMENT_DELAY_SECONDS": "2.0",
    "MTURK_SIM_JUDGMENT_JITTER_SECONDS": "0",
    "MTURK_SIM_ASSIGNMENT_GAP_SECONDS": "0.05",
}


def state_of(mturk, hit_ids: list[str]) -> dict:
    """What the requester API shows of ``hit_ids``, their assignments and the balance."""
    return {
        "balance": mturk.get_account_balance()["AvailableBalance"],
        "hits": {hit_id: mturk.get_hit(HITId=hit_id)["HIT"] for hit_id in hit_ids},
        "assignments": {hit_id: assignments(mturk, hit_id) for hit_id in hit_ids},
        "reviewable": mturk.list_reviewable_hits(Status="Reviewing")["HITs"],
    }


@pytest.mark.parametrize("stop", STOPS, ids=[s.name for s in STOPS])
def test_the_local_mturk_goes_on_after_a_restart_with_everything_it_knew(
    moto_endpoint, output_dir, tmp_path, stop
):
    port = free_port()
    env = SETTINGS | {
        "MTURK_SIM_PORT": str(port),
        "MTURK_SIM_ACCESS_KEY_ID": MTURK_KEY_ID,
        "MTURK_SIM_SECRET_ACCESS_KEY": MTURK_SECRET,
        "MTURK_SIM_SQS_ENDPOINT_URL": moto_endpoint,
        "MTURK_SIM_STATE_PATH": str(tmp_path / "mturk" / "mturk.sqlite3"),
    }
    endpoint = f"http://127.0.0.1:{port}"
    sqs = sqs_client(moto_endpoint)
    queue_url = sqs.create_queue(QueueName=f"mturk-restart-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    log = output_dir / f"mturk-restart-{stop.name}"
    mturk = client(endpoint)
    type_fields = {**HIT_TYPE, "Title": f"{HIT_TYPE['Title']} {uuid.uuid4().hex[:6]}"}
    with image_server(tmp_path) as images:
        shown = question([f"{images}/photo.jpg", f"{images}/original.jpg"])
        with stand_in("sims.mturk", env, port, Path(f"{log}-1.log")) as first:
            hit_type = str(mturk.create_hit_type(**type_fields)["HITTypeId"])
            notify(mturk, hit_type, queue_url)
            done = create_hit(mturk, hit_type, shown, MaxAssignments=2, UniqueRequestToken="one")
            approved, rejected = answered(mturk, done, 2)
            mturk.approve_assignment(AssignmentId=approved["AssignmentId"])
            mturk.reject_assignment(AssignmentId=rejected["AssignmentId"], RequesterFeedback="no")
            mturk.update_hit_review_status(HITId=done)
            assert len(drain(sqs, queue_url, 3)) == 3  # two submissions, one reviewable
            workers = httpx.get(f"{endpoint}/sim/workers").json()
            still_open = create_hit(mturk, hit_type, shown, MaxAssignments=2)
            before = state_of(mturk, [done, still_open])
            stop_with(first, stop)
        with stand_in("sims.mturk", env, port, Path(f"{log}-2.log")):
            assert state_of(mturk, [done, still_open]) == before
            assert httpx.get(f"{endpoint}/sim/workers").json() == workers
            # The same values give the same HIT type, as before the stop.
            assert mturk.create_hit_type(**type_fields)["HITTypeId"] == hit_type
            with pytest.raises(ClientError) as again:
                create_hit(mturk, hit_type, shown, UniqueRequestToken="one")
            assert refusal(again)[2] == "AWS.MechanicalTurk.HitAlreadyExists"
            assert done in refusal(again)[1]
            # The HIT open at the stop is worked now, by two workers, and notified.
            late = answered(mturk, still_open, 2)
            assert len({a["WorkerId"] for a in late}) == 2
            events = [b["Events"][0] for b in drain(sqs, queue_url, 3)]
            assert {e["HITId"] for e in events} == {still_open}
            assert sorted(e["EventType"] for e in events) == [
                "AssignmentSubmitted",
                "AssignmentSubmitted",
                "HITReviewable",
            ]
            # Decisions made before the stop stand.
            with pytest.raises(ClientError) as twice:
                mturk.approve_assignment(AssignmentId=approved["AssignmentId"])
            assert "Submitted" in refusal(twice)[1]
