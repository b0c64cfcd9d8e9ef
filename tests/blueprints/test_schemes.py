"""The township reviewer edits the yearly scheme until the first village opens its year."""

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import AuditEvent, Scheme
from starrating.rules.appraisal_scheme import default_appraisal_scheme
from starrating.rules.tenstar_scheme import (
    DEFAULT_CRITERIA,
    DEFAULT_VETO_REASONS,
    default_tenstar_scheme,
)
from starrating.rules.tenstar_scheme_json import scheme_to_dict
from starrating.rules.vocabulary import Role
from tests.factories import (
    counting_queries,
    create_member,
    create_scheme,
    create_user,
    create_village,
    login,
    open_assessment,
)

DEFAULT_NAMES = [star.name for star in default_tenstar_scheme().stars]
DEFAULT_RULES = scheme_to_dict(default_tenstar_scheme())


class FormReader(HTMLParser):
    """What a browser would send: every input, textarea and select of the page by name."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name:
            self.values[name] = attributes.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.values[self._select] = attributes["value"]

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(page: str) -> dict[str, str]:
    reader = FormReader()
    reader.feed(page)
    values = reader.values
    for name, value in values.items():
        values[name] = value.removeprefix("\r\n")
    return values


def _reviewer(client):
    reviewer = create_user(role=Role.TOWNSHIP)
    login(client, reviewer)
    return reviewer


def _scheme(reviewer, year=2026) -> Scheme:
    return db.session.scalar(
        select(Scheme).where(Scheme.township_id == reviewer.township_id, Scheme.year == year)
    )


def _edit(client, year=2026, **changes):
    """Open the scheme's page, change some fields as the reviewer would, and save."""
    values = form_values(client.get(f"/township/schemes/{year}").get_data(as_text=True))
    values.pop("csrf_token", None)
    values.update(changes)
    return client.post(f"/township/schemes/{year}", data=values)


def _updates() -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "scheme.update")
    )


def test_reviewer_creates_2026_from_the_defaults(client):
    reviewer = _reviewer(client)
    response = client.post("/township/schemes", data={"year": "2026"})
    assert response.location == "/township/schemes/2026"
    stored = _scheme(reviewer)
    assert stored.rules["tenstar"] == DEFAULT_RULES
    assert stored.appraisal == default_appraisal_scheme()  # the cadre rules start at the defaults
    page = client.get("/township/schemes/2026").get_data(as_text=True)
    assert "已制定 2026 年度方案" in page
    values = form_values(page)
    assert [values[f"stars-{i}-name"] for i in range(10)] == DEFAULT_NAMES
    assert [values[f"stars-{i}-group"] for i in range(10)] == ["basic"] * 4 + ["vanguard"] * 4 + [
        "mass"
    ] * 2
    assert [values[f"stars-{i}-criteria"] for i in range(10)] == list(DEFAULT_CRITERIA.values())
    assert {name: values[name] for name in DEFAULT_SETTINGS} == DEFAULT_SETTINGS
    assert values["veto_reasons"].splitlines() == list(DEFAULT_VETO_REASONS)
    # the star codes and the mass stars' measures are shown, not offered for editing
    assert "<code>ideals</code>" in page and "按认可率评定" in page and "按满意率评定" in page
    assert not any(name.endswith(("-code", "-measure")) for name in values)


DEFAULT_SETTINGS = {
    "marking_mode": "majority",
    "points_threshold": "80",
    "recognition_threshold": "80",
    "satisfaction_threshold": "60",
    "minimum_sample": "5",
    "basic_for_excellent": "4",
    "total_for_excellent": "8",
    "basic_for_pass": "4",
    "basic_for_basic_pass": "3",
    "excellent_quota": "1/3",
    "publicity_days": "5",
    "answer_days": "10",
}


def test_the_list_shows_each_year_and_offers_the_next(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township, year=2026)
    page = client.get("/township/schemes").get_data(as_text=True)
    assert "2026 年度" in page and "可修改" in page
    assert form_values(page)["year"] == "2027"


