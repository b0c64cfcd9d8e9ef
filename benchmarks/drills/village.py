"""The drill's village: a fresh database migrated and given a village with an open round of
many codes (tests/live_setup.py), served by a real gunicorn; and what the database holds of the
round afterwards."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, func, select

from starrating.models import BallotReceipt, BallotToken, CastBallot
from starrating.rules.tokens import code_hash, receipt_for
from tests.live_server_process import LiveServer
from tests.live_setup import LiveVillage, open_live_village

# production defaults with the drill's database and key (not LIVE_APP: the caller's
# STARRATING_LIVE_APP would swap the app)
DRILL_APP = "tests.live_server_process:live_app()"
SECRET_KEY = "drill-" + "k" * 40  # noqa: S105  (a throwaway database's key)
MEMBERS = 12  # subjects on the ballot: a page of a real size, light enough for two cores


def expected_receipt(code: str, key: str = SECRET_KEY) -> str:
    """The receipt a phone must be shown for this code (derived from it, never stored beside)."""
    return receipt_for(code_hash(code, key.encode()), key.encode())


def set_up_village(url: str, *, codes: int, key: str = SECRET_KEY) -> LiveVillage:
    """Migrate the empty database at url and commit a village with an open round of codes."""
    from flask_migrate import upgrade

    from starrating import create_app
    from starrating.extensions import db

    app = create_app({"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        logging.disable(logging.INFO)  # Alembic's line per migration
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
        live = open_live_village(codes=codes, members=MEMBERS)
        db.session.remove()
        db.engine.dispose()
    return live


def live_env(url: str, key: str = SECRET_KEY, **extra: str) -> dict[str, str]:
    """The environment of tests.live_server_process:live_app() for this database and key."""
    return {"STARRATING_LIVE_DATABASE_URL": url, "STARRATING_LIVE_SECRET_KEY": key, **extra}


@dataclass
class Stage:
    """A drill's served village: the database, the round and its codes, the gunicorn."""

    url: str
    live: LiveVillage
    server: LiveServer


@contextmanager
def served_village(url: str, *, codes: int, **env: str) -> Iterator[Stage]:
    """A village on the fresh database at url, served by gunicorn with 2 sync workers."""
    live = set_up_village(url, codes=codes)
    server = LiveServer(DRILL_APP, live_env(url, **env), workers=2)
    server.start()
    try:
        yield Stage(url, live, server)
    finally:
        server.stop()


@dataclass(frozen=True)
class Stored:
    """What the database holds of a round."""

    ballots: int
    used_codes: int
    receipts: list[str]


def stored(url: str, round_id: int) -> Stored:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            ballots = connection.scalar(
                select(func.count()).select_from(CastBallot).where(CastBallot.round_id == round_id)
            )
            used = connection.scalar(
                select(func.count())
                .select_from(BallotToken)
                .where(BallotToken.round_id == round_id, BallotToken.used.is_(True))
            )
            receipts = connection.scalars(
                select(BallotReceipt.receipt).where(BallotReceipt.round_id == round_id)
            ).all()
    finally:
        engine.dispose()
    return Stored(int(ballots or 0), int(used or 0), list(receipts))
