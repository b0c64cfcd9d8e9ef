"""The one statement that uses a code and stores its ballot: refusals say their real reason."""

import pytest
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import BallotReceipt, CastBallot
from starrating.queries.ballots import subjects, turnout
from starrating.rules.ballots import Choice
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.ballots import close_round, generate_codes, open_round, void_code
from starrating.services.casting import (
    CodeRefused,
    find_token,
    hash_code,
    receipt_of,
    use_code,
)
from tests.factories import (
    create_member,
    create_member_round,
    create_user,
    create_village,
    open_assessment,
)


@pytest.fixture
def held(app):
    """An open round with 3 codes, and what a phone's session holds after scanning the first."""
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    create_member(village=village, name="甲")
    open_assessment(village=village, secretary=secretary, raters=[secretary])
    ballot_round = create_member_round(village=village, secretary=secretary, eligible=5)
    codes = [c.code for c in generate_codes(actor=secretary, ballot_round=ballot_round, count=3)]
    open_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()
    (subject,) = subjects(ballot_round.id)
    hashed = hash_code(codes[0])
    find_token(village_id=village.id, hashed=hashed)  # the scan: the code may vote
    return village, secretary, ballot_round, hashed, {subject.id: Choice.SATISFIED}


def cast(village, ballot_round, hashed, marks):
    return use_code(village_code=village.code, round_id=ballot_round.id, hashed=hashed, marks=marks)


def stored() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(CastBallot)),
        db.session.scalar(select(func.count()).select_from(BallotReceipt)),
    )


def test_a_code_closed_after_its_scan_is_told_the_round_is_over_and_nothing_is_stored(held):
    village, secretary, ballot_round, hashed, marks = held
    close_round(actor=secretary, ballot_round=ballot_round)  # between the scan and the submit
    db.session.commit()
    with pytest.raises(CodeRefused) as refused:
        cast(village, ballot_round, hashed, marks)
    assert refused.value.reason == "closed"
    assert "已经结束" in refused.value.message and "投过" not in refused.value.message
    assert stored() == (0, 0) and turnout(ballot_round).returned == 0


def test_a_code_voided_after_its_scan_is_told_it_is_void(held):
    village, secretary, ballot_round, hashed, marks = held
    void_code(actor=secretary, ballot_round=ballot_round, serial=1, reason="遗失")
    db.session.commit()
    with pytest.raises(CodeRefused) as refused:
        cast(village, ballot_round, hashed, marks)
    assert refused.value.reason == "void" and stored() == (0, 0)


def test_a_code_used_twice_is_told_it_is_used_and_stores_once(held):
    village, _, ballot_round, hashed, marks = held
    receipt = cast(village, ballot_round, hashed, marks)
    db.session.commit()
    with pytest.raises(CodeRefused) as refused:
        cast(village, ballot_round, hashed, marks)
    assert refused.value.reason == "used"
    assert stored() == (1, 1)
    assert receipt == receipt_of(hashed), "the receipt can be shown again from the code"


def test_a_code_of_another_village_stores_nothing(held):
    village, _, ballot_round, hashed, marks = held
    other = create_village()
    with pytest.raises(CodeRefused) as refused:
        use_code(village_code=other.code, round_id=ballot_round.id, hashed=hashed, marks=marks)
    assert refused.value.reason == "other_village" and stored() == (0, 0)


def test_marks_for_subjects_of_another_round_are_refused(held):
    village, _, ballot_round, hashed, _ = held
    with pytest.raises(ServiceError, match="选票内容有误"):
        cast(village, ballot_round, hashed, {999_999: Choice.SATISFIED})
    assert stored() == (0, 0)
    assert turnout(ballot_round).returned == 0, "the code is still unused"


def test_a_blank_ballot_counts(held):
    village, _, ballot_round, hashed, _ = held
    cast(village, ballot_round, hashed, {})
    assert stored() == (1, 1)
    assert db.session.scalar(select(CastBallot.marks)) == {}


def test_receipts_differ_per_code_and_need_the_key(held, app):
    _, _, _, hashed, _ = held
    mine = receipt_of(hashed)
    assert mine != receipt_of(hash_code("23456789AB")) and len(mine) == 8
    app.config["SECRET_KEY"] = "another-key"
    assert receipt_of(hashed) != mine, "without the server's key nobody derives a receipt"
