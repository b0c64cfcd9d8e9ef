"""A township of villages as the township sees it late in a year, built fast (bulk inserts):
members marked by raters on every organisational star, cadres with public, verified pledges, a
certified member round — a token one of a few voters, or a real electorate's hundreds of
ballots beside a certified cadre round — and each village's year carried to its stage
(publicity, submitted, approved) through the services, as the secretary and the township would.

The dashboard and query-count tests build with it, and so do the benchmarks
(benchmarks/dashboard.py, benchmarks/export_workbooks.py): 40 villages × 60 members with 412
ballots per round build in under a minute.
"""

import random
import secrets
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select

from starrating.extensions import db
from starrating.models import (
    AssessmentYear,
    BallotReceipt,
    BallotRound,
    BallotToken,
    Cadre,
    CastBallot,
    Member,
    Pledge,
    PledgeItem,
    StarMark,
    Township,
    User,
    Village,
)
from starrating.models.ballots import random_id
from starrating.queries.assessment import assessed_members, year_results
from starrating.queries.ballots import subjects
from starrating.rules.assessment_state import YearState
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate
from starrating.rules.pledges import PledgeState
from starrating.rules.result_versions import Part
from starrating.rules.tenstar_scheme import default_tenstar_scheme
from starrating.rules.vocabulary import Gender, MemberCategory, Membership, Role
from starrating.services import review as review_service
from starrating.services.appraisal import record_township_score
from starrating.services.assessment import close_marking, confirm_excellence
from starrating.services.ballots import close_round, create_round, open_round
from tests.blueprints.test_township_review import (
    AFTER_PUBLICITY,
    PUBLISHED,
    YEAR,
    hold_member_ballot,
)
from tests.factories import (
    certify,
    create_scheme,
    create_township,
    create_user,
    create_village,
    signed_off,
)
from tests.factories import open_assessment as open_year

ORGANISATIONAL = [s.code for s in default_tenstar_scheme().stars if s.measure is None]
# How villagers mark a row, in 100: mostly 满意, some 基本满意, a few of the rest, a few blank.
CHOICE_SHARES = (
    (Choice.SATISFIED, 72),
    (Choice.BASIC, 17),
    (Choice.DISSATISFIED, 4),
    (Choice.UNKNOWN, 3),
    (None, 4),
)
# A year's stages, one in ten villages each: most submitted or approved, some in publicity, one
# still marking (village 1, 11, 21… marking; 2, 3… publicity; 4–6 submitted; 7–10 approved).
STAGE_CYCLE = (
    YearState.MARKING,
    YearState.PUBLICITY,
    YearState.PUBLICITY,
    YearState.SUBMITTED,
    YearState.SUBMITTED,
    YearState.SUBMITTED,
    YearState.APPROVED,
    YearState.APPROVED,
    YearState.APPROVED,
    YearState.APPROVED,
)


def mixed_stages(number: int) -> YearState:
    """The stage of the village numbered `number` (from 0) in a township late in the year."""
    return STAGE_CYCLE[number % len(STAGE_CYCLE)]


def build_township(
    *,
    villages: int,
    members: int,
    raters: int = 3,
    cadres: int = 7,
    voters: int = 6,
    ballots: int | None = None,
    stage: Callable[[int], YearState] | None = None,
    township: Township | None = None,
) -> User:
    """A township of villages, each with members marked by raters on every organisational star,
    a certified member round and cadres with public, verified pledges; returns its reviewer.

    Without `ballots`, the member round is the assembly of `voters` who mark every member 满意
    (tests/blueprints/test_township_review.py's hold_member_ballot), through the services. With
    `ballots`, a real electorate: a member round and (with cadres) a cadre round, each with that
    many ballots cast out of ballots × 5/4 codes, marked as CHOICE_SHARES says, inserted in bulk,
    then closed, written off and certified through the services. `stage(number)` says which
    stage each village's year is carried to (default: every year still marking)."""
    township = township or create_township()
    create_scheme(township=township, year=YEAR)
    reviewer = create_user(role=Role.TOWNSHIP, township=township)
    for number in range(villages):
        village = create_village(township=township, name=f"第{number + 1:02d}村")
        secretary = create_user(role=Role.SECRETARY, village=village)
        committee = [create_user(role=Role.COMMITTEE, village=village) for _ in range(raters - 1)]
        add_members(village.id, members)
        year = open_year(
            village=village, secretary=secretary, raters=[secretary, *committee], year=YEAR
        )
        add_marks(year.id, [secretary, *committee])
        add_cadres(village.id, cadres)
        if ballots is None:
            hold_member_ballot(village=village, secretary=secretary, voters=voters)
        else:
            rng = random.Random(number)  # noqa: S311  (marks, not secrets)
            hold_round(village=village, secretary=secretary, ballots=ballots, rng=rng)
            if cadres:
                hold_round(
                    village=village, secretary=secretary, ballots=ballots, rng=rng, members=False
                )
        if stage is not None:
            carry_to(stage(number), year=year, secretary=secretary, reviewer=reviewer)
        db.session.commit()
    return reviewer


def add_members(village_id: int, size: int) -> None:
    db.session.execute(
        insert(Member),
        [
            {
                "village_id": village_id,
                "name": f"党员{i:03d}",
                "gender": Gender.FEMALE if i % 2 else Gender.MALE,
                "birth_date": date(1950 + i % 40, 1 + i % 12, 1 + i % 28),
                "joined_on": None,
                "membership": Membership.PROBATIONARY if i % 9 == 0 else Membership.FULL,
                "category": MemberCategory.ORDINARY,
            }
            for i in range(size)
        ],
    )


