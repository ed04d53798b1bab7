import pytest

from services.gateway.core.caching import LastGoodCache
from shared.errors import DependencyUnavailable, NotFound


class Source:
    def __init__(self):
        self.calls = 0
        self.down = False

    async def fetch(self):
        self.calls += 1
        if self.down:
            raise DependencyUnavailable("moderation", "down")
        return f"answer-{self.calls}"


async def test_fresh_answers_are_reused_until_the_ttl_passes():
    now = [0.0]
    cache = LastGoodCache(ttl_seconds=2, max_stale_seconds=60, clock=lambda: now[0])
    source = Source()
    assert await cache.get("k", source.fetch) == "answer-1"
    now[0] = 1.9
    assert await cache.get("k", source.fetch) == "answer-1"
    now[0] = 2.0
    assert await cache.get("k", source.fetch) == "answer-2"


async def test_the_last_good_answer_is_served_while_the_source_is_down():
    now = [0.0]
    cache = LastGoodCache(ttl_seconds=2, max_stale_seconds=60, clock=lambda: now[0])
    source = Source()
    await cache.get("k", source.fetch)
    source.down = True
    now[0] = 30
    assert await cache.get("k", source.fetch) == "answer-1"
    now[0] = 61
    with pytest.raises(DependencyUnavailable):
        await cache.get("k", source.fetch)


async def test_other_errors_are_not_hidden_by_the_cache():
    cache = LastGoodCache(ttl_seconds=2, max_stale_seconds=60, clock=lambda: 0.0)

    async def missing():
        raise NotFound("nope")

    with pytest.raises(NotFound):
        await cache.get("k", missing)