def test_reviewer_edits_stars_thresholds_quota_and_veto_reasons(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    vetoes = "\n".join([*DEFAULT_VETO_REASONS, "拒不执行党组织决定"])
    response = _edit(
        client,
        **{
            "stars-0-name": "政治信念星",
            "stars-0-criteria": "对党忠诚，坚定理想信念。",
            "stars-7-group": "basic",
            "recognition_threshold": "85",
            "marking_mode": "points",
            "points_threshold": "75.5",
            "excellent_quota": "1／4",
            "veto_reasons": vetoes + "\n\n",
        },
    )
    assert response.location == "/township/schemes/2026"
    rules = _scheme(reviewer).tenstar
    assert (rules.stars[0].name, rules.stars[0].criteria) == (
        "政治信念星",
        "对党忠诚，坚定理想信念。",
    )
    assert rules.stars[0].code == "ideals"
    assert rules.stars[7].group.value == "basic"
    assert str(rules.mass.recognition_threshold) == "85"
    assert str(rules.marking.points_threshold) == "75.5"
    assert str(rules.grades.excellent_quota) == "1/4"
    assert rules.veto_reasons[-1] == "拒不执行党组织决定" and len(rules.veto_reasons) == 6
    page = client.get("/township/schemes/2026").get_data(as_text=True)
    assert "已保存 2026 年度方案" in page
    assert form_values(page)["stars-0-name"] == "政治信念星"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scheme.update"))
    assert event.actor_id == reviewer.id and event.township_id == reviewer.township_id
    assert event.before["stars.ideals.name"] == "理想信念星"
    assert event.after["stars.ideals.name"] == "政治信念星"
    assert (event.before["grades.excellent_quota"], event.after["grades.excellent_quota"]) == (
        "1/3",
        "1/4",
    )
    assert event.after["mass.recognition_threshold"] == "85"
    assert event.after["veto_reasons"][-1] == "拒不执行党组织决定"
    assert "stars.conduct.name" not in event.after  # only what changed
    assert "修改 2026 年度十星评定方案" in client.get("/township/audit").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"points_threshold": "120"}, "评分制授星分数线须在 0–100 分 之间，现为 120 分"),
        ({"recognition_threshold": "120"}, "群众认可星的认可率标准须在 0–100% 之间"),
        ({"satisfaction_threshold": "-1"}, "群众满意星的满意率标准须在 0–100% 之间"),
        ({"recognition_threshold": "NaN"}, "群众认可星所需认可率（%）：请填写数字"),
        ({"recognition_threshold": "八十"}, "请填写数字"),
        (
            {"excellent_quota": "1/0"},
            "优秀名额上限（占参评党员的比例）：请写成分数，如 1/3（分母不能为 0）",
        ),
        ({"excellent_quota": "三分之一"}, "请写成分数"),
        ({"excellent_quota": ""}, "优秀名额上限（占参评党员的比例）：此项必填"),
        ({"excellent_quota": "2"}, "优秀名额比例须在 0–1 之间，现为 2"),
        ({"minimum_sample": "0"}, "群众星最低有效票数不能少于 1 票，现为 0 票"),
        ({"minimum_sample": "5.5"}, "群众星最低有效票数（票）：请填写整数"),
        ({"stars-2-name": "  "}, "第 3 颗星缺少名称"),
        ({"stars-2-criteria": ""}, "品行表现星缺少评定标准"),
        ({"stars-2-name": "星" * 21}, "第 3 颗星的名称：不超过 20 字"),
        ({"stars-1-name": "理想信念星"}, "星的名称“理想信念星”重复"),
        ({"stars-8-group": "basic"}, "群众认可星是基础星，不能按群众测评评定"),
        ({"stars-4-group": "gold"}, "第 5 颗星的类别：请从列表中选择"),
        ({"basic_for_pass": "5"}, "合格所需须不多于基础星总数（4 颗）"),
        ({"basic_for_basic_pass": "4", "basic_for_pass": "3"}, "基本合格所需基础星（4 颗）"),
        ({"total_for_excellent": "11"}, "优秀所需总星数（11 颗）须在"),
        ({"veto_reasons": "\n \n"}, "至少须列出一种一票否决情形"),
        ({"veto_reasons": "违法犯罪\n违法犯罪"}, "一票否决情形“违法犯罪”重复"),
        ({"veto_reasons": "长" * 101}, "一票否决情形（每行一种）：每种情形不超过 100 字"),
        ({"publicity_days": "0"}, "公示期须在 1–30 天之间，现为 0 天"),
        ({"answer_days": "0"}, "异议答复期限须在 1–30 天之间，现为 0 天"),
        ({"answer_days": "31"}, "异议答复期限须在 1–30 天之间，现为 31 天"),
        ({"answer_days": ""}, "异议答复期限（天）：此项必填"),
        ({"answer_days": "十天"}, "异议答复期限（天）：请填写整数"),
    ],
)
def test_a_setting_out_of_range_is_refused_and_nothing_is_saved(client, changes, message):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    response = _edit(client, **changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    scheme = _scheme(reviewer)
    assert scheme.rules["tenstar"] == DEFAULT_RULES and scheme.version == 1
    assert _updates() == 0


def test_every_problem_is_listed_and_the_typed_values_kept(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    response = _edit(
        client, satisfaction_threshold="120", minimum_sample="0", **{"stars-0-name": "新名字"}
    )
    page = response.get_data(as_text=True)
    assert "没有保存" in page
    assert "群众满意星的满意率标准须在 0–100% 之间，现为 120%" in page
    assert "群众星最低有效票数不能少于 1 票" in page
    values = form_values(page)
    assert (values["satisfaction_threshold"], values["stars-0-name"]) == ("120", "新名字")
    stored = _scheme(reviewer)
    assert stored.rules["tenstar"] == DEFAULT_RULES
    assert stored.appraisal == default_appraisal_scheme()  # the cadre rules start at the defaults


def test_reviewer_sets_the_days_objections_are_answered_in(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    assert _edit(client, answer_days="7").location == "/township/schemes/2026"
    assert _scheme(reviewer).tenstar.answer_days == 7
    page = client.get("/township/schemes/2026").get_data(as_text=True)
    assert form_values(page)["answer_days"] == "7"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scheme.update"))
    assert (event.before, event.after) == ({"answer_days": 10}, {"answer_days": 7})


def test_a_scheme_stored_without_an_answer_deadline_shows_and_keeps_10_days(client):
    reviewer = _reviewer(client)
    scheme = create_scheme(township=reviewer.township)
    older = dict(scheme.rules["tenstar"])
    del older["answer_days"]
    scheme.rules = {**scheme.rules, "tenstar": older}
    db.session.commit()
    assert _scheme(reviewer).tenstar.answer_days == 10
    page = client.get("/township/schemes/2026").get_data(as_text=True)
    assert form_values(page)["answer_days"] == "10"
    # saving another setting stores the 10 days, and the audit records no change to them
    _edit(client, publicity_days="7")
    assert _scheme(reviewer).rules["tenstar"]["answer_days"] == 10
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scheme.update"))
    assert event.after == {"publicity_days": 7}


def test_a_form_opened_before_someone_saved_is_refused(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    old = form_values(client.get("/township/schemes/2026").get_data(as_text=True))
    _edit(client, publicity_days="7")
    response = client.post("/township/schemes/2026", data={**old, "publicity_days": "3"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "这条记录在您打开表单后已被修改" in page
    assert form_values(page)["publicity_days"] == "7"  # the page now shows what is stored
    assert _scheme(reviewer).tenstar.publicity_days == 7


def _opened_year(reviewer, village_name="翁家埠村"):
    village = create_village(township=reviewer.township, name=village_name)
    secretary = create_user(role=Role.SECRETARY, village=village)
    create_member(village=village)
    return open_assessment(village=village, secretary=secretary, raters=[secretary])


def test_the_scheme_freezes_when_the_first_village_opens_its_year(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    old = form_values(client.get("/township/schemes/2026").get_data(as_text=True))
    _opened_year(reviewer, "翁家埠村")
    _opened_year(reviewer, "下沙村")
    scheme = _scheme(reviewer)
    scheme.frozen_at = datetime(2026, 1, 31, 18, 30, tzinfo=UTC)  # 2026-02-01 02:30 in China
    db.session.commit()

    page = client.get("/township/schemes/2026").get_data(as_text=True)
    assert "已于 2026-02-01 02:30 冻结（翁家埠村开启年度评定时）" in page
    assert "已开启评定的村：翁家埠村、下沙村" in page
    assert "保存方案" not in page and "stars-0-name" not in form_values(page)
    for shown in (*DEFAULT_NAMES, *DEFAULT_VETO_REASONS, "认可率 ≥ 80%", "满意率 ≥ 60%"):
        assert shown in page
    assert '异议答复期限</dt><dd id="answer-days">收到群众异议后 10 天内答复' in page

    for change in ({"publicity_days": "9"}, {"answer_days": "5"}):
        response = client.post("/township/schemes/2026", data={**old, **change})
        assert response.status_code == 409
        assert "2026 年度方案已于有村开始评定时冻结，不能再修改" in response.get_data(as_text=True)
    stored = _scheme(reviewer)
    assert stored.rules["tenstar"] == DEFAULT_RULES
    assert stored.appraisal == default_appraisal_scheme()  # the cadre rules start at the defaults
    assert _updates() == 0

    listing = client.get("/township/schemes").get_data(as_text=True)
    assert "已冻结" in listing and "2026-02-01 02:30" in listing
    assert "翁家埠村、下沙村" in listing


def test_a_garbled_post_to_a_frozen_scheme_is_refused_too(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    _opened_year(reviewer)
    response = client.post("/township/schemes/2026", data={"publicity_days": "9"})
    assert response.status_code == 409
    assert "年度方案已于有村开始评定时冻结" in response.get_data(as_text=True)


def test_next_years_scheme_starts_from_this_years_edited_rules(client):
    reviewer = _reviewer(client)
    client.post("/township/schemes", data={"year": "2026"})
    _edit(client, **{"stars-3-name": "示范引领星", "excellent_quota": "1/4"})
    _opened_year(reviewer)
    page = client.get("/township/schemes/2026").get_data(as_text=True)
    assert "以本方案为基础制定 2027 年度方案" in page

    response = client.post("/township/schemes", data={"year": "2027"})
    assert response.location == "/township/schemes/2027"
    assert _scheme(reviewer, 2027).rules == _scheme(reviewer, 2026).rules
    values = form_values(client.get("/township/schemes/2027").get_data(as_text=True))
    assert (values["stars-3-name"], values["excellent_quota"]) == ("示范引领星", "1/4")
    assert "以本方案为基础制定 2027 年度方案" not in client.get("/township/schemes/2026").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("2026", "2026 年度方案已存在"),
        ("1999", "年度须在 2000–2100 之间"),
        ("", "此项必填"),
        ("明年", "请填写四位数年份"),
    ],
)
def test_a_year_that_cannot_be_started_is_refused(client, year, message):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    page = client.post("/township/schemes", data={"year": year}).get_data(as_text=True)
    assert message in page
    assert db.session.scalar(select(func.count(Scheme.id))) == 1


def test_another_townships_scheme_is_not_found(client):
    _reviewer(client)
    elsewhere = create_user(role=Role.TOWNSHIP)
    create_scheme(township=elsewhere.township, year=2026)
    assert client.get("/township/schemes/2026").status_code == 404
    assert _edit_raw(client).status_code == 404
    assert "2026 年度</a>" not in client.get("/township/schemes").get_data(as_text=True)


def _edit_raw(client):
    return client.post("/township/schemes/2026", data={"publicity_days": "9", "version": "1"})


def test_the_list_runs_as_many_queries_for_many_years_and_villages_as_for_one(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township, year=2020)
    with counting_queries() as few:
        client.get("/township/schemes")
    for year in (2021, 2022, 2023):
        create_scheme(township=reviewer.township, year=year)
    for name in ("甲村", "乙村", "丙村"):
        village = create_village(township=reviewer.township, name=name)
        create_member(village=village)
        secretary = create_user(role=Role.SECRETARY, village=village)
        for year in (2022, 2023):
            open_assessment(village=village, secretary=secretary, raters=[secretary], year=year)
    with counting_queries() as many:
        page = client.get("/township/schemes").get_data(as_text=True)
    assert "甲村、乙村、丙村" in page
    assert len(many) == len(few)


PAGES = [
    ("GET", "/township/schemes"),
    ("POST", "/township/schemes"),
    ("GET", "/township/schemes/2026"),
    ("POST", "/township/schemes/2026"),
]


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize(("method", "path"), PAGES, ids=[f"{m} {p}" for m, p in PAGES])
def test_only_the_township_reviewer_reaches_the_scheme_pages(client, role, method, path):
    village = create_village()
    create_scheme(township=village.township)
    user = create_user(
        role=role, village=village if role.is_village_role else None, township=village.township
    )
    login(client, user)
    response = client.open(path, method=method, data={})
    if role is Role.TOWNSHIP:
        assert response.status_code in (200, 422)
    else:
        assert response.status_code == 403
    assert db.session.scalar(select(Scheme.version)) == 1
