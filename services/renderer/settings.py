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
    # Bound of the on-disk cache; it must hold one clip's inputs.
    cache_max_bytes: int = 2_000_000_000
    # Encoding: fixed segments, each an independent closed GOP.
    segment_seconds: float = Field(2.0, gt=0)
    # x264 preset.
    x264_preset: str = "veryfast"
    # x264 constant rate factor (0..51, lower is better quality).
    x264_crf: int = Field(23, ge=0, le=51)
    # Worker processes encoding segments in parallel.
    encode_processes: int = Field(2, ge=1)
    # x264 frame threads in each worker process. One: the worker processes already keep
    # every core busy, and a single-threaded x264 has no frame-thread hand-offs
    # (docs/benchmarks.md measures 2 processes x 1 thread against 2 x 2). A render with
    # fewer changed segments than processes gives each the idle processes' threads.
    x264_threads: int = Field(1, ge=1)
    # Resolution ladder: the heights the clip is published at, as a JSON list such as
    # [360,720,1080] (HLS master playlist + the MP4 of the top rung); heights above the
    # video's are dropped; empty: the video's own height only.
    ladder_heights: tuple[int, ...] = ()
    # Fan-out: hand changed segments to encoder workers (`python -m services.renderer
    # worker`) over the segments queue; off: this process encodes everything itself.
    fan_out: bool = False
    # Fan-out: once no fragment has arrived for this long, the coordinator encodes the
    # rest itself (dead or missing workers).
    fan_out_stall_seconds: float = Field(30.0, gt=0)
    # Fan-out: how often the coordinator lists the fragments workers stored.
    fan_out_poll_seconds: float = Field(0.1, gt=0)
    # Fan-out: a worker drops an order older than this (its coordinator is long done).
    fan_out_order_ttl_seconds: float = Field(900.0, gt=0)
    # An encoder worker's port (health endpoints only).
    worker_port: int = 8013
    # When renders run: "debounce" (after changes) or "schedule" (every interval).
    render_mode: Literal["debounce", "schedule"] = "debounce"
    # Debounce: at most one render per this long.
    min_interval_seconds: float = 30.0
    # Debounce: a render runs at most this long after the first pending change.
    max_delay_seconds: float = 300.0
    # Schedule mode: time between renders.
    schedule_interval_seconds: float = 3600.0
    # Expiry of the per-video render lock. A render renews it every third of this, so a
    # crashed renderer blocks the next render of its video for at most this long.
    render_lock_seconds: float = Field(15.0, gt=0)
    # Publishing targets, as a JSON list of `s3`, `blip` and `vimeo`.
    publishers: tuple[Literal["s3", "blip", "vimeo"], ...] = ("s3",)
    # Clip versions kept in S3; older ones are deleted after each pointer swap.
    retained_versions: int = Field(3, ge=1)
    # A failed render or publisher is retried after this long.
    publish_retry_seconds: float = 60.0
    # Blip publisher: the Blip-compatible host.
    blip_base_url: str = "http://127.0.0.1:8090"
    # Blip publisher: user login.
    blip_userlogin: str = ""
    # Blip publisher: password.
    blip_password: SecretStr = SecretStr("")
    # Blip publisher: timeout of one call.
    blip_timeout_seconds: float = 120.0
    # Vimeo publisher: the API root (the local Vimeo of `make run` sets its own).
    vimeo_api_url: str = "https://api.vimeo.com"
    # Vimeo publisher: an access token with the scopes public, private, edit and upload.
    vimeo_access_token: SecretStr = SecretStr("")
    # Vimeo publisher: the video's title when it is created; {video} is the video name.
    vimeo_title: str = "One Frame Of Fame: {video}"
    # Vimeo publisher: the video's description when it is created.
    vimeo_description: str = "A music video re-made by the crowd, one frame at a time."
    # Vimeo publisher: who may watch on vimeo.com (Vimeo's privacy.view).
    vimeo_privacy_view: Literal[
        "anybody", "contacts", "disable", "nobody", "password", "unlisted", "users"
    ] = "anybody"
    # Vimeo publisher: whether other sites (our home page) may embed the player.
    vimeo_privacy_embed: Literal["public", "private"] = "public"
    # Vimeo publisher: bound of each step of a publish (create, upload, replace, status).
    vimeo_timeout_seconds: float = Field(900.0, gt=0)
    # Bearer token for POST /renders; empty disables the route.
    operator_token: SecretStr = SecretStr("")
    # The video of /clip and /renders/latest without ?video=.
    default_video: str = "demo"
