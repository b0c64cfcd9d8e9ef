"""Casting a ballot exactly once, the refusals a code can meet, and sealing a round's ballots.

One statement uses the code and stores the ballot and its receipt (DESIGN.md §11
"Exactly-once ballots"), on the hot path of a whole assembly voting within minutes: it checks the
round in the same statement, and on PostgreSQL locks the round's row for share while it does, so
that closing (which locks the row for update) waits for every cast already under way and every
later cast sees the round closed. Nothing is ever deleted: closing and certifying *seal* the
round's ballots instead (new random ids, rewritten in one transaction), so that neither storage
order nor transaction stamps tell the order of casting.

The statement is plain SQL per dialect (SQLite has no data-modifying WITH): it is the one place
where a whole Core statement tree built and hashed on every request cost more than the rest of
the request together (docs/PERFORMANCE.md).
"""

import json
import secrets
from collections.abc import Mapping, Sequence

from flask import current_app
from sqlalchemy import Integer, String, TextClause, bindparam, select, text, update

from starrating.extensions import db
from starrating.models import BallotRound, BallotSubject, BallotToken, CastBallot
from starrating.models.ballots import random_id
from starrating.models.types import UTCDateTime, utcnow
from starrating.rules.ballots import Choice
from starrating.rules.electorate import RoundState
from starrating.rules.tokens import code_hash, receipt_for
from starrating.services import ServiceError

PHONE, PAPER = "phone", "paper"


class CodeRefused(ServiceError):
    """A code that cannot vote now; `reason` is one of the keys of REFUSALS, `round_id` the
    code's round when it is one of this village's (a code scanned early is kept for later)."""

    def __init__(self, reason: str, round_id: int | None = None) -> None:
        super().__init__(REFUSALS[reason])
        self.reason, self.round_id = reason, round_id


REFUSALS = {
    "unknown": "这个票码不对。请核对选票上的票码（10 位，字母和数字），重新输入。",
    "other_village": "这个票码不是本村的。请确认打开的是本村的投票页面。",
    "used": "这张选票已经投过了，不能再投。谢谢您的参与！",
    "void": "这张选票已作废。如有疑问，请找村里的工作人员。",
    "closed": "本次测评已经结束，不能再投票。",
    "not_open": "本次测评还没有开始投票，请在规定时间内再来。",
}
BAD_SUBJECTS = "选票内容有误，请重新打开投票页面"


def _key() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def hash_code(code: str) -> str:
    """The stored form of a (normalised) code: what the session and the database keep."""
    return code_hash(code, _key())


def receipt_of(hashed: str) -> str:
    """The receipt of the ballot the code casts (or cast): derived, never stored beside it."""
    return receipt_for(hashed, _key())


# --- whether a code may vote now ------------------------------------------------------------


def refusal(token: BallotToken | None, ballot_round: BallotRound | None, village_id: int) -> str:
    """Why a code cannot vote now, or "" when it can. In the order a villager needs to hear it:
    a used code says 已投票 (with its receipt) even once the round has closed."""
    if token is None or ballot_round is None:
        return "unknown"
    if ballot_round.village_id != village_id:
        return "other_village"
    if token.voided_at is not None:
        return "void"
    if token.used:
        return "used"
    now = utcnow()
    if ballot_round.state is RoundState.CLOSED or (
        ballot_round.ends_at is not None and now >= ballot_round.ends_at
    ):
        return "closed"
    if ballot_round.state is RoundState.DRAFT or (
        ballot_round.starts_at is not None and now < ballot_round.starts_at
    ):
        return "not_open"
    return ""


def find_token(*, village_id: int, hashed: str) -> BallotToken:
    """The token of a code's hash, if it may vote now; else CodeRefused with the reason."""
    token = db.session.scalar(select(BallotToken).where(BallotToken.code_hash == hashed))
    ballot_round = db.session.get(BallotRound, token.round_id) if token else None
    if reason := refusal(token, ballot_round, village_id):
        mine = token is not None and reason != "other_village"
        raise CodeRefused(reason, token.round_id if token and mine else None)
    assert token is not None
    return token


