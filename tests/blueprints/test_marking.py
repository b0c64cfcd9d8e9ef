"""A rater marks members on the eight organisational stars: only their own marks, only while
marking is open, only members still to be marked."""

import dataclasses
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from flask import g
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import AuditEvent, StarMark
from starrating.queries.assessment import assessed_members, year_results
from starrating.rules.tenstar_awards import ABSTAIN
from starrating.rules.tenstar_scheme import (
    MarkingMode,
    MarkingRule,
    StarGroup,
    default_tenstar_scheme,
)
from starrating.rules.vocabulary import MemberCategory, Role
from starrating.services.assessment import close_marking, remove_member_from_year
from starrating.services.marking import record_marks
from tests.blueprints.test_exports import download
from tests.factories import (
    counting_queries,
    create_member,
    create_scheme,
    create_user,
    create_village,
    login,
    open_assessment,
)
from tests.spreadsheets.exports_reading import table

STARS = [s.code for s in default_tenstar_scheme().stars if s.group is not StarGroup.MASS]
ALL_PASS = {f"star_{code}": "pass" for code in STARS}
NAMES = ["陈建国", "刘桂兰", "王芳"]


def _log_in(client, user):
    """Log out whoever was logged in, then log user in. The test's app context outlives each
    request and Flask-Login keeps the user in g, so the previous one is forgotten there too."""
    client.post("/logout")
    g.pop("_login_user", None)
    return login(client, user)


@dataclasses.dataclass
class Branch:
    village: object
    secretary: object
    rater: object
    other_rater: object
    year: object
    members: list  # AssessedMember, roster order

    def url(self, index: int) -> str:
        return f"/branch/marking/{self.year.year}/{self.members[index].id}"


def _branch(*, points: bool = False, extra_members: int = 0) -> Branch:
    village = create_village(name="翁家埠村")
    if points:
        tenstar = dataclasses.replace(
            default_tenstar_scheme(), marking=MarkingRule(MarkingMode.POINTS)
        )
        create_scheme(township=village.township, tenstar=tenstar)
    secretary = create_user(role=Role.SECRETARY, village=village)
    rater = create_user(role=Role.COMMITTEE, village=village)
    other_rater = create_user(role=Role.COMMITTEE, village=village)
    for name in NAMES + [f"党员{i}" for i in range(extra_members)]:
        create_member(village=village, name=name)
    year = open_assessment(village=village, secretary=secretary, raters=[rater, other_rater])
    return Branch(village, secretary, rater, other_rater, year, assessed_members(year.id))


@pytest.fixture
def branch(client) -> Branch:
    made = _branch()
    _log_in(client, made.rater)
    return made


def _stored(assessed, rater) -> dict[str, object]:
    db.session.expire_all()
    marks = db.session.scalars(
        select(StarMark).where(
            StarMark.assessed_member_id == assessed.id, StarMark.rater_id == rater.id
        )
    )
    return {m.star_code: m.passed if m.points is None else m.points for m in marks}


def _mark_count() -> int:
    return db.session.scalar(select(func.count(StarMark.id)))


class _Inputs(HTMLParser):
    """The page's form inputs: checked radios by name, disabled state, text values."""

    def __init__(self) -> None:
        super().__init__()
        self.checked: dict[str, str] = {}
        self.values: dict[str, str] = {}
        self.disabled_fieldsets = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "fieldset" and "disabled" in attributes:
            self.disabled_fieldsets += 1
        if tag != "input":
            return
        if attributes.get("type") == "radio":
            if "checked" in attributes:
                self.checked[attributes["name"]] = attributes["value"]
        elif attributes.get("name"):
            self.values[attributes["name"]] = attributes.get("value") or ""


def _inputs(response) -> _Inputs:
    parser = _Inputs()
    parser.feed(response.get_data(as_text=True))
    return parser


# --- marking ----------------------------------------------------------------------------------


def test_a_rater_marks_all_eight_stars_and_the_marks_are_stored(client, branch):
    data = {**ALL_PASS, "star_hardship": "fail", "note_hardship": "今年未参加防汛", "save": "保存"}
    response = client.post(branch.url(0), data=data)

    assert response.location == branch.url(0)
    stored = _stored(branch.members[0], branch.rater)
    assert stored == {code: code != "hardship" for code in STARS}
    note = db.session.scalar(select(StarMark.note).where(StarMark.star_code == "hardship"))
    assert note == "今年未参加防汛"
    page = client.get(branch.url(0)).get_data(as_text=True)
    assert "已保存「陈建国」的评分（已评 8 / 8 颗星）" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mark.record"))
    assert event.actor_id == branch.rater.id


