"""The township's review of a village's year (DESIGN.md §5.6, §7.4): every step of the year by
the right role from the right state, and nothing else; the review page's approve, return and
reopen; and the lock on an approved year."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import (
    AssessedMember,
    AssessmentYear,
    Cadre,
    Objection,
    ObjectionTopic,
    PledgeItem,
    QuarterlyReport,
    StarMark,
    TownshipScore,
    User,
    Village,
    YearReview,
)
from starrating.queries.assessment import assessed_members
from starrating.queries.ballots import subjects
from starrating.rules.assessment_state import (
    TRANSITIONS,
    Step,
    YearState,
    lock_message,
    village_may_edit,
)
from starrating.rules.ballots import Choice
from starrating.rules.result_versions import Part
from starrating.rules.tenstar_scheme import default_tenstar_scheme
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services import review as review_service
from starrating.services.appraisal import record_township_score, record_verified_completion
from starrating.services.assessment import close_marking
from starrating.services.ballots import cast_ballot, close_round, generate_codes, open_round
from starrating.services.marking import record_marks
from starrating.services.objections import answer_objection, file_objection
from starrating.services.pledges import ItemFacts, amend_pledge_item
from starrating.services.reports import file_report
from starrating.services.vetoes import record_veto
from tests.blueprints.test_appraisal import create_cadre, create_pledge
from tests.factories import (
    certify,
    create_member,
    create_member_round,
    create_user,
    create_village,
    login,
    open_assessment,
    signed_off,
)

YEAR = 2026
PUBLISHED = date(YEAR, 12, 1)  # publicity runs to 12-05 (5 days)
AFTER_PUBLICITY = date(YEAR, 12, 10)
SCHEME = default_tenstar_scheme()
BASIC = [s.code for s in SCHEME.stars if s.group.value == "basic"]
VANGUARD = [s.code for s in SCHEME.stars if s.group.value == "vanguard"]
NAMES = ["宋明远", "王长海", "李桂兰", "张秀英", "刘志强", "陈海燕"]


@dataclass
class Branch:
    village: Village
    secretary: User
    reviewer: User
    year: AssessmentYear
    members: list[AssessedMember]  # 宋明远 优秀, 王长海 不合格 (veto), the others 合格
    cadre: Cadre

    @property
    def needing(self) -> list[int]:
        return [self.members[0].id, self.members[1].id]


def hold_member_ballot(*, village: Village, secretary: User, voters: int = 6) -> None:
    """A member round at the assembly: every voter marks every member 满意; closed and certified
    by a teller and a committee member, so the mass stars are decided."""
    ballot_round = create_member_round(village=village, secretary=secretary, eligible=10)
    rows = subjects(ballot_round.id)
    codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=voters)
    open_round(actor=secretary, ballot_round=ballot_round)
    for printed in codes:
        cast_ballot(
            village=village, code=printed.code, marks={s.id: Choice.SATISFIED for s in rows}
        )
    close_round(actor=secretary, ballot_round=ballot_round)
    certify(ballot_round)
    db.session.commit()


def published_branch(village: Village | None = None) -> Branch:
    """A village-year in publicity with everything settled, ready to submit once publicity is
    over: six members marked by the secretary (one with every star, one vetoed, four with the
    basic stars only), a certified member ballot, marking closed, one cadre with a public pledge
    whose items are verified, ten-star and cadre results published on PUBLISHED."""
    village = village or create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    for name in NAMES:
        create_member(village=village, name=name)
    year = open_assessment(village=village, secretary=secretary, raters=[secretary], year=YEAR)
    members = assessed_members(year.id)
    for position, assessed in enumerate(members):
        marks = dict.fromkeys(BASIC, True) | dict.fromkeys(VANGUARD, position < 2)
        record_marks(rater=secretary, assessed=assessed, marks=marks)
    record_veto(
        actor=secretary,
        assessed=members[1],
        reason=SCHEME.veto_reasons[0],
        on=date(YEAR, 6, 1),
        note="",
        expected_version=members[1].version,
        today=PUBLISHED,
    )
    hold_member_ballot(village=village, secretary=secretary)
    close_marking(actor=secretary, year=year)
    cadre = create_cadre(village=village)
    for item in create_pledge(cadre=cadre).items:
        record_verified_completion(actor=secretary, item=item, completion=Decimal(95))
    signed_off(year, Part.TENSTAR)
    review_service.publish_results(actor=secretary, year=year, today=PUBLISHED)
    signed_off(year, Part.CADRES)
    review_service.publish_cadre_results(actor=secretary, year=year, today=PUBLISHED)
    db.session.commit()
    return Branch(village, secretary, reviewer, year, members, cadre)


def submitted_branch() -> Branch:
    branch = published_branch()
    review_service.submit_year(actor=branch.secretary, year=branch.year, today=AFTER_PUBLICITY)
    db.session.commit()
    return branch


def reviews(year: AssessmentYear) -> list[Step]:
    return list(
        db.session.scalars(
            select(YearReview.step).where(YearReview.year_id == year.id).order_by(YearReview.id)
        )
    )


# --- the state machine through the services --------------------------------------------------


def take(step: Step, actor: User, branch: Branch) -> None:
    """The service call that takes step, with what a well-filled form would give it."""
    year = branch.year
    calls = {
        Step.PUBLISH: lambda: review_service.publish_results(
            actor=actor, year=year, today=PUBLISHED
        ),  # the 公示稿 was signed off before (see walk)
        Step.SUBMIT: lambda: review_service.submit_year(
            actor=actor, year=year, today=AFTER_PUBLICITY
        ),
        Step.APPROVE: lambda: review_service.approve_year(
            actor=actor, year=year, approved_members=branch.needing, opinion="同意"
        ),
        Step.RETURN: lambda: review_service.return_year(actor=actor, year=year, opinion="请补充"),
        Step.RESUME: lambda: review_service.resume_year(actor=actor, year=year),
        Step.REOPEN: lambda: review_service.reopen_year(actor=actor, year=year, reason="有新情况"),
    }
    calls[step]()


def test_a_year_walks_through_publicity_review_return_and_reopening(app):
    branch = published_branch()
    secretary, reviewer, year = branch.secretary, branch.reviewer, branch.year
    walk = [
        (Step.SUBMIT, secretary, YearState.SUBMITTED),
        (Step.RETURN, reviewer, YearState.RETURNED),
        (Step.RESUME, secretary, YearState.MARKING),
        (Step.PUBLISH, secretary, YearState.PUBLICITY),
        (Step.SUBMIT, secretary, YearState.SUBMITTED),
        (Step.APPROVE, reviewer, YearState.APPROVED),
        (Step.REOPEN, reviewer, YearState.RETURNED),
    ]
    for step, actor, state in walk:
        if step is Step.PUBLISH:
            signed_off(year, Part.TENSTAR)
        if step is Step.SUBMIT and year.cadres_publicity_ends_on is None:  # again after resume
            signed_off(year, Part.CADRES)
            review_service.publish_cadre_results(actor=secretary, year=year, today=PUBLISHED)
        take(step, actor, branch)
        db.session.commit()
        assert year.state is state, step

    assert reviews(year) == [Step.PUBLISH] + [step for step, _, _ in walk]
    approval = db.session.scalar(select(YearReview).where(YearReview.step == Step.APPROVE))
    assert approval.approved_members == sorted(branch.needing)
    assert approval.actor_id == reviewer.id


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.TOWNSHIP], ids=lambda r: r.value)
@pytest.mark.parametrize("state", list(YearState), ids=lambda s: s.value)
@pytest.mark.parametrize("step", list(Step), ids=lambda s: s.value)
def test_each_step_only_by_its_role_from_its_state(app, step, state, role):
    branch = published_branch()
    branch.year.state = state
    db.session.commit()
    actor = branch.secretary if role is Role.SECRETARY else branch.reviewer
    before = reviews(branch.year)
    transition = TRANSITIONS[step]

    if transition.role is role and transition.source is state:
        if step is Step.PUBLISH:
            signed_off(branch.year, Part.TENSTAR)
        take(step, actor, branch)
        db.session.commit()
        assert branch.year.state is transition.target
        assert reviews(branch.year) == [*before, step]
    else:
        with pytest.raises(ServiceError) as refused:
            take(step, actor, branch)
        db.session.rollback()
        village_step = transition.role is Role.SECRETARY
        if village_step and role is Role.SECRETARY and not village_may_edit(state):
            # the village's own steps are refused like every other change of a locked year
            assert refused.value.message == lock_message(YEAR, state)
        else:
            assert step.label in refused.value.message
        assert branch.year.state is state
        assert reviews(branch.year) == before


def test_a_committee_member_takes_no_step(app):
    branch = submitted_branch()
    committee = create_user(role=Role.COMMITTEE, village=branch.village)
    for step in Step:
        with pytest.raises(ServiceError):
            take(step, committee, branch)
        db.session.rollback()
    assert branch.year.state is YearState.SUBMITTED


def test_submission_waits_for_publicity_and_answers(app):
    branch = published_branch()
    objection = file_objection(
        village=branch.village,
        year=YEAR,
        topic=ObjectionTopic.TENSTAR,
        content="王长海的否决有误",
        name="",
        phone="",
    )
    with pytest.raises(ServiceError) as early:
        review_service.submit_year(actor=branch.secretary, year=branch.year, today=PUBLISHED)
    assert "公示期至 12 月 5 日" in early.value.message
    assert "尚有 1 条群众异议未答复" in early.value.message
    answer_objection(actor=branch.secretary, objection=objection, answer="经核实无误")
    review_service.submit_year(actor=branch.secretary, year=branch.year, today=AFTER_PUBLICITY)
    assert branch.year.state is YearState.SUBMITTED


def test_approval_needs_every_excellent_and_unqualified_member(app):
    branch = submitted_branch()
    with pytest.raises(ServiceError) as refused:
        review_service.approve_year(
            actor=branch.reviewer,
            year=branch.year,
            approved_members=branch.needing[:1],
            opinion="",
        )
    assert "尚有 1 名评为优秀或不合格的党员未逐一确认" in refused.value.message
    with pytest.raises(ServiceError) as wrong:
        review_service.approve_year(
            actor=branch.reviewer,
            year=branch.year,
            approved_members=[*branch.needing, branch.members[3].id],
            opinion="",
        )
    assert "只能确认评为优秀或不合格的党员" in wrong.value.message
    assert branch.year.state is YearState.SUBMITTED


# --- the review page --------------------------------------------------------------------------


def reviewer_client(app, branch: Branch):
    client = app.test_client()
    login(client, branch.reviewer)
    return client


def review_url(branch: Branch, action: str = "review") -> str:
    return f"/township/villages/{branch.village.id}/years/{YEAR}/{action}"


def test_the_review_page_shows_what_was_submitted(app):
    branch = submitted_branch()
    db.session.add(
        Objection(
            village_id=branch.village.id,
            year=YEAR,
            reference="OBJ12345",
            topic=ObjectionTopic.TENSTAR,
            content="宋明远的优秀有疑问",
            filer_name="周大爷",
            filer_phone="13800001111",
            answer="经支委会复核，符合条件",
            answered_at=branch.year.submitted_at,
            answered_by_id=branch.secretary.id,
        )
    )
    db.session.commit()

    page = reviewer_client(app, branch).get(review_url(branch)).get_data(as_text=True)

    assert "已报乡镇" in page
    assert "2026-12-01 至 2026-12-05" in page
    for member in branch.members[:2]:
        assert f'name="members" value="{member.id}"' in page
    for member in branch.members[2:]:
        assert f'value="{member.id}"' not in page
    assert "一票否决：" + SCHEME.veto_reasons[0] in page
    assert "10 星" in page  # 宋明远: every star
    assert "周大爷（13800001111）" in page  # the filer, for the township's eyes
    assert "经支委会复核，符合条件" in page
    assert f'data-cadre-id="{branch.cadre.id}"' in page and "张三" in page
    assert 'id="approve"' in page and 'id="return"' in page and 'id="reopen"' not in page


def test_the_review_page_offers_the_villages_workbooks(app):
    branch = submitted_branch()
    client = reviewer_client(app, branch)
    page = client.get(review_url(branch)).get_data(as_text=True)
    links = re.findall(r'href="(/township/exports/[^"]+)"', page)
    assert any(link.endswith(f"/years/{YEAR}/tenstar.xlsx") for link in links)
    assert any(link.endswith(f"/appraisal/{YEAR}/cadres.xlsx") for link in links)
    assert any(link.endswith("/tally.xlsx") for link in links)  # the certified member round
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert response.data[:2] == b"PK"  # an .xlsx is a zip


def test_approval_through_the_page_needs_every_member_ticked(app):
    branch = submitted_branch()
    client = reviewer_client(app, branch)

    refused = client.post(
        review_url(branch, "approve"),
        data={"members": [branch.needing[0]], "opinion": ""},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "尚有 1 名评为优秀或不合格的党员未逐一确认" in refused
    assert branch.year.state is YearState.SUBMITTED

    done = client.post(
        review_url(branch, "approve"),
        data={"members": branch.needing, "opinion": "程序规范，结果属实"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "结果已锁定" in done
    assert branch.year.state is YearState.APPROVED
    assert "程序规范，结果属实" in done
    assert "逐一确认优秀、不合格党员 2 人" in done
    assert 'id="reopen"' in done and 'id="approve"' not in done


def test_returning_needs_an_opinion(app):
    branch = submitted_branch()
    client = reviewer_client(app, branch)

    refused = client.post(
        review_url(branch, "return"), data={"opinion": "  "}, follow_redirects=True
    ).get_data(as_text=True)
    assert "请填写退回意见" in refused
    assert branch.year.state is YearState.SUBMITTED
    assert reviews(branch.year)[-1] is Step.SUBMIT

    done = client.post(
        review_url(branch, "return"),
        data={"opinion": "王长海的否决缺少处分文件"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert branch.year.state is YearState.RETURNED
    assert "王长海的否决缺少处分文件" in done


def test_reopening_needs_a_reason_and_an_approved_year(app):
    branch = submitted_branch()
    client = reviewer_client(app, branch)

    early = client.post(
        review_url(branch, "reopen"), data={"reason": "有新情况"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "不能重新打开" in early
    assert branch.year.state is YearState.SUBMITTED

    take(Step.APPROVE, branch.reviewer, branch)
    db.session.commit()
    no_reason = client.post(
        review_url(branch, "reopen"), data={"reason": ""}, follow_redirects=True
    ).get_data(as_text=True)
    assert "请填写重新打开的原因" in no_reason
    assert branch.year.state is YearState.APPROVED

    client.post(review_url(branch, "reopen"), data={"reason": "群众来信反映情况"})
    assert branch.year.state is YearState.RETURNED
    assert reviews(branch.year)[-1] is Step.REOPEN


def test_another_townships_reviewer_finds_no_review_page(app):
    branch = submitted_branch()
    stranger = create_user(role=Role.TOWNSHIP)  # a reviewer of another township
    client = app.test_client()
    login(client, stranger)

    assert client.get(review_url(branch)).status_code == 404
    for action, data in [
        ("approve", {"members": branch.needing}),
        ("return", {"opinion": "退回"}),
        ("reopen", {"reason": "重开"}),
    ]:
        assert client.post(review_url(branch, action), data=data).status_code == 404
    assert branch.year.state is YearState.SUBMITTED


def test_a_year_not_opened_has_no_review_page(app):
    branch = submitted_branch()
    client = reviewer_client(app, branch)
    assert (
        client.get(f"/township/villages/{branch.village.id}/years/2025/review").status_code == 404
    )


def test_the_secretary_cannot_reach_the_township_pages(app):
    branch = submitted_branch()
    client = app.test_client()
    login(client, branch.secretary)

    assert client.get("/township/dashboard").status_code == 403
    assert client.get(review_url(branch)).status_code == 403
    response = client.post(review_url(branch, "approve"), data={"members": branch.needing})
    assert response.status_code == 403
    assert branch.year.state is YearState.SUBMITTED


# --- approved is locked -----------------------------------------------------------------------


def approved_branch() -> Branch:
    branch = submitted_branch()
    take(Step.APPROVE, branch.reviewer, branch)
    db.session.commit()
    return branch


def _item(branch: Branch) -> PledgeItem:
    """The first item of the cadre's pledge."""
    return db.session.scalars(
        select(PledgeItem)
        .where(PledgeItem.pledge.has(cadre_id=branch.cadre.id))
        .order_by(PledgeItem.position)
    ).first()


