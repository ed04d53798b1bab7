"""The core's ports: what rendering needs from the outside world, in its words.

Adapters: the slot store and the disk cache in :mod:`services.renderer.renders.adapters`,
the clip encoder in :mod:`services.renderer.encoding`, the clip publishers in
:mod:`services.renderer.publishing`; in-memory fakes of every port in
``tests/fakes/renderer.py``. Stored objects go through :class:`shared.objects.ObjectStore`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path
from typing import Protocol

from services.renderer.renders.clips import BlobRef, ClipInputs, RenderedClip
from services.renderer.renders.slots import Candidate, SlotChoice

# Local paths of stored objects, in the order asked for (a :meth:`BlobCache.fetch_all`).
Fetch = Callable[[list[BlobRef]], Awaitable[list[Path]]]


class SlotStore(Protocol):
    """Every verdict as a slot candidate, and each slot's current choice.

    Both writes are conditional, so concurrent consumers never lose an update.
    """

    async def put_candidate(self, video: str, frame: int, candidate: Candidate) -> None:
        """Store ``candidate`` unless a later verdict about its submission is stored."""
        ...

    async def candidates(self, video: str, frame: int) -> list[Candidate]:
        """Every candidate of one slot (strongly consistent)."""
        ...

    async def choice(self, video: str, frame: int) -> SlotChoice | None:
        """What the slot shows now; None before its first verdict."""
        ...

    async def save_choice(self, video: str, frame: int, choice: SlotChoice) -> bool:
        """Store ``choice`` only over revision ``choice.rev - 1`` (or none); False if not."""
        ...

    async def filled_slots(self, video: str) -> dict[int, BlobRef]:
        """Frame → photo of every slot that shows a photo instead of its original."""
        ...


class PublishState(Protocol):
    """Where a publisher keeps what it must remember per video (e.g. Blip's item id)."""

    async def publish_state(self, video: str, target: str) -> str | None: ...

    async def save_publish_state(self, video: str, target: str, value: str) -> None: ...


class ClipPublisher(Protocol):
    """A place a rendered clip is published to."""

    name: str

    async def published_hash(self, video: str) -> str | None:
        """The clip hash this target has now, as far as it knows."""
        ...

    async def publish(
        self, clip: RenderedClip, version: str, built_at: datetime, filled_frames: list[int]
    ) -> None:
        """Make ``clip`` the target's current clip of its video."""
        ...


class Downloader(Protocol):
    """Writes one stored object to a local file and returns its ETag."""

    async def download(self, key: str, path: Path) -> str: ...


class BlobCache(Protocol):
    """Stored objects as local files, each downloaded once."""

    async def fetch_all(self, refs: list[BlobRef]) -> list[Path]:
        """Local paths of every ``ref``, in order."""
        ...


class ClipEncoder(Protocol):
    """Turns a clip's inputs into encoded segments and an assembled MP4 on local disk."""

    async def render(self, inputs: ClipInputs, fetch: Fetch) -> RenderedClip:
        """Encode what changed since the last render, assemble, describe the result."""
        ...


class Lock(Protocol):
    """A named lock with expiry, shared by every replica."""

    def held(self) -> AbstractAsyncContextManager[bool]:
        """``async with lock.held() as got:`` — ``got`` says whether we hold it."""
        ...


LockFactory = Callable[[str], Lock]
