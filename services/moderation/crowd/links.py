"""Photo links checked before the crowd is asked (a service-layer helper of the core).

A crowd task shows the photo and the original frame by presigned URLs. When the store
blinks, workers see broken images; so before a unit or a HIT is ordered (and before
more work is asked for one), moderation loads each link the task shows
(:class:`~.ports.LinkProbe`). A link that does not load holds the order back: the review
waits and reconcile tries again, logged and counted (``ofof_photo_links_down``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from services.moderation.reviews.ports import CrowdUnavailable, LinkProbe
from shared.metrics import Observer, Tally

log = logging.getLogger(__name__)


class PhotoLinkDown(CrowdUnavailable):
    """A crowd task was not ordered: a photo link it shows does not load (retried later)."""

    def __init__(self, submission_id: str) -> None:
        super().__init__(f"a photo link of {submission_id} does not load", transient=False)


class PhotoLinks:
    """Checks that the links a crowd task shows load."""

    def __init__(self, probe: LinkProbe, observer: Observer | None = None) -> None:
        self.probe = probe
        # Tasks held back (/metrics).
        self.observer: Observer = observer or Tally()

    async def load(self, submission_id: str, urls: Sequence[str]) -> bool:
        """Do all ``urls`` load now? When one does not, say so once (a warning, a count)."""
        results = await asyncio.gather(*(self.probe.loads(url) for url in urls))
        if all(results):
            return True
        log.warning(
            "a photo link of the crowd task does not load; not ordered yet, reconcile retries",
            extra={"submission_id": submission_id, "links_down": results.count(False)},
        )
        self.observer.count("ofof_photo_links_down")
        return False
