"""moderation settings, from ``MODERATION_*`` environment variables (plus the shared AWS ones)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ModerationSettings(ServiceSettings):
    """Where moderation listens and how it behaves."""

    model_config = SettingsConfigDict(
        env_prefix="MODERATION_", extra="ignore", populate_by_name=True
    )

    port: int = 8002
