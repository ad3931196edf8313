"""Rate limits as token buckets: in this process, or in Redis when several workers share them.

A bucket holds ``count`` tokens and refills continuously at ``count / period_s`` tokens a second; a
request takes one token or is refused. A client can therefore burst up to ``count`` requests and
then go on at the average rate, and one client's bucket never touches another's: the caller picks
the key (``"t:<token hash>"``, ``"a:<address>"``) and asks once per key it limits on.

A bucket that has been idle long enough to be full again is the same as no bucket at all, so
neither limiter keeps one: the memory limiter drops full buckets when it has too many keys, and
Redis expires each key at the moment its bucket would be full. Memory stays bounded by the number
of clients active within one period, not by every client ever seen.

``MemoryRateLimiter`` is per process: with N workers a client gets up to N times the limit.
``RedisRateLimiter`` shares the buckets between workers and machines: one Lua script reads, refills,
takes and writes in one round trip, atomically, on Redis's own clock (``TIME``), so workers whose
clocks disagree still agree on every bucket. It needs Redis 5 or newer (scripts that read ``TIME``
before writing are replicated by their effects, the default since 5).

Both answer a ``Decision``, whose ``headers()`` are the ``RateLimit-*`` headers of every response
and the ``Retry-After`` of a 429.
"""

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

MAX_COUNT = 1_000_000_000
"""The largest count ``parse_rate`` accepts: beyond it a limit limits nothing, and the floats
that hold a bucket's tokens would start to round away single tokens."""

_EPSILON = 1e-6
"""Tokens forgiven to floating-point rounding: a bucket refilled to 0.9999999999 of a token after
exactly one interval still lets the request through, and a burst of ``count`` is never cut to
``count - 1``. A millionth of a token is never noticed by anyone being limited."""

_PERIODS: dict[str, float] = {}
for _seconds, _names in (
    (1.0, ("second", "seconds", "sec", "secs", "s")),
    (60.0, ("minute", "minutes", "min", "mins", "m")),
    (3600.0, ("hour", "hours", "hr", "hrs", "h")),
    (86400.0, ("day", "days", "d")),
):
    _PERIODS.update(dict.fromkeys(_names, _seconds))

_RATE = re.compile(r"\s*([+-]?[0-9]+)\s*/\s*([A-Za-z]+)\s*")


@dataclass(frozen=True, slots=True)
class Rate:
    """At most ``count`` requests in a burst, refilled at ``count`` per ``period_s`` seconds."""

    count: int
    period_s: float

    def __post_init__(self) -> None:
        # Checked here too, not only in parse_rate: a zero would divide by zero on every request.
        if not 1 <= self.count <= MAX_COUNT:
            raise ValueError(f"a rate's count must be between 1 and {MAX_COUNT}, not {self.count}")
        if not self.period_s > 0 or math.isinf(self.period_s):
            raise ValueError(
                f"a rate's period must be a positive number of seconds, not {self.period_s}"
            )


def parse_rate(text: str) -> Rate:
    """Read a rate such as ``120/minute``, ``10/s`` or ``5000/hour`` (a setting or an option).

    The period is a second, minute, hour or day, spelled out or short (``s``, ``sec``, ``m``,
    ``min``, ``h``, ``hr``, ``d``); the count is a whole number from 1.
    """
    example = "such as 120/minute or 10/second"
    match = _RATE.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid rate {text!r}: expected COUNT/PERIOD, {example}")
    count = int(match[1])
    if count < 1:
        raise ValueError(
            f"invalid rate {text!r}: the count must be at least 1 "
            "(to turn a limit off, leave it unset rather than setting it to 0)"
        )
    if count > MAX_COUNT:
        raise ValueError(f"invalid rate {text!r}: the count must be at most {MAX_COUNT}")
    period_s = _PERIODS.get(match[2].lower())
    if period_s is None:
        raise ValueError(
            f"invalid rate {text!r}: the period must be second, minute, hour or day "
            "(or s, min, h, d)"
        )
    return Rate(count, period_s)


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer for one request, and what to tell the client about its bucket."""

    allowed: bool
    limit: int
    remaining: int
    """Whole tokens left after this request."""
    reset_s: int
    """Seconds (rounded up) until the bucket is full again."""
    retry_after_s: int
    """Seconds (rounded up) until the next request would be allowed; 0 when this one was."""

    def headers(self) -> dict[str, str]:
        """``RateLimit-Limit/Remaining/Reset`` (IETF httpapi draft); ``Retry-After`` on a 429."""
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_s),
        }
        if not self.allowed:
            # Never 0: a client told to retry after 0 seconds retries at once, and is refused again.
            headers["Retry-After"] = str(max(1, self.retry_after_s))
        return headers


class RateLimiter(Protocol):
    """What the app needs from a limiter: either class below."""

    round_trip: bool
    """Whether ``hit`` waits for another server (Redis), or answers at once."""

    async def hit(self, key: str, rate: Rate) -> Decision:
        """Take a token from ``key``'s bucket if there is one; say so either way."""
        ...


