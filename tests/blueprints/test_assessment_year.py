"""The secretary opens the ten-star year, watches marking and reads, corrects and confirms the
results, as DESIGN.md §4–§5 describe."""

import re

import pytest
from sqlalchemy import event, func, select

from starrating.extensions import db
from starrating.models import AssessedMember, AssessmentYear, AuditEvent, Rater, Scheme
from starrating.queries.assessment import assessed_members, year_results
from starrating.rules.tenstar_awards import ABSTAIN
from starrating.rules.tenstar_scheme import default_tenstar_scheme
from starrating.rules.vocabulary import MemberCategory, Membership, Role
from starrating.services import ServiceError
from starrating.services.assessment import add_member_to_year
from starrating.services.marking import record_marks
from starrating.web import china_today
from tests.factories import (
    create_member,
    create_scheme,
    create_user,
    create_village,
    login,
    open_assessment,
)

YEAR = 2026
ORGANISATIONAL = [star.code for star in default_tenstar_scheme().stars if star.measure is None]


@pytest.fixture
def secretary(client):
    user = create_user(role=Role.SECRETARY)
    login(client, user)
    return user


def _committee(secretary, count: int) -> list:
    return [create_user(role=Role.COMMITTEE, village=secretary.village) for _ in range(count)]


def _open(secretary, raters, *names: str, **facts) -> list[AssessedMember]:
    """Put members named names on the roster, open the year with raters; the year's members."""
    for name in names:
        create_member(village=secretary.village, name=name, **facts)
    year = open_assessment(village=secretary.village, secretary=secretary, raters=raters)
    return assessed_members(year.id)


def _mark(rater, assessed, passed: bool, codes=ORGANISATIONAL) -> None:
    record_marks(rater=rater, assessed=assessed, marks=dict.fromkeys(codes, passed))
    db.session.commit()


def _table(page: str, table_id: str) -> str:
    match = re.search(rf'<table class="table" id="{table_id}">(.*?)</table>', page, re.S)
    assert match, f"no table #{table_id} on the page"
    return match.group(1)


def _row(page: str, table_id: str, assessed_id: int) -> list[str]:
    """The text of each cell of the member's row in the table."""
    table = _table(page, table_id)
    match = re.search(rf'<tr data-member-id="{assessed_id}"[^>]*>(.*?)</tr>', table, re.S)
    assert match, f"member {assessed_id} not in #{table_id}"
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", match.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- opening the year ----------------------------------------------------------------------------


def test_the_years_page_offers_this_year_and_the_committee_as_raters(client, secretary):
    committee = _committee(secretary, 2)
    teller = create_user(role=Role.TELLER, village=secretary.village)
    stranger = create_user(role=Role.COMMITTEE)  # another village's committee
    create_scheme(township=secretary.village.township, year=china_today().year)
    page = _page(client, "/branch/years")
    assert f'value="{china_today().year}"' in page
    for user in (secretary, *committee):
        assert f'value="{user.id}"' in page
    for user in (teller, stranger):
        assert f'value="{user.id}"' not in page
    assert "乡镇尚未制定" not in page


def _offered_year(page: str) -> str | None:
    field = re.search(r'<input[^>]*name="year"[^>]*>', page)
    assert field, "no year field"
    value = re.search(r'value="([^"]*)"', field.group(0))
    return value.group(1) if value else None


def test_the_open_year_form_never_offers_a_year_already_open(client, secretary):
    this_year = china_today().year
    create_member(village=secretary.village, name="赵一")
    open_assessment(
        village=secretary.village, secretary=secretary, raters=[secretary], year=this_year
    )
    assert _offered_year(_page(client, "/branch/years")) in (None, "")
    create_scheme(township=secretary.village.township, year=this_year + 1)
    assert _offered_year(_page(client, "/branch/years")) == str(this_year + 1)


