"""`make run CROWD=mturk`: the same stack with Mechanical Turk as the crowd.

devstack starts the local MTurk, points moderation at it and its notifications at the
local AWS's SQS; a photo uploaded through the gateway becomes a HIT with moderation's
default qualification requirements, the local MTurk's workers who meet them answer it,
and the verdict, the spend and the clip follow. After a Ctrl-C, `make run` again judges
new photos (the local MTurk kept its HIT type, notification settings and HITs), also
after the local MTurk alone was killed with SIGKILL.
"""

import httpx
import pytest

from tests.contribution import poll
from tests.launcher import make_run
from tests.processes import free_port
from tests.system.test_make_run_flow import marked, new_photos_are_judged

pytestmark = pytest.mark.system

APPROVED_WITHIN_SECONDS = 60
PUBLISHED_WITHIN_SECONDS = 60


async def test_make_run_with_the_mturk_crowd_approves_pays_for_and_publishes_a_photo(
    output_dir, tmp_path
):
    # The default workforce (20 % sloppy, 5 % careless workers) and moderation's default
    # qualification requirements (approval rate >= 95 %, >= 100 approved HITs): the local
    # MTurk lets only workers who meet them take the HIT, and no sloppy or careless one
    # does (tests/integration/test_mturk_qualifications.py), so an honest photo is judged
    # by honest workers only.
    port = free_port()
    settings = {"CROWD": "mturk", "MTURK_SIM_PORT": str(port)}
    state = tmp_path / "localaws"
    with make_run(output_dir / "make-run-mturk.log", state, **settings) as launched:
        async with httpx.AsyncClient(base_url=launched.url("gateway"), timeout=30) as client:
            lease = (await client.post("/api/leases")).json()
            original = (await client.get(lease["original_url"])).content
            uploaded = await client.post(
                f"/api/leases/{lease['lease_id']}/photo",
                content=marked(original),
                headers={"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"},
            )
            assert uploaded.status_code == 202, uploaded.text
            status = await poll(
                lambda: client.get(uploaded.json()["status_url"]),
                lambda r: r.json()["status"] in ("approved", "rejected"),
                APPROVED_WITHIN_SECONDS,
                "the verdict of the local MTurk's workers",
            )
            assert status.json()["status"] == "approved", status.json()
            await poll(
                lambda: client.get("/api/clip"),
                lambda r: lease["frame"] in r.json()["filled_frames"],
                PUBLISHED_WITHIN_SECONDS,
                "a clip showing the photo",
            )
        async with httpx.AsyncClient(base_url=launched.url("moderation"), timeout=30) as api:
            spend = (await api.get("/videos/demo/spend")).json()
        launched.interrupt()
    assert spend["hits"] == 1 and float(spend["total"]) > 0, spend

    with make_run(output_dir / "make-run-mturk-again.log", state, **settings) as again:
        await new_photos_are_judged(again, "sims.mturk", port, APPROVED_WITHIN_SECONDS)
