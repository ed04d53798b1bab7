"""Where ingest keeps what only it reads in S3: each submission's photo claim and its
outbox marker, and the rendition keys it puts in a submission's record.

Both folders are outside ``submissions/{id}/`` on purpose: a submission's folder holds
what other services read (its renditions, its record; keyed in :mod:`shared.records`).
"""

from __future__ import annotations

from shared.messages import Renditions
from shared.records import rendition_key

RENDITION_NAMES = ("large", "medium", "thumb")
CLAIMS_PREFIX = "submission-claims/"
PENDING_ANNOUNCEMENTS_PREFIX = "submissions-pending/"


def renditions_of(submission_id: str) -> Renditions:
    """The three rendition keys of a submission."""
    return Renditions(**{name: rendition_key(submission_id, name) for name in RENDITION_NAMES})


def claim_key(submission_id: str) -> str:
    """S3 key of ingest's claim: the SHA-256 of the one photo a submission is made of.
    Created with ``If-None-Match: *`` before any rendition is written; never deleted."""
    return f"{CLAIMS_PREFIX}{submission_id}"


def pending_announcement_key(submission_id: str) -> str:
    """S3 key of ingest's outbox marker: written before the commit, deleted once the
    submission was announced, so its sweep lists only what may still need announcing."""
    return f"{PENDING_ANNOUNCEMENTS_PREFIX}{submission_id}.json"