def test_a_note_changed_alone_is_audited_with_before_and_after(client, branch):
    data = {**ALL_PASS, "star_hardship": "fail", "note_hardship": "今年未参加防汛", "save": "保存"}
    client.post(branch.url(0), data=data)
    client.post(branch.url(0), data={**data, "note_hardship": "参加了后半程"})
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "mark.record").order_by(AuditEvent.id)
    ).all()
    assert events[0].after["hardship.note"] == "今年未参加防汛"
    assert events[1].before["hardship.note"] == "今年未参加防汛"
    assert events[1].after["hardship.note"] == "参加了后半程"


def test_marking_again_updates_the_marks_and_adds_none(client, branch):
    client.post(branch.url(0), data={**ALL_PASS, "save": "保存"})
    client.post(branch.url(0), data={**ALL_PASS, "star_ideals": "fail", "save": "保存"})

    stored = _stored(branch.members[0], branch.rater)
    assert stored["ideals"] is False and stored["duty"] is True
    assert _mark_count() == 8


def test_an_empty_choice_removes_that_stars_mark(client, branch):
    client.post(branch.url(0), data={**ALL_PASS, "save": "保存"})
    client.post(branch.url(0), data={**ALL_PASS, "star_duty": "", "save": "保存"})

    stored = _stored(branch.members[0], branch.rater)
    assert "duty" not in stored and len(stored) == 7
    assert "已评 7 / 8 颗星" in client.get(branch.url(0)).get_data(as_text=True)


def test_save_and_next_goes_to_the_next_member_without_marks(client, branch):
    record_marks(rater=branch.rater, assessed=branch.members[1], marks=dict.fromkeys(STARS, True))
    db.session.commit()

    response = client.post(branch.url(0), data={**ALL_PASS, "save_next": "保存并评下一位"})

    assert response.location == branch.url(2)  # the second member is already marked


def test_save_and_next_wraps_round_to_a_member_left_half_marked(client, branch):
    record_marks(rater=branch.rater, assessed=branch.members[0], marks={"ideals": True})
    db.session.commit()

    response = client.post(branch.url(1), data={**ALL_PASS, "save_next": "保存并评下一位"})
    assert response.location == branch.url(2)
    response = client.post(branch.url(2), data={**ALL_PASS, "save_next": "保存并评下一位"})
    assert response.location == branch.url(0)


def test_save_and_next_returns_to_the_list_when_every_member_is_marked(client, branch):
    for assessed in branch.members[:2]:
        record_marks(rater=branch.rater, assessed=assessed, marks=dict.fromkeys(STARS, False))
    db.session.commit()

    response = client.post(branch.url(2), data={**ALL_PASS, "save_next": "保存并评下一位"})

    assert response.location == "/branch/marking"
    page = client.get("/branch/marking").get_data(as_text=True)
    assert "2026 年度的党员您已全部评完" in page
    assert "全部党员都已评完" in page


def test_save_and_next_on_a_half_marked_member_stays_and_says_how_many_are_left(client, branch):
    response = client.post(
        branch.url(0), data={"star_ideals": "pass", "save_next": "保存并评下一位"}
    )

    assert response.location == branch.url(0)  # not on to the next member
    assert _stored(branch.members[0], branch.rater) == {"ideals": True}
    page = client.get(branch.url(0)).get_data(as_text=True)
    assert (
        '<div class="flash flash-info" role="status">已保存 1/8，尚有 7 项未评（组织观念星、'
        in page
    )
    assert "flash-success" not in page
    assert "保存，先评下一位" in page  # the way on, leaving the stars for later


def test_save_and_skip_moves_on_and_leaves_the_member_half_marked(client, branch):
    client.post(branch.url(0), data={"star_ideals": "pass", "save_next": "保存并评下一位"})

    response = client.post(branch.url(0), data={"star_ideals": "pass", "save_skip": "x"})

    assert response.location == branch.url(1)
    listing = client.get("/branch/marking").get_data(as_text=True)
    assert "1/8" in listing and "未评完" in listing


