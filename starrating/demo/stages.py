"""The township's other demo villages, each walked through the services to another stage of
the 2026 review: publicity (with an objection waiting), submitted, approved (its stars current,
one 摘星 since), returned (with an objection past its answer deadline)."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from starrating.demo import DEMO_PASSWORD, GIVEN_MALE, PLEDGE_ITEMS, _demo_members
from starrating.extensions import db
from starrating.models import AssessmentYear, Member, ObjectionTopic, Township, User, Village
from starrating.models.types import recorded_at
from starrating.rules.result_versions import Part
from starrating.rules.star_changes import ChangeKind
from starrating.rules.vocabulary import Role
from starrating.services.members import add_member
from starrating.services.org import create_user, create_village, set_branch_contact

CHINA = ZoneInfo("Asia/Shanghai")

#: (name, code, members, stage) — the stage each village reaches; 南黄庄村 has not opened its year
OTHER_VILLAGES = [
    ("东沙村", "dongsha", 26, "publicity"),
    ("西岙村", "xiao", 22, "submitted"),
    ("北塘村", "beitang", 30, "approved"),
    ("前洋村", "qianyang", 24, "returned"),
]
OTHER_CADRES = [
    ("村党支部书记", 36_000, 4_000),
    ("村委会主任", 30_000, 3_000),
    ("村会计", 20_000, 2_000),
]


def other_villages(township: Township, reviewer: User, today: date) -> list[tuple[str, str]]:
    logins = []
    for index, (name, code, size, stage) in enumerate(OTHER_VILLAGES):
        village = create_village(township=township, name=name, code=code, actor=reviewer)
        secretary = _village_through(village, reviewer, size, stage, seed=index, today=today)
        logins.append((secretary.username, f"支部书记（{name}，2026 年度{_STAGE_NOTE[stage]}）"))
    return logins


_STAGE_NOTE = {
    "publicity": "公示中，有一条待答复的群众异议",
    "submitted": "已报乡镇，待审核",
    "approved": "已审核通过",
    "returned": "已被乡镇退回，有一条超期未答复的群众异议",
}


def _sign_off(year: AssessmentYear, secretary: User, part: Part) -> None:
    """The secretary prepares the part's 公示稿; the chair of the village's 村务监督委员会
    signs it, or where it has none, the village's first committee member."""
    from starrating.services.supervision import has_supervisors, seats
    from starrating.services.versions import prepare_version, sign_off

    version = prepare_version(actor=secretary, year=year, part=part)
    if has_supervisors(year.village_id):
        signer = next(s.user for s in seats(year.village_id) if s.is_chair)
    else:
        signer = db.session.scalar(
            select(User)
            .where(User.village_id == year.village_id, User.role == Role.COMMITTEE)
            .order_by(User.id)
            .limit(1)
        )
    assert signer is not None
    sign_off(actor=signer, version=version)


def _correct(year: AssessmentYear, secretary: User, today: date) -> None:
    """A correction during publicity: the first member's organisational stars were marked
    wrongly; marking reopens, the raters' marks are corrected, the 公示稿 is signed again and
    the board shows 更正于 with the change."""
    from starrating.queries.assessment import assessed_members, raters
    from starrating.services.assessment import close_marking, reopen_marking
    from starrating.services.marking import record_marks
    from starrating.services.review import publish_correction

    reopen_marking(actor=secretary, year=year, reason="群众异议：核实后更正评分")
    first = next(a for a in assessed_members(year.id) if a.markable and not a.veto_reason)
    codes = [s.code for s in year.scheme.tenstar.stars if s.measure is None]
    for rater in raters(year.id):
        record_marks(rater=rater, assessed=first, marks=dict.fromkeys(codes, True))
    close_marking(actor=secretary, year=year)
    _sign_off(year, secretary, Part.TENSTAR)
    publish_correction(actor=secretary, year=year, part=Part.TENSTAR, today=today)


