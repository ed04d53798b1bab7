"""A small time-based cache that serves the last good answer when the source fails.

Used for what the gateway reads from others (moderation's reviews, the published clip):
answers are reused for ``ttl_seconds``; after that the source is asked again, and if it
fails the last good answer is served (stale) rather than an error, for up to
``max_stale_seconds``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.errors import DependencyUnavailable

T = TypeVar("T")
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _Entry(Generic[T]):
    value: T
    fetched_at: float


class LastGoodCache(Generic[T]):
    """Fresh for ``ttl_seconds``; stale answers stand in for failures a while longer."""

    def __init__(
        self, ttl_seconds: float, max_stale_seconds: float, clock: Callable[[], float]
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_stale_seconds = max_stale_seconds
        self.clock = clock
        self._entries: OrderedDict[Hashable, _Entry[T]] = OrderedDict()

    async def get(self, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
        """The cached answer for ``key``, fetching it when it is no longer fresh."""
        now = self.clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry.fetched_at < self.ttl_seconds:
            return entry.value
        try:
            value = await fetch()
        except DependencyUnavailable:
            if entry is not None and now - entry.fetched_at < self.max_stale_seconds:
                return entry.value
            raise
        self._entries[key] = _Entry(value, now)
        self._entries.move_to_end(key)
        if len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)
        return value

    def forget(self, key: Hashable) -> None:
        """Drop the answer for ``key`` (its source changed because of us)."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        """Drop every answer (a deletion may show in any of them)."""
        self._entries.clear()
