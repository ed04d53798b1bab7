"""importer settings, from ``IMPORTER_*`` environment variables (plus the shared AWS ones)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from importer.usecases import UPLOADS_IN_FLIGHT
from shared.settings import AwsSettings


class ImporterSettings(AwsSettings):
    """Where the importer writes and how hard it pushes."""

    model_config = SettingsConfigDict(env_prefix="IMPORTER_", extra="ignore", populate_by_name=True)

    log_level: str = Field("INFO", validation_alias=AliasChoices("OFOF_LOG_LEVEL"))
    # Frame uploads to S3 running at once; decoding stays ahead of them.
    uploads_in_flight: int = Field(UPLOADS_IN_FLIGHT, ge=1)
