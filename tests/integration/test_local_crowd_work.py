"""The local crowd's workers and webhooks in process: rendered CML, gold and trust,
retries with backoff, job_complete and new_judgments across units, signature modes.

The simulation's HTTP client is a mock transport: images by URL, webhooks recorded.
"""

import asyncio
import hashlib
import json
from urllib.parse import parse_qs

import httpx
import pytest

from services.moderation.crowd.crowdflower.adapters.api import CML
from services.moderation.crowd.crowdflower.gold import gold_cases
from sims.crowd.board import Board
from sims.crowd.jobs import Job
from sims.crowd.settings import CrowdSettings
from sims.crowd.simulation import Simulation
from tests.pictures import good_copy, jpeg, noise, original_frame

HOOK = "http://hook/crowd/webhook"
IMAGES = {
    "http://img/original": jpeg(original_frame(2)),
    "http://img/copy": good_copy(2),
    "http://img/noise": noise(seed=3),
}
FAST = {"api_key": "k", "judgment_delay_seconds": 0, "judgment_jitter_seconds": 0, "seed": 5}


class Hook:
    """Records webhook deliveries; answers the first ``failures`` unit_complete ones 500."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls: list[tuple[float, dict[str, str]]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) in IMAGES:
            return httpx.Response(200, content=IMAGES[str(request.url)])
        if str(request.url) != HOOK:
            return httpx.Response(404)
        fields = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.calls.append((asyncio.get_running_loop().time(), fields))
        if self.failures and fields["signal"] == "unit_complete":
            self.failures -= 1
            return httpx.Response(500)
        return httpx.Response(200)

    def signals(self) -> list[str]:
        return [fields["signal"] for _, fields in self.calls]


async def run_crowd(
    hook: Hook,
    settings: CrowdSettings,
    job_fields: dict,
    units: list[dict],
    gold=(),
    linger_seconds: float = 0.3,
):
    board = Board()
    async with httpx.AsyncClient(transport=httpx.MockTransport(hook)) as http:
        sim = Simulation(settings, board, http)
        job = board.create_job({"cml": CML, "webhook_uri": HOOK} | job_fields)
        for data in gold:
            board.create_unit(job, data, golden=True)
        for data in units:
            board.create_unit(job, data)
        sim.start_judging(board.order(job, len(units), ["cf_internal"]))
        await until_done(board, job)
        await asyncio.sleep(linger_seconds)  # deliveries still under way
        await sim.stop()
    return board, job


async def until_done(board: Board, job: Job, timeout_seconds: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_seconds
    while not board.is_job_done(job):
        assert asyncio.get_running_loop().time() < deadline, "units not finalized in time"
        await asyncio.sleep(0.05)


def unit(photo: str) -> dict[str, str]:
    return {
        "submission_id": photo,
        "photo_url": f"http://img/{photo}",
        "original_url": "http://img/original",
    }


def gold_data() -> list[dict[str, str]]:
    photos = {"copy": "http://img/copy", "noise": "http://img/noise"}
    return [
        {"gold_name": c.name, "photo_url": photos[c.kind], "original_url": "http://img/original"}
        | c.answers()
        for c in gold_cases(1)
    ]


def mimics(board: Board, submission: str) -> list[str]:
    [found] = [u for u in board.units.values() if u.data.get("submission_id") == submission]
    return [j["data"].get("mimic", "") for j in found.judgments if not j["tainted"]]


async def test_workers_judge_what_the_rendered_cml_shows_and_nothing_else():
    settings = CrowdSettings(**FAST, untrusted_share=0, careless_share=0)
    board, _ = await run_crowd(Hook(), settings, {}, [unit("copy"), unit("noise")])
    assert min(int(m) for m in mimics(board, "copy")) >= 4
    assert max(int(m) for m in mimics(board, "noise")) <= 2
    blind_cml = CML.replace("{{photo_url}}", "").replace("{{original_url}}", "")
    board, _ = await run_crowd(Hook(), settings, {"cml": blind_cml}, [unit("copy")])
    [judged] = [u for u in board.units.values()]
    assert {(j["data"]["mimic"], j["data"]["trying"]) for j in judged.judgments} == {("1", "no")}


async def test_careless_and_sloppy_workers_fail_gold_so_their_judgments_are_tainted():
    settings = CrowdSettings(**FAST, worker_count=12, untrusted_share=0.3, careless_share=0.3)
    board, _ = await run_crowd(Hook(), settings, {}, [unit("copy"), unit("noise")], gold_data())
    judgments = [j for u in board.units.values() if not u.is_gold for j in u.judgments]
    assert all(j["trust"] >= 0.7 for j in judgments if not j["tainted"])
    careless = [j for j in judgments if j["data"].get("nudity") == "yes"]
    assert careless and all(j["tainted"] for j in careless)
    [copy] = [u for u in board.units.values() if u.data.get("submission_id") == "copy"]
    results = copy.results()
    assert results["nudity"]["agg"] == "no"
    assert int(results["mimic"]["agg"]) >= 4
    assert 0 < results["mimic"]["confidence"] <= 1
    gold_judgments = [j for u in board.units.values() if u.is_gold for j in u.judgments]
    assert gold_judgments and all(j["golden"] for j in gold_judgments)


async def test_judgments_carry_the_keys_v1_sends():
    settings = CrowdSettings(**FAST)
    board, _ = await run_crowd(Hook(), settings, {}, [unit("copy")])
    [judged] = board.units.values()
    keys = {
        "id",
        "job_id",
        "unit_id",
        "worker_id",
        "worker_trust",
        "trust",
        "judgment",
        "data",
        "unit_data",
        "golden",
        "unit_state",
        "external_type",
        "created_at",
        "started_at",
        "webhook_sent_at",
        "tainted",
        "missed",
        "rejected",
        "reviewed",
        "country",
        "region",
        "city",
    }
    assert keys <= set(judged.judgments[0])
    assert judged.judgments[0]["external_type"] == "cf_internal"
    assert judged.state == "finalized"


async def test_a_delivery_answered_500_is_retried_with_a_doubling_backoff():
    settings = CrowdSettings(**FAST, webhook_backoff_seconds=0.2, webhook_attempts=4)
    hook = Hook(failures=2)
    await run_crowd(hook, settings, {}, [unit("copy")], linger_seconds=3.0)
    unit_calls = [at for at, fields in hook.calls if fields["signal"] == "unit_complete"]
    assert len(unit_calls) == 3
    assert unit_calls[1] - unit_calls[0] >= 0.2
    assert unit_calls[2] - unit_calls[1] >= 0.4


async def test_job_complete_follows_the_last_unit_and_new_judgments_span_many_units():
    settings = CrowdSettings(**FAST, new_judgments_batch_seconds=0.5)
    hook = Hook()
    units = [unit("copy"), unit("noise")]
    await run_crowd(hook, settings, {"send_judgments_webhook": "true"}, units, linger_seconds=2.0)
    signals = hook.signals()
    assert signals.count("unit_complete") == 2
    assert signals.count("job_complete") == 1
    batches = [json.loads(f["payload"]) for _, f in hook.calls if f["signal"] == "new_judgments"]
    assert len({j["unit_id"] for batch in batches for j in batch}) == 2
    assert any(len({j["unit_id"] for j in batch}) == 2 for batch in batches)


@pytest.mark.parametrize(
    ("mode", "secret"), [("none", None), ("api_key", "k"), ("webhook_token", "tok")]
)
async def test_deliveries_are_signed_as_the_mode_says(mode, secret):
    settings = CrowdSettings(**FAST, webhook_signature=mode, webhook_token="tok")
    hook = Hook()
    await run_crowd(hook, settings, {}, [unit("copy")])
    _, fields = hook.calls[0]
    if secret is None:
        assert "signature" not in fields
    else:
        expected = hashlib.sha1((fields["payload"] + secret).encode()).hexdigest()
        assert fields["signature"] == expected
