"""Local Vimeo settings, from ``VIMEO_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class VimeoSimSettings(BaseSettings):
    """Where the local Vimeo listens and what it accepts."""

    model_config = SettingsConfigDict(env_prefix="VIMEO_", extra="ignore")

    # The address the local Vimeo listens on.
    host: str = "127.0.0.1"
    # The port the local Vimeo listens on.
    port: int = 8005
    # The one access token it accepts (``Authorization: Bearer …``). It must be set.
    access_token: SecretStr = SecretStr("")
    # Base of the links it hands out (upload links, video pages, the player); empty means
    # http://{host}:{port}.
    public_url: str = ""
    # A version whose bytes are all in becomes what the player shows this long later.
    transcode_seconds: float = Field(0.5, ge=0.0)
    # The largest upload.size it accepts (one source file, held in memory).
    max_upload_bytes: int = Field(1_000_000_000, ge=1)
    # Log level (JSON lines on stderr).
    log_level: str = "INFO"
    # The SQLite file keeping videos, versions and uploads across restarts, their bytes
    # in uploads/ beside it (`make run`: var/vimeo/vimeo.sqlite3). Unset: in memory only.
    state_path: Path | None = None

    def base_url(self) -> str:
        """Where clients reach it."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