def test_abstain_is_stored_counts_as_decided_and_moves_on(client, branch):
    data = {**ALL_PASS, "star_hardship": "abstain", "save_next": "保存并评下一位"}
    response = client.post(branch.url(0), data=data)

    assert response.location == branch.url(1)
    mark = db.session.scalar(select(StarMark).where(StarMark.star_code == "hardship"))
    assert mark.abstained and mark.passed is None and mark.points is None
    page = client.get(branch.url(0))
    assert _inputs(page).checked["star_hardship"] == "abstain"
    text = page.get_data(as_text=True)
    assert "您已评 8 / 8 颗星（含弃权 1 颗）" in text
    listing = client.get("/branch/marking").get_data(as_text=True)
    assert "您已评完 <strong>1</strong> / 3 名党员" in listing
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mark.record"))
    assert event.after["hardship"] == "弃权"


def test_abstain_ends_the_loop_through_members_left_incomplete(client, branch):
    """Members 1 and 2 each with a star the rater will not mark: "保存并评下一位" used to go
    1 → 2 → 1 for ever; now it stays, and 弃权 lets the rater through to the end."""
    seven = {k: v for k, v in ALL_PASS.items() if k != "star_prosperity"}
    client.post(branch.url(2), data={**ALL_PASS, "save": "保存"})
    client.post(branch.url(1), data={**seven, "save": "保存"})

    stay = client.post(branch.url(0), data={**seven, "save_next": "保存并评下一位"})
    assert stay.location == branch.url(0)
    assert "已保存 7/8，尚有 1 项未评（致富带富星）" in client.get(branch.url(0)).get_data(
        as_text=True
    )

    abstain = {**seven, "star_prosperity": "abstain", "save_next": "保存并评下一位"}
    assert client.post(branch.url(0), data=abstain).location == branch.url(1)
    assert client.post(branch.url(1), data=abstain).location == "/branch/marking"
    page = client.get("/branch/marking").get_data(as_text=True)
    assert "2026 年度的党员您已全部评完" in page


def test_an_abstention_is_no_mark_in_the_results(client, branch):
    record_marks(rater=branch.rater, assessed=branch.members[0], marks={"duty": True})
    record_marks(rater=branch.other_rater, assessed=branch.members[0], marks={"duty": ABSTAIN})
    record_marks(rater=branch.rater, assessed=branch.members[1], marks={"duty": ABSTAIN})
    db.session.commit()

    results = year_results(branch.year)
    first, second = (results.by_id[m.id] for m in branch.members[:2])
    duty = {d.star_code: d for d in first.outcome.decisions}["duty"]
    assert duty.awarded
    assert duty.explanation == (
        "履职尽责星：1 名评委中 1 名评为达标，超过半数，授星（另有 1 名评委弃权，不计入）"
    )
    duty = {d.star_code: d for d in second.outcome.decisions}["duty"]
    assert not duty.decided


def test_the_workbook_shows_a_star_everyone_abstained_on_as_one_nobody_marked(client, branch):
    for assessed in branch.members[:2]:
        for rater in (branch.rater, branch.other_rater):
            record_marks(rater=rater, assessed=assessed, marks=dict.fromkeys(STARS, True))
    for rater in (branch.rater, branch.other_rater):
        record_marks(rater=rater, assessed=branch.members[0], marks={"duty": ABSTAIN})
        record_marks(rater=rater, assessed=branch.members[1], marks={"duty": None})
    db.session.commit()
    _log_in(client, branch.secretary)

    book = download(
        client,
        "/branch/exports/years/2026/tenstar.xlsx",
        "翁家埠村2026年党员十星级评定汇总表.xlsx",
    )

    abstained, unmarked = table(book.active)[:2]
    assert abstained["履职尽责星"].value == unmarked["履职尽责星"].value == "—"
    assert abstained["星数"].value == unmarked["星数"].value == 7


def test_the_secretary_may_be_a_rater(client):
    made = _branch()
    open_marks = dict.fromkeys(STARS, True)
    # the secretary is not a rater of this year yet: refused
    _log_in(client, made.secretary)
    assert client.get(made.url(0)).status_code == 403

    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    create_member(village=village, name="赵六")
    year = open_assessment(village=village, secretary=secretary, raters=[secretary])
    assessed = assessed_members(year.id)[0]
    _log_in(client, secretary)
    client.post(f"/branch/marking/2026/{assessed.id}", data={**ALL_PASS, "save": "保存"})
    assert _stored(assessed, secretary) == open_marks