LOCKED_WRITES = {
    "a mark": lambda b: record_marks(
        rater=b.secretary, assessed=b.members[3], marks=dict.fromkeys(VANGUARD, True)
    ),
    "a veto": lambda b: record_veto(
        actor=b.secretary,
        assessed=b.members[2],
        reason=SCHEME.veto_reasons[0],
        on=date(YEAR, 6, 1),
        note="",
        expected_version=b.members[2].version,
        today=AFTER_PUBLICITY,
    ),
    "a pledge change": lambda b: amend_pledge_item(
        actor=b.secretary,
        item=_item(b),
        expected_version=_item(b).version,
        facts=ItemFacts(
            content="改过的承诺",
            indicator="指标",
            target="完成",
            deadline=date(YEAR, 12, 31),
            weight=_item(b).weight,
        ),
        reason="调整",
    ),
    "a quarterly report": lambda b: file_report(
        actor=b.secretary,
        item=_item(b),
        quarter=4,
        progress=Decimal(100),
        done="已完成",
        next_step="无",
        today=AFTER_PUBLICITY,
    ),
    "a verified completion": lambda b: record_verified_completion(
        actor=b.secretary, item=_item(b), completion=Decimal(50)
    ),
}


def _snapshot() -> tuple:
    return (
        db.session.scalar(select(func.count(StarMark.id))),
        tuple(db.session.scalars(select(AssessedMember.veto_reason).order_by(AssessedMember.id))),
        tuple(
            db.session.execute(
                select(PledgeItem.content, PledgeItem.verified_completion).order_by(PledgeItem.id)
            ).all()
        ),
        db.session.scalar(select(func.count(QuarterlyReport.id))),
    )


