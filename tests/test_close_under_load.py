"""Closing a round while an assembly casts from phones, against a real gunicorn (issue 12).

40 phones cast back to back; when the 900th ballot is in, the secretary closes the round. Every
phone must be told the truth — a receipt when its ballot was stored, "投票已经结束" when it was
not — and afterwards ballots = used codes = receipts stored = receipts shown, every time. Closing
used to delete the round's ballots and insert again what it had read, while casts still
committed in between: on PostgreSQL 2–3 receipted ballots were lost in every run.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import create_engine, func, select

from starrating import create_app
from starrating.extensions import db
from starrating.models import BallotReceipt, BallotRound, BallotToken, CastBallot, User
from starrating.rules.tokens import shown
from starrating.services.ballots import close_round
from tests.conftest import base_config, close_app
from tests.live_server_process import LIVE_APP, LiveServer, Phone, parse_ballot_form
from tests.live_setup import open_live_village

PHONES = 40
CODES = 1000
CLOSE_AT = 900
RUNS = 5
RECEIPT = "投票成功"
CLOSED = "投票已经结束"


@dataclass
class Voter:
    code: str
    phone: Phone
    fields: dict[str, str]
    answer: str = ""


def _prepare(port: int, village_code: str, code: str) -> Voter:
    """Scan the code and open the ballot page (not part of the race)."""
    phone = Phone(port)
    page = phone.get(f"/v/{village_code}/t/{shown(code)}")
    form = parse_ballot_form(page.body)
    assert page.statuses == [302, 200] and form is not None, (page.statuses, page.body[:300])
    fields = {"csrf_token": form.csrf_token} | {
        f"s-{subject}": offered[subject % len(offered)] for subject, offered in form.choices.items()
    }
    return Voter(code, phone, fields)


def _counts(url: str, round_id: int) -> tuple[int, int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return tuple(  # type: ignore[return-value]
                int(connection.scalar(select(func.count()).where(where)) or 0)
                for where in (
                    CastBallot.round_id == round_id,
                    (BallotToken.round_id == round_id) & BallotToken.used,
                    BallotReceipt.round_id == round_id,
                )
            )
    finally:
        engine.dispose()


def _run_once(app, url: str, port: int) -> None:
    with app.app_context():
        live = open_live_village(codes=CODES, members=5)
        secretary_id = db.session.scalar(select(User.id).where(User.username == live.secretary))
        db.session.remove()
    village_code, round_id, codes = live.village_code, live.round_id, live.codes
    with ThreadPoolExecutor(PHONES) as pool:
        voters = list(pool.map(lambda c: _prepare(port, village_code, c), codes))

    closed = threading.Event()

    def close_at_900() -> None:
        engine = create_engine(url)
        try:
            while not closed.is_set():
                with engine.connect() as connection:
                    count = connection.scalar(
                        select(func.count()).where(CastBallot.round_id == round_id)
                    )
                if (count or 0) >= CLOSE_AT:
                    break
                time.sleep(0.005)
        finally:
            engine.dispose()
        with app.app_context():
            close_round(
                actor=db.session.get(User, secretary_id),
                ballot_round=db.session.get(BallotRound, round_id),
            )
            db.session.commit()
            db.session.remove()
        closed.set()

    closer = threading.Thread(target=close_at_900)
    closer.start()

    def cast(voter: Voter) -> None:
        voter.answer = voter.phone.post(f"/v/{village_code}/ballot", voter.fields).body

    with ThreadPoolExecutor(PHONES) as pool:
        list(pool.map(cast, voters))
    closed.set()
    closer.join(timeout=60)

    with app.app_context():
        assert db.session.get(BallotRound, round_id).state.value == "closed"
        stored = set(
            db.session.scalars(
                select(BallotReceipt.receipt).where(BallotReceipt.round_id == round_id)
            )
        )
        db.session.remove()
    ballots, used, receipts = _counts(url, round_id)
    shown_receipts = {r for v in voters for r in stored if r in v.answer}
    told_closed = [v for v in voters if CLOSED in v.answer]
    confused = [v.answer[:300] for v in voters if (RECEIPT in v.answer) == (CLOSED in v.answer)]
    assert confused == [], confused[:3]
    assert "已投票" not in "".join(v.answer for v in voters), "no phone is told a false 已投票"
    assert ballots == used == receipts == len(shown_receipts), (ballots, used, receipts)
    assert ballots >= CLOSE_AT and ballots + len(told_closed) == CODES


def test_closing_while_phones_cast_loses_no_ballot_and_tells_each_phone_the_truth(databases):
    url = databases.new()
    app = create_app(base_config(url))
    server = LiveServer(
        LIVE_APP,
        {
            "STARRATING_LIVE_DATABASE_URL": url,
            "STARRATING_LIVE_SECRET_KEY": app.config["SECRET_KEY"],
        },
    )
    try:
        server.start()
        for _ in range(RUNS):  # a village of its own each time
            _run_once(app, url, server.port)
    finally:
        server.stop()
        close_app(app)
    assert "Traceback" not in server.log_text(), server.log_text()
