"""gateway settings, from ``GATEWAY_*`` environment variables (plus the shared AWS ones)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """Where the gateway listens and where its neighbours are."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    port: int = 8000
    ingest_url: str = "http://127.0.0.1:8001"
    moderation_url: str = "http://127.0.0.1:8002"
    http_connect_timeout_seconds: float = 2.0
    http_read_timeout_seconds: float = 15.0
