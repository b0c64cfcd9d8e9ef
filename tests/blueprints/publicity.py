"""A village's year ready to go public, for the board and the review pages' tests: members with
phone numbers and birth dates, every organisational star marked, a certified member ballot that
met its quorum, marking closed. Built through the services, as the secretary would."""

from datetime import date
from decimal import Decimal

from starrating.extensions import db
from starrating.models import AssessmentYear, Cadre, Pledge, PledgeItem, User, Village
from starrating.queries.assessment import assessed_members
from starrating.queries.ballots import subjects
from starrating.rules.ballots import Choice
from starrating.rules.pledges import PledgeState
from starrating.rules.tenstar_scheme import StarGroup, default_tenstar_scheme
from starrating.rules.vocabulary import Role
from starrating.services.assessment import close_marking
from starrating.services.ballots import cast_ballot, close_round, generate_codes, open_round
from starrating.services.marking import record_marks
from starrating.services.vetoes import record_veto
from tests.factories import certify, create_member, create_member_round, create_user, create_village
from tests.factories import open_assessment as open_year

YEAR = 2026
NAMES = ("王建国", "李桂兰", "张秀英")
VETOED = "刘志强"
VETO_REASON = "违法犯罪"
PHONES = ("13812345678", "13612349876", "15888886666", "13700002222")
BIRTH = date(1956, 3, 2)
SCHEME = default_tenstar_scheme()
BASIC = {star.code for star in SCHEME.stars if star.group is StarGroup.BASIC}
ORGANISATIONAL = [star.code for star in SCHEME.stars if star.group is not StarGroup.MASS]


def ready_year(
    *, close: bool = True, ballot: bool = True, veto: bool = True
) -> tuple[Village, User, AssessmentYear]:
    """翁家埠村 with 王建国, 李桂兰, 张秀英 (4 basic stars marked 达标, vanguard not; both mass
    stars from the ballot: 6 stars, 合格) and 刘志强, vetoed for 违法犯罪 (不合格)."""
    village = create_village(name="翁家埠村")
    secretary = create_user(role=Role.SECRETARY, village=village)
    secretary.display_name = "翁书记"
    for name, phone in zip((*NAMES, VETOED), PHONES, strict=True):
        create_member(village=village, name=name, phone=phone, birth_date=BIRTH)
    year = open_year(village=village, secretary=secretary, raters=[secretary])
    for assessed in assessed_members(year.id):
        record_marks(
            rater=secretary,
            assessed=assessed,
            marks={code: code in BASIC for code in ORGANISATIONAL},
        )
        if veto and assessed.member.name == VETOED:
            record_veto(
                actor=secretary,
                assessed=assessed,
                reason=VETO_REASON,
                on=date(YEAR, 3, 1),
                note="（2026）刑初字第 12 号",
                expected_version=assessed.version,
                today=date(YEAR, 11, 1),
            )
    db.session.commit()
    if ballot:
        hold_member_ballot(village, secretary)
    if close:
        close_marking(actor=secretary, year=year)
        db.session.commit()
    return village, secretary, year


TEN_STARS = ("王建国", "李桂兰")  # every star; the quota of 1 lets only one be 优秀
ELDER = "陈阿公"  # 年老体弱, 免评 by the 党员大会


def quota_year(*, phone: str | None = "0571-88001234") -> tuple[Village, User, AssessmentYear]:
    """翁家埠村 with 王建国 and 李桂兰 (all ten stars), 张秀英 (6 stars, 合格) and 陈阿公
    (免评): 3 graded, so 优秀名额 1 and the 支委会 chose 王建国 (李桂兰 合格); published today's
    way by the caller. The branch's contact phone is set."""
    from starrating.rules.vocabulary import MemberCategory
    from starrating.services.assessment import confirm_excellence
    from starrating.services.org import set_branch_contact

    village = create_village(name="翁家埠村")
    secretary = create_user(role=Role.SECRETARY, village=village)
    for name in (*TEN_STARS, "张秀英"):
        create_member(village=village, name=name, birth_date=BIRTH)
    create_member(
        village=village,
        name=ELDER,
        birth_date=date(1936, 5, 1),
        category=MemberCategory.ELDERLY_INFIRM,
        exempt_meeting_date=date(YEAR, 1, 10),
        exempt_reason="年老体弱",
    )
    year = open_year(village=village, secretary=secretary, raters=[secretary])
    for assessed in assessed_members(year.id):
        if assessed.markable:
            every = assessed.member.name in TEN_STARS
            marks = {code: every or code in BASIC for code in ORGANISATIONAL}
            record_marks(rater=secretary, assessed=assessed, marks=marks)
    if phone:
        set_branch_contact(actor=secretary, village=village, phone=phone)
    db.session.commit()
    hold_member_ballot(village, secretary)
    close_marking(actor=secretary, year=year)
    ids = {a.member.name: a.id for a in assessed_members(year.id)}
    confirm_excellence(
        actor=secretary,
        year=year,
        member_ids={ids["王建国"]},
        reason="经支委会讨论，按星数和群众满意率确定",
        eligible_ids={ids[name] for name in TEN_STARS},
        quota=1,
    )
    db.session.commit()
    return village, secretary, year


def hold_member_ballot(village: Village, secretary: User, voters: int = 6) -> None:
    """6 of 10 villagers vote 满意 for every member; closed and certified."""
    ballot_round = create_member_round(village=village, secretary=secretary, eligible=10)
    ballot_round.title = "2026 年度党员民主测评"
    codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=voters)
    open_round(actor=secretary, ballot_round=ballot_round)
    rows = subjects(ballot_round.id)
    for code in codes:
        cast_ballot(
            village=village, code=code.code, marks={row.id: Choice.SATISFIED for row in rows}
        )
    close_round(actor=secretary, ballot_round=ballot_round)
    certify(ballot_round)
    db.session.commit()


def add_cadre(
    village: Village, *, verified: bool, state: PledgeState = PledgeState.PUBLIC
) -> Cadre:
    """张三, 村委会主任, with a pledge of three items (verified 100 / 80 / 50 when asked)."""
    cadre = Cadre(
        village=village,
        name="张三",
        post="村委会主任",
        base_pay=Decimal("24000.00"),
        reward_amount=Decimal("3000.00"),
    )
    pledge = Pledge(cadre=cadre, year=YEAR, state=state)
    pledge.items = [
        PledgeItem(
            position=position,
            content=content,
            indicator=f"{content}的指标",
            target="按期完成",
            deadline=date(YEAR, 12, 31),
            weight=weight,
            verified_completion=Decimal(done) if verified else None,
        )
        for position, (content, weight, done) in enumerate(
            [("修通村东道路", 40, 100), ("新建文化礼堂", 30, 80), ("清理河道", 30, 50)], start=1
        )
    ]
    db.session.add_all([cadre, pledge])
    db.session.commit()
    return cadre