def test_secretary_opens_a_year_on_the_roster_of_that_day(client, secretary):
    committee = _committee(secretary, 2)
    for name in ("赵一", "钱二", "孙三"):
        create_member(village=secretary.village, name=name)
    scheme = create_scheme(township=secretary.village.township, year=YEAR)
    response = client.post(
        "/branch/years", data={"year": YEAR, "raters": [secretary.id, committee[0].id]}
    )
    assert response.location == f"/branch/years/{YEAR}"
    year = db.session.scalar(select(AssessmentYear))
    assert [a.member.name for a in assessed_members(year.id)] == ["赵一", "钱二", "孙三"]
    raters = db.session.scalars(select(Rater.user_id).where(Rater.year_id == year.id))
    assert sorted(raters) == sorted([secretary.id, committee[0].id])
    db.session.refresh(scheme)
    assert scheme.frozen
    assert [e.object_id for e in _events("year.open")] == [year.id]
    assert _events("year.raters") and _events("scheme.freeze")
    page = _page(client, f"/branch/years/{YEAR}")
    assert "3 名党员" in page and "起冻结" in page
    years = _table(_page(client, "/branch/years"), "years")
    assert f'href="/branch/years/{YEAR}">{YEAR} 年度</a>' in years and "评分中" in years


def test_a_member_who_joins_later_is_in_the_year_only_when_added(client, secretary):
    (first,) = _open(secretary, [secretary], "赵一")
    newcomer = create_member(village=secretary.village, name="新党员")
    assert [a.member_id for a in assessed_members(first.year_id)] == [first.member_id]
    page = _page(client, f"/branch/years/{YEAR}")
    assert f'<option value="{newcomer.id}">新党员' in page
    response = client.post(f"/branch/years/{YEAR}/members", data={"member": newcomer.id})
    assert response.location == f"/branch/years/{YEAR}"
    added = assessed_members(first.year_id)[-1]
    assert added.member_id == newcomer.id and added.added_later
    row = _row(_page(client, f"/branch/years/{YEAR}"), "marking-progress", added.id)
    assert row[1] == "新党员 后加入"
    assert _events("year.add_member")


def test_another_villages_member_cannot_be_added_to_the_year(client, secretary):
    (first,) = _open(secretary, [secretary], "赵一")
    stranger = create_member(village=create_village(), name="别村党员")
    response = client.post(f"/branch/years/{YEAR}/members", data={"member": stranger.id})
    assert response.status_code == 303  # only the members the page offers can be added
    assert "党员：请从列表中选择一项" in client.get(response.location).get_data(as_text=True)
    assert len(assessed_members(first.year_id)) == 1


def test_without_a_township_scheme_no_year_is_opened(client, secretary):
    create_member(village=secretary.village)
    this_year = china_today().year
    assert f"乡镇尚未制定 {this_year} 年度评定方案" in _page(client, "/branch/years")
    page = client.post("/branch/years", data={"year": YEAR, "raters": [secretary.id]})
    assert f"乡镇尚未制定 {YEAR} 年度评定方案，请联系乡镇审核人" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AssessmentYear.id))) == 0


@pytest.mark.parametrize(
    ("raters", "message"),
    [
        (lambda s: [], "请至少选择一名评委"),
        (lambda s: [create_user(role=Role.TELLER, village=s.village).id], "只能从本村支委"),
        (lambda s: [create_user(role=Role.COMMITTEE).id], "只能从本村支委"),
    ],
    ids=["nobody", "a teller", "another village's committee"],
)
def test_raters_are_chosen_from_the_villages_committee(client, secretary, raters, message):
    create_member(village=secretary.village)
    create_scheme(township=secretary.village.township, year=YEAR)
    page = client.post("/branch/years", data={"year": YEAR, "raters": raters(secretary)})
    assert message in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AssessmentYear.id))) == 0
    assert db.session.scalar(select(Scheme.frozen_at)) is None


def test_a_year_is_opened_once(client, secretary):
    _open(secretary, [secretary], "赵一")
    page = client.post("/branch/years", data={"year": YEAR, "raters": [secretary.id]})
    assert f"{YEAR} 年度评定已经开启" in page.get_data(as_text=True)


def test_a_year_outside_the_range_is_refused_by_the_form(client, secretary):
    page = client.post("/branch/years", data={"year": "1999", "raters": [secretary.id]})
    assert "年度须在 2000–2100 之间" in page.get_data(as_text=True)


# --- raters and marking progress -----------------------------------------------------------------


