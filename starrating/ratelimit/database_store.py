"""The rate limits' sliding log in the database, used when Redis is not configured or not
reachable: one row per counted hit, kept until its window has passed.

The check and the count are one step: the key is serialised first (PostgreSQL: a transaction
advisory lock on the key's hash; SQLite: the write transaction, BEGIN IMMEDIATE, holds the only
write lock), then the window is counted and the hit inserted if there is room. The lock lasts
until the caller commits, which it does at once (auth, the ballot and the board all do).
"""

import itertools
from collections import Counter

from sqlalchemy import delete, func, insert, select

from starrating.database import writes_immediately
from starrating.extensions import db
from starrating.models import RateLimitHit
from starrating.ratelimit.limits import Limit, Slot, Taken, Window

SWEEP_EVERY = 100  # hits; then expired rows of every key go, up to SWEEP_ROWS of them
SWEEP_ROWS = 1000
_hits_recorded = itertools.count(1)

STORE = "database"


def _serialise(key: str) -> None:
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
    elif not writes_immediately():
        # A read transaction that then writes fails at once with "database is locked" when
        # another process committed meanwhile (DESIGN.md §11): never count from one.
        raise RuntimeError("count rate-limit hits in a write transaction (database.write_phase)")


def _forget_expired(key: str, now_ms: int) -> None:
    db.session.execute(
        delete(RateLimitHit).where(RateLimitHit.key == key, RateLimitHit.expires_ms <= now_ms)
    )
    if next(_hits_recorded) % SWEEP_EVERY == 0:
        # Rows another transaction holds are left for later (PostgreSQL: SKIP LOCKED), so two
        # sweeps never wait on each other while each holds a key's lock.
        expired = (
            select(RateLimitHit.id)
            .where(RateLimitHit.expires_ms <= now_ms)
            .limit(SWEEP_ROWS)
            .with_for_update(skip_locked=True)
        )
        db.session.execute(delete(RateLimitHit).where(RateLimitHit.id.in_(expired)))


def _insert(key: str, limit: Limit, now_ms: int, tag: str) -> int:
    row = db.session.execute(
        insert(RateLimitHit)
        .values(key=key, at_ms=now_ms, expires_ms=now_ms + limit.window_ms, tag=tag)
        .returning(RateLimitHit.id)
    )
    return int(row.scalar_one())


def window(key: str, limit: Limit, now_ms: int) -> Window:
    count, oldest, newest = db.session.execute(
        select(func.count(), func.min(RateLimitHit.at_ms), func.max(RateLimitHit.at_ms)).where(
            RateLimitHit.key == key, RateLimitHit.at_ms > now_ms - limit.window_ms
        )
    ).one()
    return Window(int(count), oldest, newest)


def hit_times(key: str, limit: Limit, now_ms: int) -> list[int]:
    return list(
        db.session.scalars(
            select(RateLimitHit.at_ms)
            .where(RateLimitHit.key == key, RateLimitHit.at_ms > now_ms - limit.window_ms)
            .order_by(RateLimitHit.at_ms)
        )
    )


def acquire(key: str, limit: Limit, now_ms: int) -> Taken:
    _serialise(key)
    _forget_expired(key, now_ms)
    found = window(key, limit, now_ms)
    if found.count >= limit.hits:
        assert found.oldest_ms is not None
        return Taken(None, found.oldest_ms + limit.window_ms - now_ms)
    return Taken(Slot(STORE, key, str(_insert(key, limit, now_ms, ""))))


def release(slot: Slot) -> None:
    db.session.execute(
        delete(RateLimitHit).where(
            RateLimitHit.key == slot.key, RateLimitHit.id == int(slot.member)
        )
    )


def record(key: str, limit: Limit, now_ms: int, tag: str) -> int:
    _serialise(key)
    _forget_expired(key, now_ms)
    _insert(key, limit, now_ms, tag)
    return window(key, limit, now_ms).count


def tag_counts(key: str, limit: Limit, now_ms: int) -> Counter[str]:
    rows = db.session.execute(
        select(RateLimitHit.tag, func.count())
        .where(RateLimitHit.key == key, RateLimitHit.at_ms > now_ms - limit.window_ms)
        .group_by(RateLimitHit.tag)
    )
    return Counter({tag: int(count) for tag, count in rows})
