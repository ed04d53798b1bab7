"""The contributors' use cases, over their own ports and the core's showcase: a
visitor's own frames and their deletion, the live notice, keep-my-frames links, share
previews and images, the credits and the clip's history.

No HTTP here; Pillow runs in a thread.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from services.gateway.contributors.keeplinks import keep_key, keep_token, kept_client
from services.gateway.contributors.ports import ContributorPorts
from services.gateway.contributors.previews import Preview, absolute
from services.gateway.contributors.schemas import (
    ClipHistory,
    Credit,
    Credits,
    HistoricClip,
    MySubmission,
    MySubmissions,
    News,
)
from services.gateway.contributors.sharecards import share_card
from services.gateway.core.caching import LastGoodCache
from services.gateway.core.links import frame_url, is_submission_id, media_url
from services.gateway.core.ports import Clock
from services.gateway.core.ratelimits import RATE_WINDOW_SECONDS, SlidingWindowLimiter
from services.gateway.core.schemas import ClipFiles, ClipStatus, SubmissionStatus
from services.gateway.core.usecases import Showcase
from services.gateway.settings import GatewaySettings
from shared.errors import NotFound, RateLimited
from shared.records import (
    ClipPointer,
    ReviewView,
    clip_facts_key,
    clips_prefix,
    original_key,
    share_image_key,
)

NOT_SHAREABLE = "no such shared photo"
# Share images change only by deletion (which removes them): browsers may keep them.
SHARE_CACHE = "public, max-age=86400"
ANONYMOUS = "an anonymous visitor"


def share_url(submission_id: str) -> str:
    """The share page of an approved photo."""
    return f"/s/{submission_id}"


def share_image_url(submission_id: str) -> str:
    """The share image (``og:image``) of an approved photo."""
    return f"/s/{submission_id}/image.jpg"


def player_url(video: str, seconds: float) -> str:
    """The video's page, its player deep-linked to ``seconds`` (home.js reads ``#t=``)."""
    return f"/v/{video}#t={seconds:.2f}"


def live_seconds(review: ReviewView, clip: ClipStatus, shown: set[str]) -> float | None:
    """Where ``review``'s photo plays in the published clip, or None if it does not (yet)."""
    published = clip.clip
    if review.status != "approved" or review.submission_id not in shown or published is None:
        return None
    if review.frame not in clip.filled_frames or review.decided_at is None:
        return None
    if published.built_at < review.decided_at:
        return None
    return round(review.frame / clip.fps, 2)


def changed_frames(before: ClipPointer, after: ClipPointer) -> int:
    """Frames that went from original to photo, or back, between two versions (a photo
    replacing another in the same frame is not told apart by the pointers)."""
    return len(set(before.filled_frames) ^ set(after.filled_frames))