def test_the_progress_grid_shows_how_many_stars_each_rater_has_marked(client, secretary):
    ding, wu = _committee(secretary, 2)
    zhao, qian = _open(secretary, [ding, wu], "赵一", "钱二")
    _mark(ding, zhao, True)
    _mark(wu, zhao, False, codes=ORGANISATIONAL[:3])
    page = _page(client, f"/branch/years/{YEAR}")
    assert _row(page, "marking-progress", zhao.id) == ["1", "赵一", "8/8", "3/8"]
    assert _row(page, "marking-progress", qian.id) == ["2", "钱二", "0/8", "0/8"]
    assert "1/2 人" in _table(page, "marking-progress").split("<tfoot>")[1]


def test_secretary_changes_the_raters_and_a_dropped_raters_marks_stop_counting(client, secretary):
    ding, wu, zheng = _committee(secretary, 3)
    (zhao,) = _open(secretary, [ding, wu, zheng], "赵一")
    _mark(ding, zhao, True)
    _mark(wu, zhao, True)
    _mark(zheng, zhao, False)
    year = zhao.year
    assert year_results(year).members[0].outcome.star_count == 8  # 2 of 3
    chosen = {"raters": [ding.id, zheng.id]}
    asked = client.post(f"/branch/years/{YEAR}/raters", data=chosen)
    # the grades this flips are shown first, and nothing changes until confirmed
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "1 名党员的等次会改变" in page
    changed = re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", _table(page, "grade-changes")))
    assert changed == "姓名现在的等次调整后的等次赵一优秀资格不合格"
    assert len(db.session.scalars(select(Rater.user_id).where(Rater.year_id == year.id)).all()) == 3
    assert year_results(year).members[0].outcome.star_count == 8
    response = client.post(f"/branch/years/{YEAR}/raters", data={**chosen, "confirmed": "1"})
    assert response.location == f"/branch/years/{YEAR}"
    raters = db.session.scalars(select(Rater.user_id).where(Rater.year_id == year.id))
    assert sorted(raters) == sorted([ding.id, zheng.id])
    assert year_results(year).members[0].outcome.star_count == 0  # 1 of 2 is no majority
    page = _page(client, f"/branch/years/{YEAR}")
    assert wu.id not in [int(i) for i in re.findall(r'<th[^>]*data-rater-id="(\d+)"', page)]


# --- results -------------------------------------------------------------------------------------


def test_three_of_five_raters_award_the_eight_organisational_stars(client, secretary):
    raters = [secretary, *_committee(secretary, 4)]
    zhao, qian, sun = _open(secretary, raters, "赵一", "钱二", "孙三")
    for rater in raters[:3]:
        _mark(rater, zhao, True)
        _mark(rater, qian, False)
    for rater in raters[3:]:
        _mark(rater, zhao, False)
        _mark(rater, qian, True)
    page = _page(client, f"/branch/years/{YEAR}/results")
    row = _row(page, "results", zhao.id)
    assert row[:2] == ["1", "赵一"]
    assert row[2:10] == ["★"] * 8
    assert row[10:12] == ["待测评", "待测评"]
    assert row[12] == "8"
    assert row[13] == "优秀 暂定"  # 3 graded: quota 1, and 1 eligible
    qian_row = _row(page, "results", qian.id)
    assert qian_row[2:10] == [""] * 8 and qian_row[12:] == ["0", "不合格 暂定"]
    sun_row = _row(page, "results", sun.id)
    assert sun_row[2:10] == ["未评"] * 8
    assert "图例：★ 授星" in page
    assert f'href="/branch/years/{YEAR}/members/{zhao.id}">赵一</a>' in page
    member_page = _page(client, f"/branch/years/{YEAR}/members/{zhao.id}")
    assert "理想信念星：5 名评委中 3 名评为达标，超过半数，授星" in member_page
    assert "符合优秀条件，具备优秀资格" in member_page
    assert "未超过优秀名额，评为优秀" in member_page
    assert "等次为暂定（群众星待测评）" in member_page
    assert "群众认可星：群众测评尚未计票确认，待测评" in member_page


