"""When the next render is due: pure functions of clock readings, no I/O.

Debounce mode: a render runs once changes are pending, but no sooner than
``min_interval_seconds`` after the previous render started, and never later than
``max_delay_seconds`` after the first pending change. Schedule mode: renders run on a
fixed interval (hourly, like the original) when changes are pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class RenderPolicy:
    """The debounce settings, in seconds."""

    mode: Literal["debounce", "schedule"]
    min_interval_seconds: float
    max_delay_seconds: float
    schedule_interval_seconds: float


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
