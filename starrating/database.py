"""The app's database: engine settings of DESIGN.md §11 (SQLite pragmas and its transaction
mode) and the binding of db to the app. It imports db from extensions, never the models.

SQLite: WAL, synchronous=FULL, busy_timeout and foreign keys on every connection. A request that
writes (any method but GET/HEAD/OPTIONS, and every CLI command) opens its transaction with
BEGIN IMMEDIATE so it never has to upgrade a read lock, which in WAL mode fails at once with
"database is locked" when another process committed meanwhile. Reads use a plain BEGIN; a read
request that must write (counting a wrong code) does it in a write_phase().
"""

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from starrating.extensions import MIGRATIONS, db, migrate
from starrating.private_files import narrow_if_present, private_file, private_folder

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_writing = ContextVar("starrating_writing", default=False)


def _begin_statement() -> str:
    return "BEGIN IMMEDIATE" if writes_immediately() else "BEGIN"


def writes_immediately() -> bool:
    """Whether a transaction begun now takes SQLite's write lock at once (BEGIN IMMEDIATE)."""
    if _writing.get():
        return True
    return not (has_request_context() and request.method in READ_METHODS)


@contextmanager
def write_phase() -> Iterator[None]:
    """Within a reading request (a GET that counts a wrong code), a transaction that writes:
    BEGIN IMMEDIATE, so its first write never meets a newer commit of another process (even a
    read transaction whose first statement writes fails then). The caller commits inside."""
    db.session.rollback()  # whatever was read before starts afresh
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def prepare_sqlite_file(uri: str, instance_path: str) -> None:
    """Create the SQLite database file 0600 (its folder 0700 if missing) before the first
    connection, so that it and the -wal/-shm files SQLite makes beside it with its mode are
    readable by the app's user only: they hold password hashes, phones and birth dates. A
    relative path is in the instance folder, as Flask-SQLAlchemy reads it."""
    database = make_url(uri).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(instance_path) / database  # a relative path is in the instance folder
    if not path.parent.exists():
        private_folder(path.parent)
    private_file(path)
    for suffix in ("-wal", "-shm"):
        narrow_if_present(Path(f"{path}{suffix}"))


def configure_sqlite(engine: Engine) -> None:
    """Install the pragmas and the BEGIN / BEGIN IMMEDIATE choice on a SQLite engine."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "busy_timeout=5000",
            "foreign_keys=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(_begin_statement())


def engine_options(uri: str) -> dict[str, Any]:
    """Pool settings: SQLite files need no pool tuning; PostgreSQL checks connections first."""
    if uri.startswith("sqlite"):
        return {}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5}


def init_database(app: Flask) -> None:
    """Bind db (and the migrations) to app with the engine settings above; on SQLite, the
    database file is made private first and every connection gets the pragmas."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(uri))
    if uri.startswith("sqlite"):
        prepare_sqlite_file(uri, app.instance_path)
    db.init_app(app)
    _close_sessions_quietly(app)
    if uri.startswith("sqlite"):
        with app.app_context():
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS))


def _close_sessions_quietly(app: Flask) -> None:
    """Flask-SQLAlchemy closes the request's session in a teardown, after the response is
    chosen; when the connection died meanwhile (PostgreSQL restarted), closing it can raise,
    outside every error handler. Here a failure to close is logged and the session dropped,
    and the response the request already has (its commit done, or its error page) is sent."""
    app.teardown_appcontext_funcs.remove(db._teardown_session)

    @app.teardown_appcontext
    def _close_session(error: BaseException | None) -> None:
        try:
            db.session.remove()
        except Exception:
            app.logger.exception("closing the request's database session failed")
            # its connections are closed now (not left to the garbage collector), and the
            # broken session is not reused
            with contextlib.suppress(Exception):
                db.session().invalidate()  # (scoped_session has no proxy for it)
            db.session.registry.clear()