def test_a_veto_grades_the_member_unqualified_with_no_stars(client, secretary):
    (zhao,) = _open(secretary, [secretary], "赵一")
    _mark(secretary, zhao, True)
    url = f"/branch/years/{YEAR}/members/{zhao.id}"
    response = client.post(
        f"{url}/veto",
        data={
            "veto_reason": "受党纪处分",
            "veto_on": "2026-03-01",
            "veto_note": "镇纪委处分决定",
            "version": zhao.version,
        },
    )
    assert response.location == url
    row = _row(_page(client, f"/branch/years/{YEAR}/results"), "results", zhao.id)
    assert row[2:12] == [""] * 10
    assert row[12] == "0" and row[13].startswith("不合格") and "一票否决" in row[13]
    page = _page(client, url)
    assert "一票否决（受党纪处分）：本年度所获星一律作废（原评 8 颗），评为不合格" in page
    assert "镇纪委处分决定" in page
    (event,) = _events("year.veto")
    assert event.after["veto_on"] == "2026-03-01"
    db.session.refresh(zhao)
    client.post(f"{url}/veto/clear", data={"version": zhao.version})
    row = _row(_page(client, f"/branch/years/{YEAR}/results"), "results", zhao.id)
    assert row[12] == "8"


def test_an_elderly_member_exempted_by_the_party_meeting_is_not_graded(client, secretary):
    (old,) = _open(secretary, [secretary], "钱老", category=MemberCategory.ELDERLY_INFIRM)
    url = f"/branch/years/{YEAR}/members/{old.id}"
    client.post(
        f"{url}/exemption",
        data={"meeting_date": "2026-01-10", "exempt_reason": "年老体弱", "version": old.version},
    )
    row = _row(_page(client, f"/branch/years/{YEAR}/results"), "results", old.id)
    assert row[2:12] == ["—"] * 10 and row[13] == "免评"
    assert "经 2026年1月10日 党员大会同意免评" in _page(client, url)
    grid = _row(_page(client, f"/branch/years/{YEAR}"), "marking-progress", old.id)
    assert grid[2] == "免评，不评分"
    db.session.refresh(old)
    client.post(f"{url}/exemption/clear", data={"version": old.version})
    db.session.refresh(old)
    assert not old.is_exempt
    assert len(_events("year.exemption")) == 2


def test_a_probationary_member_gets_stars_but_no_grade(client, secretary):
    (li,) = _open(secretary, [secretary], "李预备", membership=Membership.PROBATIONARY)
    _mark(secretary, li, True)
    row = _row(_page(client, f"/branch/years/{YEAR}/results"), "results", li.id)
    assert row[12] == "8" and row[13] == "不评定等次"


def test_a_removed_member_leaves_the_results(client, secretary):
    zhao, qian = _open(secretary, [secretary], "赵一", "钱二")
    url = f"/branch/years/{YEAR}/members/{qian.id}"
    client.post(f"{url}/remove", data={"removed_reason": "已转出到邻村"})
    page = _page(client, f"/branch/years/{YEAR}/results")
    assert f'data-member-id="{qian.id}"' not in _table(page, "results")
    assert "移出本年度评定名单，不参加评定。原因：已转出到邻村" in _page(client, url)
    assert "已移出评定名单" in _row(
        _page(client, f"/branch/years/{YEAR}"), "marking-progress", qian.id
    )


# --- the 优秀 quota ------------------------------------------------------------------------------


@pytest.fixture
def nine_with_four_eligible(client, secretary):
    """9 graded members, 4 of them with 8 stars: quota 3, so the 支委会 must choose."""
    names = [f"党员{i}" for i in range(1, 10)]
    members = _open(secretary, [secretary], *names)
    for assessed in members[:4]:
        _mark(secretary, assessed, True)
    return members


def test_more_eligible_than_the_quota_asks_the_committee_to_choose(
    client, secretary, nine_with_four_eligible
):
    page = _page(client, f"/branch/years/{YEAR}/results")
    candidates = _table(page, "candidates")
    assert candidates.count('type="checkbox"') == 4
    assert "具备优秀资格 4 人，超过优秀名额 3 人，须由支委会确认评为优秀的人选" in page
    assert "优秀名额 = 9 × 1/3，向下取整 = 3 人" in page
    first = nine_with_four_eligible[0]
    assert _row(page, "results", first.id)[13] == "优秀资格 暂定"
    assert _row(page, "candidates", first.id)[1:4] == ["1（并列）", "党员1", "8"]


