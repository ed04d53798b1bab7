"""Chaos: visitors keep submitting while every service is ``kill -9``ed and restarted.

The whole stack runs as real processes on loopback: the moto server (kept up: it holds
everything in memory), the local crowd and the four services. Visitors lease frames and
upload copies of the original (approved) or noise (rejected) while each service is
killed at seeded-random moments and restarted on the same port a moment later. Then,
after a bounded quiet period: every accepted submission is decided exactly once, every
slot has exactly one owner (a ``frames`` message or an approved photo: none lost, none
doubled), approved photos are in the published clip, and no visitor saw a 5xx but 503.

The bounded run (part of ``make test``) kills each service once; ``make chaos`` sets
``CHAOS_VISITORS``, ``CHAOS_SECONDS`` and ``CHAOS_KILLS`` for a longer storm. The seed is
printed and written to ``test-output/chaos-<seed>/seed.txt``; ``CHAOS_SEED`` replays it.
"""

import asyncio
import os
import random
import secrets
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from shared.queues import dead_letter_queue
from shared.settings import AwsSettings
from tests.chaos.ledger import (
    decisions_logged,
    frame_messages,
    offers_sent,
    review_statuses,
    slot_problems,
    stuck_details,
    submissions,
)
from tests.chaos.visitors import Tally, crowd_of_visitors
from tests.crowd_process import crowd_server
from tests.media import short_video
from tests.peeks import frames_of, queue_counts
from tests.stack import Stack, import_with_cli, service_stack
from tests.system.test_renderer_pipeline import poll

pytestmark = [pytest.mark.system, pytest.mark.chaos]

SEED = int(os.environ.get("CHAOS_SEED") or secrets.randbelow(10**6))
VISITORS = int(os.environ.get("CHAOS_VISITORS", "8"))
FLOW_SECONDS = float(os.environ.get("CHAOS_SECONDS", "40"))
KILLS_PER_SERVICE = int(os.environ.get("CHAOS_KILLS", "1"))
VICTIMS = ("gateway", "ingest", "moderation", "renderer")
KILL_MARGIN_SECONDS = 5.0  # no kill in the first or last seconds of the flow
RESTART_AFTER_SECONDS = (0.5, 2.0)
VIDEO = "chaos"
# 100 frames at 25 fps by default: more slots than 8 visitors fill in 40 s.
VIDEO_SECONDS = float(os.environ.get("CHAOS_VIDEO_SECONDS", "4"))
LEASE_SECONDS = 30  # a lease lost in a crash is back in the queue this soon
DECIDED_WITHIN_SECONDS = 120.0
LEASES_BACK_WITHIN_SECONDS = LEASE_SECONDS + 30.0
CLIP_WITHIN_SECONDS = 90.0
# Sweeps run every 5 s with a 5 s grace (SETTINGS): an unsent offer is sent within 15 s.
OFFERS_SENT_WITHIN_SECONDS = 30.0
KEY = "chaos-crowd-key"
CROWD = {
    "judgment_delay_seconds": 1.0,
    "judgment_jitter_seconds": 1.0,
    "careless_share": 0.0,
    "seed": SEED,
}
SETTINGS = {
    "GATEWAY_VIDEO": VIDEO,
    "GATEWAY_LEASE_SECONDS": str(LEASE_SECONDS),
    "GATEWAY_LEASE_RATE_PER_MINUTE": "100000",  # every visitor is 127.0.0.1
    "INGEST_ANNOUNCE_SWEEP_SECONDS": "3",
    "INGEST_ANNOUNCE_GRACE_SECONDS": "10",
    "MODERATION_CROWD_API_KEY": KEY,
    "MODERATION_RECONCILE_SECONDS": "3",
    "MODERATION_OUTBOX_GRACE_SECONDS": "4",
    "MODERATION_CONSUMER_WAIT_SECONDS": "1",
    # Sweeps every 5 s, so an offer a kill left unsent is sent again within the bounds.
    "MODERATION_SWEEP_SECONDS": "5",
    "MODERATION_UNSENT_GRACE_SECONDS": "5",
    "RENDERER_DEFAULT_VIDEO": VIDEO,
    "RENDERER_MIN_INTERVAL_SECONDS": "3",
    "RENDERER_MAX_DELAY_SECONDS": "10",
}


