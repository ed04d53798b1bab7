"""Visitors for the chaos suite: lease, upload a photo, look at the status and the clip.

Each visitor is its own HTTP client (its own cookies) driven by a seeded random source.
It uploads either a close copy of the leased original (the crowd approves it) or noise
(the crowd rejects it). An upload answered 503 or dropped is sent again, the same photo,
on the visitor's next turn (the gateway hands its live lease back), as the page does.
Everything the visitors see is written down in a :class:`Tally`:
the submissions the gateway accepted (202), the uploads whose fate is unknown (a 503
or a dropped connection while a service was down) and every 5xx other than 503.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.pictures import noise
from tests.system.test_make_run_flow import marked

# The share of uploads that copy the original (approved); the rest is noise (rejected).
GOOD_SHARE = 0.6
REQUEST_TIMEOUT_SECONDS = 30.0
PAUSE_SECONDS = (0.2, 1.0)  # a visitor's think time between two steps


@dataclass
class Tally:
    """What the visitors saw."""

    accepted: dict[str, tuple[int, str]] = field(default_factory=dict)  # sid -> (frame, kind)
    unsure: set[str] = field(default_factory=set)  # uploads with no clear answer
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    server_errors: list[str] = field(default_factory=list)  # 5xx other than 503
    events: list[str] = field(default_factory=list)  # leases and uploads, for the report
    started: float = field(default_factory=time.monotonic)

    def note(self, text: str) -> None:
        self.events.append(f"{time.monotonic() - self.started:6.2f} s {text}")


class Visitor:
    """One browser: a cookie jar, a random source and the shared tally."""

    def __init__(self, client: httpx.AsyncClient, rng: random.Random, tally: Tally) -> None:
        self.client = client
        self.rng = rng
        self.tally = tally
        self.photos: dict[str, tuple[str, bytes]] = {}  # lease id -> (kind, photo), as sent

    async def call(
        self,
        method: str,
        url: str,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response | None:
        """One request; None when the connection failed (a service was being killed)."""
        try:
            answer = await self.client.request(method, url, content=content, headers=headers)
        except httpx.TransportError:
            self.tally.transport_errors += 1
            return None
        self.tally.statuses[answer.status_code] += 1
        if answer.status_code >= 500 and answer.status_code != 503:
            self.tally.server_errors.append(f"{method} {url} {answer.status_code} {answer.text}")
        return answer

    async def visit(self, until: float, storm: asyncio.Future[None]) -> None:
        """Lease, upload and look, again and again, until the monotonic time ``until``
        and the end of the ``storm`` (so every kill lands while visitors are busy)."""
        while time.monotonic() < until or not storm.done():
            await self.once()
            await asyncio.sleep(self.rng.uniform(*PAUSE_SECONDS))
        await self.release_live_lease()

    async def once(self) -> None:
        leased = await self.call("POST", "/api/leases")
        if leased is None or leased.status_code not in (200, 201):
            return
        lease = leased.json()
        self.tally.note(f"lease {lease['lease_id']} frame {lease['frame']} ({leased.status_code})")
        original = await self.call("GET", lease["original_url"])
        if original is None or original.status_code != 200:
            return
        if lease["lease_id"] not in self.photos:  # a live lease given back: send it again
            kind = "good" if self.rng.random() < GOOD_SHARE else "noise"
            photo = marked(original.content) if kind == "good" else noise(self.rng.randrange(10**6))
            self.photos[lease["lease_id"]] = (kind, photo)
        await self.upload(lease, *self.photos[lease["lease_id"]])
        await self.call("GET", "/api/clip")

    async def upload(self, lease: dict[str, str], kind: str, photo: bytes) -> None:
        sid = lease["lease_id"]
        headers = {"X-Lease-Token": lease["token"], "Content-Type": "image/jpeg"}
        sent = await self.call("POST", f"/api/leases/{sid}/photo", content=photo, headers=headers)
        answer = "dropped" if sent is None else sent.status_code
        self.tally.note(f"upload {sid} frame {lease['frame']} {kind}: {answer}")
        if sent is not None and sent.status_code == 202:
            self.tally.accepted[sid] = (int(lease["frame"]), kind)
            self.tally.unsure.discard(sid)
            await self.call("GET", sent.json()["status_url"])
            return
        self.tally.unsure.add(sid)
        if sent is not None and sent.status_code != 503:
            # Refused for good: give the frame back (410 if the lease is over anyway).
            await self.call("DELETE", f"/api/leases/{sid}", headers=headers)
        # Else keep the lease: like the page, the next turn sends the same photo again.

    async def release_live_lease(self) -> None:
        """Leave no lease behind: the live one (if any) is handed back by its cookie."""
        leased = await self.call("POST", "/api/leases")
        if leased is not None and leased.status_code in (200, 201):
            lease_id = leased.json()["lease_id"]
            await self.call("DELETE", f"/api/leases/{lease_id}")


async def crowd_of_visitors(
    base_url: str, count: int, seed: int, seconds: float, storm: asyncio.Future[None]
) -> Tally:
    """Run ``count`` visitors against the gateway at ``base_url`` for ``seconds`` and
    until ``storm`` is over."""
    tally = Tally()
    until = time.monotonic() + seconds
    clients = [
        httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS) for _ in range(count)
    ]
    try:
        visitors = [
            Visitor(c, random.Random(seed * 1000 + n), tally) for n, c in enumerate(clients)
        ]
        await asyncio.gather(*(v.visit(until, storm) for v in visitors))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return tally