def _village_through(
    village: Village, reviewer: User, size: int, stage: str, *, seed: int, today: date
) -> User:
    """One village's 2026 year walked through the services to the given stage: members,
    three raters who marked everyone, a certified ballot of members and cadres that met its
    quorum, three cadres with verified pledges and the township's score, published results."""
    from starrating.services.objections import file_objection
    from starrating.services.review import (
        approve_year,
        members_needing_approval,
        publish_cadre_results,
        publish_results,
        return_year,
        submit_year,
    )

    rng = random.Random(7000 + seed)  # noqa: S311 — a fixed seed, the same demo every time
    # each step is recorded on its own day: prepared, published (5 days of publicity), an
    # objection the day after, submitted once publicity is over, decided two days later; the
    # returned village went through it earlier, with an objection filed the day after it was
    # submitted and still unanswered, past the scheme's 10 days
    published = today - timedelta(days=_PUBLISHED_DAYS_AGO.get(stage, 12))
    with recorded_at(_morning(published - timedelta(days=3))):
        secretary, year, cadres = _prepared(village, reviewer, size, rng, seed)
    with recorded_at(_morning(published - timedelta(days=1))):
        _sign_off(year, secretary, Part.TENSTAR)
        if cadres:
            _sign_off(year, secretary, Part.CADRES)
    with recorded_at(_morning(published)):
        publish_results(actor=secretary, year=year, today=published)
        if cadres:
            publish_cadre_results(actor=secretary, year=year, today=published)
    if stage == "publicity":
        with recorded_at(_morning(published + timedelta(days=1))):
            file_objection(
                village=village,
                year=2026,
                topic=ObjectionTopic.TENSTAR,
                content="第三组的评分我有不同意见，希望支部再核实一下。",
                name="",
                phone="",
            )
        with recorded_at(_morning(published + timedelta(days=1))):
            _correct(year, secretary, published + timedelta(days=1))
        return secretary
    submitted = published + timedelta(days=6)
    with recorded_at(_morning(submitted)):
        submit_year(actor=secretary, year=year, today=submitted)
    if stage == "returned":
        with recorded_at(_morning(submitted + timedelta(days=1))):
            file_objection(
                village=village,
                year=2026,
                topic=ObjectionTopic.CADRES,
                content="村干部考核结果里，村会计的群众测评分数和我们组里了解的情况不一致。",
                name="",
                phone="",
            )
    with recorded_at(_morning(submitted + timedelta(days=2))):
        if stage == "approved":
            approve_year(
                actor=reviewer,
                year=year,
                approved_members=members_needing_approval(year),
                opinion="评定程序规范，同意。",
            )
        elif stage == "returned":
            return_year(
                actor=reviewer, year=year, opinion="请补充不合格党员的支委会认定材料后重新报送。"
            )
    if stage == "approved":
        with recorded_at(_morning(today - timedelta(days=1))):
            _one_star_removed(village, secretary, today - timedelta(days=1))
    return secretary


_PUBLISHED_DAYS_AGO = {"publicity": 2, "returned": 22}


def _one_star_removed(village: Village, secretary: User, day: date) -> None:
    """After the approval the stars are current (§15): the 支委会 takes one star from the first
    member holding 组织观念星 (dues paid late), with a note the board never shows."""
    from starrating.queries.stars import star_standing
    from starrating.services.stars import ChangeFacts, record_star_change

    standing = star_standing(village.id)
    assert standing is not None
    first = next(m for m in standing.members if "organisation" in m.held)
    member = db.session.get(Member, first.member_id)
    assert member is not None
    reason = standing.rules.removal_reasons[1]  # 未按时足额交纳党费 by default
    facts = ChangeFacts(ChangeKind.REMOVE, "organisation", day, day, reason, "连续三个月未交党费")
    record_star_change(actor=secretary, member=member, facts=facts, today=day)


def _morning(day: date) -> datetime:
    """Ten in the morning of a day in China."""
    return datetime.combine(day, time(10), tzinfo=CHINA)


def _prepared(
    village: Village, reviewer: User, size: int, rng: random.Random, seed: int
) -> tuple[User, AssessmentYear, int]:
    """The village's accounts, members, a year marked by three raters with marking closed,
    three cadres, a certified ballot and, when more are eligible than the quota, the
    支委会's choice of the 优秀."""
    from starrating.queries.assessment import assessed_members, year_results
    from starrating.services.assessment import close_marking, confirm_excellence, open_year
    from starrating.services.marking import record_marks as mark

    accounts = []
    for suffix, label, role in (
        ("shuji", "书记", Role.SECRETARY),
        ("wei1", "支委甲", Role.COMMITTEE),
        ("wei2", "支委乙", Role.COMMITTEE),
        ("jipiao", "计票员", Role.TELLER),
    ):
        user, _ = create_user(
            actor=reviewer,
            username=f"{village.code}-{suffix}",
            display_name=f"{village.name[:2]}{label}",
            role=role,
            village=village,
            password=DEMO_PASSWORD,
        )
        user.must_change_password = False
        accounts.append(user)
    secretary, first, second, teller = accounts
    set_branch_contact(actor=secretary, village=village, phone=f"0576-8800{2000 + seed:04d}")
    facts = _demo_members(size + 8)
    rng.shuffle(facts)
    for member in facts[:size]:
        add_member(actor=secretary, village=village, facts=member, today=date(2026, 11, 1))
    db.session.flush()
    year = open_year(
        actor=secretary, village=village, year=2026, rater_ids=[secretary.id, first.id, second.id]
    )
    stars = [s.code for s in year.scheme.tenstar.stars if s.measure is None]
    for assessed in (m for m in assessed_members(year.id) if m.markable):
        quality = 0.6 + 0.4 * rng.random()
        for rater in (secretary, first, second):
            mark(rater=rater, assessed=assessed, marks={c: rng.random() < quality for c in stars})
    close_marking(actor=secretary, year=year)
    cadres = _other_cadres(village, secretary, reviewer, rng)
    _certified_round(village, secretary, teller, first, rng)
    quota = year_results(year).quota
    if quota.needs_confirmation:
        chosen = {c.member_id for c in quota.candidates[: quota.quota]}
        confirm_excellence(
            actor=secretary,
            year=year,
            member_ids=chosen,
            reason="支委会按星数和满意率确定",
            eligible_ids={c.member_id for c in quota.candidates},
            quota=quota.quota,
        )
    return secretary, year, cadres