@pytest.mark.parametrize("write", LOCKED_WRITES.values(), ids=LOCKED_WRITES.keys())
def test_an_approved_year_refuses_the_villages_writes(app, write):
    branch = approved_branch()
    before = _snapshot()

    with pytest.raises(ServiceError) as refused:
        write(branch)
    db.session.rollback()

    assert refused.value.message == lock_message(YEAR, YearState.APPROVED)
    assert _snapshot() == before


@pytest.mark.parametrize("write", LOCKED_WRITES.values(), ids=LOCKED_WRITES.keys())
def test_a_submitted_year_refuses_the_villages_writes(app, write):
    branch = submitted_branch()
    before = _snapshot()

    with pytest.raises(ServiceError) as refused:
        write(branch)
    db.session.rollback()

    assert refused.value.message == lock_message(YEAR, YearState.SUBMITTED)
    assert _snapshot() == before


def test_the_township_scores_cadres_while_reviewing_but_not_once_approved(app):
    branch = submitted_branch()
    record_township_score(actor=branch.reviewer, cadre=branch.cadre, year=YEAR, score=Decimal(85))
    db.session.commit()
    take(Step.APPROVE, branch.reviewer, branch)
    db.session.commit()

    with pytest.raises(ServiceError) as refused:
        record_township_score(
            actor=branch.reviewer, cadre=branch.cadre, year=YEAR, score=Decimal(60)
        )
    db.session.rollback()

    assert refused.value.message == lock_message(YEAR, YearState.APPROVED)
    assert db.session.scalar(select(TownshipScore.score)) == Decimal(85)


