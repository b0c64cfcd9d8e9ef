"""The demo township: 翁家埠村 (58 members) with its 2026 year under way, and four more villages
at later stages of the township's review; every name invented."""

import random
from datetime import date
from decimal import Decimal

from starrating.extensions import db
from starrating.models import User, Village
from starrating.rules.roster import MemberFacts
from starrating.rules.vocabulary import Gender, MemberCategory, Membership, PostKind, Role
from starrating.services.members import add_member
from starrating.services.org import (
    create_township,
    create_user,
    create_village,
    set_branch_contact,
)
from starrating.web import china_today

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (demo data only; documented in the README)
SURNAMES = "王张刘李于孙宋姜丛林谷姚曲"
GIVEN_MALE = (
    "建国",
    "志强",
    "海涛",
    "成军",
    "德胜",
    "永利",
    "春生",
    "振华",
    "文斌",
    "庆丰",
    "明远",
    "俊杰",
    "学军",
    "立新",
    "长海",
    "福山",
)
GIVEN_FEMALE = (
    "秀英",
    "桂兰",
    "玉梅",
    "春燕",
    "丽华",
    "海燕",
    "淑芬",
    "晓红",
    "翠萍",
    "美玲",
    "红霞",
    "金凤",
)

GROUPS = ("一组", "二组", "三组", "四组", "五组", "六组")  # 翁家埠村's 村民小组

ACCOUNTS = [
    ("wjb-shuji", "王建国", Role.SECRETARY),
    ("wjb-zhiwei1", "张海涛", Role.COMMITTEE),
    ("wjb-zhiwei2", "刘秀英", Role.COMMITTEE),
    ("wjb-zhiwei3", "于成军", Role.COMMITTEE),
    ("wjb-zhiwei4", "孙玉梅", Role.COMMITTEE),
    ("wjb-zhiwei5", "宋德胜", Role.COMMITTEE),
    ("wjb-jipiao", "姜春燕", Role.TELLER),
    ("wjb-zhuren", "李永利", Role.CADRE),
    ("wjb-fuzhuren", "丛振华", Role.CADRE),
    ("wjb-kuaiji", "林丽华", Role.CADRE),
    ("wjb-weiyuan1", "谷文斌", Role.CADRE),
    ("wjb-weiyuan2", "姚淑芬", Role.CADRE),
    ("wjb-jianwei", "曲庆丰", Role.CADRE),
    ("wjb-gudong", "于明远", Role.CADRE),
    ("wjb-jiandu1", "孙志强", Role.SUPERVISOR),
    ("wjb-jiandu2", "姜桂兰", Role.SUPERVISOR),
    ("wjb-jiandu3", "林春生", Role.SUPERVISOR),
]
#: the 村务监督委员会: its three members (the supervisor accounts), the first its chair
SUPERVISORS = ("wjb-jiandu1", "wjb-jiandu2", "wjb-jiandu3")

# The cadre list: each cadre account's post, its kind and pay (元 a year: base, reward).
CADRE_POSTS = {
    "wjb-zhuren": ("村委会主任", PostKind.VILLAGE_COMMITTEE, "24000.00", "3000.00"),
    "wjb-fuzhuren": ("村委会副主任", PostKind.VILLAGE_COMMITTEE, "21000.00", "2500.00"),
    "wjb-kuaiji": ("村报账员", PostKind.STAFF, "19000.00", "2000.00"),
    "wjb-weiyuan1": ("村委会委员", PostKind.VILLAGE_COMMITTEE, "18000.00", "2000.00"),
    "wjb-weiyuan2": ("村委会委员（妇女主任）", PostKind.VILLAGE_COMMITTEE, "18000.00", "2000.00"),
    "wjb-jianwei": ("村文书", PostKind.STAFF, "18000.00", "2000.00"),
    "wjb-gudong": ("股份经济合作社董事长", PostKind.STAFF, "20000.00", "2500.00"),
}
#: close relatives on the cadres' records (name, relation): none of them holds an account
CADRE_RELATIVES = {"wjb-zhuren": [("王秀英", "配偶")], "wjb-fuzhuren": [("丛海燕", "女儿")]}


