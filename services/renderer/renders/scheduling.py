"""When the next render is due: pure functions of clock readings, no I/O.

Debounce mode: a render runs once changes are pending, but no sooner than
``min_interval_seconds`` after the previous render started, and never later than
``max_delay_seconds`` after the first pending change. Schedule mode: renders run on a
fixed interval (hourly, like the original) when changes are pending. A
:class:`RenderAgenda` keeps those readings per video.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class RenderPolicy:
    """The debounce settings, in seconds."""

    mode: Literal["debounce", "schedule"]
    min_interval_seconds: float
    max_delay_seconds: float
    schedule_interval_seconds: float
    # After a failed render or publish, the next try is due this much later.
    retry_seconds: float = 60.0


@dataclass(frozen=True)
class PendingChanges:
    """Clock readings (monotonic seconds) about one video's unrendered changes."""

    first_change_at: float
    last_render_at: float | None
    forced: bool = False


def due_at(policy: RenderPolicy, pending: PendingChanges) -> float:
    """The monotonic time at which the pending changes should be rendered."""
    if pending.forced or pending.last_render_at is None:
        return pending.first_change_at
    if policy.mode == "schedule":
        return max(
            pending.first_change_at, pending.last_render_at + policy.schedule_interval_seconds
        )
    rate_limited = max(
        pending.first_change_at, pending.last_render_at + policy.min_interval_seconds
    )
    return min(rate_limited, pending.first_change_at + policy.max_delay_seconds)


def is_due(policy: RenderPolicy, pending: PendingChanges, now: float) -> bool:
    """Whether a render should start at ``now``."""
    return now >= due_at(policy, pending)


@dataclass
class RenderAgenda:
    """Each video's unrendered changes and when it last rendered (monotonic seconds)."""

    policy: RenderPolicy
    pending: dict[str, PendingChanges] = field(default_factory=dict)
    last_render_at: dict[str, float] = field(default_factory=dict)

    def note(self, video: str, at: float, *, forced: bool = False) -> None:
        """Remember a change of ``video`` at ``at`` (a forced one is due at once)."""
        before = self.pending.get(video)
        first = min(before.first_change_at, at) if before else at
        self.pending[video] = PendingChanges(
            first, self.last_render_at.get(video), forced or bool(before and before.forced)
        )

    def ready(self, now: float) -> str | None:
        """A video whose render is due at ``now``, if any."""
        return next((v for v, p in self.pending.items() if is_due(self.policy, p, now)), None)

    def wait_seconds(self, now: float) -> float | None:
        """Seconds until the next render is due; None when nothing is pending."""
        return min((due_at(self.policy, p) - now for p in self.pending.values()), default=None)

    def started(self, video: str, now: float) -> None:
        """A render of ``video`` started at ``now``: its pending changes are in it."""
        self.pending.pop(video, None)
        self.last_render_at[video] = now
