"""The rate limits against a real gunicorn (two sync workers) on the backend under test.

- Wrong passwords racing in through both workers: exactly the limit is checked, the rest wait.
- Redis configured but killed, or frozen (SIGSTOP, as a hung server or a dead network is): logins
  and valid ballot codes still work from the database counters, no request is held for seconds,
  and each worker says so once in the log.
"""

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from starrating import create_app
from starrating.extensions import db
from starrating.models import CastBallot, User
from starrating.ratelimit import LOGIN_PER_USERNAME
from tests.conftest import base_config, close_app
from tests.factories import PASSWORD
from tests.live_server_process import LIVE_APP, Answer, LiveServer, Phone, csrf_token_of
from tests.live_setup import VOTED, WRONG_PASSWORD, LiveVillage, log_in, open_live_village, vote
from tests.redis_process import RedisServer

WRONG = "用户名或密码不正确"
WAIT = "登录失败次数太多"
FALLBACK_LOG = "rate-limit store unreachable"
BACK_LOG = "rate-limit store reachable again"


@dataclass
class Served:
    server: LiveServer
    live: LiveVillage
    database_url: str


@contextmanager
def served(
    databases, *, codes: int = 10, slow_password: bool = False, **env: str
) -> Iterator[Served]:
    """A fresh database with a village and its open round, served by gunicorn with env."""
    url = databases.new()
    app = create_app(base_config(url))
    with app.app_context():
        live = open_live_village(codes=codes)
        if slow_password:  # the production argon2 profile: a check takes a real while
            user = db.session.scalar(select(User).where(User.username == live.secretary))
            user.password_hash = PasswordHasher().hash(PASSWORD)
            db.session.commit()
        db.session.remove()
    close_app(app)
    server = LiveServer(
        LIVE_APP,
        {"STARRATING_LIVE_DATABASE_URL": url, "STARRATING_LIVE_SECRET_KEY": "test-secret-key"}
        | env,
    )
    server.start()
    try:
        yield Served(server, live, url)
    finally:
        server.stop()


def ballots_stored(database_url: str, round_id: int) -> int:
    app = create_app(base_config(database_url))
    try:
        with app.app_context():
            count = db.session.scalar(
                select(func.count(CastBallot.id)).where(CastBallot.round_id == round_id)
            )
            db.session.remove()
    finally:
        close_app(app)
    return int(count or 0)


# --- exactly the limit under a race ----------------------------------------------------------


def test_racing_wrong_logins_let_exactly_the_limit_through(databases):
    """Before: the check and the count were two statements, so on PostgreSQL two workers both
    saw 9 and both checked a password (11 of 10)."""
    tries = 3 * LOGIN_PER_USERNAME.hits
    with served(databases, slow_password=True) as s:
        phones = [Phone(s.server.port) for _ in range(tries)]
        tokens = [csrf_token_of(phone.get("/login").body) for phone in phones]
        start = threading.Barrier(tries)

        def wrong_login(job: tuple[Phone, str | None]) -> Answer:
            phone, token = job
            form = {"csrf_token": token or "", "username": s.live.secretary}
            start.wait(timeout=60)
            return phone.post("/login", form | {"password": WRONG_PASSWORD})

        with ThreadPoolExecutor(tries) as pool:
            answers = list(pool.map(wrong_login, zip(phones, tokens, strict=True)))
        log = s.server.log_text()

    assert "Traceback" not in log, log
    checked = [a for a in answers if a.status == 422 and WRONG in a.body]
    refused = [a for a in answers if a.status == 429 and WAIT in a.body]
    assert len(checked) == LOGIN_PER_USERNAME.hits, [a.status for a in answers]
    assert len(refused) == tries - LOGIN_PER_USERNAME.hits


# --- Redis away ------------------------------------------------------------------------------


def _timed(action) -> tuple[float, Answer]:
    started = time.monotonic()
    answer = action()
    return time.monotonic() - started, answer


