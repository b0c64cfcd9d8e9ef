"""A Redis of these tests' own (tests/redis_process.py), and the two stores to run them on."""

from collections.abc import Iterator

import pytest
import redis

from tests.redis_process import RedisServer


@pytest.fixture(scope="session")
def own_redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture
def fresh_redis(own_redis: RedisServer) -> RedisServer:
    """Our own Redis, emptied (never the shared one on 6379)."""
    if not own_redis.answers():
        own_redis.start()
    redis.Redis.from_url(own_redis.url).flushdb()
    return own_redis


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest, app) -> str:
    """Each test once on the database counters and once on Redis."""
    if request.param == "redis":
        app.config["RATELIMIT_REDIS_URL"] = request.getfixturevalue("fresh_redis").url
    return str(request.param)