def _other_cadres(village: Village, secretary: User, reviewer: User, rng: random.Random) -> int:
    from starrating.models import Cadre
    from starrating.services.appraisal import record_township_score, record_verified_completion
    from starrating.services.pledges import (
        ItemFacts,
        add_pledge_item,
        confirm_pledge,
        publish_pledge,
    )

    for post, base, reward in OTHER_CADRES:
        cadre = Cadre(
            village=village,
            name=f"{village.name[:1]}{rng.choice(GIVEN_MALE)}",
            post=post,
            base_pay=Decimal(base),
            reward_amount=Decimal(reward),
        )
        db.session.add(cadre)
        db.session.flush()
        items = [
            add_pledge_item(
                actor=secretary,
                cadre=cadre,
                year=2026,
                facts=ItemFacts(
                    content=content, indicator=indicator, target=target, deadline=due, weight=w
                ),
            )
            for content, indicator, target, due, w, _ in PLEDGE_ITEMS
        ]
        pledge = items[0].pledge
        confirm_pledge(actor=secretary, pledge=pledge, expected_version=pledge.version)
        publish_pledge(actor=secretary, pledge=pledge, expected_version=pledge.version)
        for item in items:
            done = Decimal(rng.choice((70, 80, 90, 100, 100)))
            record_verified_completion(actor=secretary, item=item, completion=done)
        score = Decimal(rng.randint(75, 95))
        record_township_score(actor=reviewer, cadre=cadre, year=2026, score=score)
    return len(OTHER_CADRES)


def _certified_round(
    village: Village, secretary: User, teller: User, scrutineer: User, rng: random.Random
) -> None:
    """One assembly: a ballot of the members and the cadres, 120 of 200 voters, certified."""
    from starrating.queries.ballots import subjects
    from starrating.rules.ballots import Choice
    from starrating.rules.electorate import Electorate
    from starrating.services.ballots import (
        cast_ballot,
        close_round,
        create_round,
        generate_codes,
        open_round,
        write_off_unused_codes,
    )
    from starrating.services.paper import certify_round

    both = create_round(
        actor=secretary,
        village=village,
        year=2026,
        title="2026 年度党员和村干部民主测评",
        members=True,
        cadres=True,
        electorate=Electorate.VILLAGERS,
        eligible=200,
    )
    codes = generate_codes(actor=secretary, ballot_round=both, count=140)
    open_round(actor=secretary, ballot_round=both)
    rows = subjects(both.id)
    choices = [Choice.SATISFIED, Choice.BASIC, Choice.DISSATISFIED, Choice.UNKNOWN]
    liking = {row.id: 0.55 + 0.4 * rng.random() for row in rows}
    for code in codes[:120]:
        marks = {row.id: rng.choices(choices, _weights(liking[row.id]))[0] for row in rows}
        cast_ballot(village=village, code=code.code, marks=marks)
    close_round(actor=secretary, ballot_round=both)
    write_off_unused_codes(actor=scrutineer, ballot_round=both)
    certify_round(user=teller, ballot_round=both)
    certify_round(user=scrutineer, ballot_round=both)


def _weights(liked: float) -> list[float]:
    """How likely 满意, 基本满意, 不满意 and 不了解 are for a subject villagers like this much."""
    return [liked, (1 - liked) * 0.7, (1 - liked) * 0.3, 0.05]