def _demo_members(count: int) -> list[MemberFacts]:
    rng = random.Random(424)  # noqa: S311 — 424 households: a fixed seed, the same demo every time
    members: list[MemberFacts] = []
    seen: set[str] = set()
    while len(members) < count:
        gender = Gender.FEMALE if rng.random() < 0.3 else Gender.MALE
        given = rng.choice(GIVEN_FEMALE if gender is Gender.FEMALE else GIVEN_MALE)
        name = rng.choice(SURNAMES) + given
        group: str | None = GROUPS[len(members) % len(GROUPS)]
        if len(members) == 17:  # namesakes, as real villages have (same name, other birth date)
            name = members[3].name  # 孙学军, who moved in: his 组别 is not on the roster yet
            group = None
        elif name in seen:
            continue
        seen.add(name)
        born = date(rng.randint(1940, 1998), rng.randint(1, 12), rng.randint(1, 28))
        age = 2026 - born.year
        joined = date(born.year + rng.randint(20, 35), rng.randint(1, 12), 1)
        joined = min(joined, date(2025, 6, 1))
        category = (
            MemberCategory.ELDERLY_INFIRM
            if age >= 78
            else (MemberCategory.MOBILE if rng.random() < 0.1 else MemberCategory.ORDINARY)
        )
        exempt = (
            date(2026, 1, 10) if category is MemberCategory.ELDERLY_INFIRM and age >= 82 else None
        )
        members.append(
            MemberFacts(
                name=name,
                gender=gender,
                birth_date=born,
                joined_on=joined,
                membership=Membership.PROBATIONARY if len(members) in (20, 41) else Membership.FULL,
                category=category,
                phone=f"13{rng.randint(100000000, 999999999)}",
                exempt_meeting_date=exempt,
                exempt_reason="年老体弱，经党员大会同意免评" if exempt else None,
                village_group=group,
            )
        )
    return members


def seed() -> list[tuple[str, str]]:
    """Create the demo data; returns (username, description) of every demo login."""
    township = create_township(name="白沙滩镇")
    reviewer, _ = create_user(
        actor=None,
        username="bst-shenhe",
        display_name="赵审核",
        role=Role.TOWNSHIP,
        township=township,
        password=DEMO_PASSWORD,
    )
    village = create_village(township=township, name="翁家埠村", code="wengjiabu", actor=reviewer)
    create_village(township=township, name="南黄庄村", code="nanhuangzhuang", actor=reviewer)
    logins = [(reviewer.username, "乡镇审核人（白沙滩镇）")]
    users: dict[Role, User] = {}
    committee: list[User] = []
    for username, name, role in ACCOUNTS:
        user, _ = create_user(
            actor=reviewer,
            username=username,
            display_name=name,
            role=role,
            village=village,
            password=DEMO_PASSWORD,
        )
        user.must_change_password = False
        users.setdefault(role, user)
        if role is Role.COMMITTEE:
            committee.append(user)
        logins.append((username, f"{role.label} {name}（翁家埠村）"))
    reviewer.must_change_password = False
    set_branch_contact(actor=users[Role.SECRETARY], village=village, phone="0576-88001234")
    for facts in _demo_members(58):
        add_member(
            actor=users[Role.SECRETARY], village=village, facts=facts, today=date(2026, 11, 1)
        )
    db.session.flush()
    _demo_cadres(village)
    _demo_supervisors(users[Role.SECRETARY])
    _demo_year(reviewer, users[Role.SECRETARY], committee)
    codes = _demo_ballots(users[Role.SECRETARY], users[Role.TELLER], committee[0])
    _demo_pledges(users[Role.SECRETARY], reviewer)
    from starrating.demo.stages import other_villages

    logins.extend(other_villages(township, reviewer, china_today()))
    logins.append(("", "村民试投票（村干部测评，投票中）的票码：" + "、".join(codes)))
    return logins


