"""Local Mechanical Turk settings, from ``MTURK_SIM_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Share = float


class MTurkSimSettings(BaseSettings):
    """Where the local MTurk listens, whom it accepts, how its workers behave, which
    notification faults it plays."""

    model_config = SettingsConfigDict(env_prefix="MTURK_SIM_", extra="ignore")

    # The address the local MTurk listens on.
    host: str = "127.0.0.1"
    # The port the local MTurk listens on.
    port: int = 8006
    # The requester's access key id: requests must be SigV4-signed with it. It must be set.
    access_key_id: str = ""
    # The requester's secret access key the signatures are checked against. It must be set.
    secret_access_key: SecretStr = SecretStr("")
    # The requester's account id, shown as SourceAccount/CustomerId in notifications.
    account_id: str = "A1LOCALREQUESTER"
    # The account balance in dollars at start; each approval takes reward + MTurk's fee.
    balance_dollars: float = Field(10_000.0, ge=0.0)
    # Log level (JSON lines on stderr).
    log_level: str = "INFO"
    # The SQLite file keeping HIT types, HITs, assignments, tokens, notification settings,
    # the balance and the workers across restarts (`make run`: var/mturk/mturk.sqlite3).
    # Unset: kept in memory only.
    state_path: Path | None = None

    # Simulated workers in the pool (each HIT needs MaxAssignments distinct ones who meet
    # its qualification requirements: with the default shares about two in three meet
    # approval >= 95 % and >= 100 approved HITs).
    worker_count: int = Field(30, ge=3)
    # Share of sloppy workers, who answer at random.
    untrusted_share: Share = Field(0.2, ge=0.0, lt=1.0)
    # Share of careless workers, who look but always answer "nudity: yes".
    careless_share: Share = Field(0.05, ge=0.0, le=1.0)
    # Share of newcomers, with fewer than 100 approved HITs (MTurk shows them 100 % approved).
    newcomer_share: Share = Field(0.1, ge=0.0, le=1.0)
    # Each worker's fixed rating bias is drawn from [-mimic_noise, +mimic_noise] points.
    mimic_noise_points: float = Field(0.6, ge=0.0, le=2.0)
    # A HIT's first worker submits this long after the HIT is created, plus the jitter.
    judgment_delay_seconds: float = Field(2.0, ge=0.0)
    # Up to this much random extra delay before a HIT's first worker submits.
    judgment_jitter_seconds: float = Field(1.0, ge=0.0)
    # Seconds between two workers' submissions on one HIT.
    assignment_gap_seconds: float = Field(0.2, ge=0.0)
    # Timeout of fetching an image a HIT shows.
    fetch_timeout_seconds: float = Field(10.0, gt=0.0)
    # HITs whose images are fetched at once (the rest wait their turn).
    fetch_concurrency: int = Field(4, ge=1)

    # The SQS endpoint notifications are sent to (the local AWS; e.g. http://127.0.0.1:4566).
    sqs_endpoint_url: str = ""
    # Region of that SQS endpoint.
    sqs_region: str = "us-east-1"
    # Access key id the sim signs its SQS calls with.
    sqs_access_key_id: str = "testing"
    # Secret key the sim signs its SQS calls with.
    sqs_secret_access_key: SecretStr = SecretStr("testing")
    # Timeout of one SQS send.
    sqs_timeout_seconds: float = Field(10.0, gt=0.0)
    # Notification faults: share of notifications never delivered (reconcile must heal).
    drop_notifications: Share = Field(0.0, ge=0.0, le=1.0)
    # Share of notifications delivered twice (consumers de-duplicate on EventDocId).
    duplicate_notifications: Share = Field(0.0, ge=0.0, le=1.0)
    # The first this many workers to take each HIT return it unsubmitted (a test knob:
    # a HIT short of its assignments when it expires, deterministically).
    returns_per_hit: int = Field(0, ge=0)
    # Fix the random draws (workers, noise, faults) for repeatable runs.
    seed: int | None = None
