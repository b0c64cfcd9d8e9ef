"""The township reviewer edits the cadre appraisal rules of the yearly scheme (村干部考核规则),
and the cadres' appraisal pages then follow them."""

from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import AuditEvent, Scheme
from starrating.rules.appraisal_scheme import (
    AppraisalScheme,
    ComponentWeights,
    default_appraisal_scheme,
)
from starrating.rules.ballots import Choice, ChoiceWeights
from starrating.rules.cadre_grades import ConsequenceThresholds, GradeBands
from starrating.rules.pay import PayRule, PayRuleKind, TierPercents
from starrating.rules.tenstar_scheme import default_tenstar_scheme
from starrating.rules.tenstar_scheme_json import scheme_to_dict
from starrating.rules.vocabulary import Role
from tests.blueprints.test_appraisal import (
    ZHANG_SAN_ITEMS,
    create_cadre,
    create_pledge,
    field_value,
    hold_cadre_ballot,
)
from tests.blueprints.test_schemes import form_values
from tests.factories import (
    create_member,
    create_scheme,
    create_user,
    create_village,
    login,
    open_assessment,
)

PAGE = "/township/schemes/2026/appraisal"
DEFAULT_FORM = {
    "completion_weight": "50",
    "ballot_weight": "30",
    "township_weight": "20",
    "satisfied_points": "100",
    "basic_points": "70",
    "dissatisfied_points": "30",
    "excellent_from": "90",
    "competent_from": "80",
    "basically_competent_from": "70",
    "adjust_below_satisfaction": "50",
    "admonish_from_dissatisfied": "30",
    "pay_kind": "proportional",
    "pass_ratio": "90",
    "deduction_cap": "30",
    "tier_excellent": "120",
    "tier_competent": "100",
    "tier_basically_competent": "85",
    "tier_incompetent": "75",
    "full_pay_from": "90",
    "per_point_step": "50",
}


def _reviewer(client):
    reviewer = create_user(role=Role.TOWNSHIP)
    login(client, reviewer)
    return reviewer


def _scheme(reviewer, year=2026) -> Scheme:
    return db.session.scalar(
        select(Scheme).where(Scheme.township_id == reviewer.township_id, Scheme.year == year)
    )


def _edit(client, page=PAGE, **changes):
    """Open the rules' page, change some fields as the reviewer would, and save."""
    values = form_values(client.get(page).get_data(as_text=True))
    values.pop("csrf_token", None)
    values.update(changes)
    return client.post(page, data=values)


def _updates() -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "scheme.update")
    )


def _open_year(reviewer, name="翁家埠村"):
    village = create_village(township=reviewer.township, name=name)
    secretary = create_user(role=Role.SECRETARY, village=village)
    create_member(village=village)
    open_assessment(village=village, secretary=secretary, raters=[secretary])


def test_the_scheme_page_shows_the_cadre_rules_and_the_form_starts_at_the_defaults(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)

    page = unescape(client.get("/township/schemes/2026").get_data(as_text=True))
    assert "村干部考核规则" in page
    assert "目标完成 50% + 群众测评 30% + 乡镇评价 20%" in page
    assert "≥ 90 优秀，≥ 80 称职，≥ 70 基本称职，< 70 不称职" in page
    assert "完成率 ≥ 90% 发给奖励金额" in page and "最多扣基本工资的 30%" in page
    assert f'href="{PAGE}">修改村干部考核规则' in page

    form = client.get(PAGE).get_data(as_text=True)
    values = form_values(form)
    assert {name: values[name] for name in DEFAULT_FORM} == DEFAULT_FORM
    assert values["version"] == "1"
    assert "保存村干部考核规则" in form


