"""Every error page is the Chinese one (starrating/errors.py), also for errors no Flask handler
sees: a failure closing the request's database session (PostgreSQL restarted), an error in a
teardown, an error page that cannot render because the database is gone."""

import contextlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import flask_sqlalchemy.session
import pytest
from sqlalchemy.exc import OperationalError

from starrating import create_app, errors
from starrating.extensions import db
from tests.conftest import base_config, close_app
from tests.live_server_process import LIVE_APP, LiveServer, Phone, free_port

ENGLISH = "Internal Server Error"


def _dead_database(*args, **kwargs):
    raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


@pytest.fixture
def own_database(databases) -> str:
    """A database of its own: what the test commits stays out of the one the others share.
    (Made before the test runs: the migrations' logging setup would drop caplog's handler.)"""
    return databases.new()


def test_a_failure_closing_the_session_still_sends_the_page_and_is_logged(
    own_database, monkeypatch, caplog
):
    # Its own app, outside the fixture's app context: each request pushes and tears down its
    # own, as under gunicorn, so the session is closed after every request.
    app = create_app(base_config(own_database))
    client = app.test_client()
    assert client.get("/login").status_code == 200
    monkeypatch.setattr(flask_sqlalchemy.session.Session, "close", _dead_database)
    with caplog.at_level(logging.ERROR):  # a wrong password: read, count, commit, answer
        response = client.post("/login", data={"username": "nobody", "password": "wrong-pass"})
    assert response.status_code == 422 and "用户名或密码" in response.get_data(as_text=True)
    assert "closing the request's database session failed" in caplog.text
    with app.app_context():  # the broken session's connection was closed, not left to the GC
        assert db.engine.pool.checkedout() == 0
    monkeypatch.undo()
    assert client.get("/login").status_code == 200  # the next request has a new session
    close_app(app)


def _chinese_500(response) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert '<html lang="zh-CN">' in html and "系统出错了" in html
    assert ENGLISH not in html
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    return html


def test_an_error_in_a_teardown_is_answered_with_the_chinese_page(app, client, caplog):
    @app.teardown_request
    def _boom(error):
        _dead_database()

    with caplog.at_level(logging.ERROR):
        _chinese_500(client.get("/login"))
    assert "error outside the app's handlers on GET /login" in caplog.text


def test_an_error_page_that_cannot_be_rendered_is_still_the_chinese_page(app, client, monkeypatch):
    @app.route("/test-broken")
    def _broken():
        _dead_database()

    _broken.is_public = True  # the guard lets it through; the page itself fails
    monkeypatch.setattr(errors, "render_template", _dead_database)  # its top bar reads the user
    _chinese_500(client.get("/test-broken"))


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_offline_page_carries_the_apps_500_message(app, client, method):
    @app.teardown_request
    def _boom(error):
        _dead_database()

    html = _chinese_500(client.open("/login", method=method))
    assert errors.UNSURE in html
    assert "没有保存。" not in html  # the commit may have gone through before the teardown


def test_an_error_outside_the_handlers_on_a_ballot_page_tells_the_villager_what_to_do(
    app, client, caplog
):
    @app.teardown_request
    def _boom(error):
        _dead_database()

    with caplog.at_level(logging.ERROR):
        response = client.get("/v/somewhere/t/ABCDE-FGHJK")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and ENGLISH not in html
    assert "投票页面出错了" in html and errors.VILLAGER_UNSURE in html
    assert "ABCDE" not in caplog.text and "/v/somewhere/t/…" in caplog.text


def test_an_error_in_a_ballot_view_keeps_the_ballots_layout(app, client, monkeypatch, caplog):
    import starrating.blueprints.ballot as ballot_views

    monkeypatch.setattr(ballot_views, "get_public_village_or_404", _dead_database)
    with caplog.at_level(logging.ERROR):
        response = client.get("/v/somewhere/")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert 'class="ballot"' in html and errors.VILLAGER_UNSURE in html
    assert "登录" not in html  # no staff login to go back to from a villager's phone


# --- real gunicorn, a PostgreSQL restarted under load ---------------------------------------------


class ThrowawayPostgres:
    """A PostgreSQL server of our own (initdb in a temporary folder, as bin/test starts one),
    so that it can be restarted: the shared server is never touched."""

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not found:
            pytest.skip("no PostgreSQL server binaries (apt-get install postgresql)")
        self.bin = found[-1].parent
        # not under pytest's tmp_path: the postgres user must be able to reach it
        self.folder = Path(tempfile.mkdtemp(prefix="starrating-pg-"))
        self.port = free_port()
        as_root = os.geteuid() == 0
        self.prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        if as_root:
            shutil.chown(self.folder, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        data = self.folder / "data"
        self._run(
            str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E",
            "UTF8", "--no-locale",
        )  # fmt: skip
        self._pg_ctl("start")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-l",
            str(self.folder / "server.log"), "-w", "-t", "60", "-o", options, action, *extra,
        )  # fmt: skip

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "immediate")  # connections die mid-request

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def _seeded(url: str) -> str:
    from flask_migrate import upgrade

    from tests.blueprints.publicity import ready_year

    app = create_app(base_config(url))
    with app.app_context():
        upgrade()
        village, _, _ = ready_year()
        code = village.code
    close_app(app)
    return code


@pytest.mark.postgresql_only
def test_real_gunicorn_answers_in_chinese_while_postgresql_restarts():
    server = ThrowawayPostgres()
    url = server.start()
    try:
        village_code = _seeded(url)
        env = {"STARRATING_LIVE_DATABASE_URL": url, "STARRATING_LIVE_SECRET_KEY": "live-key"}
        with LiveServer(LIVE_APP, env, ready_path="/login") as live:
            answers: list[tuple[int, str]] = []
            stop = threading.Event()

            def load() -> None:
                phone = Phone(live.port, timeout=30)
                while not stop.is_set():
                    for path in (f"/{village_code}/board", f"/v/{village_code}/receipts"):
                        answer = phone.get(path)
                        answers.append((answer.status, answer.body))

            threads = [threading.Thread(target=load) for _ in range(6)]
            for thread in threads:
                thread.start()
            time.sleep(2)
            for _ in range(3):
                server.restart()
                time.sleep(1.5)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            after = Phone(live.port).get(f"/{village_code}/board")
            log = live.log_text()
    finally:
        server.stop()
    failed = [(status, body) for status, body in answers if status >= 500]
    assert answers and after.status == 200  # the pool reconnects once the server is back
    # the staff's page, or on a villager's page the ballot's own (true either way: see errors.py)
    chinese = ("系统出错了", errors.VILLAGER_UNSURE)
    assert [b for _, b in failed if ENGLISH in b or not any(c in b for c in chinese)] == [], log[
        -3000:
    ]
    assert all(status < 500 or '<html lang="zh-CN">' in body for status, body in answers)
    print(f"{len(answers)} answers, {len(failed)} Chinese 500 pages during 3 restarts")
