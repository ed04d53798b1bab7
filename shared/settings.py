"""Settings base shared by every service.

Each service subclasses :class:`ServiceSettings` with its own env prefix
(``GATEWAY_``, ``INGEST_``, ...). Fields every service shares (AWS location and
credentials, resource names) carry explicit, unprefixed env names through
``validation_alias`` so one environment configures the whole stack.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_AWS_ENDPOINT_URL = "http://127.0.0.1:4566"
# Listener limits (:class:`~shared.listeners.ListenerLimits` defaults to the same).
MAX_HEADER_BYTES = 32 * 1024
HEADER_TIMEOUT_SECONDS = 10.0
BODY_TIMEOUT_SECONDS = 60.0


def _env(*names: str) -> Any:
    """Alias a field to fixed environment variable names (no service prefix)."""
    return AliasChoices(*names)


class AwsSettings(BaseSettings):
    """Where AWS is and which resources the project uses.

    ``aws_endpoint_url`` empty means real AWS. The embedded local stack sets one endpoint
    per service (botocore's own ``AWS_ENDPOINT_URL_<SERVICE>`` names): ministack for S3
    and SQS, dynalite for DynamoDB; tests may point all three at one moto server.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # The AWS region of every client.
    aws_region: str = Field("us-east-1", validation_alias=_env("AWS_REGION", "AWS_DEFAULT_REGION"))
    # Unset means real AWS; one local server for S3, SQS and DynamoDB (e.g. a moto server).
    # A per-service endpoint below wins over it.
    aws_endpoint_url: str | None = Field(None, validation_alias=_env("AWS_ENDPOINT_URL"))
    # S3's endpoint; unset means AWS_ENDPOINT_URL. The local stack sets ministack's URL.
    aws_endpoint_url_s3: str | None = Field(None, validation_alias=_env("AWS_ENDPOINT_URL_S3"))
    # SQS's endpoint; unset means AWS_ENDPOINT_URL. The local stack sets ministack's URL.
    aws_endpoint_url_sqs: str | None = Field(None, validation_alias=_env("AWS_ENDPOINT_URL_SQS"))
    # DynamoDB's endpoint; unset means AWS_ENDPOINT_URL. The local stack sets dynalite's URL.
    aws_endpoint_url_dynamodb: str | None = Field(
        None, validation_alias=_env("AWS_ENDPOINT_URL_DYNAMODB")
    )
    # When unset, boto's usual chain (instance or task role, profile) applies.
    aws_access_key_id: SecretStr | None = Field(None, validation_alias=_env("AWS_ACCESS_KEY_ID"))
    # When unset, boto's usual chain (instance or task role, profile) applies.
    aws_secret_access_key: SecretStr | None = Field(
        None, validation_alias=_env("AWS_SECRET_ACCESS_KEY")
    )
    # The session token of temporary keys (an assumed role, SSO): without it AWS refuses
    # them. When unset with the keys set, the keys are long-term ones.
    aws_session_token: SecretStr | None = Field(None, validation_alias=_env("AWS_SESSION_TOKEN"))
    # Connect timeout of every AWS call.
    aws_connect_timeout_seconds: float = Field(
        2.0, validation_alias=_env("OFOF_AWS_CONNECT_TIMEOUT_SECONDS")
    )
    # Read timeout of every AWS call.
    aws_read_timeout_seconds: float = Field(
        25.0, validation_alias=_env("OFOF_AWS_READ_TIMEOUT_SECONDS")
    )
    # Retries of a failed AWS call after the first attempt (botocore's standard mode).
    aws_max_attempts: int = Field(3, validation_alias=_env("OFOF_AWS_MAX_ATTEMPTS"))
    # Let `python -m shared.bootstrap` create the bucket, queues and tables: on for `make
    # run` and compose, off in production, where the CloudFormation stack creates them.
    # No service creates a resource either way; a missing one fails /readyz by name.
    bootstrap: bool = Field(False, validation_alias=_env("OFOF_BOOTSTRAP"))

    # The bucket of originals, submissions and clips.
    media_bucket: str = Field("ofof-media", validation_alias=_env("OFOF_MEDIA_BUCKET"))
    # Prefix of each video's frames queue (``{prefix}-{video}``): slots waiting for a
    # photo; a lease is a received message.
    frames_queue: str = Field("ofof-frames", validation_alias=_env("OFOF_FRAMES_QUEUE"))
    # Ingested submissions, for moderation.
    moderation_queue: str = Field("ofof-moderation", validation_alias=_env("OFOF_MODERATION_QUEUE"))
    # Verdicts, for the renderer.
    render_queue: str = Field("ofof-render", validation_alias=_env("OFOF_RENDER_QUEUE"))
    # Segments a render coordinator hands to encoder workers (renderer fan-out).
    segments_queue: str = Field("ofof-segments", validation_alias=_env("OFOF_SEGMENTS_QUEUE"))
    # Mechanical Turk's notifications (AssignmentSubmitted, HITReviewable), for moderation
    # when its crowd provider is `mturk`; MTurk's service principal may send to it.
    mturk_queue: str = Field("ofof-mturk", validation_alias=_env("OFOF_MTURK_QUEUE"))
    # Moderation's DynamoDB table.
    reviews_table: str = Field("ofof-reviews", validation_alias=_env("OFOF_REVIEWS_TABLE"))
    # The renderer's DynamoDB table.
    slots_table: str = Field("ofof-slots", validation_alias=_env("OFOF_SLOTS_TABLE"))
    # Receives before a moderation, render or segments message goes to its dead-letter
    # queue (set by bootstrap). The frames queue has no such limit: a lease is a receive.
    max_receive_count: int = Field(5, validation_alias=_env("OFOF_MAX_RECEIVE_COUNT"))


class ServiceSettings(AwsSettings):
    """Fields every service has; subclasses set ``env_prefix`` and their port default."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # The address to listen on; 0.0.0.0 only behind a load balancer.
    host: str = "127.0.0.1"
    # The port to listen on.
    port: int = 8000
    # Log level of every service (JSON lines on stderr).
    log_level: str = Field("INFO", validation_alias=_env("OFOF_LOG_LEVEL"))
    # /readyz fails a dependency that has not answered within this long.
    readiness_timeout_seconds: float = 2.0
    # uvicorn waits this long for in-flight requests after SIGTERM before closing them.
    shutdown_grace_seconds: float = 8.0
    # Largest request head (request line and headers) a listener reads; larger → 431, closed.
    max_header_bytes: int = Field(
        MAX_HEADER_BYTES, ge=1024, validation_alias=_env("OFOF_MAX_HEADER_BYTES")
    )
    # A request head must be whole within this long of the connection opening or of its
    # first byte; later → 408, closed.
    header_timeout_seconds: float = Field(
        HEADER_TIMEOUT_SECONDS, gt=0, validation_alias=_env("OFOF_HEADER_TIMEOUT_SECONDS")
    )
    # A request body must be whole within this long of its first read; later → 408,
    # closed (uploads have their own, shorter bound).
    body_timeout_seconds: float = Field(
        BODY_TIMEOUT_SECONDS, gt=0, validation_alias=_env("OFOF_BODY_TIMEOUT_SECONDS")
    )


def field_env_names(settings_cls: type[BaseSettings], field_name: str) -> list[str]:
    """The environment variable names that set one field, in the order they are read."""
    alias = settings_cls.model_fields[field_name].validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice).upper() for choice in alias.choices]
    if isinstance(alias, str):
        return [alias.upper()]
    prefix = str(settings_cls.model_config.get("env_prefix", ""))
    return [f"{prefix}{field_name}".upper()]


def env_names(settings_cls: type[BaseSettings]) -> set[str]:
    """Every environment variable name that sets a field of ``settings_cls``."""
    return {
        name for field in settings_cls.model_fields for name in field_env_names(settings_cls, field)
    }
