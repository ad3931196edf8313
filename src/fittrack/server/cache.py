"""The seed's cache: a user's goals and last N activities, dropped when he writes, LRU otherwise.

Two things are cached per user, as the JSON-ready lists the API answers with: his goals, and his
``last_n`` most recent activities. Writing an activity drops his activities
(``invalidate_activities``), writing a goal drops his goals (``invalidate_goals``); nothing else is
ever dropped on purpose, so the cache holds the users who read most recently.

``MemoryCache`` is per process, an LRU over (kind, user) entries. ``RedisCache`` is shared by every
worker, so a write seen by one worker is seen by all. For its "LRU otherwise", Redis should run with
``maxmemory`` set and ``maxmemory-policy allkeys-lru`` (or ``allkeys-lfu``): it then evicts the
least recently used keys itself, where the default ``noeviction`` would refuse writes once full.
Each key also carries a TTL (``ttl_s``, an hour by default), which bounds how long a value can stay
stale if an invalidation is ever lost (a worker killed between its commit and its ``DEL``, Redis
briefly unreachable). Invalidate after the database commit, not before: a read between the two would
cache the old rows again.

Both keep ``hits`` and ``misses`` counters for their ``get_*`` calls, in this process.
"""

import json
import pickle
from collections import OrderedDict
from typing import Any, Literal, Protocol

from redis.asyncio import Redis

JsonList = list[Any]
"""What is cached: a list of JSON values (the API's goal and activity dicts)."""

_Kind = Literal["goals", "recent"]


def _to_json(value: JsonList) -> str:
    # ASCII-only: a lone surrogate (a JSON "\ud800") would not encode to UTF-8 for Redis.
    return json.dumps(value, separators=(",", ":"))


class Cache(Protocol):
    """What the app needs from a cache: either class below."""

    last_n: int
    hits: int
    misses: int

    async def get_goals(self, user_id: str) -> JsonList | None: ...
    async def set_goals(self, user_id: str, value: JsonList, token: int | None = None) -> None: ...
    async def get_recent(self, user_id: str) -> JsonList | None: ...
    async def set_recent(self, user_id: str, value: JsonList, token: int | None = None) -> None: ...
    async def fill_token(self, kind: _Kind, user_id: str) -> int: ...
    async def invalidate_activities(self, user_id: str) -> None: ...
    async def invalidate_goals(self, user_id: str) -> None: ...


class MemoryCache:
    """An LRU of at most ``2 * max_users`` entries (a user's goals and recent activities are two).

    Values are stored pickled and unpickled on every get, so a caller mutating what he got back
    cannot change what the next caller gets. Measured for 20 activity dicts of 15 keys (7.7 kB of
    JSON): ``pickle.loads`` 12 µs, ``json.loads`` 45 µs, ``copy.deepcopy`` 121 µs; a shallow copy of
    each dict (2 µs) would share any nested list or dict, so it is not safe. ``set`` first goes
    through JSON (about 60 µs, once per miss, after a database query that costs far more), so this
    cache accepts and returns exactly what ``RedisCache`` would: a value that is not JSON fails
    here too, and tuples come back as lists. The pickles are only ever made by this object, in this
    process; nothing from outside is unpickled.
    """

    def __init__(self, last_n: int, max_users: int = 10_000) -> None:
        if max_users < 1:
            raise ValueError(f"max_users must be at least 1, not {max_users}")
        self.last_n = last_n
        self.max_entries = 2 * max_users
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple[_Kind, str], bytes] = OrderedDict()
        # How many times each entry was invalidated: a value read from the database before an
        # invalidation must not be cached after it (see ``fill_token``).
        self._generation: dict[tuple[_Kind, str], int] = {}

    def __len__(self) -> int:
        """How many entries (goals or recent activities of one user) are held."""
        return len(self._entries)

    async def get_goals(self, user_id: str) -> JsonList | None:
        """The user's cached goals, or None (a miss)."""
        return self._get(("goals", user_id))

    async def set_goals(self, user_id: str, value: JsonList, token: int | None = None) -> None:
        """Cache the user's goals (unless invalidated since ``token`` was taken)."""
        self._set(("goals", user_id), value, token)

    async def get_recent(self, user_id: str) -> JsonList | None:
        """The user's cached last ``last_n`` activities, or None (a miss)."""
        return self._get(("recent", user_id))

    async def set_recent(self, user_id: str, value: JsonList, token: int | None = None) -> None:
        """Cache the user's last ``last_n`` activities (unless invalidated since ``token``)."""
        self._set(("recent", user_id), value, token)

    async def fill_token(self, kind: _Kind, user_id: str) -> int:
        """Take before reading what to cache; ``set_*`` with it stores nothing if the entry was
        invalidated in between (a write committed while the read was on its way)."""
        return self._generation.get((kind, user_id), 0)

    async def invalidate_activities(self, user_id: str) -> None:
        """The user wrote an activity: his recent activities are no longer right."""
        self._invalidate(("recent", user_id))

    async def invalidate_goals(self, user_id: str) -> None:
        """The user wrote a goal: his goals are no longer right."""
        self._invalidate(("goals", user_id))

    def _invalidate(self, key: tuple[_Kind, str]) -> None:
        self._entries.pop(key, None)
        if len(self._generation) >= 4 * self.max_entries:
            self._generation.clear()  # bounded; a cleared count only costs a skipped fill
        self._generation[key] = self._generation.get(key, 0) + 1

    def _get(self, key: tuple[_Kind, str]) -> JsonList | None:
        data = self._entries.get(key)
        if data is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        value: JsonList = pickle.loads(data)
        return value

    def _set(self, key: tuple[_Kind, str], value: JsonList, token: int | None) -> None:
        if token is not None and token != self._generation.get(key, 0):
            return
        data = pickle.dumps(json.loads(_to_json(value)), protocol=pickle.HIGHEST_PROTOCOL)
        entries = self._entries
        entries[key] = data
        entries.move_to_end(key)
        while len(entries) > self.max_entries:
            entries.popitem(last=False)