class Contributors:
    """A visitor's own frames, sharing, credits and the clip's history. ``clock`` gives
    epoch seconds, ``monotonic`` the ages of cached lists; tests pass one fake clock."""

    def __init__(
        self,
        ports: ContributorPorts,
        showcase: Showcase,
        settings: GatewaySettings,
        clock: Clock = time.time,
        monotonic: Clock = time.monotonic,
    ) -> None:
        self.ports, self.showcase, self.clock = ports, showcase, clock
        derived = settings.keep_secret is None
        secret = settings.keep_secret or settings.lease_secret
        if secret is None:
            raise RuntimeError("OFOF_LEASE_SECRET must be set")
        self.keep_key = keep_key(secret.get_secret_value().encode(), derived)
        self.deletes = SlidingWindowLimiter(settings.delete_rate_per_minute, RATE_WINDOW_SECONDS)
        cache = (settings.reviews_cache_seconds, settings.max_stale_seconds, monotonic)
        # A visitor's list and the credits: cleared with the showcase's on a deletion.
        self.review_lists = LastGoodCache[list[ReviewView]](*cache)

    # My frames.

    async def my_submissions(self, client_id: str) -> MySubmissions:
        """Every submission of this visitor moderation knows, newest first."""
        reviews = await self.review_lists.get(
            ("client", client_id), lambda: self.ports.reviews.of_client(client_id)
        )
        videos = {review.video for review in reviews}
        clips = {video: await self.showcase.clip(video) for video in videos}
        shown = {video: await self._shown(video) for video in videos}
        return MySubmissions(
            submissions=[
                self._mine(review, clips[review.video], shown[review.video]) for review in reviews
            ]
        )

    def _mine(self, review: ReviewView, clip: ClipStatus, shown: set[str]) -> MySubmission:
        status = SubmissionStatus.of_review(review)
        seconds = live_seconds(review, clip, shown)
        approved = review.status == "approved"
        return MySubmission(
            **status.model_dump(),
            created_at=review.created_at,
            decided_at=review.decided_at,
            share_url=share_url(review.submission_id) if approved else None,
            live_at_seconds=seconds,
            player_url=player_url(review.video, seconds) if seconds is not None else None,
        )

    async def _shown(self, video: str) -> set[str]:
        return {review.submission_id for review in await self._credits(video)}

    async def news(self, client_id: str, since: datetime) -> News:
        """This visitor's photos live in a clip published after ``since``: each photo
        is told once a new clip shows it (pages drop the ones they already told)."""
        now = datetime.fromtimestamp(self.clock(), since.tzinfo)
        mine = (await self.my_submissions(client_id)).submissions
        fresh = {s.video for s in mine if await self._published_after(s.video, since)}
        live = [s for s in mine if s.live_at_seconds is not None and s.video in fresh]
        return News(now=now, live=live)

    async def _published_after(self, video: str, since: datetime) -> bool:
        published = (await self.showcase.clip(video)).clip
        # Published, not built: a render started before the last poll may end after it.
        return published is not None and published.published_at > since

    async def delete(self, client_id: str, submission_id: str) -> None:
        """Withdraw one of this visitor's photos (NotFound alike for anyone else's)."""
        if not is_submission_id(submission_id):
            raise NotFound("no such submission of yours")
        retry_after = self.deletes.retry_after(client_id, self.clock())
        if retry_after is not None:
            raise RateLimited("too many deletions; try again soon", retry_after_seconds=retry_after)
        await self.ports.reviews.delete(client_id, submission_id)
        # Gone from this replica's pages at once (others follow within the cache's ttl).
        self.review_lists.clear()
        self.showcase.forget(submission_id)

    def keep_link(self, client_id: str) -> str:
        """The path of this visitor's keep-my-frames link."""
        return f"/keep/{keep_token(self.keep_key, client_id)}"

    def kept_client(self, token: str) -> str | None:
        """The client id a keep link carries, if it is genuine."""
        return kept_client(self.keep_key, token)

    # Sharing.

    async def shared(self, submission_id: str) -> ReviewView:
        """An approved photo (taken down, deleted, pending or unknown: NotFound)."""
        if not is_submission_id(submission_id):
            raise NotFound(NOT_SHAREABLE)
        try:
            review = await self.ports.reviews.review(submission_id)
        except NotFound:
            raise NotFound(NOT_SHAREABLE) from None
        if review.status != "approved":
            raise NotFound(NOT_SHAREABLE)
        return review

    def share_preview(self, review: ReviewView, base_url: str) -> Preview:
        """The link preview of an approved photo."""
        name = review.display_name or ANONYMOUS
        return Preview(
            title=f"Frame {review.frame + 1} of {review.video}, re-made by {name}",
            description=f"{name} re-made one frame of the crowd-made video {review.video}.",
            url=absolute(base_url, share_url(review.submission_id)),
            image=absolute(base_url, share_image_url(review.submission_id)),
            image_alt=f"A photo by {name} beside the original frame {review.frame + 1}",
        )

    async def share_image(self, submission_id: str) -> bytes:
        """The share image of an approved photo, made once and kept in the bucket."""
        review = await self.shared(submission_id)
        key = share_image_key(submission_id)
        if (stored := await self.ports.objects.find(key)) is not None:
            return stored
        photo = await self.ports.objects.get(review.medium_key)
        original = await self.ports.objects.get(original_key(review.video, review.frame))
        card = await asyncio.to_thread(share_card, photo.data, original.data)
        await self.ports.objects.put(key, card, "image/jpeg", cache_control=SHARE_CACHE)
        return card

    async def frame_preview(self, video: str, frame: int, base_url: str) -> Preview:
        """The link preview of a frame page: its best photo's share image, else the original."""
        slot = await self.showcase.slot(video, frame)
        best = slot.photos[0] if slot.photos else None
        name = (best.display_name or ANONYMOUS) if best else None
        image = share_image_url(best.submission_id) if best else slot.original_url
        return Preview(
            title=f"Frame {frame + 1} of {video}",
            description=f"Re-made by {name}." if name else "Nobody has re-made this frame yet.",
            url=absolute(base_url, frame_url(video, frame)),
            image=absolute(base_url, image),
            image_alt=f"Frame {frame + 1} of {video}",
        )

    # Credits and history.

    async def _credits(self, video: str) -> list[ReviewView]:
        return await self.review_lists.get(
            ("credits", video), lambda: self.ports.reviews.credits(video)
        )

    async def credits(self, video: str) -> Credits:
        """Who made each re-made frame of ``video``, in frame order."""
        await self.showcase.video(video)
        credits = [
            Credit(
                frame=review.frame,
                display_name=review.display_name,
                thumb_url=media_url(review.thumb_key),
                frame_url=frame_url(review.video, review.frame),
            )
            for review in await self._credits(video)
        ]
        return Credits(video=video, credits=credits)

    async def history(self, video: str) -> ClipHistory:
        """The retained published versions of ``video``'s clip, newest first."""
        await self.showcase.video(video)
        folders = await self.ports.objects.prefixes(clips_prefix(video))
        names = [folder.removeprefix(clips_prefix(video)).strip("/") for folder in folders]
        found = [
            await self.ports.objects.find_record(clip_facts_key(video, name), ClipPointer)
            for name in names
        ]
        pointers = sorted((p for p in found if p is not None), key=lambda p: p.built_at)
        versions = [
            HistoricClip(
                **ClipFiles.files(p),
                filled_slots=p.filled_slots,
                remade=changed_frames(pointers[i - 1], p) if i else None,
            )
            for i, p in enumerate(pointers)
        ]
        return ClipHistory(video=video, versions=versions[::-1])