def test_reviewer_edits_weights_grades_consequences_and_the_pay_rule(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)

    response = _edit(
        client,
        completion_weight="40",
        ballot_weight="40",
        basic_points="75",
        excellent_from="92.5",
        adjust_below_satisfaction="60",
        admonish_from_dissatisfied="25",
        pay_kind="tiered",
        tier_excellent="130",
        tier_incompetent="60",
        pass_ratio="85",
    )

    assert response.location == PAGE
    stored = _scheme(reviewer)
    assert stored.appraisal == AppraisalScheme(
        ballot_weights=ChoiceWeights(basic=Decimal(75)),
        components=ComponentWeights(40, 40, 20),
        grade_bands=GradeBands(excellent_from=Decimal("92.5")),
        consequences=ConsequenceThresholds(Decimal(60), Decimal(25)),
        pay_rule=PayRule(
            kind=PayRuleKind.TIERED,
            pass_ratio=Decimal("0.85"),
            tiers=TierPercents(excellent=Decimal(130), incompetent=Decimal(60)),
        ),
    )
    assert stored.rules["tenstar"] == scheme_to_dict(default_tenstar_scheme())
    page = unescape(client.get(PAGE).get_data(as_text=True))
    assert "已保存 2026 年度村干部考核规则" in page
    values = form_values(page)
    assert (values["pass_ratio"], values["excellent_from"], values["pay_kind"]) == (
        "85",
        "92.5",
        "tiered",
    )
    summary = unescape(client.get("/township/schemes/2026").get_data(as_text=True))
    assert "目标完成 40% + 群众测评 40% + 乡镇评价 20%" in summary
    assert "按等次发放绩效工资：优秀 130%、称职 100%、基本称职 85%、不称职 60%" in summary

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scheme.update"))
    assert event.actor_id == reviewer.id and event.township_id == reviewer.township_id
    assert event.summary == "修改 2026 年度村干部考核规则"
    assert event.before["components.completion"] == 50
    assert event.after["components.completion"] == 40
    assert (event.before["pay_rule.kind"], event.after["pay_rule.kind"]) == (
        "proportional",
        "tiered",
    )
    assert (event.before["pay_rule.tiers.excellent"], event.after["pay_rule.tiers.excellent"]) == (
        "120",
        "130",
    )
    assert event.after["pay_rule.pass_ratio"] == "0.85"
    assert "components.township" not in event.after  # only what changed
    assert "修改 2026 年度村干部考核规则" in client.get("/township/audit").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"completion_weight": "60"}, "目标完成、群众测评、乡镇评价的权重应合计 100，现为 110"),
        (
            {"completion_weight": "80", "township_weight": "-10"},
            "乡镇评价的权重不能为负数，现为 -10",
        ),
        ({"completion_weight": "50.5"}, "目标完成权重（%）：请填写整数"),
        ({"basic_points": "110"}, "“基本满意”的分值应在 0 到 100 之间，现为 110"),
        ({"dissatisfied_points": "80"}, "分值应满足 满意 ≥ 基本满意 ≥ 不满意"),
        ({"satisfied_points": ""}, "“满意”分值（分）：此项必填"),
        ({"excellent_from": "80"}, "等次分数线应满足 0 < 基本称职 < 称职 < 优秀 ≤ 100"),
        ({"basically_competent_from": "0", "competent_from": "0"}, "等次分数线应满足"),
        (
            {"excellent_from": "89.95"},
            "优秀分数线最多一位小数（公布的得分和比率精确到 0.1），现为 89.95 分",
        ),
        ({"adjust_below_satisfaction": "120"}, "建议调整的综合满意率界限应在 0% 到 100% 之间"),
        ({"admonish_from_dissatisfied": "0"}, "诫勉谈话的不满意率界限应大于 0% 且不超过 100%"),
        ({"admonish_from_dissatisfied": "NaN"}, "诫勉谈话的不满意率界限（%）：请填写数字"),
        ({"pay_kind": "bonus"}, "工资规则：请从列表中选择"),
        ({"pass_ratio": "120"}, "合格完成率应大于 0 且不超过 100%，现为 120%"),
        ({"pass_ratio": "0"}, "合格完成率应大于 0 且不超过 100%，现为 0%"),
        ({"pass_ratio": "九十"}, "合格完成率（%）：请填写数字"),
        ({"pass_ratio": "90.05"}, "合格完成率最多一位小数"),
        ({"deduction_cap": "-5"}, "扣减上限应在基本工资的 0% 到 100% 之间，现为 -5%"),
        ({"tier_incompetent": "-1"}, "不称职等次的绩效工资比例不能为负数，现为 -1%"),
        ({"tier_competent": "130"}, "各等次绩效工资比例应满足 优秀 ≥ 称职 ≥ 基本称职 ≥ 不称职"),
        ({"full_pay_from": "101"}, "全额发放绩效工资的分数线应在 0 到 100 之间，现为 101"),
        ({"per_point_step": "50.005"}, "每低 1 分扣减的金额最多两位小数（精确到分），现为 50.005"),
        ({"per_point_step": "-1"}, "每低 1 分扣减的金额不能为负数，现为 -1"),
    ],
)
def test_a_setting_out_of_range_is_refused_and_nothing_is_saved(client, changes, message):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)

    response = _edit(client, **changes)

    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))
    scheme = _scheme(reviewer)
    assert scheme.appraisal == default_appraisal_scheme() and scheme.version == 1
    assert _updates() == 0


