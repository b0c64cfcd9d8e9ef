"""Redis configured but killed or frozen: the database counters serve at once, a frozen Redis
costs one short timeout per pause, and the outage is logged once when it starts and once when
it ends."""

import logging
import time

import pytest
import redis

from starrating import ratelimit
from tests.redis_process import RedisServer

TWO_A_MINUTE = ratelimit.Limit(hits=2, seconds=60)
FALLBACK = "rate-limit store unreachable"
BACK = "rate-limit store reachable again"


@pytest.fixture
def redis_server():
    with RedisServer() as server:
        yield server


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.INFO, logger="starrating")
    return lambda text: [r for r in caplog.records if text in r.getMessage()]


def take() -> bool:
    return ratelimit.acquire(("k", TWO_A_MINUTE)).allowed


def test_with_redis_killed_the_database_counts_and_it_is_logged_once(app, redis_server, logged):
    app.config.update(RATELIMIT_REDIS_URL=redis_server.url, RATELIMIT_REDIS_RETRY_SECONDS=0)
    assert take()  # in Redis
    redis_server.kill()
    assert [take(), take(), take()] == [True, True, False]  # the database's own two
    assert ratelimit.record_hit("log", TWO_A_MINUTE) == 1
    warnings = logged(FALLBACK)
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert not logged(BACK)

    redis_server.start()  # empty, on the same port; the pause is 0 here: the next call tries it
    assert [take(), take(), take()] == [True, True, False]
    assert redis.Redis.from_url(redis_server.url).zcard("starrating:rl:k:60") == 2
    back = logged(BACK)
    assert len(back) == 1 and back[0].levelno == logging.INFO
    assert len(logged(FALLBACK)) == 1


def test_with_redis_frozen_one_call_waits_the_short_timeout_then_redis_is_skipped(
    app, redis_server, logged
):
    app.config["RATELIMIT_REDIS_URL"] = redis_server.url
    assert take()
    redis_server.freeze()
    started = time.monotonic()
    assert take()
    first = time.monotonic() - started
    started = time.monotonic()
    assert take() and not take()
    after = time.monotonic() - started
    assert first < 0.5, first  # the 0.2 s timeout, no retries (redis-py retries 3 times by default)
    assert after < 0.1, after  # the breaker skips Redis meanwhile
    assert len(logged(FALLBACK)) == 1


def test_the_store_status_says_whether_redis_answers(app, redis_server):
    assert ratelimit.store_status() == ratelimit.StoreStatus(configured=False, reachable=False)
    app.config["RATELIMIT_REDIS_URL"] = redis_server.url
    assert ratelimit.store_status().reachable is True
    redis_server.kill()
    status = ratelimit.store_status()
    assert status.configured and not status.reachable and status.down_since is not None
