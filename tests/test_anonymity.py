"""A cast ballot cannot be linked to a code, a receipt, a person, an address or a moment
(DESIGN.md §6).

The schema is read twice: from the model and from the database the migrations built, so a
migration that adds a telling column fails here even if the model does not show it. The marks
and the receipts live in two tables with nothing in common but the round; after close neither
the ballots' storage order nor their transaction stamps follow the order of casting; after
certification the paper entries keep who keyed which sheet and when, never the marks.
"""

import json
import re

import pytest
from sqlalchemy import Integer, inspect, select, text
from sqlalchemy.exc import OperationalError

from starrating.extensions import db
from starrating.models import BallotReceipt, BallotToken, CastBallot, User
from starrating.models.ballots import PaperEntry
from starrating.queries.ballots import subjects
from starrating.rules.ballots import Choice
from starrating.rules.vocabulary import Role
from starrating.services.ballots import (
    cast_ballot,
    close_round,
    generate_codes,
    open_round,
)
from starrating.services.paper import key_paper_ballot
from tests.conftest import BACKEND
from tests.factories import (
    certify,
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
ALLOWED = {"id", "round_id", "marks"}
RECEIPT_COLUMNS = {"id", "round_id", "receipt"}


def telling(column: str) -> bool:
    name = column.lower()
    words = set(re.split(r"[^a-z0-9]+", name))
    return any(part in name for part in TELLING_PARTS) or bool(words & TELLING_WORDS)


def test_the_rule_catches_telling_names():
    for name in ("token_id", "cast_at", "ip", "client_ip", "user_id", "created", "seq", "voter"):
        assert telling(name), name
    for name in ALLOWED | RECEIPT_COLUMNS:
        assert not telling(name), name


def database_columns(table: str) -> dict[str, dict]:
    inspector = inspect(db.session.connection())
    return {column["name"]: column for column in inspector.get_columns(table)}


def test_a_cast_ballot_keeps_only_its_round_and_marks(app):
    migrated = database_columns("cast_ballot")
    modelled = {column.name: column for column in CastBallot.__table__.columns}
    assert set(migrated) == set(modelled) == ALLOWED
    assert [name for name in migrated if telling(name)] == []


def test_a_receipt_is_kept_apart_with_nothing_shared_but_the_round(app):
    migrated = database_columns("ballot_receipt")
    modelled = {column.name: column for column in BallotReceipt.__table__.columns}
    assert set(migrated) == set(modelled) == RECEIPT_COLUMNS
    inspector = inspect(db.session.connection())
    for one, other in (("ballot_receipt", "cast_ballot"), ("cast_ballot", "ballot_receipt")):
        links = inspector.get_foreign_keys(one)
        assert [(fk["constrained_columns"], fk["referred_table"]) for fk in links] == [
            (["round_id"], "ballot_round")
        ], one
        assert all(fk["referred_table"] != other for fk in links)
    assert set(database_columns("ballot_receipt")) & set(database_columns("cast_ballot")) == {
        "id",
        "round_id",
    }
    receipt_id = BallotReceipt.__table__.c.id
    assert not isinstance(receipt_id.type, Integer) and receipt_id.server_default is None


def test_a_cast_ballots_id_is_random_text_not_a_counter(app):
    migrated = database_columns("cast_ballot")
    inspector = inspect(db.session.connection())
    # keyed by the round, then the random id (a round's ballots together, in random order)
    assert inspector.get_pk_constraint("cast_ballot")["constrained_columns"] == ["round_id", "id"]
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
    for name in ("甲", "乙", "丙"):
        create_member(village=village, name=name)
    open_assessment(village=village, secretary=secretary, raters=[secretary])
    ballot_round = create_member_round(village=village, secretary=secretary, eligible=30)
    codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=20)
    open_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()
    return village, ballot_round, [c.code for c in codes]


def key(marks: dict | str) -> str:
    """Marks as one comparable string (raw SQL gives SQLite's JSON as text)."""
    return json.dumps(json.loads(marks) if isinstance(marks, str) else marks, sort_keys=True)


CHOICES = list(Choice)