# --- what a rater sees ------------------------------------------------------------------------


def test_a_rater_sees_own_earlier_marks_but_never_another_raters(client, branch):
    others = {"ideals": False, "organisation": False, "duty": False}
    record_marks(
        rater=branch.other_rater,
        assessed=branch.members[0],
        marks=others,
        notes={"ideals": "别人的备注"},
    )
    record_marks(
        rater=branch.rater,
        assessed=branch.members[0],
        marks={"ideals": True, "conduct": False},
        notes={"conduct": "自己的备注"},
    )
    db.session.commit()

    response = client.get(branch.url(0))
    inputs = _inputs(response)
    assert inputs.checked == {"star_ideals": "pass", "star_conduct": "fail"}
    assert inputs.values["note_conduct"] == "自己的备注"
    page = response.get_data(as_text=True)
    assert "别人的备注" not in page
    assert "您已评 2 / 8 颗星" in page and "第 1 / 3 名" in page

    listing = client.get("/branch/marking").get_data(as_text=True)
    assert "2/8" in listing and "3/8" not in listing and "5/8" not in listing


def test_a_first_visit_preselects_nothing(client, branch):
    inputs = _inputs(client.get(branch.url(1)))
    assert inputs.checked == {}
    assert inputs.disabled_fieldsets == 0


def test_the_list_shows_the_members_to_mark_in_roster_order_with_the_next_one(client, branch):
    record_marks(rater=branch.rater, assessed=branch.members[0], marks=dict.fromkeys(STARS, True))
    record_marks(rater=branch.rater, assessed=branch.members[2], marks={"ideals": True})
    record_marks(
        rater=branch.other_rater, assessed=branch.members[1], marks=dict.fromkeys(STARS, True)
    )
    db.session.commit()

    page = client.get("/branch/marking").get_data(as_text=True)

    listed = page.split('<ol class="mark-list">')[1]
    positions = [listed.index(name) for name in NAMES]
    assert positions == sorted(positions)
    assert "您已评完 <strong>1</strong> / 3 名党员" in page
    assert "评下一位：刘桂兰" in page
    assert f'class="todo next" data-assessed-id="{branch.members[1].id}"' in page
    assert "8/8" in page and "1/8" in page and "0/8" in page


def test_exempt_and_removed_members_are_not_on_the_list(client):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    rater = create_user(role=Role.COMMITTEE, village=village)
    create_member(village=village, name="在册党员")
    create_member(village=village, name="转出党员")
    create_member(
        village=village,
        name="免评党员",
        birth_date=date(1938, 2, 1),
        category=MemberCategory.ELDERLY_INFIRM,
        exempt_meeting_date=date(2026, 1, 10),
    )
    year = open_assessment(village=village, secretary=secretary, raters=[rater])
    transferred = assessed_members(year.id)[1]
    remove_member_from_year(actor=secretary, assessed=transferred, reason="转出")
    db.session.commit()
    _log_in(client, rater)

    page = client.get("/branch/marking").get_data(as_text=True)

    assert "在册党员" in page and "转出党员" not in page and "免评党员" not in page
    assert "另有 2 名党员免评或已移出评定名单" in page


def test_no_year_to_mark_says_so(client):
    rater = create_user(role=Role.COMMITTEE)
    _log_in(client, rater)
    page = client.get("/branch/marking").get_data(as_text=True)
    assert "目前没有需要您评分的年度" in page


# --- refusals ---------------------------------------------------------------------------------


def test_a_committee_member_who_is_not_a_rater_is_refused(client):
    made = _branch()
    bystander = create_user(role=Role.COMMITTEE, village=made.village)
    _log_in(client, bystander)

    assert client.get(made.url(0)).status_code == 403
    response = client.post(made.url(0), data={**ALL_PASS, "save": "保存"})
    assert response.status_code == 403
    assert "不是 2026 年度的评委" in response.get_data(as_text=True)
    assert _mark_count() == 0
    assert "目前没有需要您评分的年度" in client.get("/branch/marking").get_data(as_text=True)