class MemoryRateLimiter:
    """Token buckets in a dict, for one process: a few microseconds a request, no I/O.

    Each key maps to ``(tokens, last, full_at)``: the tokens left at ``last`` (clock seconds) and
    when the bucket will be full again, kept so pruning needs no rate. A request that is refused
    writes nothing: its refilled bucket is the same bucket as the stored one.

    Memory is bounded by ``max_keys``. When a new key would pass it, full buckets are dropped
    (that loses nothing: a missing key is a full bucket); if the clients active right now are
    still too many (many addresses at once), the buckets nearest to full are dropped too, which
    forgives those clients at most a period's worth of requests. Either way the dict is taken down
    to 90% of ``max_keys``, so the scan runs once per tenth of ``max_keys`` new keys, not on every
    one.
    """

    round_trip = False

    def __init__(
        self, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_keys < 1:
            raise ValueError(f"max_keys must be at least 1, not {max_keys}")
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: dict[str, tuple[float, float, float]] = {}

    def __len__(self) -> int:
        """How many buckets are held (none for a key whose bucket was full when pruned)."""
        return len(self._buckets)

    async def hit(self, key: str, rate: Rate) -> Decision:
        """Take a token from ``key``'s bucket if there is one; say so either way."""
        now = self._clock()
        count = rate.count
        per_s = count / rate.period_s
        state = self._buckets.get(key)
        if state is None:
            tokens: float = count
            if len(self._buckets) >= self.max_keys:
                self._prune(now)
        else:
            tokens, last, _ = state
            if now > last:
                tokens += (now - last) * per_s
            if tokens > count:  # refilled past full, or last hit with a larger rate
                tokens = count
        if tokens >= 1 - _EPSILON:
            tokens -= 1
            to_full = (count - tokens) / per_s
            self._buckets[key] = (tokens, now, now + to_full)
            return Decision(True, count, int(tokens + _EPSILON), math.ceil(to_full), 0)
        return Decision(
            False,
            count,
            0,
            math.ceil((count - tokens) / per_s),
            math.ceil((1 - tokens) / per_s),
        )

    def _prune(self, now: float) -> None:
        buckets = self._buckets
        for key in [key for key, (_, _, full_at) in buckets.items() if full_at <= now]:
            del buckets[key]
        excess = len(buckets) - self.max_keys * 9 // 10
        if excess > 0:
            nearest_full = sorted(buckets.items(), key=lambda item: item[1][2])[:excess]
            for key, _ in nearest_full:
                del buckets[key]


# KEYS: the buckets, each a hash {tokens, ts}; ARGV: for the i-th key, its count (2i - 1) and period
# in microseconds (2i). Returns, for each key in turn, {allowed (0/1), remaining, microseconds until
# full, microseconds until a token}, on one reading of Redis's clock (the limiter asks one key a
# request; the script takes several so a caller could ask for many in one round trip).
# Numbers are written with %.17g: Redis would turn a Lua number into at most 14 digits on some
# versions, and a microsecond timestamp has 16. A refused request writes nothing (its refilled
# bucket equals the stored one), so a client hammering a closed bucket costs no writes. A key
# expires when its bucket would be full, which is the same as the key not existing.
_SCRIPT = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local out = {}
for i, key in ipairs(KEYS) do
  local count = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = count
  local ts = now
  if state[1] and state[2] then
    tokens = tonumber(state[1])
    ts = tonumber(state[2])
    if now > ts then
      tokens = math.min(count, tokens + (now - ts) * count / period)
      ts = now
    end
  end
  local per_token = period / count
  local n = #out
  if tokens >= 1 - 1e-6 then
    tokens = tokens - 1
    local to_full = math.ceil((count - tokens) * per_token)
    redis.call('HSET', key, 'tokens', string.format('%.17g', tokens),
               'ts', string.format('%.17g', ts))
    redis.call('PEXPIRE', key, math.ceil(to_full / 1000))
    out[n + 1] = 1
    out[n + 2] = math.floor(tokens + 1e-6)
    out[n + 3] = to_full
    out[n + 4] = 0
  else
    out[n + 1] = 0
    out[n + 2] = 0
    out[n + 3] = math.ceil((count - tokens) * per_token)
    out[n + 4] = math.ceil((1 - tokens) * per_token)
  end
end
return out
"""


class RedisRateLimiter:
    """Token buckets in Redis, shared by every worker and machine that uses the same ``prefix``.

    One ``EVALSHA`` a request (the script is loaded on first use and again after a Redis
    restart); each bucket is the key ``prefix + key``, a hash of the tokens left and when, in
    microseconds of Redis's clock. Errors (Redis away, or slower than the client's timeout) are
    the caller's to handle: the app lets the request through and logs it.
    """

    round_trip = True

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.prefix = prefix
        self._script = redis.register_script(_SCRIPT)
        self.round_trips = 0

    async def hit(self, key: str, rate: Rate) -> Decision:
        """Take a token from ``key``'s bucket if there is one; say so either way."""
        period_us = round(rate.period_s * 1_000_000)
        self.round_trips += 1
        flat = await self._script(keys=[self.prefix + key], args=[rate.count, period_us])
        return Decision(
            bool(flat[0]),
            rate.count,
            int(flat[1]),
            -(-int(flat[2]) // 1_000_000),
            -(-int(flat[3]) // 1_000_000),
        )