def cast_twenty(village, ballot_round, codes) -> list[tuple[str, str]]:
    """Cast 20 ballots one by one, each with marks of its own; (receipt, marks), in the order
    they were cast."""
    rows = subjects(ballot_round.id)
    cast = []
    for n, code in enumerate(codes):
        marks = {row.id: CHOICES[(n // 4**i) % 4] for i, row in enumerate(rows)}
        receipt = cast_ballot(village=village, code=code, marks=marks)
        db.session.commit()
        cast.append((receipt, key({str(s): c.value for s, c in marks.items()})))
    return cast


def test_ballot_ids_do_not_follow_the_order_of_casting(open_round_with_codes):
    cast = cast_twenty(*open_round_with_codes)
    by_marks = {key(m): i for m, i in db.session.execute(select(CastBallot.marks, CastBallot.id))}
    ids_in_casting_order = [by_marks[marks] for _, marks in cast]
    assert len(set(ids_in_casting_order)) == 20
    assert sorted(ids_in_casting_order) != ids_in_casting_order
    assert all(len(i) == 32 for i in ids_in_casting_order)  # 128 random bits as hex
    receipt_ids = set(db.session.scalars(select(BallotReceipt.id)))
    assert len(receipt_ids) == 20 and not receipt_ids & set(ids_in_casting_order)
    # and the receipts, which are public after close, are random too
    receipts = [receipt for receipt, _ in cast]
    assert sorted(receipts) != receipts


PHYSICAL_ORDER = {
    # A WITHOUT ROWID table is read back in the order of its primary key, the random id; a
    # rowid table would come back in the order of casting.
    "sqlite": "SELECT marks FROM cast_ballot",
    # PostgreSQL appends rows to the heap as they come: ctid follows casting until a rewrite,
    # which closing the round does (sealing: every ballot rewritten under a new random id).
    "postgresql": "SELECT marks FROM cast_ballot ORDER BY ctid",
}


def close(village, ballot_round):
    secretary = db.session.scalar(
        select(User).where(User.village_id == village.id, User.role == Role.SECRETARY)
    )
    close_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()


def test_after_close_the_storage_order_of_ballots_does_not_follow_casting(open_round_with_codes):
    village, ballot_round, codes = open_round_with_codes
    cast = cast_twenty(village, ballot_round, codes)
    ids_before = set(db.session.scalars(select(CastBallot.id)))
    close(village, ballot_round)
    stored = [key(m) for m in db.session.execute(text(PHYSICAL_ORDER[BACKEND])).scalars()]
    in_casting_order = [marks for _, marks in cast]
    assert sorted(stored) == sorted(in_casting_order), "every ballot is still there"
    assert stored != in_casting_order
    # sealing gave every ballot a new id: an id noted while voting leads nowhere
    assert not ids_before & set(db.session.scalars(select(CastBallot.id)))
    if BACKEND == "sqlite":  # WITHOUT ROWID: stored in the order of the random ids
        by_id = [
            key(m) for m in db.session.scalars(select(CastBallot.marks).order_by(CastBallot.id))
        ]
        assert stored == by_id
    else:  # rewritten in one transaction: the rows' stamps no longer tell the casting order
        query = "SELECT count(DISTINCT xmin::text) FROM cast_ballot WHERE round_id = :r"
        assert db.session.scalar(text(query), {"r": ballot_round.id}) == 1


def test_the_nth_receipt_stored_and_the_nth_ballot_stored_are_not_the_same_ballot(
    open_round_with_codes,
):
    """Stored side by side, receipts and ballots must not pair up by position: receipts may
    keep the order of casting (they show no marks), ballots do not after close."""
    village, ballot_round, codes = open_round_with_codes
    cast = cast_twenty(village, ballot_round, codes)
    close(village, ballot_round)
    order = "ORDER BY ctid" if BACKEND == "postgresql" else ""
    receipts = list(db.session.scalars(text(f"SELECT receipt FROM ballot_receipt {order}")))
    marks = [
        key(m) for m in db.session.execute(text(f"SELECT marks FROM cast_ballot {order}")).scalars()
    ]
    pairs = dict(cast)
    assert sorted(receipts) == sorted(pairs)
    assert [pairs[r] for r in receipts] != marks


def test_after_certification_paper_entries_keep_who_and_when_never_the_marks(
    open_round_with_codes,
):
    village, ballot_round, codes = open_round_with_codes
    teller = create_user(role=Role.TELLER, village=village)
    committee = create_user(role=Role.COMMITTEE, village=village)
    (first, *_) = subjects(ballot_round.id)
    for user in (teller, committee):
        key_paper_ballot(
            user=user, ballot_round=ballot_round, code=codes[0], marks={first.id: Choice.BASIC}
        )
    db.session.commit()
    entries = list(db.session.scalars(select(PaperEntry)))
    assert [e.marks for e in entries] == [{str(first.id): "basic"}] * 2  # compared while keying
    close(village, ballot_round)
    certify(ballot_round, teller=teller, other=committee)
    db.session.commit()
    for entry in db.session.scalars(select(PaperEntry)):
        db.session.refresh(entry)
        assert entry.marks is None
        assert entry.keyed_by_id in (teller.id, committee.id) and entry.keyed_at is not None
    raw = db.session.execute(text("SELECT marks FROM paper_entry")).scalars().all()
    assert raw == [None, None]
    assert db.session.scalar(select(CastBallot.marks)) == {str(first.id): "basic"}


@pytest.mark.sqlite_only
def test_sqlite_keeps_no_rowid_that_counts_the_casts(open_round_with_codes):
    cast_twenty(*open_round_with_codes)
    for table in ("cast_ballot", "ballot_receipt"):
        with pytest.raises(OperationalError, match="rowid"):
            db.session.execute(text(f"SELECT rowid FROM {table}")).all()
