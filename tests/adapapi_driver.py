"""Drives the local crowd with Appen's published v1 client, PyPI ``adapapi`` 0.1.1.

Runs in its own virtualenv (``tests/.venv-adapapi``: adapapi pins nothing, but brings
pandas, glog and requests, which the project does not need). adapapi has its host
written into every call (``https://api.appen.com/v1/...``); the only change made here is
sending those calls to the local crowd's base URL instead. Everything else — the
``Authorization: Token token=`` header, JSON bodies, a GET with a JSON body for paging,
newline-delimited JSON uploads, ``channels``/``debit`` orders — is adapapi's own.

Usage: ``python adapapi_driver.py BASE_URL KEY STEP [ARGS…]``; prints one JSON line.
"""

import json
import sys

import requests
from adapapi import Appen

APPEN = "https://api.appen.com"


def redirect_to(base_url: str) -> None:
    """Send adapapi's calls, addressed to Appen, to ``base_url``."""
    original = requests.sessions.Session.request

    def request(self, method, url, *args, **kwargs):
        return original(self, method, url.replace(APPEN, base_url, 1), *args, **kwargs)

    requests.sessions.Session.request = request


def launch(appen: Appen, cml: str, rows: str) -> dict:
    """Create a job, upload rows, page the job list, launch two units internally."""
    job_id = appen.create_job({"title": "adapapi conformance", "cml": cml, "judgments_per_unit": 1})
    appen.upload(json.loads(rows), job_id)
    every_job = appen.get_all_jobs()
    summary = appen.job_summary(job_id)
    launched = appen.internal_launch(job_id, 2)
    return {
        "job_id": job_id,
        "jobs": [j["id"] for j in every_job],
        "summary": summary,
        "launched": launched,
    }


def inspect(appen: Appen, job_id: str, unit_ids: str) -> dict:
    """Read units (with their results) and cancel the one left unordered."""
    units = {uid: appen.unit_json(job_id, uid) for uid in unit_ids.split(",")}
    unordered = [uid for uid, unit in units.items() if unit["state"] == "new"]
    for uid in unordered:
        appen.update_unit_state(job_id, uid, "canceled")
    states = {uid: appen.get_unit_state(job_id, uid)["_unit_state"] for uid in units}
    return {"units": units, "states": states}


def main() -> None:
    base_url, key, step, *args = sys.argv[1:]
    redirect_to(base_url)
    appen = Appen(key)
    found = launch(appen, *args) if step == "launch" else inspect(appen, *args)
    print(json.dumps(found))


if __name__ == "__main__":
    main()
