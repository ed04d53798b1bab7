"""renderer settings, from ``RENDERER_*`` environment variables (plus the shared AWS ones)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RendererSettings(ServiceSettings):
    """Where renderer listens and how it behaves."""

    model_config = SettingsConfigDict(env_prefix="RENDERER_", extra="ignore", populate_by_name=True)

    port: int = 8003