_SET_IF_CURRENT = """
if (redis.call('GET', KEYS[2]) or '0') == ARGV[2] then
    redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[3]))
end
return 0
"""


class RedisCache:
    """JSON strings under ``{prefix}goals:{user}`` and ``{prefix}recent:{user}``, with a TTL.

    Works with a client made with or without ``decode_responses``. Errors from Redis are not
    caught here: whether an unreachable cache should fail the request or be read around is the
    app's choice.
    """

    def __init__(self, redis: Redis, prefix: str, last_n: int, ttl_s: int = 3600) -> None:
        if ttl_s < 1:
            raise ValueError(f"ttl_s must be at least 1 second, not {ttl_s}")
        self._redis = redis
        self.prefix = prefix
        self.last_n = last_n
        self.ttl_s = ttl_s
        self.hits = 0
        self.misses = 0
        self._set_if_current = redis.register_script(_SET_IF_CURRENT)

    async def get_goals(self, user_id: str) -> JsonList | None:
        """The user's cached goals, or None (a miss)."""
        return await self._get(f"{self.prefix}goals:{user_id}")

    async def set_goals(self, user_id: str, value: JsonList, token: int | None = None) -> None:
        """Cache the user's goals for ``ttl_s`` at most (unless invalidated since ``token``)."""
        await self._set("goals", user_id, value, token)

    async def get_recent(self, user_id: str) -> JsonList | None:
        """The user's cached last ``last_n`` activities, or None (a miss)."""
        return await self._get(f"{self.prefix}recent:{user_id}")

    async def set_recent(self, user_id: str, value: JsonList, token: int | None = None) -> None:
        """Cache the user's last ``last_n`` activities for ``ttl_s`` at most (as ``set_goals``)."""
        await self._set("recent", user_id, value, token)

    async def fill_token(self, kind: _Kind, user_id: str) -> int:
        """The entry's invalidation count, taken before reading what to cache (a round trip,
        on a miss only)."""
        count = await self._redis.get(f"{self.prefix}gen:{kind}:{user_id}")
        return int(count or 0)

    async def invalidate_activities(self, user_id: str) -> None:
        """The user wrote an activity: his recent activities are no longer right."""
        await self._invalidate("recent", user_id)

    async def invalidate_goals(self, user_id: str) -> None:
        """The user wrote a goal: his goals are no longer right."""
        await self._invalidate("goals", user_id)

    async def _invalidate(self, kind: _Kind, user_id: str) -> None:
        generation = f"{self.prefix}gen:{kind}:{user_id}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(f"{self.prefix}{kind}:{user_id}")
            pipe.incr(generation)
            pipe.expire(generation, 2 * self.ttl_s)
            await pipe.execute()

    async def _set(self, kind: _Kind, user_id: str, value: JsonList, token: int | None) -> None:
        key = f"{self.prefix}{kind}:{user_id}"
        if token is None:
            await self._redis.set(key, _to_json(value), ex=self.ttl_s)
            return
        # Set only if no invalidation happened since the token was taken, atomically.
        await self._set_if_current(
            keys=[key, f"{self.prefix}gen:{kind}:{user_id}"],
            args=[_to_json(value), str(token), str(self.ttl_s)],
        )

    async def _get(self, key: str) -> JsonList | None:
        data = await self._redis.get(key)
        if data is None:
            self.misses += 1
            return None
        self.hits += 1
        value: JsonList = json.loads(data)
        return value


class NoCache(MemoryCache):
    """A cache that always misses: several workers without Redis run without one, since one
    worker's cache would not see another's writes (stale reads)."""

    def _get(self, key: tuple[_Kind, str]) -> JsonList | None:
        self.misses += 1
        return None

    def _set(self, key: tuple[_Kind, str], value: JsonList, token: int | None) -> None:
        return None
