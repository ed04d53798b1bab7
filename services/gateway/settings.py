"""gateway settings, from ``GATEWAY_*`` environment variables (plus the shared ones)."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from shared.leases import MAX_LEASE_SECONDS
from shared.photos import MAX_PHOTO_BYTES, PHOTO_UPLOAD_SECONDS
from shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """Where the gateway listens, its neighbours, and the rules of leases and uploads."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    port: int = 8000
    # Where ingest answers; the gateway forwards photos there.
    ingest_url: str = "http://127.0.0.1:8001"
    # Where moderation's read API answers.
    moderation_url: str = "http://127.0.0.1:8002"
    # Connect timeout of calls to ingest and moderation.
    http_connect_timeout_seconds: float = 2.0
    # Read timeout of calls to ingest and moderation.
    http_read_timeout_seconds: float = 30.0
    # Total time the gateway keeps retrying a transient ingest failure.
    ingest_retry_seconds: float = 10.0

    # Shared with ingest, which verifies the same tokens. Required.
    lease_secret: SecretStr | None = Field(None, validation_alias=AliasChoices("OFOF_LEASE_SECRET"))
    # Visibility of a leased frame, per lease and per heartbeat.
    lease_seconds: int = 120
    # The hard maximum of a lease, heartbeats included. Moderation's
    # `MODERATION_MAX_LEASE_SECONDS` must be the same value (one default in shared/leases.py).
    max_lease_seconds: int = MAX_LEASE_SECONDS
    # Leases one IP may take per minute (per replica: the count lives in its memory).
    lease_rate_per_minute: int = 30
    # Peers (IPs or CIDRs, comma-separated) whose X-Forwarded-For/-Proto are believed: set
    # the load balancer's subnet, or every visitor shares its address's lease limit. Empty
    # trusts none.
    trusted_proxies: str = "127.0.0.1,::1"
    # `Retry-After` of the 503 when no frame is free.
    no_frame_retry_after_seconds: int = 15

    # Largest photo body (413 above it), checked while reading.
    max_upload_bytes: int = MAX_PHOTO_BYTES
    # A body that has not fully arrived after this long is cut off with 408.
    upload_timeout_seconds: float = PHOTO_UPLOAD_SECONDS

    # The video the home page features.
    video: str = "demo"
    # The home page's player: "hls" (the clip in S3) or "vimeo" (Vimeo's player, embedded
    # once the renderer's Vimeo publisher has uploaded the video; "hls" until then).
    featured_player: Literal["hls", "vimeo"] = "hls"
    # Origin of Vimeo's player, allowed in frames by the pages' CSP when featured.
    vimeo_player_origin: str = "https://player.vimeo.com"
    # How long answers from moderation are reused.
    reviews_cache_seconds: float = 2.0
    # How long the clip pointer is reused.
    clip_cache_seconds: float = 2.0
    # How long a last good answer may stand in while its source is down.
    max_stale_seconds: float = 300.0

    # The operators' console at /ops (off: every /ops route answers 403). It also needs
    # `operator_token`; keep /ops off the public edge (deploy/cloudformation does).
    ops_enabled: bool = True
    # The operator token: what an operator signs in to /ops with, and what the gateway
    # sends to moderation's and the renderer's operator routes. Empty turns /ops off.
    operator_token: SecretStr = SecretStr("")
    # Lifetime of a console session cookie.
    ops_session_seconds: int = Field(3600, ge=60, le=86400)
    # Where the renderer's API answers (render history, render now).
    renderer_url: str = "http://127.0.0.1:8003"
    # Queue depths are looked up this often for /metrics (ofof_queue_messages); 0 only
    # when the console is opened.
    queue_gauge_seconds: float = Field(60.0, ge=0)
    # Reports one IP may file per minute (per replica, like the lease limit).
    report_rate_per_minute: int = Field(10, ge=1)

    # Mark the cookies Secure; set true behind HTTPS.
    cookie_secure: bool = False
    # Lifetime of the visitor's client-id cookie (one year).
    client_cookie_max_age_seconds: int = 365 * 24 * 3600

    # Signs "keep my frames" links (HMAC-SHA256). Unset: derived from OFOF_LEASE_SECRET.
    # Changing it voids every link handed out.
    keep_secret: SecretStr | None = None
    # The site's public origin for share links and Open Graph tags (e.g.
    # https://ofof.example); empty: the origin each request came to.
    public_url: str = ""
    # Deletions one visitor (client id) may make per minute (per replica).
    delete_rate_per_minute: int = 20

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        # uvicorn would take a typo for a host name that never matches, and `*` makes it
        # believe the leftmost entry, which any visitor can write: refuse both here.
        for entry in proxy_list(value):
            ipaddress.ip_network(entry, strict=False)
        return value

    def trusted_proxy_list(self) -> list[str]:
        """:attr:`trusted_proxies` as uvicorn's ``forwarded_allow_ips``."""
        return proxy_list(self.trusted_proxies)


def proxy_list(value: str) -> list[str]:
    """The entries of a comma-separated list, without blanks."""
    return [entry.strip() for entry in value.split(",") if entry.strip()]
