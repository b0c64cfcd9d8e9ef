"""The secretary's 公示与上报 (DESIGN.md §5.5–6, §7.4): publishing on the board, corrections
during publicity, answering objections, submitting once publicity is over, and the lock after."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

import starrating.blueprints.branch as branch_home
from starrating.blueprints.branch import review as review_view
from starrating.extensions import db
from starrating.models import AssessmentYear, AuditEvent, ObjectionTopic, StarMark, YearReview
from starrating.queries.assessment import assessed_members
from starrating.queries.board import rows_digest, tenstar_preview
from starrating.rules.assessment_state import YearState
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import Role
from starrating.services.objections import file_objection
from starrating.services.review import return_year
from tests.blueprints.publicity import NAMES, YEAR, add_cadre, ready_year
from tests.factories import create_member, create_user, login, open_assessment, signed_off

REVIEW = f"/branch/years/{YEAR}/review"
PUBLISH_DAY = date(YEAR, 11, 26)  # publicity to 11-30
AFTER = date(YEAR, 12, 1)


def today_is(monkeypatch, day: date) -> None:
    monkeypatch.setattr(review_view, "china_today", lambda: day)
    monkeypatch.setattr(branch_home, "china_today", lambda: day)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(html: str, section_id: str) -> str:
    found = re.search(rf'<section class="card" id="{section_id}">(.*?)</section>', html, re.S)
    assert found, section_id
    return text(found.group(1))


def review_page(client) -> str:
    response = client.get(REVIEW)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post(client, path: str, **data) -> str:
    response = client.post(f"/branch/years/{YEAR}/{path}", data=data, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def year_record() -> AssessmentYear:
    found = db.session.scalar(select(AssessmentYear))
    db.session.refresh(found)
    return found


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def shown_digest(client) -> str:
    """The digest the confirmation page carries of the rows it shows."""
    page = client.get(f"/branch/years/{YEAR}/review/publish").get_data(as_text=True)
    found = re.search(r'name="shown"[^>]*value="([0-9a-f]+)"', page) or re.search(
        r'value="([0-9a-f]+)"[^>]*name="shown"', page
    )
    assert found, "no confirmation form"
    return found.group(1)


def publish(client) -> str:
    """Publish as the secretary does: the 公示稿 signed off by a committee member, then read
    the confirmation page, tick, confirm."""
    signed_off(year_record(), Part.TENSTAR)
    db.session.commit()
    return post(client, "review/publish", shown=shown_digest(client), confirmed="y")


def published(client, monkeypatch, **ready):
    village, secretary, year = ready_year(**ready)
    login(client, secretary)
    today_is(monkeypatch, PUBLISH_DAY)
    assert "已在公示栏公示" in publish(client)
    return village, secretary, year


# --- publishing -----------------------------------------------------------------------------------


def test_publishing_waits_until_marking_is_closed(client, monkeypatch):
    _, secretary, _ = ready_year(close=False)
    login(client, secretary)
    today_is(monkeypatch, PUBLISH_DAY)
    html = review_page(client)
    assert "评分尚未结束：请先结束评分" in section(html, "publish")
    assert re.search(r"<button[^>]*disabled[^>]*>公示评定结果", html)
    confirm = client.get(f"{REVIEW}/publish").get_data(as_text=True)
    assert "评分尚未结束：请先结束评分" in text(confirm) and "确认公示" not in confirm
    digest = rows_digest(tenstar_preview(year_record()))
    assert "还不能公示：评分尚未结束" in post(client, "review/publish", shown=digest, confirmed="y")
    assert year_record().state is YearState.MARKING
    assert year_record().published_on is None


def test_publishing_waits_until_every_members_stars_are_settled(client, monkeypatch):
    _, secretary, _ = ready_year(ballot=False)  # mass stars undecided (the vetoed one is not)
    login(client, secretary)
    today_is(monkeypatch, PUBLISH_DAY)
    assert "尚有 3 名党员的星级未评定完毕，等次为暂定" in section(review_page(client), "publish")
    assert "还不能公示" in text(client.get(f"{REVIEW}/publish").get_data(as_text=True))
    assert year_record().state is YearState.MARKING


def test_publishing_puts_the_results_on_the_board_for_five_days(client, monkeypatch):
    village, _, _ = published(client, monkeypatch)
    year = year_record()
    assert (year.state, year.published_on, year.publicity_ends_on) == (
        YearState.PUBLICITY,
        PUBLISH_DAY,
        date(YEAR, 11, 30),
    )
    html = review_page(client)
    assert "2026年11月26日 至 2026年11月30日（公示中，还有 5 天）" in section(html, "overview")
    assert [r.step.value for r in db.session.scalars(select(YearReview))] == ["publish"]
    assert "公示评定结果" in section(html, "history")
    board = client.get(f"/{village.code}/board").get_data(as_text=True)
    assert all(name in board for name in NAMES)


def test_the_confirmation_shows_what_goes_public_before_it_does(client, monkeypatch):
    _, secretary, _ = ready_year()
    login(client, secretary)
    today_is(monkeypatch, PUBLISH_DAY)
    page = client.get(f"{REVIEW}/publish").get_data(as_text=True)
    assert "2026年11月26日 至 2026年11月30日（5 天）" in section(page, "what-goes-public")
    assert "合格 3 人，不合格 1 人" in section(page, "what-goes-public")
    rows = re.findall(r"<tr>\s*<td class=\"num\">\d+</td>(.*?)</tr>", page, re.S)
    assert [text(row) for row in rows] == [
        "王建国 ★ ★ ★ ★ ☆ ☆ ☆ ☆ ★ ★ 6 合格",
        "李桂兰 ★ ★ ★ ★ ☆ ☆ ☆ ☆ ★ ★ 6 合格",
        "张秀英 ★ ★ ★ ★ ☆ ☆ ☆ ☆ ★ ★ 6 合格",
        "刘志强 ☆ ☆ ☆ ☆ ☆ ☆ ☆ ☆ ☆ ☆ 0 不合格",
    ]
    assert "13812345678" not in page and "违法犯罪" not in page and "1956" not in page


def test_publishing_without_confirming_is_refused(client, monkeypatch):
    _, secretary, _ = ready_year()
    login(client, secretary)
    today_is(monkeypatch, PUBLISH_DAY)
    signed_off(year_record(), Part.TENSTAR)
    db.session.commit()
    digest = shown_digest(client)
    assert "请先核对将要公示的名单" in post(client, "review/publish", confirmed="y")
    assert "请勾选“我已核对”后再公示" in post(client, "review/publish", shown=digest)
    assert year_record().published_on is None
    assert "已在公示栏公示" in post(client, "review/publish", shown=digest, confirmed="y")
    assert year_record().state is YearState.PUBLICITY


def test_rows_changed_after_confirming_must_be_confirmed_again(client, monkeypatch):
    _, secretary, year = ready_year()
    login(client, secretary)
    today_is(monkeypatch, PUBLISH_DAY)
    signed_off(year_record(), Part.TENSTAR)
    db.session.commit()
    digest = shown_digest(client)
    wang = next(a for a in assessed_members(year.id) if a.member.name == "王建国")
    wang.exempt_meeting_date = date(YEAR, 3, 1)  # the grade shown changes to 免评
    db.session.commit()
    html = post(client, "review/publish", shown=digest, confirmed="y")
    assert "公示内容在您核对之后有变化" in html
    assert year_record().published_on is None


def test_cadre_results_are_blocked_with_the_reasons(client, monkeypatch):
    village, _, _ = published(client, monkeypatch)
    add_cadre(village, verified=False)
    html = review_page(client)
    assert "「张三」：尚有 3 项承诺未核定完成情况" in section(html, "publish-cadres")
    assert re.search(r"<button[^>]*disabled[^>]*>公示村干部考核结果", html)
    assert "还不能公示村干部考核结果" in post(client, "review/publish-cadres")
    assert year_record().cadres_published_on is None


def test_cadre_results_are_published_once_verified(client, monkeypatch):
    village, _, _ = published(client, monkeypatch)
    add_cadre(village, verified=True)
    assert "还没有村干部考核结果的公示稿" in post(client, "review/publish-cadres")
    assert year_record().cadres_published_on is None
    signed_off(year_record(), Part.CADRES)
    db.session.commit()
    assert "村干部考核结果已在公示栏公示" in post(client, "review/publish-cadres")
    assert year_record().cadres_publicity_ends_on == date(YEAR, 11, 30)
    assert "公示中" in section(review_page(client), "overview")


# --- submitting ---------------------------------------------------------------------------------


def test_submission_waits_for_the_end_of_publicity_and_every_answer(client, monkeypatch):
    village, _, _ = published(client, monkeypatch)
    objection = file_objection(
        village=village,
        year=YEAR,
        topic=ObjectionTopic.TENSTAR,
        content="有意见",
        name="",
        phone="",
    )
    db.session.commit()
    today_is(monkeypatch, date(YEAR, 11, 30))
    html = review_page(client)
    blockers = section(html, "submit")
    assert "十星级评定结果公示期至 11 月 30 日，还有 1 天" in blockers
    assert "尚有 1 条群众异议未答复" in blockers
    assert re.search(r"<button[^>]*disabled[^>]*>报送乡镇审核", html)
    assert "还不能报送乡镇" in post(client, "review/submit")
    today_is(monkeypatch, AFTER)
    assert "尚有 1 条群众异议未答复" in post(client, "review/submit")
    assert year_record().state is YearState.PUBLICITY
    assert "已答复异议" in post(
        client, f"objections/{objection.id}/answer", answer="经支委会复核，评分无误。"
    )
    assert "已报送乡镇审核" in post(client, "review/submit")
    year = year_record()
    assert year.state is YearState.SUBMITTED and year.submitted_at is not None
    assert "已报送乡镇，等待审核" in section(review_page(client), "submit")


def test_submission_waits_for_the_cadre_results_publicity(client, monkeypatch):
    village, _, _ = published(client, monkeypatch)
    add_cadre(village, verified=True)
    today_is(monkeypatch, AFTER)
    assert "村干部考核结果尚未公示" in section(review_page(client), "submit")
    signed_off(year_record(), Part.CADRES)
    db.session.commit()
    post(client, "review/publish-cadres")
    assert "村干部考核结果公示期至 12 月 5 日" in post(client, "review/submit")
    today_is(monkeypatch, date(YEAR, 12, 6))
    assert "已报送乡镇审核" in post(client, "review/submit")


def test_a_returned_year_is_resumed_with_the_townships_opinion(client, monkeypatch):
    village, _, year = published(client, monkeypatch)
    today_is(monkeypatch, AFTER)
    post(client, "review/submit")
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    return_year(actor=reviewer, year=year_record(), opinion="请补充刘志强的处分材料")
    db.session.commit()
    html = review_page(client)
    assert "请补充刘志强的处分材料" in section(html, "resume")
    assert "按审核意见修改" in section(html, "resume")
    assert "已按审核意见重新开始修改" in post(client, "review/resume")
    year = year_record()
    assert (year.state, year.published_on, year.publicity_ends_on) == (
        YearState.MARKING,
        None,
        None,
    )
    steps = [r.step.value for r in db.session.scalars(select(YearReview))]
    assert steps == ["publish", "submit", "return", "resume"]
    assert "本年度评定结果尚未公示" in client.get(f"/{village.code}/board").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.TELLER])
@pytest.mark.parametrize(
    "path", ["review", "objections", "review/publish", "review/submit", "review/publish-cadres"]
)
def test_only_the_secretary_publishes_and_submits(client, monkeypatch, role, path):
    village, _, _ = ready_year()
    login(client, create_user(role=role, village=village))
    method = client.get if path in ("review", "objections") else client.post
    assert method(f"/branch/years/{YEAR}/{path}").status_code == 403
    assert year_record().state is YearState.MARKING


@pytest.mark.parametrize("path", ["review", "objections"])
def test_another_villages_year_is_not_found(client, path):
    ready_year()
    stranger = create_user(role=Role.SECRETARY)
    create_member(village=stranger.village)
    open_assessment(village=stranger.village, secretary=stranger, raters=[stranger], year=2025)
    login(client, stranger)
    assert client.get(f"/branch/years/{YEAR}/{path}").status_code == 404
    assert client.post(f"/branch/years/{YEAR}/review/publish").status_code == 404


def test_another_villages_objection_cannot_be_answered(client, monkeypatch):
    village, _, _ = published(client, monkeypatch)
    stranger = create_user(role=Role.SECRETARY)
    create_member(village=stranger.village)
    open_assessment(village=stranger.village, secretary=stranger, raters=[stranger])
    theirs = file_objection(
        village=stranger.village,
        year=YEAR,
        topic=ObjectionTopic.OTHER,
        content="x",
        name="",
        phone="",
    )
    db.session.commit()
    response = client.post(
        f"/branch/years/{YEAR}/objections/{theirs.id}/answer", data={"answer": "答"}
    )
    assert response.status_code == 404
    db.session.refresh(theirs)
    assert theirs.answer is None


# --- objections ---------------------------------------------------------------------------------


def test_the_secretary_sees_who_filed_and_answers(client, monkeypatch):
    village, secretary, _ = published(client, monkeypatch)
    objection = file_objection(
        village=village,
        year=YEAR,
        topic=ObjectionTopic.TENSTAR,
        content="王建国不该得群众认可星",
        name="王举报",
        phone="13900001111",
    )
    db.session.commit()
    html = client.get(f"/branch/years/{YEAR}/objections").get_data(as_text=True)
    assert "王举报，电话 13900001111" in text(html)
    assert "王建国不该得群众认可星" in html and "未答复" in html
    assert "1 条， 1 条未答复" in section(review_page(client), "overview")
    assert "请填写答复内容" in post(client, f"objections/{objection.id}/answer", answer=" ")
    assert objection.answer is None
    post(client, f"objections/{objection.id}/answer", answer="已复核。")
    html = text(client.get(f"/branch/years/{YEAR}/objections").get_data(as_text=True))
    assert "答复 已复核。" in html and f"答复人 {secretary.display_name}" in html


# --- corrections during publicity -----------------------------------------------------------------


def test_marks_are_corrected_during_publicity_after_reopening_and_audited(client, monkeypatch):
    village, secretary, year = published(client, monkeypatch)
    year_page = client.get(f"/branch/years/{YEAR}").get_data(as_text=True)
    assert "重新开放评分" in year_page
    post(client, "reopen", reopen_reason="群众异议：王建国漏评先锋星")
    assert year_record().marking_closed_at is None
    assert "评分已重新开放更正" in section(review_page(client), "publish")
    assert f'id="year-{YEAR}"' in client.get("/branch/marking").get_data(as_text=True)
    wang = next(a for a in assessed_members(year.id) if a.member.name == "王建国")
    data = {f"star_{code}": "pass" for code in _organisational(year)}
    response = client.post(f"/branch/marking/{YEAR}/{wang.id}", data={**data, "save": "保存"})
    assert response.status_code == 302
    assert all(
        m.passed
        for m in db.session.scalars(select(StarMark).where(StarMark.assessed_member_id == wang.id))
    )
    assert events("year.reopen_marking")[0].after == {"reason": "群众异议：王建国漏评先锋星"}
    correction = [e for e in events("mark.record") if e.object_id == wang.id][-1]
    assert correction.actor_id == secretary.id
    assert set(correction.before.values()) == {"不达标"}
    assert set(correction.after.values()) == {"达标"} and len(correction.after) == 4
    today_is(monkeypatch, AFTER)
    assert "评分已重新开放更正：请先结束评分" in section(review_page(client), "submit")
    post(client, "close")
    # the board still shows what went public; the correction goes public as a new version
    board = client.get(f"/{village.code}/board").get_data(as_text=True)
    assert re.search(r"王建国</td>.*?6</td>\s*<td class=\"grade nowrap\">合格", board, re.S)
    assert "结果与公示栏上的第 1 版不同" in section(review_page(client), "publish")
    assert "十星级评定结果公示后又有改动" in section(review_page(client), "submit")
    signed_off(year_record(), Part.TENSTAR)
    db.session.commit()
    assert "已公示更正" in post(client, "versions/tenstar/correct")
    board = client.get(f"/{village.code}/board").get_data(as_text=True)
    assert re.search(r"王建国</td>.*?10</td>\s*<td class=\"grade nowrap\">优秀", board, re.S)


def _organisational(year):
    return [s.code for s in year.scheme.tenstar.stars if s.measure is None]


# --- the lock after submission --------------------------------------------------------------------


def test_after_submission_every_village_write_is_refused_and_nothing_changes(client, monkeypatch):
    village, _, year = published(client, monkeypatch)
    objection = file_objection(
        village=village,
        year=YEAR,
        topic=ObjectionTopic.OTHER,
        content="晚到的异议",
        name="",
        phone="",
    )
    db.session.commit()
    today_is(monkeypatch, AFTER)
    answer = post(client, f"objections/{objection.id}/answer", answer="已复核")
    assert "已答复" in answer
    assert "已报送乡镇审核" in post(client, "review/submit")
    late = file_objection(
        village=village, year=YEAR, topic=ObjectionTopic.OTHER, content="更晚", name="", phone=""
    )
    db.session.commit()
    wang = next(a for a in assessed_members(year.id) if a.member.name == "王建国")
    marks_before = db.session.scalar(select(func.count(StarMark.id)))
    events_before = db.session.scalar(select(func.count(AuditEvent.id)))
    lock = "2026 年度评定已报乡镇审核，审核期间不能修改"
    attempts = [
        ("reopen", {"reopen_reason": "想改分"}),
        ("close", {}),
        ("review/publish", {}),
        ("review/publish-cadres", {}),
        (
            f"members/{wang.id}/veto",
            {"veto_reason": "违法犯罪", "veto_on": "2026-03-01", "version": wang.version},
        ),
        (f"members/{wang.id}/remove", {"removed_reason": "转出"}),
    ]
    for path, data in attempts:
        html = post(client, path, **data)
        assert lock in html or "本年度评定已报乡镇" in html, path
    data = {f"star_{code}": "fail" for code in _organisational(year)}
    client.post(f"/branch/marking/{YEAR}/{wang.id}", data={**data, "save": "保存"})
    db.session.expire_all()
    assert db.session.scalar(select(func.count(StarMark.id))) == marks_before
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events_before
    wang_passed = select(func.count(StarMark.id)).where(
        StarMark.assessed_member_id == wang.id, StarMark.passed.is_(True)
    )
    assert db.session.scalar(wang_passed) == 4  # the 4 basic stars, as marked before
    assert year_record().state is YearState.SUBMITTED
    # an objection filed late goes to the township; the branch's answers are frozen
    for objection_id in (late.id, objection.id):
        html = post(client, f"objections/{objection_id}/answer", answer="改写")
        assert lock in html and "此期间新的群众异议由乡镇答复" in html
    db.session.refresh(late)
    db.session.refresh(objection)
    assert late.answer is None and objection.answer == "已复核"


def test_the_secretarys_home_shows_the_years_stage_and_waiting_objections(client, monkeypatch):
    village, _, _ = published(client, monkeypatch)
    home = client.get("/branch/").get_data(as_text=True)
    card = home.split('id="this-year"')[1].split("</section>")[0]
    assert "2026 年度：" in card and "公示中" in card
    assert "群众异议待答复" not in home
    file_objection(
        village=village, year=YEAR, topic=ObjectionTopic.OTHER, content="有意见", name="", phone=""
    )
    db.session.commit()
    todo = client.get("/branch/").get_data(as_text=True).split('id="todo"')[1]
    todo = todo.split("</section>")[0]
    assert "1 条群众异议待答复（公示期剩 5 天）" in todo
    assert f'href="/branch/years/{YEAR}/objections"' in todo


def test_an_answer_from_a_stale_tab_does_not_overwrite_a_newer_one(client, monkeypatch):
    village, _, _ = published(client, monkeypatch)
    objection = file_objection(
        village=village,
        year=YEAR,
        topic=ObjectionTopic.TENSTAR,
        content="有意见",
        name="",
        phone="",
    )
    db.session.commit()

    def shown_in(page: str) -> str:
        return re.search(r'name="shown" value="([^"]*)"', page).group(1)

    first_tab = shown_in(client.get(f"/branch/years/{YEAR}/objections").get_data(as_text=True))
    second_tab = shown_in(client.get(f"/branch/years/{YEAR}/objections").get_data(as_text=True))
    post(client, f"objections/{objection.id}/answer", answer="第二个窗口的答复", shown=second_tab)
    url = f"/branch/years/{YEAR}/objections/{objection.id}/answer"
    refused = client.post(url, data={"answer": "旧窗口", "shown": first_tab})
    assert refused.status_code == 303  # back to the list, which says why
    page = client.get(refused.location).get_data(as_text=True)
    assert "已被修改，请查看最新内容后重新填写" in page
    assert objection.answer == "第二个窗口的答复"
