"""Baseline for benchmarks/ballot_load.py: the cheapest useful write a Flask app can serve.

One route, POST /hit, inserts one row into `baseline_hit` of the same database the ballot app
uses, in its own transaction, and answers a short 200. On SQLite the engine gets the project's
pragmas and BEGIN IMMEDIATE (starrating.database.configure_sqlite: WAL, synchronous=FULL,
busy_timeout, foreign keys), on PostgreSQL the project's pool settings, so the difference to the
ballot endpoint is the ballot code path, not the storage settings. gunicorn serves it as
"baseline_app:create_baseline_app()" from this folder, with BASELINE_DATABASE_URL set.
"""

import os
import secrets

from flask import Flask, request
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert

from starrating.database import configure_sqlite, engine_options

metadata = MetaData()
hits = Table(
    "baseline_hit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payload", String(64), nullable=False),
)


def engine_for(url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(url, **engine_options(url))
    if url.startswith("sqlite"):
        configure_sqlite(engine)
    return engine


def create_table(url: str) -> None:
    engine = engine_for(url)
    metadata.create_all(engine)
    engine.dispose()


def create_baseline_app(url: str | None = None) -> Flask:
    url = url or os.environ["BASELINE_DATABASE_URL"]
    engine = engine_for(url)
    app = Flask(__name__)

    @app.get("/")
    def ready() -> str:
        return "ok"

    @app.post("/hit")
    def hit() -> str:
        payload = f"{len(request.form)}:{secrets.token_hex(8)}"
        with engine.begin() as connection:
            connection.execute(insert(hits).values(payload=payload))
        return "ok"

    return app
