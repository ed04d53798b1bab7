"""In-memory fakes of the renderer's ports (``services/renderer/renders/ports.py``).

They keep the rules the real adapters keep: a candidate is replaced only by a later
verdict, a slot choice is written only over the revision it was computed from, a lock
is held by one render at a time. The encoder writes tiny files instead of video.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from services.renderer.encoding.segments import clip_hash, plan_segments, segment_hash
from services.renderer.renders.clips import BlobRef, ClipInputs, RenderedClip
from services.renderer.renders.ports import Fetch
from services.renderer.renders.slots import Candidate, SlotChoice, supersedes
from shared.errors import DependencyUnavailable

Slot = tuple[str, int]


@dataclass
class MemorySlotStore:
    """Candidates and choices in dicts, with the DynamoDB adapter's conditions."""

    candidates_of: dict[Slot, dict[str, Candidate]] = field(default_factory=dict)
    choices: dict[Slot, SlotChoice] = field(default_factory=dict)
    state: dict[tuple[str, str], str] = field(default_factory=dict)
    # Saves still to lose to a (simulated) concurrent consumer that writes first.
    races_to_lose: int = 0
    saves: int = 0

    async def put_candidate(self, video: str, frame: int, candidate: Candidate) -> None:
        stored = self.candidates_of.setdefault((video, frame), {})
        if supersedes(candidate, stored.get(candidate.submission_id)):
            stored[candidate.submission_id] = candidate

    async def candidates(self, video: str, frame: int) -> list[Candidate]:
        return list(self.candidates_of.get((video, frame), {}).values())

    async def choice(self, video: str, frame: int) -> SlotChoice | None:
        return self.choices.get((video, frame))

    async def save_choice(self, video: str, frame: int, choice: SlotChoice) -> bool:
        current = self.choices.get((video, frame))
        if self.races_to_lose:
            self.races_to_lose -= 1
            rev = current.rev + 1 if current else 1
            self.choices[(video, frame)] = SlotChoice("someone-else", None, rev)
            return False
        if (current.rev if current else 0) != choice.rev - 1:
            return False
        self.choices[(video, frame)] = choice
        self.saves += 1
        return True

    async def filled_slots(self, video: str) -> dict[int, BlobRef]:
        return {
            frame: choice.photo
            for (v, frame), choice in self.choices.items()
            if v == video and choice.photo is not None
        }

    async def publish_state(self, video: str, target: str) -> str | None:
        return self.state.get((video, target))

    async def save_publish_state(self, video: str, target: str, value: str) -> None:
        self.state[(video, target)] = value


@dataclass
class RecordingPublisher:
    """A publish target that remembers each clip it took; ``failing`` makes it refuse."""

    name: str = "recording"
    failing: bool = False
    hashes: dict[str, str] = field(default_factory=dict)
    published: list[tuple[str, str, list[int]]] = field(default_factory=list)

    async def published_hash(self, video: str) -> str | None:
        return self.hashes.get(video)

    async def publish(
        self, clip: RenderedClip, version: str, built_at: datetime, filled_frames: list[int]
    ) -> None:
        if self.failing:
            raise DependencyUnavailable(self.name, f"{self.name} did not answer")
        self.hashes[clip.video] = clip.clip_hash
        self.published.append((clip.video, version, filled_frames))


@dataclass
class RecordingBlobCache:
    """Hands out a made-up local path per stored object and records what was asked for."""

    fetched: list[BlobRef] = field(default_factory=list)

    async def fetch_all(self, refs: list[BlobRef]) -> list[Path]:
        self.fetched.extend(refs)
        return [Path("/nonexistent") / ref.key for ref in refs]


@dataclass
class FakeClipEncoder:
    """Encodes nothing: hashes segments like the real encoder, writes tiny files.

    A segment counts as encoded the first time its hash is seen, as on a real disk.
    """

    folder: Path
    inputs: list[ClipInputs] = field(default_factory=list)
    encoded: set[str] = field(default_factory=set)

    async def render(self, inputs: ClipInputs, fetch: Fetch) -> RenderedClip:
        self.inputs.append(inputs)
        await fetch(list(inputs.frames))
        plans = plan_segments(len(inputs.frames), inputs.frames_per_segment)
        hashes = [
            segment_hash(
                p,
                list(inputs.frames[p.first_frame : p.first_frame + p.frame_count]),
                inputs.audio,
                inputs.encoder.fingerprint(),
            )
            for p in plans
        ]
        new = [h for h in hashes if h not in self.encoded]
        self.encoded.update(new)
        fps = inputs.encoder.fps
        return RenderedClip(
            video=inputs.video,
            clip_hash=clip_hash(hashes),
            frame_count=len(inputs.frames),
            duration_seconds=float(len(inputs.frames) / fps),
            init_path=self._file("init.mp4"),
            segment_paths=tuple(self._file(f"{h}.m4s") for h in hashes),
            segment_seconds=tuple(float(p.frame_count / fps) for p in plans),
            mp4_path=self._file("clip.mp4"),
            poster_path=self._file("poster.jpg"),
            encoded_segments=len(new),
            reused_segments=len(hashes) - len(new),
            render_seconds=0.01,
        )

    def _file(self, name: str) -> Path:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode())
        return path


@dataclass
class MemoryLocks:
    """Named locks in a set: ``lock_for(name)`` is the :data:`LockFactory`."""

    taken: set[str] = field(default_factory=set)

    def lock_for(self, name: str) -> MemoryLock:
        return MemoryLock(self, name)


@dataclass
class MemoryLock:
    locks: MemoryLocks
    name: str

    @asynccontextmanager
    async def held(self) -> AsyncIterator[bool]:
        if self.name in self.locks.taken:
            yield False
            return
        self.locks.taken.add(self.name)
        try:
            yield True
        finally:
            self.locks.taken.discard(self.name)


@dataclass
class FakeClock:
    """Monotonic seconds that move only when a test says so."""

    now: float = field(default_factory=time.monotonic)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
