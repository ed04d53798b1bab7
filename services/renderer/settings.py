"""renderer settings, from ``RENDERER_*`` environment variables (plus the shared AWS ones)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RendererSettings(ServiceSettings):
    """Where renderer listens and how it behaves."""

    model_config = SettingsConfigDict(env_prefix="RENDERER_", extra="ignore", populate_by_name=True)

    port: int = 8003
    # Local disk: the photo/original cache, encoded segments and assembled clips.
    work_dir: Path = Path("var/renderer")
    cache_max_bytes: int = 2_000_000_000
    # Encoding: fixed segments, each an independent closed GOP.
    segment_seconds: float = Field(2.0, gt=0)
    x264_preset: str = "veryfast"
    x264_crf: int = Field(23, ge=0, le=51)
    # Worker processes encoding segments in parallel, and x264 threads in each.
    encode_processes: int = Field(2, ge=1)
    x264_threads: int = Field(2, ge=1)
    # When renders run: "debounce" (after changes) or "schedule" (every interval).
    render_mode: Literal["debounce", "schedule"] = "debounce"
    min_interval_seconds: float = 30.0
    max_delay_seconds: float = 300.0
    schedule_interval_seconds: float = 3600.0
    render_lock_seconds: float = 600.0
    # Publishing: which targets, how many old S3 versions to keep, retry of failed ones.
    publishers: tuple[Literal["s3", "blip"], ...] = ("s3",)
    retained_versions: int = Field(3, ge=1)
    publish_retry_seconds: float = 60.0
    blip_base_url: str = "http://127.0.0.1:8090"
    blip_userlogin: str = ""
    blip_password: SecretStr = SecretStr("")
    blip_timeout_seconds: float = 120.0
    # Bearer token for POST /renders; empty disables the route.
    operator_token: SecretStr = SecretStr("")
    default_video: str = "demo"
