"""Fixed-window rate limits shared by every worker: in Redis when configured, else in the database.

Flask-Limiter keeps counters in process memory unless given Redis (two gunicorn workers would
double every limit, and a restart would reset them) and has no SQL storage, so the small counter
below serves both. Limits are per username or per token, not per IP alone: a whole village can
share one NAT address.
"""

import time
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from starrating.extensions import db
from starrating.models import RateLimitCounter


@dataclass(frozen=True)
class Limit:
    hits: int
    seconds: int

    def window(self, now: float) -> int:
        return int(now // self.seconds)

    @property
    def minutes(self) -> int:
        return max(1, self.seconds // 60)


LOGIN_PER_USERNAME = Limit(hits=10, seconds=15 * 60)
LOGIN_PER_ADDRESS = Limit(hits=100, seconds=15 * 60)


def _redis() -> Any:
    url = current_app.config.get("RATELIMIT_REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("starrating.redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2)
        current_app.extensions["starrating.redis"] = client
    return client


def _redis_key(key: str, limit: Limit, now: float) -> str:
    return f"starrating:rl:{key}:{limit.seconds}:{limit.window(now)}"


def hits(key: str, limit: Limit) -> int:
    """How many hits key has in the current window."""
    now = time.time()
    if (client := _redis()) is not None:
        return int(client.get(_redis_key(key, limit, now)) or 0)
    found = db.session.scalar(
        select(RateLimitCounter.hits).where(
            RateLimitCounter.key == f"{key}:{limit.seconds}",
            RateLimitCounter.window == limit.window(now),
        )
    )
    return found or 0


def is_blocked(key: str, limit: Limit) -> bool:
    return hits(key, limit) >= limit.hits


def record_hit(key: str, limit: Limit) -> int:
    """Count one hit of key; returns the count in the window. The caller commits."""
    now = time.time()
    if (client := _redis()) is not None:
        name = _redis_key(key, limit, now)
        pipe = client.pipeline()
        pipe.incr(name)
        pipe.expire(name, limit.seconds * 2)
        return int(pipe.execute()[0])
    return _record_in_database(f"{key}:{limit.seconds}", limit.window(now))


def _record_in_database(key: str, window: int) -> int:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RateLimitCounter).values(key=key, window=window, hits=1)
    statement = statement.on_conflict_do_update(
        index_elements=["key", "window"], set_={"hits": RateLimitCounter.hits + 1}
    ).returning(RateLimitCounter.hits)
    count = int(db.session.execute(statement).scalar_one())
    if count == 1:  # a new window: drop the ones long past
        db.session.execute(
            delete(RateLimitCounter).where(
                RateLimitCounter.window < window - 1, RateLimitCounter.key == key
            )
        )
    return count
