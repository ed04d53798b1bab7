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


def _env(*names: str) -> Any:
    """Alias a field to fixed environment variable names (no service prefix)."""
    return AliasChoices(*names)


class AwsSettings(BaseSettings):
    """Where AWS is and which resources the project uses.

    ``aws_endpoint_url`` empty means real AWS; the embedded local stack points it at
    the moto server on loopback.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    aws_region: str = Field("us-east-1", validation_alias=_env("AWS_REGION", "AWS_DEFAULT_REGION"))
    aws_endpoint_url: str | None = Field(None, validation_alias=_env("AWS_ENDPOINT_URL"))
    aws_access_key_id: SecretStr | None = Field(None, validation_alias=_env("AWS_ACCESS_KEY_ID"))
    aws_secret_access_key: SecretStr | None = Field(
        None, validation_alias=_env("AWS_SECRET_ACCESS_KEY")
    )
    aws_connect_timeout_seconds: float = Field(
        2.0, validation_alias=_env("OFOF_AWS_CONNECT_TIMEOUT_SECONDS")
    )
    aws_read_timeout_seconds: float = Field(
        25.0, validation_alias=_env("OFOF_AWS_READ_TIMEOUT_SECONDS")
    )
    aws_max_attempts: int = Field(3, validation_alias=_env("OFOF_AWS_MAX_ATTEMPTS"))

    media_bucket: str = Field("ofof-media", validation_alias=_env("OFOF_MEDIA_BUCKET"))
    frames_queue: str = Field("ofof-frames", validation_alias=_env("OFOF_FRAMES_QUEUE"))
    moderation_queue: str = Field("ofof-moderation", validation_alias=_env("OFOF_MODERATION_QUEUE"))
    render_queue: str = Field("ofof-render", validation_alias=_env("OFOF_RENDER_QUEUE"))
    reviews_table: str = Field("ofof-reviews", validation_alias=_env("OFOF_REVIEWS_TABLE"))
    slots_table: str = Field("ofof-slots", validation_alias=_env("OFOF_SLOTS_TABLE"))
    max_receive_count: int = Field(5, validation_alias=_env("OFOF_MAX_RECEIVE_COUNT"))


class ServiceSettings(AwsSettings):
    """Fields every service has; subclasses set ``env_prefix`` and their port default."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = Field("INFO", validation_alias=_env("OFOF_LOG_LEVEL"))
    readiness_timeout_seconds: float = 2.0
    # uvicorn waits this long for in-flight requests after SIGTERM before closing them.
    shutdown_grace_seconds: float = 8.0


def env_names(settings_cls: type[BaseSettings]) -> set[str]:
    """Every environment variable name that sets a field of ``settings_cls``."""
    prefix = str(settings_cls.model_config.get("env_prefix", "")).upper()
    names: set[str] = set()
    for field_name, field in settings_cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(choice).upper() for choice in alias.choices)
        elif isinstance(alias, str):
            names.add(alias.upper())
        else:
            names.add(f"{prefix}{field_name}".upper())
    return names
