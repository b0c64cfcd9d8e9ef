"""The limits hold exactly, in the database and in Redis: at most `hits` in any window, the
check and the count one step, refused tries not counted."""

from sqlalchemy import func, select

from starrating import ratelimit
from starrating.extensions import db
from starrating.models import RateLimitHit

THREE_A_MINUTE = ratelimit.Limit(hits=3, seconds=60)


def take(key: str = "k", limit: ratelimit.Limit = THREE_A_MINUTE) -> ratelimit.Attempt:
    return ratelimit.acquire((key, limit))


def test_across_a_window_boundary_at_most_the_limit_is_taken(store, clock):
    # A fixed window ending at :00 would let three in at :59 and three more at :01.
    clock.at(1_800_000_059.0)
    assert [take().allowed for _ in range(3)] == [True] * 3
    clock.at(1_800_000_061.0)
    assert take().allowed is False
    clock.at(1_800_000_118.9)
    assert take().allowed is False
    clock.at(1_800_000_119.0)  # a minute after the three: all three slots free
    assert [take().allowed for _ in range(4)] == [True, True, True, False]


def test_a_refused_try_is_not_counted_so_hammering_does_not_lengthen_the_wait(store, clock):
    start = clock.moment
    for _ in range(3):
        take()
    for second in range(1, 60):
        clock.at(start + second)
        assert take().allowed is False
    clock.at(start + 60)
    assert take().allowed is True


def test_the_wait_is_the_time_until_the_oldest_hit_leaves_the_window(store, clock):
    start = clock.moment
    take()
    clock.at(start + 10)
    take()
    take()
    clock.at(start + 30)
    refused = take()
    assert (refused.allowed, refused.retry_after, refused.retry_minutes) == (False, 30, 1)


def test_a_released_slot_is_as_if_never_taken(store, clock):
    first = take()
    ratelimit.release(first)
    assert [take().allowed for _ in range(4)] == [True, True, True, False]


def test_several_limits_are_taken_all_or_none(store, clock):
    one_a_minute = ratelimit.Limit(hits=1, seconds=60)
    assert take("full", one_a_minute).allowed
    both = ratelimit.acquire(("other", one_a_minute), ("full", one_a_minute))
    assert both.allowed is False
    assert take("other", one_a_minute).allowed, "the other key's slot was given back"


def test_keys_and_windows_are_counted_apart(store, clock):
    for _ in range(3):
        take("a")
    assert take("b").allowed
    assert take("a", ratelimit.Limit(hits=3, seconds=600)).allowed


def test_record_hit_counts_past_the_limit_and_is_blocked_only_reads(store, clock):
    """The change-password page's way: look first, count a wrong one, look again."""
    assert ratelimit.is_blocked("p", THREE_A_MINUTE) is False
    assert [ratelimit.record_hit("p", THREE_A_MINUTE) for _ in range(4)] == [1, 2, 3, 4]
    assert ratelimit.is_blocked("p", THREE_A_MINUTE) is True
    assert take("p").allowed is False
    clock.at(clock.moment + 60)
    assert ratelimit.is_blocked("p", THREE_A_MINUTE) is False


def test_the_window_tells_how_many_and_when(store, clock):
    start = clock.moment
    ratelimit.record_hit("w", THREE_A_MINUTE)
    clock.at(start + 5)
    ratelimit.record_hit("w", THREE_A_MINUTE)
    found = ratelimit.window("w", THREE_A_MINUTE)
    assert (found.count, found.oldest_ms, found.newest_ms) == (
        2,
        int(start * 1000),
        int((start + 5) * 1000),
    )
    assert ratelimit.window("nothing", THREE_A_MINUTE).count == 0


def test_tags_are_counted_within_the_window(store, clock):
    hour = ratelimit.Limit(hits=100, seconds=3600)
    for tag in ["typed:a", "typed:a", "link:b"]:
        ratelimit.record_hit("log", hour, tag=tag)
    clock.at(clock.moment + 3600)
    ratelimit.record_hit("log", hour, tag="typed:c")
    assert ratelimit.tag_counts("log", hour) == {"typed:c": 1}


def test_with_redis_nothing_is_kept_in_the_database(app, fresh_redis, clock):
    app.config["RATELIMIT_REDIS_URL"] = fresh_redis.url
    take()
    ratelimit.record_hit("log", THREE_A_MINUTE, tag="x")
    assert db.session.scalar(select(func.count(RateLimitHit.id))) == 0


def test_the_database_forgets_hits_once_their_window_has_passed(app, clock):
    for _ in range(3):
        take()
    clock.at(clock.moment + 61)
    take()
    assert db.session.scalar(select(func.count(RateLimitHit.id))) == 1


def test_now_and_then_every_key_s_expired_hits_are_swept(app, clock, monkeypatch):
    from starrating.ratelimit import database_store

    monkeypatch.setattr(database_store, "SWEEP_EVERY", 1)
    for key in ("a", "b", "c"):
        take(key)
    clock.forward(61)
    take("d")
    assert db.session.scalar(select(func.count(RateLimitHit.id))) == 1
