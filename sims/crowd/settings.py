"""Local crowd settings, from ``CROWD_*`` environment variables."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Share = float


class CrowdSettings(BaseSettings):
    """Where the local crowd listens, how its workers behave and which faults it plays."""

    model_config = SettingsConfigDict(env_prefix="CROWD_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8004
    # Requests must carry it (``key`` query parameter or ``Authorization: Token token=``);
    # webhooks are signed with it. It must be set.
    api_key: SecretStr = SecretStr("")
    log_level: str = "INFO"

    # Workers.
    worker_count: int = Field(12, ge=3)
    untrusted_share: Share = Field(0.2, ge=0.0, lt=1.0)
    trusted_min_trust: float = Field(0.7, ge=0.0, le=1.0)
    careless_share: Share = Field(0.05, ge=0.0, le=1.0)
    # Each worker's fixed rating bias is drawn from [-mimic_noise, +mimic_noise] points.
    mimic_noise_points: float = Field(0.6, ge=0.0, le=2.0)
    # Chance that a unit gets one more judgment than the job asked for (v1 did that).
    extra_judgment_share: Share = Field(0.3, ge=0.0, le=1.0)
    judgment_delay_seconds: float = Field(3.0, ge=0.0)
    judgment_jitter_seconds: float = Field(1.0, ge=0.0)

    # Webhook faults.
    webhook_drop_share: Share = Field(0.0, ge=0.0, le=1.0)
    webhook_duplicate_share: Share = Field(0.0, ge=0.0, le=1.0)
    # Each delivery waits a random 0..this long, so deliveries overtake each other.
    webhook_reorder_seconds: float = Field(0.0, ge=0.0)
    webhook_list_share: Share = Field(0.0, ge=0.0, le=1.0)

    fetch_timeout_seconds: float = 10.0
    webhook_timeout_seconds: float = 10.0
    fetch_concurrency: int = Field(4, ge=1)
    # Fix the random draws (workers, noise, faults) for repeatable runs.
    seed: int | None = None
