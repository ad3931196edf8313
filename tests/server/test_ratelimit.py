"""Token buckets: the memory limiter on a fake clock always, the Redis one given a server."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis

from fittrack.server.ratelimit import (
    Decision,
    MemoryRateLimiter,
    Rate,
    RedisRateLimiter,
    parse_rate,
)


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def redis_url() -> str:
    url = os.environ.get("FITTRACK_TEST_REDIS_URL")
    if not url:
        pytest.skip("FITTRACK_TEST_REDIS_URL is not set: the Redis tests need a Redis server")
    return url


@asynccontextmanager
async def redis_client(url: str, prefix: str) -> AsyncIterator[Redis]:
    """A client whose keys under ``prefix`` are deleted, and which is closed, at the end."""
    client = Redis.from_url(url)
    try:
        yield client
    finally:
        keys = [key async for key in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


def unique_prefix() -> str:
    return f"fittrack-test:{uuid.uuid4().hex}:"


# parse_rate


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("120/minute", Rate(120, 60.0)),
        ("10/second", Rate(10, 1.0)),
        ("5000/hour", Rate(5000, 3600.0)),
        ("100000/day", Rate(100000, 86400.0)),
        ("120/min", Rate(120, 60.0)),
        ("120/m", Rate(120, 60.0)),
        ("10/s", Rate(10, 1.0)),
        ("10/sec", Rate(10, 1.0)),
        ("60/h", Rate(60, 3600.0)),
        ("60/hr", Rate(60, 3600.0)),
        ("7/d", Rate(7, 86400.0)),
        ("3/minutes", Rate(3, 60.0)),
        (" 120 / Minute ", Rate(120, 60.0)),
        ("1/SECOND", Rate(1, 1.0)),
    ],
)
def test_parse_rate(text: str, rate: Rate) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0/minute", "at least 1"),
        ("-3/minute", "at least 1"),
        ("abc", "expected COUNT/PERIOD"),
        ("", "expected COUNT/PERIOD"),
        ("120", "expected COUNT/PERIOD"),
        ("/minute", "expected COUNT/PERIOD"),
        ("1.5/minute", "expected COUNT/PERIOD"),
        ("2/5s", "expected COUNT/PERIOD"),
        ("10/fortnight", "second, minute, hour or day"),
        ("10/", "expected COUNT/PERIOD"),
        ("99999999999/second", "at most"),
        ("١٢/minute", "expected COUNT/PERIOD"),  # Arabic-Indic digits: int() would take them
    ],
)
def test_parse_rate_refuses_junk(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        parse_rate(text)
    assert repr(text) in str(info.value)  # the message names what was typed


@pytest.mark.parametrize(("count", "period_s"), [(0, 1.0), (1, 0.0), (1, -1.0), (1, float("nan"))])
def test_rate_refuses_nonsense(count: int, period_s: float) -> None:
    with pytest.raises(ValueError):
        Rate(count, period_s)


# Decision.headers


def test_headers_when_allowed() -> None:
    assert Decision(True, 120, 119, 1, 0).headers() == {
        "RateLimit-Limit": "120",
        "RateLimit-Remaining": "119",
        "RateLimit-Reset": "1",
    }


def test_headers_when_refused() -> None:
    assert Decision(False, 10, 0, 60, 6).headers() == {
        "RateLimit-Limit": "10",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "60",
        "Retry-After": "6",
    }
    assert Decision(False, 10, 0, 1, 0).headers()["Retry-After"] == "1"  # never "retry after 0"


# MemoryRateLimiter


def test_memory_burst_then_refused() -> None:
    async def body() -> None:
        limiter = MemoryRateLimiter(clock=FakeClock())
        rate = Rate(5, 60.0)
        decisions = [await limiter.hit("t:a", rate) for _ in range(6)]
        assert [d.allowed for d in decisions] == [True] * 5 + [False]
        assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0]
        assert decisions[0] == Decision(True, 5, 4, 12, 0)  # 1 token at 5/minute: 12 s
        assert decisions[4].reset_s == 60
        refused = decisions[5]
        assert refused == Decision(False, 5, 0, 60, 12)
        assert refused.headers()["Retry-After"] == "12"

    asyncio.run(body())


def test_memory_refills_continuously() -> None:
    async def body() -> None:
        clock = FakeClock()
        limiter = MemoryRateLimiter(clock=clock)
        rate = parse_rate("120/minute")  # a token every half second
        for _ in range(120):
            assert (await limiter.hit("a:1", rate)).allowed
        assert not (await limiter.hit("a:1", rate)).allowed
        clock.now += 0.3
        refused = await limiter.hit("a:1", rate)
        assert not refused.allowed
        assert refused.retry_after_s == 1  # 0.2 s, rounded up
        clock.now += 0.2
        assert (await limiter.hit("a:1", rate)).allowed  # exactly one interval: no rounding loss
        assert not (await limiter.hit("a:1", rate)).allowed
        clock.now += 10.0  # 20 tokens
        decisions = [await limiter.hit("a:1", rate) for _ in range(21)]
        assert [d.allowed for d in decisions] == [True] * 20 + [False]
        assert decisions[0].remaining == 19
        clock.now += 3600.0  # refills to full, never beyond
        decisions = [await limiter.hit("a:1", rate) for _ in range(121)]
        assert sum(d.allowed for d in decisions) == 120

    asyncio.run(body())


@pytest.mark.parametrize("count", [1, 3, 7, 120, 1000])
def test_memory_whole_burst_despite_rounding(count: int) -> None:
    """A burst of exactly ``count`` always passes, after a refill of exactly ``count`` too."""

    async def body() -> None:
        clock = FakeClock()
        clock.now = 123456.789  # far from 0, where float steps are coarser
        limiter = MemoryRateLimiter(clock=clock)
        rate = Rate(count, 1.0)
        for _ in range(2):
            decisions = [await limiter.hit("k", rate) for _ in range(count + 1)]
            assert [d.allowed for d in decisions] == [True] * count + [False]
            clock.now += 1.0

    asyncio.run(body())


def test_memory_keys_are_independent() -> None:
    async def body() -> None:
        limiter = MemoryRateLimiter(clock=FakeClock())
        rate = Rate(3, 60.0)
        for _ in range(10):
            await limiter.hit("t:greedy", rate)
        assert not (await limiter.hit("t:greedy", rate)).allowed
        polite = await limiter.hit("t:polite", rate)
        assert polite.allowed
        assert polite.remaining == 2

    asyncio.run(body())


def test_memory_drops_full_buckets_past_max_keys() -> None:
    async def body() -> None:
        clock = FakeClock()
        limiter = MemoryRateLimiter(max_keys=100, clock=clock)
        rate = Rate(2, 1.0)
        for i in range(100):
            await limiter.hit(f"a:{i}", rate)
        assert len(limiter) == 100
        await limiter.hit("a:busy", rate)  # over the bound, but every bucket is still refilling
        await limiter.hit("a:busy", rate)
        assert len(limiter) <= 100
        assert len(limiter) == 91  # the 10 nearest to full were dropped, to 90% of the bound
        assert not (await limiter.hit("a:busy", rate)).allowed  # a:busy's bucket was kept
        clock.now += 1.0  # every bucket is full again: all go at the next prune
        for i in range(10):
            await limiter.hit(f"c:{i}", rate)
        assert len(limiter) == 10
        # Never more than max_keys, however many clients come at once.
        for i in range(1000):
            await limiter.hit(f"b:{i}", rate)
            assert len(limiter) <= 100

    asyncio.run(body())


def test_memory_dropped_bucket_is_a_full_one() -> None:
    async def body() -> None:
        clock = FakeClock()
        limiter = MemoryRateLimiter(max_keys=1, clock=clock)
        rate = Rate(2, 1.0)
        await limiter.hit("a", rate)
        clock.now += 0.5  # a is full again
        await limiter.hit("b", rate)
        assert len(limiter) == 1
        assert (await limiter.hit("a", rate)).remaining == 1  # same as if it had been kept

    asyncio.run(body())


# RedisRateLimiter


def test_redis_burst_then_refused() -> None:
    url = redis_url()

    async def body() -> None:
        prefix = unique_prefix()
        async with redis_client(url, prefix) as client:
            limiter = RedisRateLimiter(client, prefix)
            rate = Rate(5, 60.0)
            decisions = [await limiter.hit("t:a", rate) for _ in range(6)]
            assert [d.allowed for d in decisions] == [True] * 5 + [False]
            assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0]
            assert decisions[0].reset_s == 12
            assert decisions[4].reset_s == 60
            refused = decisions[5]
            assert refused.limit == 5
            assert 11 <= refused.retry_after_s <= 12  # a few ms have refilled since the burst
            assert refused.reset_s == 60
            assert int(refused.headers()["Retry-After"]) >= 1
            assert 0 < await client.pttl(prefix + "t:a") <= 60_000

    asyncio.run(body())


def test_redis_refills_and_expires() -> None:
    url = redis_url()

    async def body() -> None:
        prefix = unique_prefix()
        async with redis_client(url, prefix) as client:
            limiter = RedisRateLimiter(client, prefix)
            rate = parse_rate("4/second")
            assert [(await limiter.hit("k", rate)).allowed for _ in range(5)] == [True] * 4 + [
                False
            ]
            await asyncio.sleep(0.3)  # 1.2 tokens
            allowed = [(await limiter.hit("k", rate)).allowed for _ in range(4)]
            assert allowed[0]
            assert 1 <= sum(allowed) <= 2  # refilled by the elapsed time, not reset to full
            # One hit on a fresh key at 10/second: full again, and gone, 100 ms later.
            await limiter.hit("idle", Rate(10, 1.0))
            assert 0 < await client.pttl(prefix + "idle") <= 100
            await asyncio.sleep(0.15)
            assert await client.exists(prefix + "idle") == 0

    asyncio.run(body())


def test_redis_keys_are_independent() -> None:
    url = redis_url()

    async def body() -> None:
        prefix = unique_prefix()
        async with redis_client(url, prefix) as client:
            limiter = RedisRateLimiter(client, prefix)
            rate = Rate(3, 60.0)
            for _ in range(10):
                await limiter.hit("t:greedy", rate)
            assert not (await limiter.hit("t:greedy", rate)).allowed
            polite = await limiter.hit("t:polite", rate)
            assert polite.allowed
            assert polite.remaining == 2

    asyncio.run(body())


def test_redis_workers_share_a_bucket() -> None:
    url = redis_url()

    async def body() -> None:
        prefix = unique_prefix()
        async with redis_client(url, prefix) as one, redis_client(url, prefix) as two:
            workers = [RedisRateLimiter(one, prefix), RedisRateLimiter(two, prefix)]
            rate = Rate(6, 60.0)
            decisions = [await workers[i % 2].hit("a:10.0.0.1", rate) for i in range(8)]
            assert [d.allowed for d in decisions] == [True] * 6 + [False] * 2
            # At the same time too: the script is atomic, so no token is taken twice.
            many = await asyncio.gather(
                *(workers[i % 2].hit("a:10.0.0.2", rate) for i in range(20))
            )
            assert sum(d.allowed for d in many) == 6

    asyncio.run(body())


def test_redis_script_reloaded_after_flush() -> None:
    """After a Redis restart (SCRIPT FLUSH here) the script is loaded again, not an error."""
    url = redis_url()

    async def body() -> None:
        prefix = unique_prefix()
        async with redis_client(url, prefix) as client:
            limiter = RedisRateLimiter(client, prefix)
            assert (await limiter.hit("k", Rate(2, 1.0))).allowed
            await client.script_flush()
            assert (await limiter.hit("k", Rate(2, 1.0))).remaining == 0

    asyncio.run(body())


def test_redis_hits_made_together_each_take_a_token() -> None:
    url = redis_url()

    async def body() -> None:
        prefix = unique_prefix()
        async with redis_client(url, prefix) as client:
            limiter = RedisRateLimiter(client, prefix)
            asks = [("t:a", Rate(3, 60.0))] * 5 + [("t:b", Rate(1, 60.0))] * 2
            asks.append(("t:c", Rate(10, 1.0)))
            decisions = await asyncio.gather(*(limiter.hit(key, rate) for key, rate in asks))
            assert limiter.round_trips == len(asks)
            assert sum(d.allowed for d in decisions[:5]) == 3
            assert sorted(d.remaining for d in decisions[:5] if d.allowed) == [0, 1, 2]
            assert sum(d.allowed for d in decisions[5:7]) == 1
            assert (decisions[7].allowed, decisions[7].limit, decisions[7].remaining) == (
                True,
                10,
                9,
            )

    asyncio.run(body())
