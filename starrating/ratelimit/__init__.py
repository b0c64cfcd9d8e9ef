"""Sliding-window rate limits shared by every worker: in Redis when configured and reachable,
else in the database.

A limit holds exactly: at most `hits` counted hits of a key within any `seconds`. The check and
the count are one atomic step, `acquire()` ("take a slot if under the limit"), in both stores;
a refused attempt is not counted, so nobody extends a block by hammering at it, and a slot given
back with `release()` (a right password after all) is as if never taken. `record_hit()` counts
unconditionally (a log, e.g. for an alert) and `is_blocked()` only reads.

Redis down or hung never costs more than its short timeout: the failure opens a per-process
circuit breaker, the database counters serve until it lets Redis be tried again, and the worker
logs the outage once (warning) and its end once (info). Counts do not move between the stores:
at a switch a key starts again from what the other store holds.

Limits are per username or per token, not per IP alone: a whole village can share one NAT
address (DESIGN.md §11). Writes to the database go in the caller's transaction, which commits
at once; on SQLite it must be a write transaction (`database.write_phase()` on a GET).
"""

import logging
import math
import os
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
from flask import current_app

from starrating.ratelimit import database_store
from starrating.ratelimit.breaker import CircuitBreaker
from starrating.ratelimit.limits import Limit, Slot, Window
from starrating.ratelimit.redis_store import RedisStore

__all__ = [
    "LOGIN_PER_ADDRESS",
    "LOGIN_PER_USERNAME",
    "Attempt",
    "Limit",
    "StoreStatus",
    "Window",
    "acquire",
    "hit_times",
    "is_blocked",
    "record_hit",
    "release",
    "store_status",
    "tag_counts",
    "window",
]

LOGIN_PER_USERNAME = Limit(hits=10, seconds=15 * 60)
LOGIN_PER_ADDRESS = Limit(hits=100, seconds=15 * 60)

FALLBACK_LOG = "rate-limit store unreachable (worker %d): using the database counters; %s"
BACK_LOG = "rate-limit store reachable again (worker %d): back to Redis"


def _log() -> logging.Logger:
    """The app's logger's child: an outage's start and end are worth a line at any log level
    (gunicorn leaves the root at WARNING), through the app logger's handler (stderr)."""
    logger = current_app.logger.getChild("ratelimit")
    logger.setLevel(logging.INFO)
    return logger


def now() -> float:
    """The limits' clock (seconds since the epoch); tests move it."""
    return time.time()


def _now_ms() -> int:
    return int(now() * 1000)


def _full(key: str, limit: Limit) -> str:
    return f"{key}:{limit.seconds}"


# --- the store: Redis behind a breaker, else the database ------------------------------------


@dataclass
class _Shared:
    url: str | None
    redis: RedisStore | None
    breaker: CircuitBreaker
    down_at: datetime | None = None  # wall-clock start of the current outage, for the page


def _shared() -> _Shared:
    """This app's Redis client and breaker, made on first use (in each gunicorn worker)."""
    config = current_app.config
    url = config.get("RATELIMIT_REDIS_URL")
    found: _Shared | None = current_app.extensions.get("starrating.ratelimit")
    if found is None or found.url != url:
        store = RedisStore(url, timeout=config["RATELIMIT_REDIS_TIMEOUT"]) if url else None
        breaker = CircuitBreaker(pause=config["RATELIMIT_REDIS_RETRY_SECONDS"])
        found = _Shared(url, store, breaker)
        current_app.extensions["starrating.ratelimit"] = found
    return found


def _through_redis(operation: str, *args: Any) -> tuple[bool, Any]:
    """(True, the answer) from Redis, or (False, None) when it is not configured, paused by
    the breaker or just failed."""
    shared = _shared()
    if shared.redis is None or not shared.breaker.allows():
        return False, None
    try:
        answer = getattr(shared.redis, operation)(*args)
    except (redis.RedisError, OSError) as error:
        if shared.breaker.failed():
            shared.down_at = datetime.now(UTC)
            _log().warning(FALLBACK_LOG, os.getpid(), error)
        return False, None
    if shared.breaker.succeeded():
        shared.down_at = None
        _log().info(BACK_LOG, os.getpid())
    return True, answer


def _call(operation: str, *args: Any) -> Any:
    done, answer = _through_redis(operation, *args)
    return answer if done else getattr(database_store, operation)(*args)


# --- the limits ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """acquire()'s answer: allowed with the slots taken, or refused with the seconds to wait."""

    allowed: bool
    retry_after: int = 0
    slots: tuple[Slot, ...] = ()

    @property
    def retry_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def acquire(*limits: tuple[str, Limit]) -> Attempt:
    """Take one slot of each (key, limit) if every one is under its limit, atomically per key;
    otherwise take none and say how long until the fullest one frees a slot."""
    taken: list[Slot] = []
    now_ms = _now_ms()
    for key, limit in sorted(limits, key=lambda pair: _full(*pair)):  # one lock order
        got = _call("acquire", _full(key, limit), limit, now_ms)
        if got.slot is None:
            release(Attempt(True, slots=tuple(taken)))
            return Attempt(False, retry_after=max(1, math.ceil(got.retry_ms / 1000)))
        taken.append(got.slot)
    return Attempt(True, slots=tuple(taken))


def release(attempt: Attempt) -> None:
    """Give the attempt's slots back (it turned out not to count, e.g. the password was right)."""
    for slot in attempt.slots:
        if slot.store == database_store.STORE:
            database_store.release(slot)
        else:
            _through_redis("release", slot)  # lost with Redis: it then counts, as it would have


def record_hit(key: str, limit: Limit, *, tag: str = "") -> int:
    """Count one hit of key, whatever its count; returns the count in the window, this one
    included. The caller commits."""
    return int(_call("record", _full(key, limit), limit, _now_ms(), tag))


def window(key: str, limit: Limit) -> Window:
    """The counted hits of key within its window now."""
    found: Window = _call("window", _full(key, limit), limit, _now_ms())
    return found


def hit_times(key: str, limit: Limit) -> list[float]:
    """When key's hits within its window were counted (seconds since the epoch), oldest first."""
    found: list[int] = _call("hit_times", _full(key, limit), limit, _now_ms())
    return [ms / 1000 for ms in found]


def is_blocked(key: str, limit: Limit) -> bool:
    return window(key, limit).count >= limit.hits


def tag_counts(key: str, limit: Limit) -> Counter[str]:
    """How many hits of key within its window carried each tag (record_hit's tag)."""
    found: Counter[str] = _call("tag_counts", _full(key, limit), limit, _now_ms())
    return found


# --- what the township's page says ----------------------------------------------------------


@dataclass(frozen=True)
class StoreStatus:
    configured: bool  # RATELIMIT_REDIS_URL is set
    reachable: bool
    down_since: datetime | None = None  # as this worker saw it


def store_status() -> StoreStatus:
    """Whether the shared store answers now (a ping, within its short timeout)."""
    shared = _shared()
    if shared.redis is None:
        return StoreStatus(configured=False, reachable=False)
    done, _ = _through_redis("ping")
    if done:
        return StoreStatus(configured=True, reachable=True)
    return StoreStatus(configured=True, reachable=False, down_since=shared.down_at)
