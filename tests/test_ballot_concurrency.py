"""Racing phones against a real gunicorn: every code casts exactly one ballot (DESIGN.md §6, §11).

The round is set up and committed in a fresh database of the backend under test; gunicorn with
two sync worker processes serves the app on a loopback port. Several phones, each with its own
cookie jar, scan the SAME code and open the ballot page; then all of them submit at once, so two
processes race to consume one code. Exactly one ballot per code may be stored, every phone must
see a page (no 5xx), the winner its receipt and the others "已投票".
"""

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import func, select

from starrating import create_app
from starrating.extensions import db
from starrating.models import BallotReceipt, BallotToken, CastBallot
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate
from starrating.rules.tokens import shown
from starrating.rules.vocabulary import Role
from starrating.services.ballots import create_round, generate_codes, open_round
from tests.conftest import base_config, close_app
from tests.factories import create_member, create_user, create_village, open_assessment
from tests.live_server_process import LIVE_APP, Answer, LiveServer, Phone, parse_ballot_form

CODES = 60
PHONES_PER_CODE = 4
THREADS = 24
ALREADY = "已投票"


@dataclass
class Attempt:
    code: str
    phone: Phone
    form: dict[str, str]
    marks: dict[str, str]
    answer: Answer | None = None


def _open_round(members: int) -> tuple[str, int, list[int], list[str]]:
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    for i in range(members):
        create_member(village=village, name=f"党员{i}")
    open_assessment(village=village, secretary=secretary, raters=[secretary])
    ballot_round = create_round(
        actor=secretary,
        village=village,
        year=2026,
        title="",
        members=True,
        cadres=False,
        electorate=Electorate.VILLAGERS,
        eligible=CODES,
    )
    codes = [
        c.code for c in generate_codes(actor=secretary, ballot_round=ballot_round, count=CODES)
    ]
    open_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()
    from starrating.queries.ballots import subjects

    subject_ids = [s.id for s in subjects(ballot_round.id)]
    return village.code, ballot_round.id, subject_ids, codes


def _scan_and_open(port: int, village_code: str, code: str, seed: int) -> Attempt:
    phone = Phone(port)
    answer = phone.get(f"/v/{village_code}/t/{shown(code)}")
    assert answer.statuses == [302, 200], (answer.statuses, answer.body[:500])
    assert answer.path == f"/v/{village_code}/ballot"
    form = parse_ballot_form(answer.body)
    assert form is not None, answer.body[:2000]
    choices = sorted(c.value for c in Choice)
    rng = random.Random(seed)
    marks = {}
    for subject_id, offered in form.choices.items():
        assert sorted(set(offered)) == choices, offered
        marks[str(subject_id)] = rng.choice(choices)
    fields = {"csrf_token": form.csrf_token} | {f"s-{k}": v for k, v in marks.items()}
    return Attempt(code, phone, fields, marks)


def test_racing_phones_store_exactly_one_ballot_per_code(databases):
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
        with app.app_context():
            village_code, round_id, subject_ids, codes = _open_round(members=5)
            db.session.remove()
        server.start()

        # Every phone scans its code and opens the form before any of them submits.
        with ThreadPoolExecutor(THREADS) as pool:
            attempts = list(
                pool.map(
                    lambda job: _scan_and_open(server.port, village_code, *job),
                    [(code, n) for code in codes for n in range(PHONES_PER_CODE)],
                )
            )
        assert all(sorted(map(int, a.marks)) == sorted(subject_ids) for a in attempts)

        # Then the phones holding one code submit together: a barrier per code.
        barriers = {code: threading.Barrier(PHONES_PER_CODE) for code in codes}

        def submit(attempt: Attempt) -> None:
            barriers[attempt.code].wait(timeout=60)
            attempt.answer = attempt.phone.post(f"/v/{village_code}/ballot", attempt.form)

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(submit, attempts))

        # A repeated submission (a retry after a lost answer, a double tap) from every phone.
        def repeat(attempt: Attempt) -> Answer:
            return attempt.phone.post(f"/v/{village_code}/ballot", attempt.form)

        with ThreadPoolExecutor(THREADS) as pool:
            repeats = list(pool.map(repeat, attempts))
    finally:
        server.stop()
    log = server.log_text()

    try:
        with app.app_context():
            stored = set(
                db.session.scalars(
                    select(BallotReceipt.receipt).where(BallotReceipt.round_id == round_id)
                )
            )
            stored_marks = sorted(
                json.dumps(marks, sort_keys=True)
                for marks in db.session.scalars(
                    select(CastBallot.marks).where(CastBallot.round_id == round_id)
                )
            )
            used = db.session.scalar(
                select(func.count(BallotToken.id)).where(
                    BallotToken.round_id == round_id, BallotToken.used.is_(True)
                )
            )
            db.session.remove()
    finally:
        close_app(app)

    assert "Traceback" not in log, log
    answers = [a.answer for a in attempts]
    assert all(a is not None for a in answers)
    assert {tuple(a.statuses) for a in answers if a} <= {(200,), (303, 200)}, {
        tuple(a.statuses) for a in answers if a
    }
    assert len(stored) == len(stored_marks) == CODES, "one ballot per code, no more, no fewer"
    assert used == CODES

    winners: dict[str, list[Attempt]] = {code: [] for code in codes}
    shown_for: dict[str, set[str]] = {code: set() for code in codes}
    for attempt in attempts:
        assert attempt.answer is not None
        shown_receipts = [r for r in stored if r in attempt.answer.body]
        assert len(shown_receipts) == 1, "every phone sees the code's one receipt"
        shown_for[attempt.code].add(shown_receipts[0])
        if ALREADY not in attempt.answer.body:
            winners[attempt.code].append(attempt)
    assert all(len(w) == 1 for w in winners.values()), {c: len(w) for c, w in winners.items()}
    assert all(len(r) == 1 for r in shown_for.values()), "the losers see the winner's receipt"
    # the winners' own marks are kept (nothing links a receipt to its marks: compared as sets)
    kept = sorted(json.dumps(w[0].marks, sort_keys=True) for w in winners.values())
    assert kept == stored_marks
    receipt_of_code = {
        code: next(r for r in stored if r in w[0].answer.body)  # type: ignore[union-attr]
        for code, w in winners.items()
    }
    for attempt, again in zip(attempts, repeats, strict=True):
        assert again.statuses in ([200], [303, 200]), again.statuses
        assert ALREADY in again.body, again.body[:2000]
        # a phone whose answer was lost (or a double tap) is shown the code's receipt again
        assert receipt_of_code[attempt.code] in again.body
