"""ingest settings, from ``INGEST_*`` environment variables (plus the shared ones)."""

from __future__ import annotations

import os

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.ingest.claims import SUBMISSION_WAIT_SECONDS
from services.ingest.usecases import ANNOUNCE_GRACE_SECONDS
from shared.photos import MAX_PHOTO_BYTES, PHOTO_UPLOAD_SECONDS
from shared.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    """Where ingest listens and the limits it enforces on photos."""

    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore", populate_by_name=True)

    port: int = 8001
    # Shared with the gateway, which signs the tokens ingest verifies. Required.
    lease_secret: SecretStr | None = Field(None, validation_alias=AliasChoices("OFOF_LEASE_SECRET"))
    # Largest photo body (413 above it), checked while reading.
    max_upload_bytes: int = MAX_PHOTO_BYTES
    # Largest photo in pixels (422 above it), checked from the header before decoding.
    max_pixels: int = 40_000_000
    # A body that has not fully arrived after this long is cut off with 408.
    upload_timeout_seconds: float = PHOTO_UPLOAD_SECONDS
    # Processes decoding and encoding photos; one per core by default.
    image_workers: int = Field(default_factory=lambda: os.cpu_count() or 1)
    # Renditions never change once committed, so browsers and CDNs may keep them.
    rendition_cache_control: str = "public, max-age=31536000, immutable"
    # A second upload of one lease waits this long for the first one to finish in this
    # process, then gets 409 submission_in_progress (keep it under the gateway's read timeout).
    submission_wait_seconds: float = SUBMISSION_WAIT_SECONDS
    # How often the sweep looks for committed submissions a crash left unannounced.
    announce_sweep_seconds: float = 30.0
    # The sweep announces a submission only once it has been pending this long, which
    # leaves a request in progress time to announce it itself.
    announce_grace_seconds: float = ANNOUNCE_GRACE_SECONDS