def test_the_township_score_page_says_the_year_is_locked(app):
    branch = approved_branch()
    client = reviewer_client(app, branch)
    page = client.post(
        f"/township/appraisal/{YEAR}/{branch.cadre.id}/score",
        data={f"cadre-{branch.cadre.id}-score": "60"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已经乡镇审核通过并锁定" in page
    assert db.session.scalar(select(func.count(TownshipScore.id))) == 0


def test_the_year_is_unlocked_after_reopening(app):
    branch = approved_branch()
    take(Step.REOPEN, branch.reviewer, branch)
    db.session.commit()
    record_verified_completion(actor=branch.secretary, item=_item(branch), completion=Decimal(50))
    assert _item(branch).verified_completion == Decimal(50)


@pytest.mark.parametrize(
    "path",
    ["/branch/cadres/{cadre}/pledges/{year}", "/branch/appraisal/{year}/{cadre}"],
    ids=["pledge", "appraisal"],
)
def test_the_secretarys_pages_say_the_year_is_locked_instead_of_offering_forms(app, path):
    branch = approved_branch()
    client = app.test_client()
    login(client, branch.secretary)
    url = path.format(cadre=branch.cadre.id, year=YEAR)
    page = client.get(url).get_data(as_text=True)
    assert lock_message(YEAR, YearState.APPROVED) in page
    assert 'method="post"' not in page.replace('action="/logout"', "").split("</header>")[1]
    take(Step.REOPEN, branch.reviewer, branch)
    db.session.commit()
    assert lock_message(YEAR, YearState.APPROVED) not in client.get(url).get_data(as_text=True)
