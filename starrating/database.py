"""Engine settings of DESIGN.md §11: SQLite pragmas and its transaction mode.

SQLite: WAL, synchronous=FULL, busy_timeout and foreign keys on every connection. A request that
writes (any method but GET/HEAD/OPTIONS, and every CLI command) opens its transaction with
BEGIN IMMEDIATE so it never has to upgrade a read lock, which in WAL mode fails at once with
"database is locked" when another process committed meanwhile. Reads use a plain BEGIN.
"""

from typing import Any

from flask import has_request_context, request
from sqlalchemy import Engine, event

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _begin_statement() -> str:
    if has_request_context() and request.method in READ_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


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
