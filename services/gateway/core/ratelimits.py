"""A sliding-window rate limit per key (client IP). Pure: the clock is a parameter.

Kept in the memory of each gateway replica: with N replicas behind a balancer the
effective limit per IP is at most N times the setting, which is acceptable for lease
creation (leases are also bounded by the frames queue itself).
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque

MAX_TRACKED_KEYS = 100_000
# The window of every per-minute limit (leases, deletions, reports, sign-ins).
RATE_WINDOW_SECONDS = 60.0


class SlidingWindowLimiter:
    """At most ``limit`` events per ``window_seconds`` for each key."""

    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, key: str, now: float) -> int | None:
        """Record an event for ``key``; None if allowed, else seconds until it would be."""
        events = self._events.pop(key, None) or deque()
        while events and events[0] <= now - self.window_seconds:
            events.popleft()
        self._events[key] = events  # most recently used last
        if len(self._events) > MAX_TRACKED_KEYS:
            self._events.popitem(last=False)
        if len(events) >= self.limit:
            return max(1, math.ceil(events[0] + self.window_seconds - now))
        events.append(now)
        return None
