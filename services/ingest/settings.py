"""ingest settings, from ``INGEST_*`` environment variables (plus the shared AWS ones)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    """Where ingest listens and how it behaves."""

    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore", populate_by_name=True)

    port: int = 8001