def _logs_once_per_worker(log: str, line: str) -> dict[str, int]:
    """Worker pid → how many times it logged line."""
    found: dict[str, int] = {}
    for match in re.finditer(rf"{re.escape(line)} \(worker (\d+)\)", log):
        found[match.group(1)] = found.get(match.group(1), 0) + 1
    return found


def _logins_and_votes_work(s: Served, *, logins: int, codes: list[str]) -> list[float]:
    """Each request's time: the logins and votes all succeeded."""
    times = []
    for _ in range(logins):
        seconds, answer = _timed(lambda: log_in(Phone(s.server.port), s.live.secretary))
        assert answer.status == 200 and answer.statuses[0] == 302, (
            answer.statuses,
            answer.body[:500],
        )
        times.append(seconds)
    for code in codes:
        seconds, answer = _timed(lambda code=code: vote(Phone(s.server.port), s.live, code))
        assert answer.status == 200 and VOTED in answer.body, (answer.statuses, answer.body[:500])
        times.append(seconds)
    return times


def test_with_redis_killed_logins_and_codes_work_from_the_database(databases):
    with (
        RedisServer() as store,
        served(
            databases,
            codes=8,
            STARRATING_LIVE_REDIS_URL=store.url,
            STARRATING_LIVE_CONFIG='{"RATELIMIT_REDIS_RETRY_SECONDS": 1}',
        ) as s,
    ):
        assert log_in(Phone(s.server.port), s.live.secretary).status == 200
        store.kill()
        times = _logins_and_votes_work(s, logins=6, codes=s.live.codes[:4])
        # the limits still hold, counted in the database meanwhile
        phone = Phone(s.server.port)
        wrong = [
            log_in(phone, s.live.secretary, WRONG_PASSWORD) for _ in range(LOGIN_PER_USERNAME.hits)
        ]
        assert all(WRONG in a.body for a in wrong)
        assert log_in(phone, s.live.secretary).status == 429
        reviewer = Phone(s.server.port)
        log_in(reviewer, s.live.reviewer)
        assert "共享的限流存储" in reviewer.get("/township/dashboard").body
        # Redis comes back: after the breaker's pause the workers use it again
        store.start()
        time.sleep(1.5)
        for code in s.live.codes[4:]:
            assert VOTED in vote(Phone(s.server.port), s.live, code).body
        for _ in range(8):
            log_in(Phone(s.server.port), s.live.reviewer)
        log = s.server.log_text()
    assert "Traceback" not in log, log
    assert max(times) < 1.0, times
    warned = _logs_once_per_worker(log, FALLBACK_LOG)
    assert warned and set(warned.values()) == {1}, (warned, log)
    assert _logs_once_per_worker(log, BACK_LOG), log
    assert ballots_stored(s.database_url, s.live.round_id) == 8


@pytest.mark.timeout(120)
def test_with_redis_frozen_requests_are_not_held(databases):
    """Before: redis-py's 2 s timeout with its default retries held every request for seconds
    (and then answered 500)."""
    with (
        RedisServer() as store,
        served(databases, codes=12, STARRATING_LIVE_REDIS_URL=store.url) as s,
    ):
        assert log_in(Phone(s.server.port), s.live.secretary).status == 200
        answering = _logins_and_votes_work(s, logins=10, codes=s.live.codes[:6])
        store.freeze()
        frozen = _logins_and_votes_work(s, logins=10, codes=s.live.codes[6:])
        log = s.server.log_text()
    assert "Traceback" not in log, log
    # At most one request per worker waits for the short Redis timeout (0.2 s), then the
    # breaker skips Redis: the frozen run costs about that much more than the answering one.
    figures = f"answering {sum(answering):.2f} s, frozen {sum(frozen):.2f} s: {frozen}"
    assert max(frozen) < 1.0, figures
    assert sum(frozen) - sum(answering) < 1.5, figures
    warned = _logs_once_per_worker(log, FALLBACK_LOG)
    assert warned and set(warned.values()) == {1}, (warned, log)
    assert ballots_stored(s.database_url, s.live.round_id) == 12
    print(figures)  # noqa: T201  (the figure the report quotes, with pytest -s)