# --- the one statement ------------------------------------------------------------------------

# The round may take this channel's ballots now: phones while open and within the scheduled
# times; paper sheets while open, and after close until the tally is certified (sheets handed in
# at the assembly are keyed afterwards).
_ROUND_TAKES = {
    PHONE: "r.state = 'open' AND (r.starts_at IS NULL OR r.starts_at <= :now)"
    " AND (r.ends_at IS NULL OR r.ends_at > :now)",
    PAPER: "r.state IN ('open', 'closed') AND r.certified_at IS NULL",
}
_SUBJECTS_MATCH = {
    "postgresql": "(SELECT count(*) FROM ballot_subject AS s"
    " WHERE s.round_id = r.id AND s.id = ANY(:subjects)) = :subject_count",
    "sqlite": "(SELECT count(*) FROM ballot_subject AS s WHERE s.round_id = r.id"
    " AND s.id IN (SELECT value FROM json_each(:subjects))) = :subject_count",
}
_LIVE_ROUND = (
    "SELECT r.id FROM ballot_round AS r JOIN village AS v ON v.id = r.village_id"
    " WHERE r.id = :round_id AND v.code = :village AND {takes} AND {subjects}"
)

# Built from the constants above only, never from input (hence the S608 notes).
_POSTGRESQL_CAST = (
    "WITH live AS ("  # noqa: S608
    + _LIVE_ROUND
    + " FOR SHARE OF r),"
    " used AS (UPDATE ballot_token AS t SET used = true, channel = :channel FROM live"
    " WHERE t.round_id = live.id AND t.code_hash = :code_hash AND NOT t.used"
    " AND t.voided_at IS NULL RETURNING t.round_id),"
    " ballot AS (INSERT INTO cast_ballot (id, round_id, marks)"
    " SELECT :ballot_id, round_id, :marks FROM used RETURNING round_id)"
    " INSERT INTO ballot_receipt (id, round_id, receipt)"
    " SELECT :receipt_id, round_id, :receipt FROM ballot RETURNING round_id"
)
_SQLITE_USE = (
    "UPDATE ballot_token SET used = 1, channel = :channel"  # noqa: S608
    " WHERE code_hash = :code_hash AND round_id = :round_id AND used = 0"
    " AND voided_at IS NULL AND EXISTS (" + _LIVE_ROUND + ")"
)
_SQLITE_STORE = (
    text("INSERT INTO cast_ballot (id, round_id, marks) VALUES (:ballot_id, :round_id, :marks)"),
    text(
        "INSERT INTO ballot_receipt (id, round_id, receipt)"
        " VALUES (:receipt_id, :round_id, :receipt)"
    ),
)


_TYPES = {"now": UTCDateTime, "round_id": Integer, "village": String}


def _typed(sql: str) -> TextClause:
    return text(sql).bindparams(
        *(bindparam(name, type_=kind) for name, kind in _TYPES.items() if f":{name}" in sql)
    )


_STATEMENTS = {
    (dialect, channel): _typed(
        (_POSTGRESQL_CAST if dialect == "postgresql" else _SQLITE_USE).format(
            takes=_ROUND_TAKES[channel], subjects=_SUBJECTS_MATCH[dialect]
        )
    )
    for dialect in ("postgresql", "sqlite")
    for channel in (PHONE, PAPER)
}


def _stored_marks(marks: Mapping[int, Choice]) -> dict[str, str]:
    return {str(subject): choice.value for subject, choice in marks.items()}