def test_marking_after_close_is_refused_and_the_marks_stay(client, branch):
    record_marks(rater=branch.rater, assessed=branch.members[0], marks=dict.fromkeys(STARS, True))
    close_marking(actor=branch.secretary, year=branch.year, reason="支委会决定按已评结果定")
    db.session.commit()

    page = client.post(branch.url(0), data={**ALL_PASS, "star_ideals": "fail", "save": "保存"})

    assert page.status_code == 422
    assert _stored(branch.members[0], branch.rater) == dict.fromkeys(STARS, True)
    text = page.get_data(as_text=True)
    assert "没有保存：2026 年度评分已结束" in text
    assert "本年度评分已结束" in text
    inputs = _inputs(page)
    assert inputs.disabled_fieldsets == 1  # read-only: every input is disabled
    assert inputs.checked["star_ideals"] == "pass"
    assert "保存并评下一位" not in text
    assert "本年度评分已结束" in client.get("/branch/marking").get_data(as_text=True)


def test_a_removed_member_is_refused(client, branch):
    remove_member_from_year(actor=branch.secretary, assessed=branch.members[1], reason="转出")
    db.session.commit()

    refused = client.post(branch.url(1), data={**ALL_PASS, "save": "保存"})

    assert refused.status_code == 422 and _mark_count() == 0
    page = refused.get_data(as_text=True)
    assert "没有保存：「刘桂兰」已移出评定名单，不需要评分" in page
    assert "已移出本年度评定名单" in page


def test_an_exempt_member_is_refused(client):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    rater = create_user(role=Role.COMMITTEE, village=village)
    create_member(
        village=village,
        name="免评党员",
        birth_date=date(1938, 2, 1),
        category=MemberCategory.ELDERLY_INFIRM,
        exempt_meeting_date=date(2026, 1, 10),
    )
    year = open_assessment(village=village, secretary=secretary, raters=[rater])
    exempt = assessed_members(year.id)[0]
    _log_in(client, rater)

    refused = client.post(f"/branch/marking/2026/{exempt.id}", data={**ALL_PASS, "save": "保存"})

    assert refused.status_code == 422 and _mark_count() == 0
    assert "没有保存：「免评党员」免评，不需要评分" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"star_ideals": "maybe"}, "请选择达标、不达标或弃权"),
        ({"star_bogus": "pass"}, "表单里有本年度方案没有的星（bogus）"),
        ({"star_recognition": "pass"}, "表单里有本年度方案没有的星（recognition）"),
        ({"note_ideals": "很" * 201}, "备注最多 200 字"),
    ],
    ids=["maybe", "unknown star", "mass star", "long note"],
)
def test_a_bad_mark_is_refused_and_nothing_is_stored(client, branch, change, message):
    response = client.post(branch.url(0), data={**ALL_PASS, **change, "save": "保存"})

    page = response.get_data(as_text=True)
    assert message in page
    assert "没有保存" in page
    assert _mark_count() == 0
    # the rater's other choices are kept on the page to correct and save again
    assert _inputs(response).checked["star_duty"] == "pass"


# --- points mode ------------------------------------------------------------------------------


@pytest.fixture
def points_branch(client) -> Branch:
    made = _branch(points=True)
    _log_in(client, made.rater)
    return made


def test_in_points_mode_a_rater_gives_each_star_0_to_100(client, points_branch):
    data = {f"star_{code}": "85.5" for code in STARS}
    client.post(points_branch.url(0), data={**data, "star_duty": "100", "save": "保存"})

    stored = _stored(points_branch.members[0], points_branch.rater)
    assert stored["ideals"] == Decimal("85.5") and stored["duty"] == Decimal(100)
    response = client.get(points_branch.url(0))
    inputs = _inputs(response)
    assert inputs.values["star_ideals"] == "85.5"
    page = response.get_data(as_text=True)
    assert 'type="number"' in page and 'step="0.1"' in page and "全部达标" not in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("120", "分数须在 0–100 之间"),
        ("-1", "分数须在 0–100 之间"),
        ("85.55", "最多保留 1 位小数"),
        ("八十", "请填写数字"),
        ("NaN", "请填写数字"),
        ("pass", "请填写数字"),
        ("1e308", "请填写数字"),  # was a 500: quantize of a figure out of range
        ("Infinity", "请填写数字"),
    ],
)
def test_in_points_mode_a_bad_score_is_refused(client, points_branch, value, message):
    data = {f"star_{code}": "90" for code in STARS}
    response = client.post(points_branch.url(0), data={**data, "star_ideals": value})

    assert message in response.get_data(as_text=True)
    assert _mark_count() == 0


