"""Bodies of the gateway's JSON API, named by role."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class LeaseCreated(BaseModel):
    """A frame reserved for this visitor: re-create ``original_url`` and upload it."""

    lease_id: str
    video: str
    frame: int
    original_url: str
    expires_at: datetime
    max_expires_at: datetime
    token: str


class LeaseExtended(BaseModel):
    """The lease after a heartbeat; use the new token from now on."""

    lease_id: str
    expires_at: datetime
    max_expires_at: datetime
    token: str


class PhotoAccepted(BaseModel):
    """The photo is stored; follow its review at ``status_url``."""

    submission_id: str
    status_url: str
