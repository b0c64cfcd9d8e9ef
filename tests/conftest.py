"""Fixtures: one suite, two databases (DESIGN.md §11).

STARRATING_TEST_DATABASE=sqlite (default) uses a temporary SQLite file; =postgresql creates a
database per test session from STARRATING_TEST_POSTGRES_URL (an admin URL) and drops it at the
end. The schema comes from the Alembic migrations. Each test runs inside an outer transaction on
one connection, with the session joining it through savepoints, and is rolled back at the end.
"""

import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from starrating import create_app
from starrating.extensions import db

BACKEND = os.environ.get("STARRATING_TEST_DATABASE", "sqlite")
if BACKEND not in ("sqlite", "postgresql"):
    raise RuntimeError(f"STARRATING_TEST_DATABASE must be sqlite or postgresql, not {BACKEND}")


def pytest_report_header() -> str:
    return f"starrating test database: {BACKEND}"


def base_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",  # noqa: S105
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_PROFILE": "fast",
        "RATELIMIT_REDIS_URL": None,
        # the test client's and the browser tests' live server's hosts: print their QR codes
        "PUBLIC_HOSTS": ("localhost", "127.0.0.1"),
    }
    config.update(overrides)
    return config


class DatabaseFactory:
    """Makes fresh, migrated databases of the backend under test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.created: list[str] = []
        admin = os.environ.get("STARRATING_TEST_POSTGRES_URL")
        if BACKEND == "postgresql" and not admin:
            raise RuntimeError(
                "STARRATING_TEST_POSTGRES_URL is not set; run the tests with bin/test"
            )
        self.admin_url = make_url(admin) if admin else None

    def new(self, migrate: bool = True) -> str:
        name = f"starrating_test_{os.getpid()}_{secrets.token_hex(4)}"
        if self.admin_url is None:
            url = f"sqlite:///{self.folder / (name + '.sqlite')}"
        else:
            engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            engine.dispose()
            self.created.append(name)
            url = self.admin_url.set(database=name).render_as_string(hide_password=False)
        if migrate:
            app = create_app(base_config(url))
            with app.app_context():
                upgrade()
                db.engine.dispose()
        return url

    def drop_all(self) -> None:
        if self.admin_url is None or not self.created:
            return
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def database_url(databases: DatabaseFactory) -> str:
    """The session's shared, migrated database; tests roll their changes back."""
    return databases.new()


@pytest.fixture
def app(database_url: str, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app whose every query runs in one outer transaction, rolled back after the test.

    Mark a test with @pytest.mark.app_config(KEY=value) to change its config.
    """
    marker = request.node.get_closest_marker("app_config")
    app = create_app(base_config(database_url, **(marker.kwargs if marker else {})))

    @app.before_request
    def _forget_last_requests_user() -> None:
        # Test requests reuse the test's app context, and with it `g`, where flask-login keeps
        # the loaded user: without this, a second client would act as the first one's user.
        g.pop("_login_user", None)

    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        # Flask-SQLAlchemy's session ignores a session-level bind: use a plain one (§11).
        db.session = scoped_session(  # type: ignore[assignment]
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield app
        finally:
            db.session.remove()
            db.session = original  # type: ignore[assignment]
            transaction.rollback()
            connection.close()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "app_config(**settings): config overrides for the app")
    config.addinivalue_line("markers", "sqlite_only: checks a SQLite-specific setting")
    config.addinivalue_line("markers", "postgresql_only: checks a PostgreSQL-specific path")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BACKEND != "sqlite" and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="SQLite-only setting; this run is PostgreSQL"))
        if BACKEND != "postgresql" and item.get_closest_marker("postgresql_only"):
            item.add_marker(pytest.mark.skip(reason="PostgreSQL-only path; this run is SQLite"))


# --- Redis for the shared rate limits -------------------------------------------------------


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis to test against: the configured or local one, else a throwaway redis-server."""
    url = os.environ.get("STARRATING_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    if _redis_answers(url):
        yield url
        return
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    try:
        process = subprocess.Popen(  # noqa: S603
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        pytest.fail(
            "No Redis reachable and no redis-server installed (apt-get install redis-server)"
        )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(50):
        if _redis_answers(url):
            break
        time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


class Clock:
    """The rate limits' clock (starrating.ratelimit.now), moved by hand."""

    def __init__(self, start: float) -> None:
        self.moment = start

    def __call__(self) -> float:
        return self.moment

    def at(self, moment: float) -> "Clock":
        self.moment = moment
        return self

    def forward(self, seconds: float) -> "Clock":
        return self.at(self.moment + seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from starrating import ratelimit

    found = Clock(1_800_000_000.0)  # a multiple of 15 minutes, as a fixed window would start
    monkeypatch.setattr(ratelimit, "now", found)
    return found


def close_app(app: Flask) -> None:
    """Return the app's connections and close its pool (a session still holding a connection
    would keep it open past dispose() and leak it)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