def _demo_cadres(village: Village) -> None:
    """The village's cadre list, one record per cadre account, before the cadre ballot."""

    from sqlalchemy import select

    from starrating.models import Cadre, CadreRelative

    accounts = db.session.scalars(
        select(User).where(User.village_id == village.id, User.role == Role.CADRE)
    )
    for user in accounts:
        post, kind, base, reward = CADRE_POSTS[user.username]
        cadre = Cadre(
            village=village,
            name=user.display_name,
            post=post,
            post_kind=kind,
            user=user,
            base_pay=Decimal(base),
            reward_amount=Decimal(reward),
        )
        cadre.relatives = [
            CadreRelative(name=name, relation=relation)
            for name, relation in CADRE_RELATIVES.get(user.username, [])
        ]
        db.session.add(cadre)
    db.session.flush()


def _demo_supervisors(secretary: User) -> None:
    """The 村务监督委员会: three members, the first its chair, saved as complete; from now on
    its members sign the village's 公示稿 off."""
    from sqlalchemy import select

    from starrating.services.supervision import add_supervisor, establish

    village = secretary.village
    assert village is not None
    for position, username in enumerate(SUPERVISORS):
        user = db.session.scalar(select(User).where(User.username == username))
        assert user is not None
        add_supervisor(actor=secretary, village=village, user_id=user.id, chair=position == 0)
    establish(actor=secretary, village=village)


def _demo_year(reviewer: User, secretary: User, committee: list[User]) -> None:
    """The 2026 ten-star year under way: four raters done, the fifth a third of the way,
    one member vetoed. The mass stars wait for the villagers' ballot."""
    from starrating.queries.assessment import assessed_members
    from starrating.services.assessment import open_year
    from starrating.services.marking import record_marks
    from starrating.services.schemes import create_scheme
    from starrating.services.vetoes import record_veto

    scheme = create_scheme(actor=reviewer, township=secretary.village.township, year=2026)
    year = open_year(
        actor=secretary,
        village=secretary.village,
        year=2026,
        rater_ids=[user.id for user in committee],
    )
    rng = random.Random(2026)  # noqa: S311 — a fixed seed, the same demo every time
    stars = [s.code for s in scheme.tenstar.stars if s.measure is None]
    members = [m for m in assessed_members(year.id) if m.markable]
    for rater_index, rater in enumerate(committee):
        for position, assessed in enumerate(members):
            if rater_index == len(committee) - 1 and position >= len(members) // 3:
                break
            quality = 0.55 + 0.45 * ((assessed.member_id * 37) % 100) / 100
            marks = {code: rng.random() < quality for code in stars}
            record_marks(rater=rater, assessed=assessed, marks=marks)
    record_veto(
        actor=secretary,
        assessed=members[9],
        reason="无正当理由连续6个月不参加组织生活",
        on=date(2026, 9, 30),
        note="2026 年 3–9 月未参加组织生活",
        expected_version=1,
        today=date(2026, 11, 1),
    )