def test_the_committee_confirms_three_and_the_fourth_is_qualified(
    client, secretary, nine_with_four_eligible
):
    chosen, fourth = nine_with_four_eligible[:3], nine_with_four_eligible[3]
    response = client.post(
        f"/branch/years/{YEAR}/excellence",
        data={"members": [a.id for a in chosen], "opinion": "经支委会讨论，按满意率确定"},
    )
    assert response.location.startswith(f"/branch/years/{YEAR}/results")
    page = _page(client, f"/branch/years/{YEAR}/results")
    for assessed in chosen:
        assert _row(page, "results", assessed.id)[13] == "优秀 暂定"
    assert _row(page, "results", fourth.id)[13] == "合格 暂定"
    assert "须由支委会确认" not in page.split('id="blocking"')[1].split("</div>")[0]
    assert "支委会意见：经支委会讨论，按满意率确定" in page
    assert "因优秀名额所限（3 人）" in _page(client, f"/branch/years/{YEAR}/members/{fourth.id}")
    (event,) = _events("year.confirm_excellence")
    assert event.after["confirmed"] == sorted(a.id for a in chosen)


@pytest.mark.parametrize(
    ("pick", "opinion", "message"),
    [
        (slice(0, 4), "四人都优秀", "确认 4 人超过优秀名额 3 人"),
        (slice(3, 5), "含不具备资格的", "只能从具备优秀资格的党员中确认"),
        (slice(0, 3), "", "支委会意见：此项必填"),
    ],
    ids=["over the quota", "not eligible", "no opinion"],
)
def test_a_wrong_confirmation_is_refused(
    client, secretary, nine_with_four_eligible, pick, opinion, message
):
    response = client.post(
        f"/branch/years/{YEAR}/excellence",
        data={"members": [a.id for a in nine_with_four_eligible[pick]], "opinion": opinion},
        follow_redirects=True,
    )
    assert message in response.get_data(as_text=True)
    year = db.session.scalar(select(AssessmentYear))
    assert year.quota_confirmed_at is None
    assert not any(a.excellent_confirmed for a in assessed_members(year.id))


def _checked(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'name="members" value="(\d+)"[^>]* checked', page)}


def _actions(page: str) -> str:
    """The block beside the quota form's button: count, buttons, refusal."""
    return page.split('id="excellence-actions"')[1].split("</form>")[0]


