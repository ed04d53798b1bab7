"""ingest's background work, in one list (the way arq lists cron jobs).

One job: the sweep that announces what a crash left committed but unannounced.
"""

from __future__ import annotations

from services.ingest.deps import IngestDeps
from services.ingest.settings import IngestSettings
from shared.background import Job, periodic


def ingest_jobs(deps: IngestDeps, settings: IngestSettings) -> list[Job]:
    """The announce sweep, every ``announce_sweep_seconds``."""
    sweep = deps.ingestor.announce_stragglers
    return [periodic("announce-sweep", settings.announce_sweep_seconds, sweep)]