def test_every_problem_is_listed_and_the_typed_values_kept(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)

    response = _edit(client, ballot_weight="40", full_pay_from="120", tier_excellent="-3")

    page = unescape(response.get_data(as_text=True))
    assert "没有保存" in page
    assert "权重应合计 100，现为 110" in page
    assert "全额发放绩效工资的分数线应在 0 到 100 之间，现为 120" in page
    assert "优秀等次的绩效工资比例不能为负数，现为 -3%" in page
    values = form_values(page)
    assert (values["ballot_weight"], values["full_pay_from"]) == ("40", "120")
    assert _scheme(reviewer).appraisal == default_appraisal_scheme()


def test_a_form_opened_before_someone_saved_is_refused(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    old = form_values(client.get(PAGE).get_data(as_text=True))
    _edit(client, excellent_from="95")  # someone else saves first

    response = client.post(PAGE, data={**old, "excellent_from": "85"})

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "这条记录在您打开表单后已被修改" in page
    assert form_values(page)["excellent_from"] == "95"  # the page now shows what is stored
    assert _scheme(reviewer).appraisal.grade_bands.excellent_from == Decimal(95)


def test_a_ten_star_save_makes_an_open_cadre_rules_form_stale_too(client):
    """Both parts are one scheme record with one version: neither may overwrite the other."""
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    old = form_values(client.get(PAGE).get_data(as_text=True))
    ten_star = form_values(client.get("/township/schemes/2026").get_data(as_text=True))
    client.post("/township/schemes/2026", data={**ten_star, "publicity_days": "7"})

    response = client.post(PAGE, data={**old, "completion_weight": "40", "ballot_weight": "40"})

    assert response.status_code == 409
    stored = _scheme(reviewer)
    assert stored.appraisal == default_appraisal_scheme()
    assert stored.tenstar.publicity_days == 7


def test_a_frozen_scheme_shows_the_cadre_rules_and_refuses_edits(client):
    reviewer = _reviewer(client)
    create_scheme(township=reviewer.township)
    old = form_values(client.get(PAGE).get_data(as_text=True))
    _open_year(reviewer)

    page = unescape(client.get(PAGE).get_data(as_text=True))
    assert "冻结（翁家埠村开启年度评定时），不能再修改" in page
    assert "目标完成 50% + 群众测评 30% + 乡镇评价 20%" in page
    assert "保存村干部考核规则" not in page and "completion_weight" not in form_values(page)
    assert "查看村干部考核规则" in client.get("/township/schemes/2026").get_data(as_text=True)

    response = client.post(PAGE, data={**old, "excellent_from": "95"})
    assert response.status_code == 409
    assert "2026 年度方案已于有村开始评定时冻结，不能再修改" in response.get_data(as_text=True)
    garbled = client.post(PAGE, data={"excellent_from": "95"})
    assert garbled.status_code == 409
    assert "年度方案已于有村开始评定时冻结" in garbled.get_data(as_text=True)
    assert _scheme(reviewer).appraisal == default_appraisal_scheme()
    assert _updates() == 0


def test_a_scheme_stored_without_cadre_rules_is_edited_from_the_defaults(client):
    reviewer = _reviewer(client)
    scheme = create_scheme(township=reviewer.township)
    scheme.rules = {"tenstar": scheme.rules["tenstar"]}  # made before the cadre rules were stored
    db.session.commit()
    assert form_values(client.get(PAGE).get_data(as_text=True))["pass_ratio"] == "90"

    _edit(client, pay_kind="per_point", per_point_step="80")

    assert _scheme(reviewer).appraisal == AppraisalScheme(
        pay_rule=PayRule(kind=PayRuleKind.PER_POINT, per_point_step=Decimal(80))
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "scheme.update"))
    assert event.before == {"pay_rule.kind": "proportional", "pay_rule.per_point_step": "50"}


