"""The goals / recent-activities cache: the same assertions on memory and, when given, Redis."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from redis.asyncio import Redis

from fittrack.server.cache import Cache, MemoryCache, RedisCache

MakeCache = Callable[[], AbstractAsyncContextManager[Cache]]


def redis_url() -> str:
    url = os.environ.get("FITTRACK_TEST_REDIS_URL")
    if not url:
        pytest.skip("FITTRACK_TEST_REDIS_URL is not set: the Redis tests need a Redis server")
    return url


@pytest.fixture(params=["memory", "redis"])
def make_cache(request: pytest.FixtureRequest) -> MakeCache:
    """Makes a cache inside the test's event loop (a Redis client belongs to one loop)."""
    url = redis_url() if request.param == "redis" else None

    @asynccontextmanager
    async def make() -> AsyncIterator[Cache]:
        if url is None:
            yield MemoryCache(last_n=20)
            return
        prefix = f"fittrack-test:{uuid.uuid4().hex}:"
        client = Redis.from_url(url)
        try:
            yield RedisCache(client, prefix, last_n=20, ttl_s=60)
        finally:
            keys = [key async for key in client.scan_iter(match=prefix + "*")]
            if keys:
                await client.delete(*keys)
            await client.aclose()

    return make


def activity(i: int) -> dict[str, Any]:
    return {
        "id": f"{i:08d}-9a7d-4e21-b8a0-1c2d3e4f5a6b",
        "type": "run",
        "start": "2024-05-01T07:30:00+02:00",
        "durationSeconds": 2700,
        "distanceMeters": 8500.5,
        "calories": 612.3,
        "notes": "easy run by the river — 🏃",
        "laps": [{"n": 1, "s": 300}],
        "deleted": False,
        "heartRate": None,
    }


GOALS = [{"id": "g1", "metric": "distance", "target": 100000, "period": "month"}]
RECENT = [activity(i) for i in range(20)]


def test_miss_set_hit(make_cache: MakeCache) -> None:
    async def body() -> None:
        async with make_cache() as cache:
            assert cache.last_n == 20
            assert await cache.get_recent("u1") is None
            assert (cache.hits, cache.misses) == (0, 1)
            await cache.set_recent("u1", RECENT)
            assert await cache.get_recent("u1") == RECENT
            assert await cache.get_recent("u1") == RECENT
            assert (cache.hits, cache.misses) == (2, 1)
            await cache.set_recent("u1", [])  # an empty list is a value, not a miss
            assert await cache.get_recent("u1") == []
            assert (cache.hits, cache.misses) == (3, 1)

    asyncio.run(body())


def test_invalidation_makes_the_next_get_a_miss(make_cache: MakeCache) -> None:
    async def body() -> None:
        async with make_cache() as cache:
            await cache.set_recent("u1", RECENT)
            await cache.set_goals("u1", GOALS)
            await cache.invalidate_activities("u1")
            assert await cache.get_recent("u1") is None
            assert await cache.get_goals("u1") == GOALS  # a new activity leaves goals alone
            await cache.set_recent("u1", RECENT)
            await cache.invalidate_goals("u1")
            assert await cache.get_goals("u1") is None
            assert await cache.get_recent("u1") == RECENT  # and a new goal leaves activities
            assert (cache.hits, cache.misses) == (2, 2)
            # Invalidating what is not cached is fine.
            await cache.invalidate_goals("u1")
            await cache.invalidate_activities("nobody")

    asyncio.run(body())


def test_goals_recent_and_users_are_independent(make_cache: MakeCache) -> None:
    async def body() -> None:
        async with make_cache() as cache:
            await cache.set_goals("u1", GOALS)
            assert await cache.get_recent("u1") is None
            assert await cache.get_goals("u2") is None
            await cache.set_recent("u2", RECENT[:3])
            await cache.set_recent("u1", RECENT)
            assert await cache.get_recent("u2") == RECENT[:3]
            await cache.invalidate_activities("u1")
            assert await cache.get_recent("u2") == RECENT[:3]

    asyncio.run(body())