def test_a_refused_confirmation_keeps_every_tick_and_the_opinion_beside_the_button(
    client, secretary, nine_with_four_eligible
):
    four = {a.id for a in nine_with_four_eligible[:4]}
    response = client.post(
        f"/branch/years/{YEAR}/excellence",
        data={"members": sorted(four), "opinion": "经支委会 12 月 5 日讨论确定"},
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _checked(page) == four
    assert "经支委会 12 月 5 日讨论确定</textarea>" in page
    actions = _actions(page)
    assert "没有保存：确认 4 人超过优秀名额 3 人" in actions
    assert "已选 <strong data-ticked>4</strong> / 名额 3" in actions and "超出 1 人" in actions
    assert 'action="/branch/years/2026/excellence#excellence-actions"' in page


def test_a_confirmation_without_an_opinion_keeps_the_ticks(
    client, secretary, nine_with_four_eligible
):
    two = {a.id for a in nine_with_four_eligible[:2]}
    response = client.post(f"/branch/years/{YEAR}/excellence", data={"members": sorted(two)})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert _checked(page) == two
    assert "没有保存：支委会意见：此项必填" in _actions(page)
    assert "已选 <strong data-ticked>2</strong> / 名额 3" in page


def test_pick_the_first_of_the_ranking_without_javascript_ticks_them_and_saves_nothing(
    client, secretary, nine_with_four_eligible
):
    response = client.post(
        f"/branch/years/{YEAR}/excellence",
        data={"members": [nine_with_four_eligible[3].id], "opinion": "草稿", "pick_top": "1"},
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    ranked = re.findall(r'<tr data-member-id="(\d+)">', _table(page, "candidates"))
    assert _checked(page) == {int(i) for i in ranked[:3]}
    assert "草稿</textarea>" in page
    assert "已按排序勾选前 3 名，尚未保存" in _actions(page)
    assert "按排序勾选前 3 名</button>" in page
    # four tied at 8 stars for three places: the ranking alone cannot choose
    assert "谁评为优秀请支委会决定" in _actions(page)
    year = db.session.scalar(select(AssessmentYear))
    assert year.quota_confirmed_at is None


def test_the_page_counts_the_confirmed_ticks(client, secretary, nine_with_four_eligible):
    chosen = [a.id for a in nine_with_four_eligible[:3]]
    client.post(f"/branch/years/{YEAR}/excellence", data={"members": chosen, "opinion": "按满意率"})
    page = _page(client, f"/branch/years/{YEAR}/results")
    assert _checked(page) == set(chosen)
    assert "已选 <strong data-ticked>3</strong> / 名额 3<span data-over></span>" in page


def test_a_long_committee_opinion_is_kept_whole(client, secretary, nine_with_four_eligible):
    opinion = "经支委会讨论。" * 70  # 490 characters, longer than an audit summary
    client.post(
        f"/branch/years/{YEAR}/excellence",
        data={"members": [nine_with_four_eligible[0].id], "opinion": opinion},
    )
    year = db.session.scalar(select(AssessmentYear))
    assert year.quota_reason == opinion
    (event,) = _events("year.confirm_excellence")
    assert event.after["reason"] == opinion and len(event.summary) <= 300


# --- closing and reopening marking ---------------------------------------------------------------


def test_closed_marking_refuses_marks_until_reopened_with_a_reason(client, secretary):
    (zhao,) = _open(secretary, [secretary], "赵一")
    response = client.post(f"/branch/years/{YEAR}/close", data={"close_reason": "赵一外出未归"})
    assert response.location == f"/branch/years/{YEAR}"
    with pytest.raises(ServiceError, match="评分已结束"):
        record_marks(rater=secretary, assessed=zhao, marks={"ideals": True})
    db.session.rollback()
    page = _page(client, f"/branch/years/{YEAR}")
    assert "评分已于" in page and "重新开放评分" in page
    assert "不能再修改" in _page(client, f"/branch/years/{YEAR}/members/{zhao.id}")
    page = client.post(
        f"/branch/years/{YEAR}/reopen", data={"reopen_reason": " "}, follow_redirects=True
    ).get_data(as_text=True)
    assert "重新开放的原因：此项必填" in page
    assert db.session.scalar(select(AssessmentYear.marking_closed_at)) is not None
    client.post(f"/branch/years/{YEAR}/reopen", data={"reopen_reason": "评委漏评一人"})
    assert db.session.scalar(select(AssessmentYear.marking_closed_at)) is None
    (event,) = _events("year.reopen_marking")
    assert "评委漏评一人" in event.summary
    assert record_marks(rater=secretary, assessed=zhao, marks={"ideals": True}) == 1


def test_closing_with_a_rater_unfinished_lists_them_and_needs_a_reason(client, secretary):
    song, li = _committee(secretary, 2)
    song.display_name, li.display_name = "宋德胜", "李平"
    members = _open(secretary, [song, li], "赵一", "钱二", "孙三")
    for assessed in members:
        _mark(li, assessed, True)
    _mark(song, members[0], True)
    _mark(song, members[1], True, codes=ORGANISATIONAL[:3])

    page = _page(client, f"/branch/years/{YEAR}")
    section = page.split('id="close-marking"')[1]
    assert "还有 1 名评委没有评完" in section
    assert "<li>宋德胜 已评 1/3 人，还差 2 人</li>" in section and "李平 已评" not in section
    assert "仍要结束评分的原因" in section
    assert 'data-confirm="还有 1 名评委没有评完（宋德胜 已评 1/3 人，还差 2 人）' in section

    refused = client.post(f"/branch/years/{YEAR}/close", data={"close_reason": "  "})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True).split('id="close-marking"')[1]
    expected = (
        "没有结束：还有 1 名评委没有评完（宋德胜 已评 1/3 人，还差 2 人），请填写仍要结束评分的原因"
    )
    assert expected in text
    assert db.session.scalar(select(AssessmentYear.marking_closed_at)) is None

    reason = "宋德胜外出务工，经支委会同意按已评结果评定"
    closed = client.post(f"/branch/years/{YEAR}/close", data={"close_reason": reason})
    assert closed.location == f"/branch/years/{YEAR}"
    year = db.session.scalar(select(AssessmentYear))
    assert year.marking_closed_at is not None and year.marking_closed_reason == reason
    (event,) = _events("year.close_marking")
    assert event.after == {"reason": reason, "unfinished": ["宋德胜 已评 1/3 人，还差 2 人"]}
    assert reason in event.summary
    assert f"结束原因：{reason}" in _page(client, f"/branch/years/{YEAR}")

    client.post(f"/branch/years/{YEAR}/reopen", data={"reopen_reason": "宋德胜回村补评"})
    assert db.session.scalar(select(AssessmentYear.marking_closed_reason)) is None


def test_closing_when_every_rater_has_finished_needs_no_reason(client, secretary):
    (rater,) = _committee(secretary, 1)
    members = _open(secretary, [rater], "赵一", "钱二")
    _mark(rater, members[0], True)
    record_marks(rater=rater, assessed=members[1], marks=dict.fromkeys(ORGANISATIONAL, ABSTAIN))
    db.session.commit()

    section = _page(client, f"/branch/years/{YEAR}").split('id="close-marking"')[1]
    assert "1 名评委都已评完" in section and "仍要结束评分的原因" not in section

    assert client.post(f"/branch/years/{YEAR}/close").location == f"/branch/years/{YEAR}"
    year = db.session.scalar(select(AssessmentYear))
    assert year.marking_closed_at is not None and year.marking_closed_reason is None
    (event,) = _events("year.close_marking")
    assert event.after == {"reason": None, "unfinished": []}


def test_a_veto_after_marking_closed_is_refused(client, secretary):
    (zhao,) = _open(secretary, [secretary], "赵一")
    _mark(secretary, zhao, True)
    client.post(f"/branch/years/{YEAR}/close")
    data = {"veto_reason": "违法犯罪", "veto_on": "2026-03-01", "version": zhao.version}
    response = client.post(
        f"/branch/years/{YEAR}/members/{zhao.id}/veto", data=data, follow_redirects=True
    )
    assert "评分已结束" in response.get_data(as_text=True)
    db.session.refresh(zhao)
    assert zhao.veto_reason is None


# --- bad input -----------------------------------------------------------------------------------


VETO = {"veto_reason": "受党纪处分", "veto_on": "2026-03-01", "veto_note": ""}


@pytest.mark.parametrize(
    ("action", "change", "message"),
    [
        ("veto", {"veto_on": "2099-01-01"}, "否决事实的日期不能晚于今天"),
        ("veto", {"veto_on": "2026-02-30"}, "事实发生日期：请填写日期"),
        ("veto", {"veto_reason": "不孝敬父母"}, "请从方案规定的否决情形中选择"),
        ("veto", {"version": 99}, "已被修改"),
        ("veto", {"version": ""}, "表单不完整或已过期"),
        ("exemption", {}, "只有“年老体弱”类别的党员可以免评"),
        ("exemption/clear", {}, "本年度没有免评记录"),
        ("veto/clear", {}, "没有否决记录"),
        ("remove", {"removed_reason": ""}, "移出原因（如：已转出、去世）：此项必填"),
    ],
)
def test_a_bad_change_to_a_member_is_refused_and_nothing_changes(
    client, secretary, action, change, message
):
    (zhao,) = _open(secretary, [secretary], "赵一")  # 普通 member, no veto, no exemption
    data = {**VETO, "meeting_date": "2026-01-10", "version": zhao.version, **change}
    response = client.post(
        f"/branch/years/{YEAR}/members/{zhao.id}/{action}", data=data, follow_redirects=True
    )
    assert message in response.get_data(as_text=True)
    db.session.refresh(zhao)
    assert (zhao.veto_reason, zhao.exempt_meeting_date, zhao.removed_at) == (None, None, None)
    assert zhao.version == 1
    assert (
        db.session.scalars(select(AuditEvent).filter_by(object_type="assessed_member")).all() == []
    )


def test_a_stale_veto_form_keeps_the_newer_record(client, secretary):
    (zhao,) = _open(secretary, [secretary], "赵一")
    url = f"/branch/years/{YEAR}/members/{zhao.id}"
    client.post(f"{url}/veto", data={**VETO, "version": 1})
    page = client.post(
        f"{url}/veto", data={**VETO, "veto_reason": "违法犯罪", "version": 1}, follow_redirects=True
    ).get_data(as_text=True)
    assert "已被修改" in page
    db.session.refresh(zhao)
    assert zhao.veto_reason == "受党纪处分"


# --- scope and roles -----------------------------------------------------------------------------


MEMBER_URLS = [
    ("GET", ""),
    ("POST", "/veto"),
    ("POST", "/veto/clear"),
    ("POST", "/exemption"),
    ("POST", "/exemption/clear"),
    ("POST", "/remove"),
]


def _other_village_year():
    village = create_village()
    their_secretary = create_user(role=Role.SECRETARY, village=village)
    create_member(village=village, name="别村党员")
    year = open_assessment(village=village, secretary=their_secretary, raters=[their_secretary])
    return assessed_members(year.id)[0]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ""),
        ("GET", "/results"),
        ("POST", "/raters"),
        ("POST", "/members"),
        ("POST", "/close"),
        ("POST", "/reopen"),
        ("POST", "/excellence"),
    ],
)
def test_another_villages_year_is_not_found(client, secretary, method, path):
    _other_village_year()
    response = client.open(f"/branch/years/{YEAR}{path}", method=method, data={})
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "suffix"), MEMBER_URLS)
def test_another_villages_member_is_not_found_in_my_year(client, secretary, method, suffix):
    _open(secretary, [secretary], "赵一")
    theirs = _other_village_year()
    response = client.open(
        f"/branch/years/{YEAR}/members/{theirs.id}{suffix}",
        method=method,
        data={**VETO, "version": theirs.version},
    )
    assert response.status_code == 404
    db.session.refresh(theirs)
    assert theirs.veto_reason is None and theirs.removed_at is None


