"""Webhook deliveries: signed the way the job's era did, retried with backoff, faulty on demand.

A delivery is a form POST of ``signal``, ``payload`` (JSON) and, unless the signature
mode is ``none``, ``signature`` = hex SHA1 of the payload followed by the API key
(``api_key``) or by a separate webhook token (``webhook_token``). An answer other than
2xx, or none at all, is retried ``webhook_attempts`` times in all, waiting
``webhook_backoff_seconds`` and doubling. The fault settings drop a delivery (never
sent), send it twice, hold it back a random while, or wrap a unit payload in a list.
Each delivery is kept in the crowd's store until it is answered 2xx or given up, so a
restart sends what was pending (at least once, as the platform does).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

from sims.crowd.settings import CrowdSettings
from sims.store import Store

log = logging.getLogger(__name__)
Spawn = Callable[[Coroutine[Any, Any, None]], None]


def signature_of(payload: str, secret: str) -> str:
    """v1's webhook signature: hex SHA1 of the payload followed by the secret."""
    return hashlib.sha1((payload + secret).encode(), usedforsecurity=False).hexdigest()


def signed_form(settings: CrowdSettings, signal: str, payload: str) -> dict[str, str]:
    """The delivery's form fields under the configured signature mode."""
    form = {"signal": signal, "payload": payload}
    if settings.webhook_signature == "api_key":
        form["signature"] = signature_of(payload, settings.api_key.get_secret_value())
    elif settings.webhook_signature == "webhook_token":
        form["signature"] = signature_of(payload, settings.webhook_token.get_secret_value())
    return form


class Deliveries:
    """Sends webhooks in the background, with the configured faults and retries."""

    def __init__(
        self,
        settings: CrowdSettings,
        http: httpx.AsyncClient,
        rng: random.Random,
        spawn: Spawn,
        store: Store,
    ) -> None:
        self.settings, self.http, self.rng, self.spawn = settings, http, rng, spawn
        self.store = store

    def resume(self) -> None:
        """Send the deliveries a restart interrupted."""
        for key, pending in self.store.load("delivery"):
            self.spawn(self._deliver(int(key), pending, 0.0))

    def send(self, uri: str, signal: str, document: Any) -> None:
        """Deliver ``document`` as the ``signal``'s payload to ``uri`` (faults applied)."""
        settings, rng = self.settings, self.rng
        if not uri or rng.random() < settings.webhook_drop_share:
            log.info("webhook dropped", extra={"signal": signal})
            return
        if signal == "unit_complete" and rng.random() < settings.webhook_list_share:
            document = [document]
        payload = json.dumps(document)
        copies = 2 if rng.random() < settings.webhook_duplicate_share else 1
        for _ in range(copies):
            delay = rng.uniform(0, settings.webhook_reorder_seconds)
            key = self.store.next_id("delivery", 1)
            pending = {"uri": uri, "signal": signal, "payload": payload}
            self.store.put("delivery", key, pending)
            self.spawn(self._deliver(key, pending, delay))

    async def _deliver(self, key: int, pending: dict[str, str], delay_seconds: float) -> None:
        """Post one kept delivery, signed with the key of now (a restart may bring a new
        one), until answered 2xx or out of attempts; then forget it."""
        await asyncio.sleep(delay_seconds)
        uri = pending["uri"]
        form = signed_form(self.settings, pending["signal"], pending["payload"])
        wait = self.settings.webhook_backoff_seconds
        for attempt in range(1, self.settings.webhook_attempts + 1):
            if await self._post(uri, form, attempt):
                self.store.delete("delivery", key)
                return
            if attempt < self.settings.webhook_attempts:
                await asyncio.sleep(wait)
                wait *= 2
        self.store.delete("delivery", key)
        log.warning("webhook given up", extra={"signal": form["signal"]})

    async def _post(self, uri: str, form: dict[str, str], attempt: int) -> bool:
        try:
            response = await self.http.post(
                uri, data=form, timeout=self.settings.webhook_timeout_seconds
            )
        except httpx.HTTPError as exc:
            log.warning("webhook failed", extra={"problem": type(exc).__name__, "attempt": attempt})
            return False
        status = response.status_code
        log.info(
            "webhook sent", extra={"status": status, "signal": form["signal"], "attempt": attempt}
        )
        return 200 <= status < 300
