"""moderation settings, from ``MODERATION_*`` environment variables (plus the shared AWS ones)."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.moderation.crowd.crowdflower.signatures import SignatureMode
from services.moderation.reviews.screening import ScreeningRules
from services.moderation.reviews.verdicts import VerdictRules
from shared.leases import MAX_LEASE_SECONDS
from shared.settings import ServiceSettings

if TYPE_CHECKING:
    from types_aiobotocore_mturk.type_defs import QualificationRequirementTypeDef

# MTurk's system qualifications: percent of assignments approved, number of HITs approved.
Comparator = Literal[
    "LessThan",
    "LessThanOrEqualTo",
    "GreaterThan",
    "GreaterThanOrEqualTo",
    "EqualTo",
    "NotEqualTo",
    "Exists",
    "DoesNotExist",
    "In",
    "NotIn",
]
APPROVAL_RATE_QUALIFICATION = "000000000000000000L0"
APPROVED_HITS_QUALIFICATION = "00000000000000000040"


class Qualification(BaseModel):
    """One MTurk ``QualificationRequirement``, in the API's own field names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    QualificationTypeId: str
    Comparator: Comparator
    IntegerValues: list[int] = Field(default_factory=list)

    def requirement(self) -> QualificationRequirementTypeDef:
        """As the ``mturk`` client takes it."""
        found: QualificationRequirementTypeDef = {
            "QualificationTypeId": self.QualificationTypeId,
            "Comparator": self.Comparator,
        }
        if self.IntegerValues:
            found["IntegerValues"] = list(self.IntegerValues)
        return found


DEFAULT_QUALIFICATIONS = (
    Qualification(
        QualificationTypeId=APPROVAL_RATE_QUALIFICATION,
        Comparator="GreaterThanOrEqualTo",
        IntegerValues=[95],
    ),
    Qualification(
        QualificationTypeId=APPROVED_HITS_QUALIFICATION,
        Comparator="GreaterThanOrEqualTo",
        IntegerValues=[100],
    ),
)
# Presigned photo URLs live as long as S3 allows (7 days): a unit may wait that long.
MAX_PRESIGNED_SECONDS = 7 * 24 * 3600