def test_mutating_a_returned_value_does_not_change_the_cache(make_cache: MakeCache) -> None:
    async def body() -> None:
        async with make_cache() as cache:
            value = [activity(i) for i in range(3)]
            await cache.set_recent("u1", value)
            value[0]["type"] = "changed after set"
            got = await cache.get_recent("u1")
            assert got is not None
            got[0]["type"] = "changed after get"
            got[1]["laps"].append({"n": 2})
            got.append({"extra": True})
            assert await cache.get_recent("u1") == [activity(i) for i in range(3)]

    asyncio.run(body())


def test_values_come_back_as_json_would(make_cache: MakeCache) -> None:
    """Memory and Redis return the same thing: what a JSON round trip gives."""

    async def body() -> None:
        async with make_cache() as cache:
            await cache.set_goals("u1", [{"pair": (1, 2), "n": 1.5, "bad": "\ud800"}])
            assert await cache.get_goals("u1") == [{"pair": [1, 2], "n": 1.5, "bad": "\ud800"}]
            with pytest.raises(TypeError):
                await cache.set_goals("u1", [{"when": object()}])

    asyncio.run(body())


# LRU: memory only (for Redis it is the server's maxmemory-policy).


def test_memory_evicts_least_recently_used() -> None:
    async def body() -> None:
        cache = MemoryCache(last_n=5, max_users=2)  # four entries
        await cache.set_goals("a", GOALS)
        await cache.set_recent("a", RECENT)
        await cache.set_goals("b", GOALS)
        await cache.set_recent("b", RECENT)
        assert await cache.get_goals("a") == GOALS  # a's goals are now the most recent
        await cache.set_goals("c", GOALS)  # evicts a's recent, the least recently used
        assert len(cache) == 4
        assert await cache.get_recent("a") is None
        await cache.set_recent("b", RECENT[:1])  # a set counts as a use too
        await cache.set_recent("c", RECENT)  # evicts b's goals
        assert await cache.get_goals("b") is None
        assert await cache.get_goals("a") == GOALS
        assert await cache.get_recent("b") == RECENT[:1]
        assert await cache.get_goals("c") == GOALS
        assert await cache.get_recent("c") == RECENT
        assert len(cache) == 4

    asyncio.run(body())


# Redis only


def test_redis_keys_and_ttl() -> None:
    url = redis_url()

    async def body() -> None:
        prefix = f"fittrack-test:{uuid.uuid4().hex}:"
        client = Redis.from_url(url, decode_responses=True)  # works with either kind of client
        try:
            cache = RedisCache(client, prefix, last_n=20, ttl_s=60)
            await cache.set_goals("u1", GOALS)
            await cache.set_recent("u1", RECENT)
            assert 0 < await client.ttl(f"{prefix}goals:u1") <= 60
            assert 0 < await client.ttl(f"{prefix}recent:u1") <= 60
            assert await cache.get_recent("u1") == RECENT
            # Another worker sees the first one's writes and invalidations.
            other = RedisCache(client, prefix, last_n=20)
            assert await other.get_goals("u1") == GOALS
            await cache.invalidate_goals("u1")
            assert await other.get_goals("u1") is None
            assert (other.hits, other.misses) == (1, 1)  # counters are per object
            assert (cache.hits, cache.misses) == (1, 0)
        finally:
            await client.delete(f"{prefix}goals:u1", f"{prefix}recent:u1")
            await client.aclose()

    asyncio.run(body())


def test_a_read_from_before_an_invalidation_is_not_cached_after_it(make_cache: MakeCache) -> None:
    """A read misses and goes to the database; a write commits and invalidates; the read, back
    with the old rows, must not put them in the cache: the next read sees the write."""

    async def body() -> None:
        async with make_cache() as cache:
            for kind, get, put, invalidate in (
                ("goals", cache.get_goals, cache.set_goals, cache.invalidate_goals),
                ("recent", cache.get_recent, cache.set_recent, cache.invalidate_activities),
            ):
                assert await get("u1") is None
                token = await cache.fill_token(kind, "u1")  # type: ignore[arg-type]
                await invalidate("u1")  # the write, while the read was on its way
                await put("u1", [{"old": True}], token)
                assert await get("u1") is None
                token = await cache.fill_token(kind, "u1")  # type: ignore[arg-type]
                await put("u1", [{"new": True}], token)
                assert await get("u1") == [{"new": True}]

    asyncio.run(body())
