"""A cast ballot cannot be linked to a code, a person, an address or a moment (DESIGN.md §6).

The schema is read twice: from the model and from the database the migrations built, so a
migration that adds a telling column fails here even if the model does not show it.
"""

import re

import pytest
from sqlalchemy import Integer, inspect, select, text
from sqlalchemy.exc import OperationalError

from starrating.extensions import db
from starrating.models import BallotToken, CastBallot, User
from starrating.queries.ballots import subjects
from starrating.rules.ballots import Choice
from starrating.rules.vocabulary import Role
from starrating.services.ballots import (
    cast_ballot,
    close_round,
    generate_codes,
    open_round,
)
from tests.conftest import BACKEND
from tests.factories import (
    create_member,
    create_member_round,
    create_user,
    create_village,
    open_assessment,
)

# Parts of a column name that would tie a ballot to a voter, a code or a moment.
TELLING_PARTS = (
    "token", "code", "user", "addr", "time", "date", "created", "updated", "serial", "seq",
    "voter", "session", "device", "agent", "phone", "channel", "order", "position",
)  # fmt: skip
TELLING_WORDS = {"ip", "at", "by", "who", "when", "no", "num", "number", "rank"}
ALLOWED = {"id", "round_id", "marks", "receipt"}


def telling(column: str) -> bool:
    name = column.lower()
    words = set(re.split(r"[^a-z0-9]+", name))
    return any(part in name for part in TELLING_PARTS) or bool(words & TELLING_WORDS)


def test_the_rule_catches_telling_names():
    for name in ("token_id", "cast_at", "ip", "client_ip", "user_id", "created", "seq", "voter"):
        assert telling(name), name
    for name in ALLOWED:
        assert not telling(name), name


def database_columns(table: str) -> dict[str, dict]:
    inspector = inspect(db.session.connection())
    return {column["name"]: column for column in inspector.get_columns(table)}


def test_a_cast_ballot_keeps_only_its_round_marks_and_receipt(app):
    migrated = database_columns("cast_ballot")
    modelled = {column.name: column for column in CastBallot.__table__.columns}
    assert set(migrated) == set(modelled) == ALLOWED
    assert [name for name in migrated if telling(name)] == []


def test_a_cast_ballots_id_is_random_text_not_a_counter(app):
    migrated = database_columns("cast_ballot")
    inspector = inspect(db.session.connection())
    assert inspector.get_pk_constraint("cast_ballot")["constrained_columns"] == ["id"]
    assert not isinstance(migrated["id"]["type"], Integer)
    assert migrated["id"].get("autoincrement") is not True
    assert migrated["id"]["default"] is None  # the application draws it, nothing in the database
    model_id = CastBallot.__table__.c.id
    assert not isinstance(model_id.type, Integer) and model_id.server_default is None
    # the only number is the round's id; the only link is to the round
    numbers = [name for name, c in migrated.items() if isinstance(c["type"], Integer)]
    assert numbers == ["round_id"]
    links = inspector.get_foreign_keys("cast_ballot")
    assert [(fk["constrained_columns"], fk["referred_table"]) for fk in links] == [
        (["round_id"], "ballot_round")
    ]
    assert all(c["default"] is None for c in migrated.values())  # no server-side now()


def test_a_code_keeps_no_link_to_its_ballot(app):
    inspector = inspect(db.session.connection())
    assert all(
        fk["referred_table"] != "cast_ballot" for fk in inspector.get_foreign_keys("ballot_token")
    )
    for name in list(database_columns("ballot_token")) + [c.name for c in BallotToken.__table__.c]:
        assert not any(part in name for part in ("ballot", "cast", "receipt", "mark")), name


@pytest.fixture
def open_round_with_codes(app):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    create_member(village=village, name="甲")
    open_assessment(village=village, secretary=secretary, raters=[secretary])
    ballot_round = create_member_round(village=village, secretary=secretary, eligible=30)
    codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=20)
    open_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()
    return village, ballot_round, [c.code for c in codes]


def cast_twenty(village, ballot_round, codes) -> list[str]:
    """Cast 20 ballots one by one; the receipts, in the order they were cast."""
    (subject,) = subjects(ballot_round.id)
    receipts = []
    for code in codes:
        receipts.append(cast_ballot(village=village, code=code, marks={subject.id: Choice.BASIC}))
        db.session.commit()
    return receipts


def test_ballot_ids_do_not_follow_the_order_of_casting(open_round_with_codes):
    receipts = cast_twenty(*open_round_with_codes)
    by_receipt = dict(db.session.execute(select(CastBallot.receipt, CastBallot.id)).all())
    ids_in_casting_order = [by_receipt[receipt] for receipt in receipts]
    assert len(set(ids_in_casting_order)) == 20
    assert sorted(ids_in_casting_order) != ids_in_casting_order
    assert all(len(i) == 32 for i in ids_in_casting_order)  # 128 random bits as hex
    # and the receipts, which are public after close, are random too
    assert sorted(receipts) != receipts


PHYSICAL_ORDER = {
    # A WITHOUT ROWID table is read back in the order of its primary key, the random id; a
    # rowid table would come back in the order of casting.
    "sqlite": "SELECT receipt FROM cast_ballot",
    # PostgreSQL appends rows to the heap as they come: ctid follows casting until a rewrite,
    # which closing the round does.
    "postgresql": "SELECT receipt FROM cast_ballot ORDER BY ctid",
}


def test_after_close_the_storage_order_of_ballots_does_not_follow_casting(open_round_with_codes):
    village, ballot_round, codes = open_round_with_codes
    receipts = cast_twenty(village, ballot_round, codes)
    secretary = db.session.scalar(select(User).where(User.village_id == village.id))
    close_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()
    stored = list(db.session.scalars(text(PHYSICAL_ORDER[BACKEND])))
    assert sorted(stored) == sorted(receipts)
    assert stored != receipts
    if BACKEND == "sqlite":  # WITHOUT ROWID: stored in the order of the random ids
        by_id = list(db.session.scalars(select(CastBallot.receipt).order_by(CastBallot.id)))
        assert stored == by_id
    else:  # rewritten in one transaction: the rows' stamps no longer tell the casting order
        query = "SELECT count(DISTINCT xmin::text) FROM cast_ballot WHERE round_id = :r"
        assert db.session.scalar(text(query), {"r": ballot_round.id}) == 1


@pytest.mark.sqlite_only
def test_sqlite_keeps_no_rowid_that_counts_the_casts(open_round_with_codes):
    cast_twenty(*open_round_with_codes)
    with pytest.raises(OperationalError, match="rowid"):
        db.session.execute(text("SELECT rowid FROM cast_ballot")).all()
