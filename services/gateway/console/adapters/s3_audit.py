"""The operators' audit log as one small JSON object per action in the media bucket
(``audit/ops/{day}/{time}-{id}.json``, :func:`shared.records.audit_key`): durable,
append-only by construction (a new key per action), and listed newest first."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from shared.messages import utcnow
from shared.objects import ObjectStore
from shared.records import AuditEntry, audit_day_prefix, audit_key

# Days of audit entries the console lists (today and the days before).
DAYS_SHOWN = 7


class S3AuditLog:
    """:class:`~services.gateway.console.ports.AuditLog` on the object store."""

    def __init__(self, objects: ObjectStore, clock: Callable[[], datetime] = utcnow) -> None:
        self.objects = objects
        self.clock = clock

    async def record(self, entry: AuditEntry) -> None:
        await self.objects.put_record(audit_key(entry.at, uuid.uuid4().hex[:8]), entry)

    async def latest(self, limit: int) -> list[AuditEntry]:
        today = self.clock()
        keys: list[str] = []
        for back in range(DAYS_SHOWN):
            day = today - timedelta(days=back)
            keys += sorted(await self.objects.etags(audit_day_prefix(day)), reverse=True)
            if len(keys) >= limit:
                break
        found = [await self.objects.find_record(key, AuditEntry) for key in keys[:limit]]
        return [entry for entry in found if entry is not None]