PAGES = [
    "/branch/years",
    "/branch/years/{year}",
    "/branch/years/{year}/results",
    "/branch/years/{year}/members/{assessed}",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_only_the_secretary_opens_the_year_pages(client, role, path):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    create_member(village=village)
    year = open_assessment(village=village, secretary=secretary, raters=[secretary])
    user = (
        secretary
        if role is Role.SECRETARY
        else create_user(
            role=role, village=village if role.is_village_role else None, township=village.township
        )
    )
    login(client, user)
    url = path.format(year=year.year, assessed=assessed_members(year.id)[0].id)
    expected = 200 if role is Role.SECRETARY else 403
    assert client.get(url).status_code == expected


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_every_form_of_the_member_page_carries_a_csrf_token(client):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    create_member(village=village, category=MemberCategory.ELDERLY_INFIRM)
    year = open_assessment(village=village, secretary=secretary, raters=[secretary])
    (assessed,) = assessed_members(year.id)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', _page(client, "/login")).group(1)
    client.post(
        "/login",
        data={"username": secretary.username, "password": "correct-horse-9", "csrf_token": token},
    )
    url = f"/branch/years/{YEAR}/members/{assessed.id}"
    for path in ("/branch/years", f"/branch/years/{YEAR}", f"/branch/years/{YEAR}/results", url):
        page = _page(client, path)
        forms = re.findall(r'<form method="post".*?</form>', page, re.S)
        assert forms and all('name="csrf_token"' in form for form in forms), path
    data = {**VETO, "version": assessed.version}
    assert client.post(f"{url}/veto", data=data).status_code == 400
    db.session.refresh(assessed)
    assert assessed.veto_reason is None
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', _page(client, url)).group(1)
    assert client.post(f"{url}/veto", data={**data, "csrf_token": token}).status_code == 303
    db.session.refresh(assessed)
    assert assessed.veto_reason == "受党纪处分"


def test_the_results_of_a_village_are_listed_in_roster_order(client, secretary):
    names = ["周", "吴", "郑", "王"]
    members = _open(secretary, [secretary], *names)
    table = _table(_page(client, f"/branch/years/{YEAR}/results"), "results")
    ids = [int(i) for i in re.findall(r'<tr data-member-id="(\d+)"', table)]
    assert ids == [a.id for a in members]


def _count_queries(client, url: str) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    db.session.expire_all()  # the test client shares the test's session: start from cold
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_member_page_runs_as_many_queries_for_40_members_as_for_4(client, secretary):
    members = _open(secretary, [secretary], "赵一", "钱二", "孙三", "李四")
    url = f"/branch/years/{YEAR}/members/{members[0].id}"
    for assessed in members:
        _mark(secretary, assessed, True)
    small = _count_queries(client, url)
    year = members[0].year
    for _ in range(36):
        member = create_member(village=secretary.village)
        _mark(secretary, add_member_to_year(actor=secretary, year=year, member=member), True)
    assert len(assessed_members(year.id)) == 40
    assert _count_queries(client, url) == small