def test_in_points_mode_a_rater_may_abstain_but_not_score_too(client, points_branch):
    data = {f"star_{code}": "90" for code in STARS}
    refused = client.post(
        points_branch.url(0), data={**data, "abstain_duty": "y", "save": "保存"}
    ).get_data(as_text=True)
    assert "已选弃权就不要再填分数" in refused
    assert _mark_count() == 0

    data["star_duty"] = ""
    client.post(points_branch.url(0), data={**data, "abstain_duty": "y", "save_next": "下一位"})

    mark = db.session.scalar(select(StarMark).where(StarMark.star_code == "duty"))
    assert mark.abstained and mark.points is None
    page = client.get(points_branch.url(0)).get_data(as_text=True)
    assert re.search(r'<input[^>]* checked [^>]*name="abstain_duty"', page)
    assert "您已评 8 / 8 颗星（含弃权 1 颗）" in page


# --- scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_another_villages_member_is_not_found(client, branch, method):
    theirs = _branch()
    _log_in(client, branch.rater)

    response = client.open(theirs.url(0), method=method, data={**ALL_PASS, "save": "保存"})

    assert response.status_code == 404
    assert _mark_count() == 0


def test_a_year_the_village_has_not_opened_is_not_found(client, branch):
    assert client.get(f"/branch/marking/2025/{branch.members[0].id}").status_code == 404


MARKING_PAGES = ["/branch/marking", "/branch/marking/2026/{member}"]
EXPECTED = {
    Role.SECRETARY: 200,
    Role.COMMITTEE: 200,
    Role.TELLER: 403,
    Role.CADRE: 403,
    Role.TOWNSHIP: 403,
    Role.SUPERVISOR: 403,  # the 监委会 signs the results off; it does not mark
}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("path", MARKING_PAGES)
def test_role_reaches_marking_page_with_status(client, role, path):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    if role is Role.SECRETARY:
        user = secretary
    elif role.is_village_role:
        user = create_user(role=role, village=village)
    else:
        user = create_user(role=role, township=village.township)
    create_member(village=village)
    rater = user if role in (Role.SECRETARY, Role.COMMITTEE) else secretary
    year = open_assessment(village=village, secretary=secretary, raters=[rater])
    _log_in(client, user)

    response = client.get(path.format(member=assessed_members(year.id)[0].id))

    assert response.status_code == EXPECTED[role]


# --- query counts -----------------------------------------------------------------------------


def _queries(client, size: int, path: str) -> int:
    made = _branch(extra_members=size - len(NAMES))
    for assessed in made.members[::2]:
        record_marks(rater=made.rater, assessed=assessed, marks=dict.fromkeys(STARS, True))
        record_marks(rater=made.other_rater, assessed=assessed, marks={"ideals": False})
    db.session.commit()
    _log_in(client, made.rater)
    url = path.format(member=made.members[size // 2].id)
    with counting_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="star') >= 8 or path == "/branch/marking"
    return len(statements)


@pytest.mark.parametrize("path", MARKING_PAGES)
def test_marking_pages_run_as_many_queries_for_60_members_as_for_6(client, path):
    small, large = _queries(client, 6, path), _queries(client, 60, path)
    assert small == large
    assert small <= 12


def test_marks_from_a_stale_tab_do_not_overwrite_newer_ones(client, branch):
    def shown_in(page: str) -> str:
        return re.search(r'name="shown" type="hidden" value="([^"]*)"', page).group(1)

    first_tab = shown_in(client.get(branch.url(0)).get_data(as_text=True))
    second_tab = shown_in(client.get(branch.url(0)).get_data(as_text=True))
    newer = {**ALL_PASS, "star_hardship": "fail", "save": "保存", "shown": second_tab}
    client.post(branch.url(0), data=newer)
    stale = {**ALL_PASS, "save": "保存", "shown": first_tab}
    refused = client.post(branch.url(0), data=stale)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "已被修改，请查看最新内容后重新填写" in page
    assert _stored(branch.members[0], branch.rater)["hardship"] is False
    assert _inputs(refused).checked["star_hardship"] == "fail"  # the newer marks are shown
    # the page now carries the newer marks' fingerprint: saving from it works
    client.post(branch.url(0), data={**stale, "shown": shown_in(page)})
    assert _stored(branch.members[0], branch.rater)["hardship"] is True
