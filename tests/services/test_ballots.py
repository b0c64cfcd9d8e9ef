"""Ballot rounds through the services: codes, exactly-once casting, tally, mass stars."""

import pytest

from starrating.extensions import db
from starrating.queries.assessment import assessed_members, year_results
from starrating.queries.ballots import round_tally, subjects, turnout
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.ballots import (
    cast_ballot,
    close_round,
    create_round,
    generate_codes,
    open_round,
    void_code,
)
from starrating.services.casting import CodeRefused
from tests.factories import certify as certify_fully
from tests.factories import (
    create_member,
    create_member_round,
    create_user,
    create_village,
    open_assessment,
)

S, B, D, U = Choice.SATISFIED, Choice.BASIC, Choice.DISSATISFIED, Choice.UNKNOWN


@pytest.fixture
def branch(app):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    for name in ("甲", "乙"):
        create_member(village=village, name=name)
    year = open_assessment(village=village, secretary=secretary, raters=[secretary])
    ballot_round = create_member_round(village=village, secretary=secretary, eligible=10)
    db.session.commit()
    return village, secretary, year, ballot_round


def certify(ballot_round, village):
    """The codes never used are written off and a teller and a committee member sign the
    tally: only then does it decide the stars."""
    certify_fully(ballot_round)


def test_a_code_votes_once_and_the_ballot_keeps_no_trace_of_it(branch):
    village, secretary, _, ballot_round = branch
    codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=3)
    open_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()
    first, second = subjects(ballot_round.id)
    receipt = cast_ballot(village=village, code=codes[0].code, marks={first.id: S})
    db.session.commit()
    assert len(receipt) == 8
    with pytest.raises(CodeRefused) as refused:
        cast_ballot(village=village, code=codes[0].code, marks={first.id: D})
    assert refused.value.reason == "used"
    db.session.rollback()
    assert turnout(ballot_round).returned == 1


def test_never_more_codes_than_eligible_voters(branch):
    _, secretary, _, ballot_round = branch
    generate_codes(actor=secretary, ballot_round=ballot_round, count=10)
    with pytest.raises(ServiceError, match="最多还能生成 0 张"):
        generate_codes(actor=secretary, ballot_round=ballot_round, count=1)


def test_a_voided_code_cannot_vote_and_its_replacement_can(branch):
    village, secretary, _, ballot_round = branch
    codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=10)
    replacement = void_code(actor=secretary, ballot_round=ballot_round, serial=1, reason="遗失")
    open_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()
    with pytest.raises(CodeRefused) as refused:
        cast_ballot(village=village, code=codes[0].code, marks={})
    assert refused.value.reason == "void"
    db.session.rollback()
    assert cast_ballot(village=village, code=replacement.code, marks={})


def test_a_closed_and_certified_round_decides_the_mass_stars(branch):
    village, secretary, year, ballot_round = branch
    codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=10)
    open_round(actor=secretary, ballot_round=ballot_round)
    first, second = subjects(ballot_round.id)
    # 甲: 4 满意, 1 基本满意, 1 不了解 → valid 5, 认可 100 %, 满意 80 %: both stars
    # 乙: 2 满意, 2 基本满意, 1 不满意, 1 blank → valid 5, 认可 80 % (star), 满意 40 % (none)
    first_marks = [S, S, S, S, B, U]
    second_marks = [S, S, B, B, D, None]
    for code, one, two in zip(codes, first_marks, second_marks, strict=False):
        marks = {first.id: one} | ({second.id: two} if two else {})
        cast_ballot(village=village, code=code.code, marks=marks)
    close_round(actor=secretary, ballot_round=ballot_round)
    certify(ballot_round, village)
    tally = round_tally(ballot_round)
    assert (tally.eligible, tally.issued, tally.returned) == (10, 10, 6)
    assert tally.quorum_met
    results = {r.assessed.member.name: r for r in year_results(year).members}
    awarded = {
        name: {c for c in r.outcome.awarded if c in ("recognition", "satisfaction")}
        for name, r in results.items()
    }
    assert awarded == {"甲": {"recognition", "satisfaction"}, "乙": {"recognition"}}
    assert assessed_members(year.id)


def test_outside_the_scheduled_window_a_code_cannot_vote(branch):
    from datetime import timedelta

    from starrating.models.types import utcnow

    village, secretary, _, ballot_round = branch
    codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=2)
    open_round(actor=secretary, ballot_round=ballot_round)
    ballot_round.starts_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    with pytest.raises(CodeRefused) as early:
        cast_ballot(village=village, code=codes[0].code, marks={})
    assert early.value.reason == "not_open"
    db.session.rollback()
    ballot_round.starts_at, ballot_round.ends_at = None, utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(CodeRefused) as late:
        cast_ballot(village=village, code=codes[0].code, marks={})
    assert late.value.reason == "closed"
    db.session.rollback()
    assert turnout(ballot_round).returned == 0


def test_a_round_that_missed_quorum_never_counts_and_a_rerun_does(branch):
    village, secretary, year, short_round = branch
    codes = generate_codes(actor=secretary, ballot_round=short_round, count=10)
    open_round(actor=secretary, ballot_round=short_round)
    first, second = subjects(short_round.id)
    for code in codes[:4]:  # 4 of 10 eligible: short of half
        cast_ballot(village=village, code=code.code, marks={first.id: S, second.id: S})
    close_round(actor=secretary, ballot_round=short_round)
    certify(short_round, village)
    assert not round_tally(short_round).quorum_met
    undecided = {r.assessed.member.name: r.outcome.provisional for r in year_results(year).members}
    assert undecided == {"甲": True, "乙": True}  # the mass stars still wait: 待测评

    rerun = create_round(
        actor=secretary,
        village=village,
        year=2026,
        title="补测",
        members=True,
        cadres=False,
        electorate=Electorate.VILLAGERS,
        eligible=10,
    )
    codes = generate_codes(actor=secretary, ballot_round=rerun, count=10)
    open_round(actor=secretary, ballot_round=rerun)
    first, second = subjects(rerun.id)
    for code in codes[:5]:  # 5 of 10: exactly half meets the quorum
        cast_ballot(village=village, code=code.code, marks={first.id: S, second.id: D})
    close_round(actor=secretary, ballot_round=rerun)
    certify(rerun, village)
    assert round_tally(rerun).quorum_met
    mass = {
        r.assessed.member.name: {
            c for c in r.outcome.awarded if c in ("recognition", "satisfaction")
        }
        for r in year_results(year).members
    }
    assert mass == {"甲": {"recognition", "satisfaction"}, "乙": set()}