def add_marks(year_id: int, raters: list[User]) -> None:
    db.session.execute(
        insert(StarMark),
        [
            {
                "year_id": year_id,
                "assessed_member_id": assessed.id,
                "rater_id": rater.id,
                "star_code": code,
                "passed": (assessed.id + rater.id + len(code)) % 5 != 0,
            }
            for assessed in assessed_members(year_id)
            for rater in raters
            for code in ORGANISATIONAL
        ],
    )


def add_cadres(village_id: int, count: int) -> None:
    for number in range(count):
        cadre = Cadre(
            village_id=village_id,
            name=f"干部{number + 1}",
            post="村委会委员",
            base_pay=Decimal(24000),
            reward_amount=Decimal(3000),
        )
        pledge = Pledge(cadre=cadre, year=YEAR, state=PledgeState.PUBLIC)
        pledge.items = [
            PledgeItem(
                position=position,
                content=f"承诺{position}",
                indicator="指标",
                target="完成",
                deadline=date(YEAR, 12, 31),
                weight=weight,
                verified_completion=Decimal(70 + 10 * position + number % 3),
            )
            for position, weight in ((1, 50), (2, 50))
        ]
        db.session.add_all([cadre, pledge])
    db.session.flush()


def _choice(rng: random.Random) -> Choice | None:
    draw = rng.randrange(100)
    for choice, share in CHOICE_SHARES:
        if draw < share:
            return choice
        draw -= share
    raise AssertionError("CHOICE_SHARES add up to 100")


def hold_round(
    *,
    village: Village,
    secretary: User,
    ballots: int,
    rng: random.Random,
    members: bool = True,
) -> BallotRound:
    """A villagers' round on the year's members (or on the cadres) with `ballots` cast out of
    ballots × 5/4 codes handed out (a few on paper), closed, its unused codes written off and
    its tally certified. The codes, ballots and receipts go in by bulk insert (nobody needs to
    type a code here), the rest through the services."""
    eligible = ballots * 5 // 4
    ballot_round = create_round(
        actor=secretary,
        village=village,
        year=YEAR,
        title=f"{YEAR} 年度{'党员群众满意度' if members else '村干部民主'}测评",
        members=members,
        cadres=not members,
        electorate=Electorate.VILLAGERS,
        eligible=eligible,
    )
    rows = [subject.id for subject in subjects(ballot_round.id)]
    db.session.execute(
        insert(BallotToken),
        [
            {
                "round_id": ballot_round.id,
                "serial": serial,
                "code_hash": secrets.token_hex(32),
                "used": serial <= ballots,
                "channel": ("paper" if serial % 10 == 0 else "phone")
                if serial <= ballots
                else None,
            }
            for serial in range(1, eligible + 1)
        ],
    )
    open_round(actor=secretary, ballot_round=ballot_round)
    marks = []
    for _ in range(ballots):
        drawn = {str(row): _choice(rng) for row in rows}
        marks.append({row: choice.value for row, choice in drawn.items() if choice is not None})
    db.session.execute(
        insert(CastBallot),
        [{"round_id": ballot_round.id, "id": random_id(), "marks": m} for m in marks],
    )
    db.session.execute(
        insert(BallotReceipt),
        [
            {"round_id": ballot_round.id, "id": random_id(), "receipt": secrets.token_hex(6)}
            for _ in range(ballots)
        ],
    )
    close_round(actor=secretary, ballot_round=ballot_round)
    certify(ballot_round)
    return ballot_round


def carry_to(stage: YearState, *, year: AssessmentYear, secretary: User, reviewer: User) -> None:
    """Take a year that is marking (every mark in, its ballots certified) to `stage` as the
    secretary and the township would: close marking, let the 支委会 confirm 优秀 within the
    quota when more are eligible, publish both results, then submit after publicity, score the
    cadres and approve."""
    if stage is YearState.MARKING:
        return
    if stage not in (YearState.PUBLICITY, YearState.SUBMITTED, YearState.APPROVED):
        raise ValueError(f"carry_to does not take a year to {stage}")
    close_marking(actor=secretary, year=year)
    quota = year_results(year).quota
    if quota.needs_confirmation:
        eligible = {candidate.member_id for candidate in quota.candidates}
        confirm_excellence(
            actor=secretary,
            year=year,
            member_ids={c.member_id for c in quota.candidates[: quota.quota]},
            reason="支委会研究确定",
            eligible_ids=eligible,
            quota=quota.quota,
        )
    # the township's scores go in before the cadres' results go public: they are part of
    # the version that is published, submitted and approved (DESIGN.md §16)
    for number, cadre in enumerate(_cadres_of(year.village_id)):
        score = Decimal(80 + number % 4 * 5)
        record_township_score(actor=reviewer, cadre=cadre, year=YEAR, score=score)
    signed_off(year, Part.TENSTAR)
    review_service.publish_results(actor=secretary, year=year, today=PUBLISHED)
    if _cadres_of(year.village_id):
        signed_off(year, Part.CADRES)
        review_service.publish_cadre_results(actor=secretary, year=year, today=PUBLISHED)
    if stage is YearState.PUBLICITY:
        return
    review_service.submit_year(actor=secretary, year=year, today=AFTER_PUBLICITY)
    if stage is YearState.APPROVED:
        review_service.approve_year(
            actor=reviewer,
            year=year,
            approved_members=review_service.members_needing_approval(year),
            opinion="同意",
        )


def _cadres_of(village_id: int) -> Sequence[Cadre]:
    return db.session.scalars(
        select(Cadre).where(Cadre.village_id == village_id).order_by(Cadre.id)
    ).all()
