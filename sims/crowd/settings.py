"""Local crowd settings, from ``CROWD_*`` environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Share = float


class CrowdSettings(BaseSettings):
    """Where the local crowd listens, how its workers behave and which faults it plays."""

    model_config = SettingsConfigDict(env_prefix="CROWD_", extra="ignore")

    # The address the local crowd listens on.
    host: str = "127.0.0.1"
    # The port the local crowd listens on.
    port: int = 8004
    # Requests must carry it (``key`` query parameter or ``Authorization: Token token=``);
    # webhooks are signed with it. It must be set.
    api_key: SecretStr = SecretStr("")
    # Log level (JSON lines on stderr).
    log_level: str = "INFO"

    # Simulated workers in the pool.
    worker_count: int = Field(12, ge=3)
    # Share of workers whose trust is below ``trusted_min_trust``.
    untrusted_share: Share = Field(0.2, ge=0.0, lt=1.0)
    # The trust bar: trusted workers are at or above it, untrusted ones below.
    trusted_min_trust: float = Field(0.7, ge=0.0, le=1.0)
    # Share of careless workers, who answer "nudity: yes".
    careless_share: Share = Field(0.05, ge=0.0, le=1.0)
    # Each worker's fixed rating bias is drawn from [-mimic_noise, +mimic_noise] points.
    mimic_noise_points: float = Field(0.6, ge=0.0, le=2.0)
    # Chance that a unit gets one more judgment than the job asked for (v1 did that).
    extra_judgment_share: Share = Field(0.3, ge=0.0, le=1.0)
    # A unit's workers answer this long after it is created, plus the jitter.
    judgment_delay_seconds: float = Field(3.0, ge=0.0)
    # Up to this much random extra delay before a unit's workers answer.
    judgment_jitter_seconds: float = Field(1.0, ge=0.0)

    # Webhook faults: share of deliveries dropped.
    webhook_drop_share: Share = Field(0.0, ge=0.0, le=1.0)
    # Share of deliveries sent twice.
    webhook_duplicate_share: Share = Field(0.0, ge=0.0, le=1.0)
    # Each delivery waits a random 0..this long, so deliveries overtake each other.
    webhook_reorder_seconds: float = Field(0.0, ge=0.0)
    # Share of deliveries whose payload is a one-element list instead of a unit object.
    webhook_list_share: Share = Field(0.0, ge=0.0, le=1.0)

    # Timeout of fetching a unit's photo and original.
    fetch_timeout_seconds: float = 10.0
    # Timeout of one webhook delivery.
    webhook_timeout_seconds: float = 10.0
    # Photos fetched at once.
    fetch_concurrency: int = Field(4, ge=1)
    # Fix the random draws (workers, noise, faults) for repeatable runs.
    seed: int | None = None