def use_code(
    *,
    village_code: str,
    round_id: int,
    hashed: str,
    marks: Mapping[int, Choice],
    channel: str = PHONE,
) -> str:
    """Use the code and store its ballot and receipt, in the caller's transaction, exactly once:
    only if the code is unused and not void, its round takes this channel's ballots now and
    every marked subject is one of the round's. Returns the receipt; else CodeRefused with the
    real reason (used, void, closed…), or ServiceError when the marks are not this round's."""
    subjects = sorted(marks)
    connection = db.session.connection()
    dialect = connection.dialect.name
    params = {
        "now": utcnow(),
        "round_id": round_id,
        "village": village_code,
        "code_hash": hashed,
        "channel": channel,
        "subject_count": len(subjects),
        "subjects": subjects if dialect == "postgresql" else json.dumps(subjects),
        "ballot_id": random_id(),
        "receipt_id": random_id(),
        "receipt": receipt_of(hashed),
        "marks": json.dumps(_stored_marks(marks)),
    }
    statement = _STATEMENTS[(dialect, channel)]
    if dialect == "postgresql":
        stored = connection.execute(statement, params).first() is not None
    else:
        stored = connection.execute(statement, params).rowcount == 1
        if stored:
            for insert in _SQLITE_STORE:
                connection.execute(insert, params)
    if not stored:
        _refuse(round_id=round_id, hashed=hashed, village_code=village_code, subjects=subjects)
    return params["receipt"]


def _refuse(*, round_id: int, hashed: str, village_code: str, subjects: Sequence[int]) -> None:
    """Say why the statement stored nothing (read afresh, after the statement's own locks)."""
    token = db.session.scalar(select(BallotToken).where(BallotToken.code_hash == hashed))
    ballot_round = db.session.get(BallotRound, round_id, populate_existing=True)
    village_id = ballot_round.village_id if ballot_round else -1
    if ballot_round is not None and ballot_round.village.code != village_code:
        village_id = -1
    if token is not None and token.round_id != round_id:
        raise CodeRefused("other_village" if village_id == -1 else "unknown")
    if reason := refusal(token, ballot_round, village_id):
        raise CodeRefused(reason)
    known = set(
        db.session.scalars(select(BallotSubject.id).where(BallotSubject.round_id == round_id))
    )
    if not set(subjects) <= known:
        raise ServiceError(BAD_SUBJECTS)
    # e.g. paper after certification: the round takes no more ballots of this channel
    raise CodeRefused("closed")


# --- sealing ------------------------------------------------------------------------------------

_RESEAL = (
    update(CastBallot.__table__)
    .where(
        CastBallot.__table__.c.round_id == bindparam("round"),
        CastBallot.__table__.c.id == bindparam("old_id"),
    )
    .values(id=bindparam("new_id"))
)


def seal_ballots(round_id: int) -> int:
    """Give every ballot of the round a new random id, rewriting the rows one by one in an
    order unrelated to casting, all in the caller's transaction: afterwards the rows' storage
    order (PostgreSQL appends a rewritten row) and their transaction stamps are those of this
    transaction, whatever the order they were cast in, and an id noted while voting leads
    nowhere. Only under the round's lock (closing, certifying), so no cast comes in between.
    Returns how many ballots were sealed."""
    ids = list(
        db.session.scalars(
            select(CastBallot.id).where(CastBallot.round_id == round_id).order_by(CastBallot.id)
        )
    )
    secrets.SystemRandom().shuffle(ids)
    if ids:
        db.session.connection().execute(
            _RESEAL, [{"round": round_id, "old_id": old, "new_id": random_id()} for old in ids]
        )
    return len(ids)


def lock_round(ballot_round: BallotRound, *, exclusive: bool) -> None:
    """Read the round afresh under a row lock: for update (closing, certifying: waits for every
    cast under way) or for share (keying a sheet). SQLite's write transactions hold the whole
    database already (BEGIN IMMEDIATE), so the lock is implied there. Changes not yet flushed
    are flushed first (a refresh would drop them)."""
    db.session.flush()
    db.session.refresh(ballot_round, with_for_update={"read": not exclusive})