def test_next_years_scheme_copies_the_edited_cadre_rules(client):
    reviewer = _reviewer(client)
    client.post("/township/schemes", data={"year": "2026"})
    _edit(client, township_weight="30", ballot_weight="20", competent_from="82")

    response = client.post("/township/schemes", data={"year": "2027"})

    assert response.location == "/township/schemes/2027"
    copied = _scheme(reviewer, 2027).appraisal
    assert copied == _scheme(reviewer, 2026).appraisal
    assert copied.components == ComponentWeights(50, 20, 30)
    values = form_values(client.get("/township/schemes/2027/appraisal").get_data(as_text=True))
    assert (values["township_weight"], values["competent_from"]) == ("30", "82")


def test_the_cadre_pages_follow_the_edited_weights_and_grade_lines(app, client):
    """张三 of DESIGN.md §7 is 称职 at 81.1 under the defaults; with completion and ballot at 40 %
    each his combined score is 81.4, and with 优秀 from 81 he is 优秀."""
    village = create_village()
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    secretary = create_user(role=Role.SECRETARY, village=village)
    create_scheme(township=village.township)
    cadre = create_cadre(village=village)
    pledge = create_pledge(cadre=cadre)
    for item, (_, _, completion) in zip(pledge.items, ZHANG_SAN_ITEMS, strict=True):
        item.verified_completion = Decimal(completion)
    db.session.commit()
    hold_cadre_ballot(
        village=village,
        secretary=secretary,
        counts={Choice.SATISFIED: 60, Choice.BASIC: 25, Choice.DISSATISFIED: 15, Choice.UNKNOWN: 8},
    )
    login(client, reviewer)
    client.post(
        f"/township/appraisal/2026/{cadre.id}/score", data={f"cadre-{cadre.id}-score": "85"}
    )
    branch = app.test_client()
    login(branch, secretary)
    before = branch.get(f"/branch/appraisal/2026/{cadre.id}").get_data(as_text=True)
    assert (field_value(before, "combined"), field_value(before, "grade")) == ("81.1", "称职")

    _edit(
        client,
        completion_weight="40",
        ballot_weight="40",
        excellent_from="81",
        competent_from="75",
    )

    page = branch.get(f"/branch/appraisal/2026/{cadre.id}").get_data(as_text=True)
    assert (field_value(page, "combined"), field_value(page, "grade")) == ("81.4", "优秀")
    assert "综合得分 = 0.4 × 79.0 + 0.4 × 82.0 + 0.2 × 85.0 = 81.4" in unescape(page)
    overview = client.get("/township/appraisal/2026").get_data(as_text=True)
    assert field_value(overview, "grade") == "优秀"

    _edit(client, basic_points="40")  # 基本满意 now earns 40: (6000 + 1000 + 450) / 100 = 74.5
    page = branch.get(f"/branch/appraisal/2026/{cadre.id}").get_data(as_text=True)
    assert field_value(page, "ballot-score") == "74.5"
    assert (field_value(page, "combined"), field_value(page, "grade")) == ("78.4", "称职")


def test_another_townships_scheme_is_not_found(client):
    _reviewer(client)
    elsewhere = create_user(role=Role.TOWNSHIP)
    create_scheme(township=elsewhere.township, year=2026)

    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, data={**DEFAULT_FORM, "version": "1"}).status_code == 404
    assert db.session.scalar(select(Scheme.version)) == 1


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_only_the_township_reviewer_reaches_the_cadre_rules(client, role, method):
    village = create_village()
    create_scheme(township=village.township)
    user = create_user(
        role=role, village=village if role.is_village_role else None, township=village.township
    )
    login(client, user)

    response = client.open(PAGE, method=method, data={})

    assert (
        response.status_code == (422 if method == "POST" else 200) if role is Role.TOWNSHIP else 403
    )
    assert db.session.scalar(select(Scheme.version)) == 1
