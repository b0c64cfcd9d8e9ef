"""A village's year with every object a write route can point at, built through the services
to a given state, and the steps a control state needs (for tests/blueprints/test_locked_year.py)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from starrating.extensions import db
from starrating.models import (
    AssessedMember,
    AssessmentYear,
    BallotRound,
    Cadre,
    Objection,
    ObjectionTopic,
    PaperEntry,
    Pledge,
    PledgeItem,
    ResultVersion,
    User,
)
from starrating.queries.assessment import assessed_members, raters
from starrating.queries.ballots import subjects
from starrating.rules.assessment_state import YearState
from starrating.rules.ballots import Choice
from starrating.rules.pledges import PledgeState
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import MemberCategory, Role
from starrating.services import review as review_service
from starrating.services.assessment import add_member_to_year, close_marking, reopen_marking
from starrating.services.ballots import (
    close_round,
    generate_codes,
    open_round,
    write_off_unused_codes,
)
from starrating.services.marking import record_marks
from starrating.services.objections import answer_objection, file_objection
from starrating.services.paper import certify_round, key_paper_ballot, propose_void
from starrating.services.pledges import confirm_pledge
from starrating.services.versions import prepare_version
from starrating.services.vetoes import record_exemption
from tests.blueprints.publicity import YEAR, add_cadre, ready_year
from tests.factories import create_member, create_member_round, create_user, signed_off

PUBLISH_DAY = date(YEAR, 11, 26)  # publicity to 11-30
TODAY = date(YEAR, 12, 10)  # after publicity: the year can be submitted


@dataclass
class World:
    village: Any
    year: AssessmentYear
    users: dict[str, User]
    wang: AssessedMember  # a member with marks
    liu: AssessedMember  # vetoed
    zhang_xiuying: AssessedMember
    elderly: AssessedMember  # 免评
    newcomer: Any  # on the roster, not in the year's list
    zhang: Cadre  # public pledge, verified
    li: Cadre  # a draft pledge
    objection: Objection  # answered by the branch before submission
    draft_round: BallotRound  # codes printed, never opened
    draft_codes: list[str]
    paper_round: BallotRound  # keyed on paper, certified
    paper_codes: list[str]
    entry: PaperEntry | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def item(self, cadre: Cadre) -> PledgeItem:
        return db.session.scalars(
            select(PledgeItem)
            .join(Pledge)
            .where(Pledge.cadre_id == cadre.id)
            .order_by(PledgeItem.position)
        ).first()

    def pledge(self, cadre: Cadre) -> Pledge:
        return db.session.scalar(select(Pledge).where(Pledge.cadre_id == cadre.id))


def _draft_pledge(village) -> Cadre:
    cadre = Cadre(
        village=village,
        name="李四",
        post="村委会委员",
        base_pay=Decimal("18000.00"),
        reward_amount=Decimal("2000.00"),
    )
    pledge = Pledge(cadre=cadre, year=YEAR, state=PledgeState.DRAFT)
    pledge.items = [
        PledgeItem(
            position=position,
            content=content,
            indicator="按期",
            target="完成",
            deadline=date(YEAR, 12, 31),
            weight=weight,
        )
        for position, (content, weight) in enumerate([("修桥", 60), ("植树", 40)], start=1)
    ]
    db.session.add_all([cadre, pledge])
    db.session.commit()
    return cadre


def _marks(ballot_round: BallotRound) -> dict[int, Choice]:
    return {row.id: Choice.SATISFIED for row in subjects(ballot_round.id)}


def build(state: YearState | None) -> World:
    """The village's year in that state (None: the control, marking open), through the services
    as the village and the township would take it there."""
    village, secretary, year = ready_year(close=False)
    teller = create_user(role=Role.TELLER, village=village)
    committee = create_user(role=Role.COMMITTEE, village=village)
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    members = {a.member.name: a for a in assessed_members(year.id)}
    old = create_member(village=village, name="陈阿婆", category=MemberCategory.ELDERLY_INFIRM)
    old.birth_date = date(1935, 1, 1)
    elderly = add_member_to_year(actor=secretary, year=year, member=old)
    record_exemption(
        actor=secretary,
        assessed=elderly,
        meeting_date=date(YEAR, 3, 1),
        reason="年老体弱",
        expected_version=elderly.version,
        today=TODAY,
    )
    newcomer = create_member(village=village, name="周新")
    zhang = add_cadre(village, verified=True)
    objection = file_objection(
        village=village, year=YEAR, topic=ObjectionTopic.OTHER, content="请核实", name="", phone=""
    )
    answer_objection(actor=secretary, objection=objection, answer="已核实")
    draft_round = create_member_round(village=village, secretary=secretary, eligible=10)
    draft_codes = [
        c.code for c in generate_codes(actor=secretary, ballot_round=draft_round, count=2)
    ]
    paper_round = create_member_round(village=village, secretary=secretary, eligible=10)
    paper_codes = [
        c.code for c in generate_codes(actor=secretary, ballot_round=paper_round, count=3)
    ]
    open_round(actor=secretary, ballot_round=paper_round)
    key_paper_ballot(
        user=teller, ballot_round=paper_round, code=paper_codes[0], marks=_marks(paper_round)
    )
    db.session.commit()
    world = World(
        village=village,
        year=year,
        users={
            "secretary": secretary,
            "teller": teller,
            "committee": committee,
            "reviewer": reviewer,
        },
        wang=members["王建国"],
        liu=members["刘志强"],
        zhang_xiuying=members["张秀英"],
        elderly=elderly,
        newcomer=newcomer,
        zhang=zhang,
        li=zhang,  # replaced below, once the cadre results are public
        objection=objection,
        draft_round=draft_round,
        draft_codes=draft_codes,
        paper_round=paper_round,
        paper_codes=paper_codes,
        entry=db.session.scalar(select(PaperEntry).where(PaperEntry.round_id == paper_round.id)),
    )
    if state is not None:
        _submit(world)
        if state is YearState.APPROVED:
            review_service.approve_year(
                actor=reviewer,
                year=year,
                approved_members=review_service.members_needing_approval(year),
                opinion="",
            )
        db.session.commit()
        assert year.state is state
    world.li = _draft_pledge(village)  # a draft pledge of the year (added as data, not a route)
    return world


def _submit(world: World) -> None:
    """Finish the paper round, close marking, publish both results, submit."""
    secretary, committee = world.users["secretary"], world.users["committee"]
    key_paper_ballot(
        user=committee,
        ballot_round=world.paper_round,
        code=world.paper_codes[0],
        marks=_marks(world.paper_round),
    )
    close_round(actor=secretary, ballot_round=world.paper_round)
    write_off_unused_codes(actor=committee, ballot_round=world.paper_round)
    certify_round(user=world.users["teller"], ballot_round=world.paper_round)
    certify_round(user=committee, ballot_round=world.paper_round)
    close_marking(actor=secretary, year=world.year)
    signed_off(world.year, Part.TENSTAR)
    review_service.publish_results(actor=secretary, year=world.year, today=PUBLISH_DAY)
    signed_off(world.year, Part.CADRES)
    review_service.publish_cadre_results(actor=secretary, year=world.year, today=PUBLISH_DAY)
    review_service.submit_year(actor=secretary, year=world.year, today=TODAY)


# --- what a control needs before the same request writes ---------------------------------------


def closed_marking(w: World) -> None:
    close_marking(actor=w.users["secretary"], year=w.year)
    db.session.commit()


def ready_to_submit(w: World) -> None:
    w.li.active = False  # a draft pledge would keep the cadre results from going public
    finish_paper(w)
    closed_marking(w)
    signed_off(w.year, Part.TENSTAR)
    review_service.publish_results(actor=w.users["secretary"], year=w.year, today=PUBLISH_DAY)
    signed_off(w.year, Part.CADRES)
    review_service.publish_cadre_results(actor=w.users["secretary"], year=w.year, today=PUBLISH_DAY)
    db.session.commit()


def to_returned(w: World) -> None:
    ready_to_submit(w)
    review_service.submit_year(actor=w.users["secretary"], year=w.year, today=TODAY)
    review_service.return_year(actor=w.users["reviewer"], year=w.year, opinion="请复核")
    db.session.commit()


def to_submitted(w: World) -> None:
    ready_to_submit(w)
    review_service.submit_year(actor=w.users["secretary"], year=w.year, today=TODAY)
    db.session.commit()


def to_approved(w: World) -> None:
    to_submitted(w)
    review_service.approve_year(
        actor=w.users["reviewer"],
        year=w.year,
        approved_members=review_service.members_needing_approval(w.year),
        opinion="",
    )
    db.session.commit()


def without_cadre_draft(w: World) -> None:
    w.li.active = False
    db.session.commit()


def confirmed_li(w: World) -> None:
    pledge = w.pledge(w.li)
    confirm_pledge(actor=w.users["secretary"], pledge=pledge, expected_version=pledge.version)
    db.session.commit()


def keyed_twice(w: World) -> None:
    key_paper_ballot(
        user=w.users["committee"],
        ballot_round=w.paper_round,
        code=w.paper_codes[0],
        marks=_marks(w.paper_round),
    )
    db.session.commit()


def closed_paper(w: World) -> None:
    keyed_twice(w)
    close_round(actor=w.users["secretary"], ballot_round=w.paper_round)
    db.session.commit()


def written_off_paper(w: World) -> None:
    closed_paper(w)
    write_off_unused_codes(actor=w.users["committee"], ballot_round=w.paper_round)
    db.session.commit()


def void_proposed(w: World) -> None:
    """The teller proposes to void the sheet keyed once (the world's entry)."""
    assert w.entry is not None
    propose_void(user=w.users["teller"], entry=w.entry, reason="纸质选票遗失")
    db.session.commit()


def finish_paper(w: World) -> None:
    written_off_paper(w)
    certify_round(user=w.users["teller"], ballot_round=w.paper_round)
    certify_round(user=w.users["committee"], ballot_round=w.paper_round)


def fresh_objection(w: World) -> None:
    w.notes["objection"] = file_objection(
        village=w.village,
        year=YEAR,
        topic=ObjectionTopic.OTHER,
        content="新异议",
        name="",
        phone="",
    )
    db.session.commit()


def signed_tenstar(w: World) -> None:
    """Marking closed and the ten-star 公示稿 signed off: publishing writes."""
    closed_marking(w)
    signed_off(w.year, Part.TENSTAR)
    db.session.commit()


def signed_cadres(w: World) -> None:
    """The cadres' 公示稿 signed off (no draft pledge left): publishing them writes."""
    without_cadre_draft(w)
    signed_off(w.year, Part.CADRES)
    db.session.commit()


def tenstar_draft(w: World) -> None:
    """Marking closed and a ten-star 公示稿 prepared, waiting for its sign-off."""
    closed_marking(w)
    prepare_version(actor=w.users["secretary"], year=w.year, part=Part.TENSTAR)
    db.session.commit()


def signed_correction(w: World) -> None:
    """Published, then corrected during publicity (王建国's vanguard stars marked 达标 by every
    rater after an objection), the correction's 公示稿 signed off: publishing it writes."""
    signed_tenstar(w)
    secretary = w.users["secretary"]
    review_service.publish_results(actor=secretary, year=w.year, today=PUBLISH_DAY)
    reopen_marking(actor=secretary, year=w.year, reason="更正")
    wang = next(a for a in assessed_members(w.year.id) if a.member.name == "王建国")
    codes = [s.code for s in w.year.scheme.tenstar.stars if s.measure is None]
    for rater in raters(w.year.id):
        record_marks(rater=rater, assessed=wang, marks=dict.fromkeys(codes, True))
    close_marking(actor=secretary, year=w.year, reason="更正完毕")
    signed_off(w.year, Part.TENSTAR)
    db.session.commit()


def latest_version(w: World) -> ResultVersion:
    found = db.session.scalar(
        select(ResultVersion)
        .where(ResultVersion.year_id == w.year.id)
        .order_by(ResultVersion.id.desc())
        .limit(1)
    )
    assert found is not None
    return found