def _demo_ballots(secretary: User, teller: User, scrutineer: User) -> list[str]:
    """The villagers' assembly has voted on the members (closed and certified by the teller and
    a committee member: the mass stars are decided); the cadre ballot is open, with a few codes
    to try on a phone. Returns those codes."""
    from starrating.queries.ballots import subjects
    from starrating.rules.ballots import Choice
    from starrating.rules.electorate import Electorate
    from starrating.rules.tokens import shown
    from starrating.services.ballots import (
        cast_ballot,
        close_round,
        create_round,
        generate_codes,
        open_round,
        write_off_unused_codes,
    )
    from starrating.services.paper import certify_round

    village = secretary.village
    members = create_round(
        actor=secretary,
        village=village,
        year=2026,
        title="2026 年度党员群众满意度测评",
        members=True,
        cadres=False,
        electorate=Electorate.VILLAGERS,
        eligible=600,
    )
    codes = generate_codes(actor=secretary, ballot_round=members, count=450)
    open_round(actor=secretary, ballot_round=members)
    rng = random.Random(1024)  # noqa: S311 — a fixed seed, the same demo every time
    rows = subjects(members.id)
    choices = [Choice.SATISFIED, Choice.BASIC, Choice.DISSATISFIED, Choice.UNKNOWN]
    for code in codes[:412]:
        marks = {}
        for row in rows:
            liked = 0.45 + 0.5 * ((row.id * 53) % 100) / 100
            weights = [liked, (1 - liked) * 0.6, (1 - liked) * 0.25, 0.08]
            if rng.random() < 0.97:  # a few rows left blank, as on real ballots
                marks[row.id] = rng.choices(choices, weights)[0]
        cast_ballot(village=village, code=code.code, marks=marks)
    close_round(actor=secretary, ballot_round=members)
    write_off_unused_codes(actor=scrutineer, ballot_round=members)
    certify_round(user=teller, ballot_round=members)
    certify_round(user=scrutineer, ballot_round=members)
    cadres = create_round(
        actor=secretary,
        village=village,
        year=2026,
        title="2026 年度村干部民主测评",
        members=False,
        cadres=True,
        electorate=Electorate.VILLAGERS,
        eligible=600,
    )
    trial = generate_codes(actor=secretary, ballot_round=cadres, count=5)
    open_round(actor=secretary, ballot_round=cadres)
    return [shown(code.code) for code in trial]


PLEDGE_ITEMS = [  # the worked example of DESIGN.md §7: weights 40/30/30, verified 100/80/50 %
    (
        "完成村集体经济股份合作社年度分红",
        "每股分红",
        "不低于 1,700 元",
        date(2026, 12, 20),
        40,
        100,
    ),
    ("建成生态智能大棚二期", "新增大棚面积", "30 亩", date(2026, 10, 31), 30, 80),
    ("整治村内主干道及排水沟", "完成长度", "2.5 公里", date(2026, 9, 30), 30, 50),
]


def _demo_pledges(secretary: User, reviewer: User) -> None:
    """The 村委会主任's 2026 pledge, public, reported for three quarters, verified at year end,
    scored by the township: his result reproduces DESIGN.md §7 (the ballot is still open, so the
    appraisal shows its two other components, renormalised and flagged)."""
    from sqlalchemy import select

    from starrating.models import Cadre
    from starrating.services.appraisal import record_township_score, record_verified_completion
    from starrating.services.pledges import (
        ItemFacts,
        add_pledge_item,
        confirm_pledge,
        publish_pledge,
    )
    from starrating.services.reports import file_report

    cadre = db.session.scalar(
        select(Cadre).where(Cadre.village_id == secretary.village_id, Cadre.post == "村委会主任")
    )
    if cadre is None:
        return
    items = [
        add_pledge_item(
            actor=secretary,
            cadre=cadre,
            year=2026,
            facts=ItemFacts(
                content=content,
                indicator=indicator,
                target=target,
                deadline=deadline,
                weight=weight,
            ),
        )
        for content, indicator, target, deadline, weight, _ in PLEDGE_ITEMS
    ]
    pledge = items[0].pledge
    confirm_pledge(actor=secretary, pledge=pledge, expected_version=pledge.version)
    publish_pledge(actor=secretary, pledge=pledge, expected_version=pledge.version)
    for quarter, share in ((1, 25), (2, 50), (3, 70)):
        for item, (*_, verified) in zip(items, PLEDGE_ITEMS, strict=True):
            file_report(
                actor=secretary,
                item=item,
                quarter=quarter,
                progress=Decimal(min(verified, share + 10)),
                done="按计划推进",
                next_step="继续推进",
                today=date(2026, 11, 1),
            )
    for item, (*_, verified) in zip(items, PLEDGE_ITEMS, strict=True):
        record_verified_completion(actor=secretary, item=item, completion=Decimal(verified))
    record_township_score(actor=reviewer, cadre=cadre, year=2026, score=Decimal(85))