def kill_plan(rng: random.Random) -> list[tuple[float, str, float]]:
    """(seconds into the flow, service, seconds until its restart) for every kill."""
    return [
        (
            rng.uniform(KILL_MARGIN_SECONDS, FLOW_SECONDS - KILL_MARGIN_SECONDS),
            name,
            rng.uniform(*RESTART_AFTER_SECONDS),
        )
        for _ in range(KILLS_PER_SERVICE)
        for name in VICTIMS
    ]


async def storm(stack: Stack, plan: list[tuple[float, str, float]], log: list[str]) -> None:
    """Kill and restart the services as planned, on the same ports; each service's kills
    in order, different services' kills overlapping as their times fall."""
    started = time.monotonic()

    def note(text: str) -> None:
        log.append(f"{time.monotonic() - started:5.1f} s {text}")

    async def haunt(name: str) -> None:
        for at, _, pause in sorted(kill for kill in plan if kill[1] == name):
            await asyncio.sleep(max(0.0, started + at - time.monotonic()))
            stack.kill(name)
            note(f"kill -9 {name}")
            await asyncio.sleep(pause)
            await asyncio.to_thread(stack.start, name)
            note(f"{name} ready again")

    await asyncio.gather(*(haunt(name) for name in VICTIMS))
    log.sort()


async def every_submission_decided(
    aws, fields, moderation_url: str, crowd_url: str, log_dir: Path
) -> dict[str, str]:
    """Wait until every committed submission has a final verdict; its statuses by id."""

    async def decided() -> dict[str, str] | None:
        found = await submissions(aws, str(fields["media_bucket"]))
        statuses = await review_statuses(moderation_url, sorted(found))
        done = all(s in ("approved", "rejected") for s in statuses.values())
        return statuses if done else None

    try:
        return await poll(decided, DECIDED_WITHIN_SECONDS, "every submission decided")
    except AssertionError:
        found = await submissions(aws, str(fields["media_bucket"]))
        statuses = await review_statuses(moderation_url, sorted(found))
        stuck = {sid: s for sid, s in statuses.items() if s not in ("approved", "rejected")}
        table = str(fields["reviews_table"])
        details = await stuck_details(aws, table, crowd_url, KEY, sorted(stuck))
        (log_dir / "stuck.txt").write_text("\n".join(details) + "\n")
        raise AssertionError(f"undecided after {DECIDED_WITHIN_SECONDS} s: {stuck}") from None


async def clip_frames(gateway_url: str) -> set[int]:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10.0) as client:
        answer = await client.get("/api/clip")
    return set(answer.json().get("filled_frames", [])) if answer.status_code == 200 else set()


def slot_report(bad, records, statuses, slots) -> str:
    """Each bad frame: what is wrong with it and its committed submissions with verdicts."""
    lines = []
    for frame in sorted(bad):
        mine = [f"{sid} {statuses[sid]}" for sid, r in records.items() if r.frame == frame]
        lines.append(f"frame {frame}: {bad[frame]}; submissions {mine}")
    return "; ".join(lines)


def summary(tally: Tally, storm_log: list[str], statuses: dict[str, str], took: float) -> str:
    verdicts = Counter(statuses.values())
    return "\n".join(
        [
            f"seed {SEED}, {VISITORS} visitors, {FLOW_SECONDS:g} s, {KILLS_PER_SERVICE} kill(s)",
            *storm_log,
            f"accepted {len(tally.accepted)}, unsure {len(tally.unsure)}, "
            f"committed {len(statuses)} ({dict(verdicts)})",
            f"answers {dict(sorted(tally.statuses.items()))}, "
            f"dropped connections {tally.transport_errors}",
            f"total {took:.0f} s",
        ]
    )


