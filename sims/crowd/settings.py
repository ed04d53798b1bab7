"""Local crowd settings, from ``CROWD_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

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
    # The SQLite file keeping jobs, units, judgments, gold, funds and pending webhooks
    # across restarts (`make run`: var/crowd/crowd.sqlite3). Unset: kept in memory only.
    state_path: Path | None = None

    # Simulated workers in the pool.
    worker_count: int = Field(12, ge=3)
    # Share of sloppy workers, who answer at random: gold drives their trust down.
    untrusted_share: Share = Field(0.2, ge=0.0, lt=1.0)
    # The trust bar: a judgment by a worker below it is tainted and does not count
    # towards the unit's judgments (trust is the share of correct gold answers).
    trusted_min_trust: float = Field(0.7, ge=0.0, le=1.0)
    # Share of careless workers, who answer "nudity: yes" (and so fail gold).
    careless_share: Share = Field(0.05, ge=0.0, le=1.0)
    # Test questions a worker answers before its first judgment in a job with gold.
    quiz_questions: int = Field(2, ge=1)
    # Each worker's fixed rating bias is drawn from [-mimic_noise, +mimic_noise] points.
    mimic_noise_points: float = Field(0.6, ge=0.0, le=2.0)
    # Chance that a unit gets one more judgment than the job asked for (v1 did that).
    extra_judgment_share: Share = Field(0.3, ge=0.0, le=1.0)
    # A unit's workers answer this long after it is ordered, plus the jitter.
    judgment_delay_seconds: float = Field(3.0, ge=0.0)
    # Up to this much random extra delay before a unit's workers answer.
    judgment_jitter_seconds: float = Field(1.0, ge=0.0)

    # Funds of the account in cents; an order costing more is answered 402. Unset:
    # unlimited. `POST /sim/funds` (`cents`) adds funds while running.
    funds_cents: int | None = Field(None, ge=0)

    # How webhooks are signed: `none` (2010), `api_key` (SHA1 of payload + API key)
    # or `webhook_token` (SHA1 of payload + `webhook_token`).
    webhook_signature: Literal["none", "api_key", "webhook_token"] = "api_key"
    # The secret of the `webhook_token` signature mode.
    webhook_token: SecretStr = SecretStr("")
    # A delivery answered non-2xx (or not at all) is tried this many times in all.
    webhook_attempts: int = Field(5, ge=1)
    # Wait before the first retry of a delivery; it doubles at each retry.
    webhook_backoff_seconds: float = Field(1.0, ge=0.0)
    # `new_judgments` deliveries gather the judgments of this long (many units).
    new_judgments_batch_seconds: float = Field(0.5, ge=0.0)

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
