"""The HIT type of each video (the Mechanical Turk wing): remembered in the reviews table
(``hittype#{video}``), registered once, its notifications switched on once per process;
a type MTurk forgot ("… does not exist.") is registered again and remembered in place of
the old one (a conditional write: of two replicas, one replaces), reported once."""

from __future__ import annotations

import asyncio

from services.moderation.crowd.healing import CrowdForgot, Healings
from services.moderation.crowd.jobs import CrowdJob, CrowdJobs
from services.moderation.crowd.mturk.ports import HitCrowd


class HitTypes:
    """Each video's HIT type, listened to."""

    def __init__(self, crowd: HitCrowd, types: CrowdJobs, healings: Healings) -> None:
        self.crowd, self.types, self.healings = crowd, types, healings
        self._listening: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def type_for(self, video: str, forgotten: str | None = None) -> str:
        """The HIT type of ``video``: remembered, or created once; its notifications on.
        A type MTurk forgot (``forgotten``, or refused when switching notifications on)
        is registered again in its place."""
        async with self._lock:
            if forgotten is None and video in self._listening:
                return self._listening[video]
            known = await self.types.job_of(video)
            if known is None:
                created = await self.crowd.create_hit_type(video)
                known = await self.types.remember(CrowdJob(video=video, job_id=created))
            elif known.job_id == forgotten:
                known = await self._new_type(known)
            try:
                await self.crowd.listen(known.job_id)
            except CrowdForgot:
                known = await self._new_type(known)
                await self.crowd.listen(known.job_id)
            self._listening[video] = known.job_id
            return known.job_id

    async def _new_type(self, dead: CrowdJob) -> CrowdJob:
        """A HIT type registered again in place of ``dead``, which MTurk forgot."""
        created = await self.crowd.create_hit_type(dead.video)
        kept, replaced = await self.types.replace(dead, created)
        if replaced:
            ids = {"video": dead.video, "hit_type_id": dead.job_id, "new_hit_type_id": created}
            await self.healings.healed(
                "hit_type", "HIT type forgotten by MTurk: registered again", **ids
            )
        return kept