async def test_every_slot_and_submission_survives_each_service_being_killed(
    aws, aws_fields, tmp_path, output_dir
):
    started = time.monotonic()
    print(f"chaos seed {SEED} (replay with CHAOS_SEED={SEED})")
    log_dir = output_dir / f"chaos-{SEED}"
    log_dir.mkdir(exist_ok=True)
    (log_dir / "seed.txt").write_text(f"{SEED}\n")
    source = short_video(tmp_path / "source.mp4", seconds=VIDEO_SECONDS)
    import_with_cli(aws_fields, source, VIDEO)
    frame_count = int(VIDEO_SECONDS * 25)
    storm_log: list[str] = []
    with crowd_server(KEY, log_dir / "crowd.log", **CROWD) as crowd_url:
        settings = SETTINGS | {
            "MODERATION_CROWD_BASE_URL": crowd_url,
            "RENDERER_WORK_DIR": str(tmp_path / "work"),
        }
        with service_stack(list(reversed(VICTIMS)), aws_fields, log_dir, **settings) as stack:
            gateway = stack.urls["gateway"]
            plan = kill_plan(random.Random(SEED))
            storming = asyncio.create_task(storm(stack, plan, storm_log))
            tally = await crowd_of_visitors(gateway, VISITORS, SEED, FLOW_SECONDS, storming)
            await storming
            statuses = await every_submission_decided(
                aws, aws_fields, stack.urls["moderation"], crowd_url, log_dir
            )
            frames_queue = frames_of(AwsSettings(**aws_fields), VIDEO)

            async def leases_back() -> bool:
                return (await queue_counts(aws, frames_queue))[1] == 0

            await poll(leases_back, LEASES_BACK_WITHIN_SECONDS, "every lease back or done")
            approved = {sid for sid, status in statuses.items() if status == "approved"}
            records = await submissions(aws, str(aws_fields["media_bucket"]))
            approved_frames = Counter(records[sid].frame for sid in approved)
            approved_by_frame: dict[int, set[str]] = {}
            for sid in approved:
                approved_by_frame.setdefault(records[sid].frame, set()).add(sid)

            async def published() -> bool:
                return set(approved_frames) <= await clip_frames(gateway)

            clip_error = None
            try:
                await poll(published, CLIP_WITHIN_SECONDS, "approved photos in the clip")
            except AssertionError as exc:
                clip_error = exc
            filled = await clip_frames(gateway)
            table = str(aws_fields["reviews_table"])
            await poll(
                lambda: offers_sent(aws, table, VIDEO, frame_count),
                OFFERS_SENT_WITHIN_SECONDS,
                "every photo decided on its slot and every offer sent",
            )
            # The feeder stops, so the records hold still while the messages are counted.
            stack.stop("moderation")
            slots = await frame_messages(aws, frames_queue)
            dead = await queue_counts(aws, dead_letter_queue(frames_queue))
            problems = await slot_problems(aws, table, VIDEO, frame_count, slots, approved_by_frame)
    decisions = decisions_logged(sorted(log_dir.glob("moderation-*.log")))
    report = summary(tally, storm_log, statuses, time.monotonic() - started)
    (log_dir / "summary.txt").write_text(report + "\n")
    (log_dir / "visitors.txt").write_text("\n".join(tally.events) + "\n")
    print(report)

    assert len(plan) == len(VICTIMS) * KILLS_PER_SERVICE
    assert tally.server_errors == []
    assert tally.accepted, "no upload was accepted: the flow never ran"
    assert set(tally.accepted) <= set(statuses), "an accepted submission was never committed"
    # A final status and at most one stored decision: decided exactly once. (A kill between
    # storing a verdict and logging it leaves no line, so a missing line is no failure.)
    assert {sid: n for sid, n in decisions.items() if n > 1} == {}
    assert set(decisions) <= set(statuses), "a decision for a submission never committed"
    expected = {
        sid: "approved" if kind == "good" else "rejected"
        for sid, (_, kind) in tally.accepted.items()
    }
    assert {sid: statuses[sid] for sid in expected} == expected
    assert problems == {}, "slots lost or doubled: " + slot_report(
        problems, records, statuses, slots
    )
    assert dead == (0, 0)
    assert clip_error is None, f"{clip_error}: missing {set(approved_frames) - filled}"
    assert filled == set(approved_frames)