class ModerationSettings(ServiceSettings):
    """Where moderation listens, which crowd it pays, and how it decides."""

    model_config = SettingsConfigDict(
        env_prefix="MODERATION_", extra="ignore", populate_by_name=True
    )

    port: int = 8002

    # The crowd (Crowdflower v1 API, or the local crowd of ``python -m sims.crowd``).
    crowd_base_url: str = "http://127.0.0.1:8004"
    # The crowd API key; webhooks are signed with it, so an empty key fails every webhook.
    crowd_api_key: SecretStr = SecretStr("")
    # Send the key as `Authorization: Token token=` instead of `?key=`.
    crowd_key_in_header: bool = False
    # Timeout of one crowd call.
    crowd_timeout_seconds: float = 10.0
    # Transient crowd failures (transport errors, 429, 5xx) are retried at most this long.
    crowd_retry_seconds: float = 15.0
    # Prefix of the crowd jobs' titles (one job per video, found by title or created).
    crowd_job_title: str = "One Frame Of Fame"
    # Trusted judgments the crowd is asked for per photo.
    judgments_per_unit: int = Field(3, ge=1)
    # Channels units are ordered on (`channels[]` of each order), as a JSON list:
    # `["on_demand"]` for the paid crowd, `["cf_internal"]` for an internal/sandbox run.
    crowd_channels: list[str] = Field(default_factory=lambda: ["on_demand"], min_length=1)
    # Pay per page of units (`job[payment_cents]`), in cents.
    crowd_payment_cents: int = Field(5, ge=1)
    # Photos a worker judges per page (`job[units_per_assignment]`); each job gets this
    # many test questions plus 3, the platform's minimum for its quiz mode.
    crowd_units_per_assignment: int = Field(1, ge=1, le=20)
    # Most photos one worker may judge in a job (`job[max_judgments_per_worker]`);
    # unset: no cap.
    crowd_max_judgments_per_worker: int | None = Field(None, ge=1)
    # How webhooks are signed: `none` (2010's v1; use only with a secret webhook URL),
    # `api_key` (SHA1 of payload + API key) or `webhook_token` (SHA1 of payload + the
    # separate `crowd_webhook_token`, Appen's form).
    crowd_webhook_signature: SignatureMode = "api_key"
    # The secret of the `webhook_token` signature mode.
    crowd_webhook_token: SecretStr = SecretStr("")
    # Where the crowd delivers judgments (this service's /crowd/webhook).
    webhook_url: str = "http://127.0.0.1:8002/crowd/webhook"
    # Largest webhook body read (a unit_complete form is a few KB to a few hundred KB);
    # larger → 413 before the form is parsed.
    max_webhook_bytes: int = Field(1024 * 1024, ge=1024)
    # Lifetime of the presigned photo and original URLs of a unit or test question (7
    # days at most); test questions get fresh URLs after half of it.
    photo_url_seconds: int = Field(MAX_PRESIGNED_SECONDS, ge=60, le=MAX_PRESIGNED_SECONDS)

    # Which crowd judges the photos: `crowdflower` (the v1 API above) or `mturk` (Amazon
    # Mechanical Turk, the `mturk_*` settings below).
    crowd_provider: Literal["crowdflower", "mturk"] = "crowdflower"

    # Mechanical Turk (see services/moderation/crowd/mturk/work.py and the README).
    # Use the requester sandbox (no money moves) rather than production.
    mturk_sandbox: bool = True
    # The requester API endpoint of production (real money).
    mturk_production_url: str = "https://mturk-requester.us-east-1.amazonaws.com"
    # The requester API endpoint of the sandbox (test workers, no money).
    mturk_sandbox_url: str = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
    # Another endpoint (the local stand-in of `make run`); empty: production or sandbox.
    mturk_endpoint_url: str | None = None
    # Where the question's form posts the answers in production (MTurk's externalSubmit).
    mturk_production_submit_url: str = "https://www.mturk.com/mturk/externalSubmit"
    # Where the question's form posts the answers in the sandbox.
    mturk_sandbox_submit_url: str = "https://workersandbox.mturk.com/mturk/externalSubmit"
    # Another form target (a local stand-in); empty: production's or the sandbox's.
    mturk_submit_url: str | None = None
    # Reward per assignment, USD (the question takes about half a minute).
    mturk_reward_usd: Decimal = Field(Decimal("0.05"), ge=Decimal("0.01"))
    # Time a worker has for one assignment once accepted.
    mturk_assignment_seconds: int = Field(600, ge=30, le=24 * 3600)
    # Submitted assignments we neither approve nor reject are paid after this long.
    mturk_auto_approval_seconds: int = Field(3 * 24 * 3600, ge=0, le=30 * 24 * 3600)
    # A HIT is offered to workers this long (at most the photo URLs' lifetime).
    mturk_lifetime_seconds: int = Field(3 * 24 * 3600, ge=60, le=MAX_PRESIGNED_SECONDS)
    # Title of the HIT types (the video's name is added).
    mturk_title: str = "Compare a photo with a music video frame"
    # Description of the HIT types, shown to workers searching for work.
    mturk_description: str = "Say whether a visitor's photo mimics a frame of a music video."
    # Search keywords of the HIT types, comma-separated.
    mturk_keywords: str = "image, comparison, photo, music video, moderation"
    # Qualification requirements as a JSON list of MTurk's QualificationRequirement
    # objects. Default: approval rate >= 95 % and >= 100 approved HITs (MTurk's system
    # qualifications, which the local MTurk enforces too); `[]` for none.
    mturk_qualifications: list[Qualification] = Field(
        default_factory=lambda: list(DEFAULT_QUALIFICATIONS)
    )
    # MTurk's commission on the reward (what the spend records count).
    mturk_fee_rate: Decimal = Field(Decimal("0.20"), ge=0)
    # Extra commission for HITs of `mturk_big_hit_assignments` assignments or more.
    mturk_big_hit_fee_rate: Decimal = Field(Decimal("0.20"), ge=0)
    # Assignments per HIT from which the extra commission applies.
    mturk_big_hit_assignments: int = Field(10, ge=1)
    # MTurk's least commission per assignment, USD.
    mturk_min_fee_usd: Decimal = Field(Decimal("0.01"), ge=0)
    # Approve every readable assignment after the verdict, not only those agreeing
    # with it (contradictory answers are still rejected).
    mturk_approve_all: bool = False
    # Assignments a HIT short of quorum may reach in all through top-ups (a HIT created
    # with fewer than 10 never reaches 10: MTurk refuses it); then an operator decides.
    mturk_max_assignments: int = Field(9, ge=1)

    # Verdict rules (see services/moderation/reviews/verdicts.py).
    # At least this many trusted judgments decide.
    min_judgments: int = Field(3, ge=1)
    # Judgments of workers below this trust do not count.
    min_worker_trust: float = Field(0.7, ge=0.0, le=1.0)
    # Rejected for `nudity` when the weighted share saying so reaches this.
    max_nudity_share: float = Field(0.5, ge=0.0, le=1.0)
    # Rejected as `low_mimic` below this weighted mean rating (1..5).
    min_mimic_mean: float = Field(3.0, ge=1.0, le=5.0)
    # Rejected as `not_trying` below this weighted share saying someone tries.
    min_trying_share: float = Field(0.25, ge=0.0, le=1.0)

    # Automatic pre-screen on 0..255 luminance (see services/moderation/reviews/screening.py).
    prescreen_enabled: bool = True
    # Rejected as `blank_black` at or below this mean luminance.
    prescreen_max_black_mean: float = 16.0
    # Rejected as `blank_white` at or above this mean luminance.
    prescreen_min_white_mean: float = 240.0
    # Rejected as `blank_uniform` at or below this spread.
    prescreen_max_uniform_stddev: float = 6.0

    # Reconcile: collect judgments of every pending unit, retry failed unit creations.
    # Time between reconcile runs.
    reconcile_seconds: float = Field(3600.0, gt=0)
    # Expiry of the reconcile lock, which lets one replica run it. A pass renews it every
    # third of this, so a crashed holder blocks reconcile for at most this long; until
    # its first pass has run, a starting replica tries again every third of this.
    reconcile_lock_seconds: float = Field(15.0, gt=0)
    # Frames messages the feeder keeps waiting in each video's queue (leased ones are not
    # waiting): enough for a burst of visitors, small enough that a receive stays cheap.
    feed_window: int = Field(50, ge=1, le=1000)
    # Time between feeder passes (topping each video's window up).
    feed_seconds: float = Field(1.0, gt=0)
    # Time between sweeps: lost queues repaired, unsent offers resent.
    sweep_seconds: float = Field(30.0, gt=0)
    # Time between looks for newly imported videos (one S3 listing of originals/).
    discover_seconds: float = Field(5.0, gt=0)
    # An offered slot whose message id is still unknown this long after it was offered was
    # never sent (a crash between marking and sending): the sweep sends it.
    unsent_grace_seconds: float = Field(30.0, ge=0)
    # The hard maximum of a gateway lease: must equal `GATEWAY_MAX_LEASE_SECONDS` (one
    # default in shared/leases.py). A slot whose message was lost with its queue (the
    # local AWS restarted) is offered again only this long after the loss was seen, since
    # a visitor may hold a lease on it until then.
    max_lease_seconds: int = Field(MAX_LEASE_SECONDS, ge=1)
    # Pending reviews reconciled at once.
    reconcile_concurrency: int = Field(8, ge=1)
    # Steps owed after a decision are repaired by reconcile only after this long, so it
    # does not race the request that is still performing them.
    outbox_grace_seconds: float = Field(30.0, ge=0)

    # Long-poll wait of the queue consumer (SQS allows 20 at most).
    consumer_wait_seconds: int = Field(10, ge=0, le=20)
    # Visibility of a received message while it is handled.
    consumer_visibility_seconds: int = Field(120, ge=1)
    # Background loops get this long to stop at shutdown.
    background_stop_seconds: float = 5.0

    # Bearer token for the operator routes (takedown, restore, bulk revert, the report
    # queue, pending reviews, crowd spend); empty disables them.
    operator_token: SecretStr = SecretStr("")
    # Distinct visitors' reports that hide an approved photo at once, pending an
    # operator's review (it is taken down until restored); 0 never hides.
    report_hide_after: int = Field(3, ge=0)

    @model_validator(mode="after")
    def _has_webhook_secret(self) -> ModerationSettings:
        if self.crowd_webhook_signature == "webhook_token" and not (
            self.crowd_webhook_token.get_secret_value()
        ):
            raise ValueError("crowd_webhook_signature=webhook_token needs crowd_webhook_token")
        return self

    def mturk_url(self) -> str:
        """The requester API endpoint: the stand-in's, else the sandbox or production."""
        if self.mturk_endpoint_url:
            return self.mturk_endpoint_url
        return self.mturk_sandbox_url if self.mturk_sandbox else self.mturk_production_url

    def mturk_form_target(self) -> str:
        """Where the question's form posts."""
        if self.mturk_submit_url:
            return self.mturk_submit_url
        if self.mturk_sandbox:
            return self.mturk_sandbox_submit_url
        return self.mturk_production_submit_url

    def verdict_rules(self) -> VerdictRules:
        """The verdict thresholds (settings of the same names)."""
        return VerdictRules(**self.model_dump(include={f.name for f in fields(VerdictRules)}))

    def screening_rules(self) -> ScreeningRules:
        """The pre-screen thresholds."""
        return ScreeningRules(
            max_black_mean=self.prescreen_max_black_mean,
            min_white_mean=self.prescreen_min_white_mean,
            max_uniform_stddev=self.prescreen_max_uniform_stddev,
        )
