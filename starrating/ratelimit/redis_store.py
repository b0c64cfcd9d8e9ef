"""The rate limits' sliding log in Redis, shared by every worker and app server: one sorted set
per key, a member per counted hit scored by its time (ms), trimmed to the window on each use.

Each operation is one Lua script, so the check and the count are one atomic step. The client
waits at most a fraction of a second (no retries): a Redis that is down or hung must cost a
request almost nothing before the database counters take over (see ratelimit/__init__.py).
"""

import uuid
from collections import Counter
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from starrating.ratelimit.limits import Limit, Slot, Taken, Window

STORE = "redis"
PREFIX = "starrating:rl:"
LOG_CAP = 20_000  # members kept per key at most: a flood of hits cannot fill Redis's memory

_TRIM = "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))\n"

ACQUIRE = (
    _TRIM
    + """
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + tonumber(ARGV[2]) - tonumber(ARGV[1])}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, 0}
"""
)

RECORD = (
    _TRIM
    + """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local count = redis.call('ZCARD', KEYS[1])
if count > tonumber(ARGV[3]) then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - tonumber(ARGV[3]) - 1)
  count = tonumber(ARGV[3])
end
return count
"""
)

WINDOW = (
    _TRIM
    + """
local count = redis.call('ZCARD', KEYS[1])
if count == 0 then return {0} end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
return {count, tonumber(oldest[2]), tonumber(newest[2])}
"""
)


class RedisStore:
    def __init__(self, url: str, *, timeout: float) -> None:
        self.client = redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),  # redis-py retries 3 times by default: seconds lost
        )
        self._acquire = self.client.register_script(ACQUIRE)
        self._record = self.client.register_script(RECORD)
        self._window = self.client.register_script(WINDOW)

    @staticmethod
    def _name(key: str) -> str:
        return PREFIX + key

    def ping(self) -> None:
        self.client.ping()

    def window(self, key: str, limit: Limit, now_ms: int) -> Window:
        found: list[Any] = self._window(keys=[self._name(key)], args=[now_ms, limit.window_ms])
        if not found[0]:
            return Window(0, None, None)
        return Window(int(found[0]), int(found[1]), int(found[2]))

    def hit_times(self, key: str, limit: Limit, now_ms: int) -> list[int]:
        found: list[tuple[bytes, float]] = self.client.zrangebyscore(  # type: ignore[assignment]
            self._name(key), f"({now_ms - limit.window_ms}", "+inf", withscores=True
        )
        return [int(score) for _, score in found]

    def acquire(self, key: str, limit: Limit, now_ms: int) -> Taken:
        member = uuid.uuid4().hex
        allowed, retry_ms = self._acquire(
            keys=[self._name(key)], args=[now_ms, limit.window_ms, limit.hits, member]
        )
        if not allowed:
            return Taken(None, int(retry_ms))
        return Taken(Slot(STORE, key, member))

    def release(self, slot: Slot) -> None:
        self.client.zrem(self._name(slot.key), slot.member)

    def record(self, key: str, limit: Limit, now_ms: int, tag: str) -> int:
        member = f"{tag}|{uuid.uuid4().hex}"
        args: list[int | str] = [now_ms, limit.window_ms, LOG_CAP, member]
        return int(self._record(keys=[self._name(key)], args=args))

    def tag_counts(self, key: str, limit: Limit, now_ms: int) -> Counter[str]:
        members: list[bytes] = self.client.zrangebyscore(  # type: ignore[assignment]
            self._name(key), f"({now_ms - limit.window_ms}", "+inf"
        )
        return Counter(member.decode().rpartition("|")[0] for member in members)
