"""The township's dashboard (DESIGN.md §5.6, §8): every village's stage, marking progress, member
ballot, objections and cadres, the same figures the other pages show, and a query count that
grows neither with the villages' members nor with the number of villages."""

import re
from decimal import Decimal
from html import unescape

from starrating.extensions import db
from starrating.models import ObjectionTopic, User
from starrating.queries.assessment import assessed_members
from starrating.rules.assessment_state import YearState
from starrating.rules.ballots import Choice
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import Role
from starrating.services import review as review_service
from starrating.services.appraisal import record_township_score
from starrating.services.ballots import generate_codes, open_round
from starrating.services.marking import record_marks
from starrating.services.objections import file_objection
from tests.blueprints.test_appraisal import field_value, hold_cadre_ballot
from tests.blueprints.test_township_review import (
    AFTER_PUBLICITY,
    PUBLISHED,
    YEAR,
    published_branch,
)
from tests.factories import (
    counting_queries,
    create_member_round,
    create_scheme,
    create_township,
    create_user,
    create_village,
    login,
    open_assessment,
    signed_off,
)
from tests.townships import ORGANISATIONAL, add_members, build_township

# --- the figures ------------------------------------------------------------------------------


def row_of(html: str, village_id: int) -> str:
    found = re.search(rf'<tr data-village-id="{village_id}">(.*?)</tr>', html, re.S)
    assert found, village_id
    return found.group(1)


def grade_counts(html: str) -> dict[str, int]:
    """The grade stats boxes (results and review pages): grade value → count."""
    return {
        grade: int(count)
        for grade, count in re.findall(r'<div data-grade="(\w+)"><strong>(\d+)</strong>', html)
    }


def charted(html: str, village_name: str) -> dict[str, int]:
    """The dashboard chart's bars of one village: grade label → count (from each bar's title)."""
    return {
        label: int(count)
        for label, count in re.findall(rf"<title>{village_name}：(\S+) (\d+) 人</title>", html)
    }


def test_the_dashboard_shows_each_villages_stage_and_figures(app):
    township = create_township()
    create_scheme(township=township, year=YEAR)
    submitted = published_branch(create_village(township=township, name="西岙村"))
    review_service.submit_year(
        actor=submitted.secretary, year=submitted.year, today=AFTER_PUBLICITY
    )
    public = published_branch(create_village(township=township, name="东沙村"))
    hold_cadre_ballot(
        village=public.village,
        secretary=public.secretary,
        counts={Choice.SATISFIED: 8, Choice.BASIC: 2},
        eligible=20,
    )
    record_township_score(actor=public.reviewer, cadre=public.cadre, year=YEAR, score=Decimal(90))
    # the board, and so the dashboard, show the cadres' results once corrected (a new version)
    signed_off(public.year, Part.CADRES)
    review_service.publish_correction(
        actor=public.secretary, year=public.year, part=Part.CADRES, today=PUBLISHED
    )
    file_objection(
        village=public.village,
        year=YEAR,
        topic=ObjectionTopic.TENSTAR,
        content="有疑问",
        name="",
        phone="",
    )
    marking = create_village(township=township, name="南塘村")
    secretary = create_user(role=Role.SECRETARY, village=marking)
    add_members(marking.id, 6)
    year = open_assessment(village=marking, secretary=secretary, raters=[secretary], year=YEAR)
    for assessed in assessed_members(year.id)[:3]:
        record_marks(rater=secretary, assessed=assessed, marks=dict.fromkeys(ORGANISATIONAL, True))
    idle = create_village(township=township, name="北山村")
    db.session.commit()
    client = app.test_client()
    login(client, submitted.reviewer)

    page = unescape(client.get(f"/township/dashboard?year={YEAR}").get_data(as_text=True))

    row = row_of(page, submitted.village.id)
    assert field_value(row, "stage") == "已报乡镇"
    assert field_value(row, "marking") == "100.0%"
    assert "参与率 60.0%（6/10）" in field_value(row, "ballot")
    assert "达到法定人数" in row and "已确认计票" in row
    assert field_value(row, "cadres") == "0 / 1"  # no cadre ballot, no township score
    assert f"/township/villages/{submitted.village.id}/years/{YEAR}/review" in row
    public_row = row_of(page, public.village.id)
    assert field_value(public_row, "stage") == "公示中"
    assert field_value(public_row, "objections").startswith("1")
    assert field_value(public_row, "cadres") == "1 / 1"
    marking_row = row_of(page, marking.id)
    assert field_value(marking_row, "stage") == "评分中"
    assert field_value(marking_row, "marking") == "50.0%"
    assert "未举行" in field_value(marking_row, "ballot")
    idle_row = row_of(page, idle.id)
    assert field_value(idle_row, "stage") == "未开启"
    assert "/review" not in idle_row
    assert '<div data-stage="已报乡镇"><strong>1</strong>' in page
    assert '<div id="open-objections-total"><strong>1</strong>' in page

    # the chart's bars say what the village's own results page and the review page say
    secretary_client = app.test_client()
    login(secretary_client, public.secretary)
    results = secretary_client.get(f"/branch/years/{YEAR}/results").get_data(as_text=True)
    review = client.get(f"/township/villages/{public.village.id}/years/{YEAR}/review")
    expected = {"优秀": 1, "不合格": 1, "合格": 4}
    assert charted(page, "东沙村") == expected
    by_value = {"excellent": "优秀", "unqualified": "不合格", "qualified": "合格"}
    shown = {by_value[g]: n for g, n in grade_counts(results).items() if n and g in by_value}
    assert shown == expected
    reviewed = grade_counts(review.get_data(as_text=True))
    assert {by_value[g]: n for g, n in reviewed.items() if n and g in by_value} == expected

    # cadres done matches the township's appraisal page: a full result, nothing left out
    appraisal = client.get(f"/township/appraisal/{YEAR}").get_data(as_text=True)
    cadre_row = re.search(rf'<tr data-cadre-id="{public.cadre.id}">(.*?)</tr>', appraisal, re.S)
    assert "已折算" not in cadre_row.group(1)


def test_the_year_chooser_defaults_to_the_latest_scheme(app):
    township = create_township()
    create_scheme(township=township, year=2025)
    create_scheme(township=township, year=2027)
    reviewer = create_user(role=Role.TOWNSHIP, township=township)
    client = app.test_client()
    login(client, reviewer)

    page = client.get("/township/dashboard").get_data(as_text=True)

    assert "2027 年度评定进度" in page
    assert '<option value="2025">' in page
    assert "2025 年度评定进度" in client.get("/township/dashboard?year=2025").get_data(as_text=True)


# --- query counts -----------------------------------------------------------------------------


def _queries(app, reviewer: User, path: str) -> int:
    client = app.test_client()
    login(client, reviewer)
    assert client.get(path).status_code == 200  # the first request's one-off reads left out
    with counting_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


def _late_in_the_year(number: int) -> YearState:
    return YearState.SUBMITTED if number % 2 else YearState.APPROVED


def test_the_dashboards_and_workbooks_queries_grow_neither_with_members_nor_with_villages(app):
    """Villages whose years are submitted and approved, each with a certified member round and
    a certified cadre round of 8 ballots: 2 villages, 6 villages, and 2 with four times the
    members run the same number of SQL statements for the dashboard and for the township
    workbook."""
    built = {
        shape: build_township(
            villages=shape[0],
            members=shape[1],
            raters=2,
            cadres=2,
            ballots=8,
            stage=_late_in_the_year,
        )
        for shape in ((2, 3), (6, 3), (2, 12))
    }
    dashboard = f"/township/dashboard?year={YEAR}"
    workbook = f"/township/exports/years/{YEAR}/township.xlsx"
    page = unescape(_page(app, built[(6, 3)], dashboard))
    assert '<div data-stage="已报乡镇"><strong>3</strong>' in page
    assert '<div data-stage="已审核通过"><strong>3</strong>' in page
    assert "参与率 80.0%（8/10）" in page and "已确认计票" in page
    counts = {
        shape: (_queries(app, reviewer, dashboard), _queries(app, reviewer, workbook))
        for shape, reviewer in built.items()
    }

    assert counts[(6, 3)] == counts[(2, 3)], counts
    assert counts[(2, 12)] == counts[(2, 3)], counts


def _page(app, user: User, path: str) -> str:
    client = app.test_client()
    login(client, user)
    return client.get(path).get_data(as_text=True)


def test_the_dashboard_charts_each_villages_cadres(app):
    township = create_township()
    create_scheme(township=township, year=YEAR)
    public = published_branch(create_village(township=township, name="东沙村"))
    hold_cadre_ballot(
        village=public.village,
        secretary=public.secretary,
        counts={Choice.SATISFIED: 7, Choice.BASIC: 1, Choice.DISSATISFIED: 2},
        eligible=20,
    )
    # the ballot came after the cadres' results went public: they go public again, corrected
    signed_off(public.year, Part.CADRES)
    review_service.publish_correction(
        actor=public.secretary, year=public.year, part=Part.CADRES, today=PUBLISHED
    )
    db.session.commit()
    client = app.test_client()
    login(client, public.reviewer)
    page = unescape(client.get(f"/township/dashboard?year={YEAR}").get_data(as_text=True))

    section = page.split('id="cadre-charts"')[1]
    village = section.split(f'data-village-id="{public.village.id}"')[1].split("</details>")[0]
    assert "东沙村（1 名村干部）" in village
    assert "张三：综合满意率 80.0%" in village  # (7 + 1) / 10 valid
    assert "张三：完成率 95.0%" in village  # every item verified 95 %


# --- the shared rate-limit store ----------------------------------------------------------------

STORE_DOWN = "共享的限流存储（Redis）现在连不上"


def test_the_dashboard_says_when_redis_is_configured_but_unreachable(app):
    from tests.live_server_process import free_port

    app.config["RATELIMIT_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nobody listens
    client = app.test_client()
    login(client, create_user(role=Role.TOWNSHIP))
    response = client.get("/township/dashboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert STORE_DOWN in html and "改用数据库计数" in html and "系统管理员" in html


def test_the_dashboard_says_nothing_of_redis_when_it_answers_or_is_not_configured(app, redis_url):
    client = app.test_client()
    login(client, create_user(role=Role.TOWNSHIP))
    assert STORE_DOWN not in client.get("/township/dashboard").get_data(as_text=True)
    app.config["RATELIMIT_REDIS_URL"] = redis_url
    assert STORE_DOWN not in client.get("/township/dashboard").get_data(as_text=True)


def test_the_dashboard_shows_the_certified_member_round_that_decides_not_a_newer_one(app):
    """A 补测 opened after the certified round does not replace the figure that decides the
    mass stars (it was "0.0%（0/40）投票中"): the certified round is shown, the newer apart."""
    township = create_township()
    create_scheme(township=township, year=YEAR)
    branch = published_branch(create_village(township=township, name="西岙村"))
    newer = create_member_round(village=branch.village, secretary=branch.secretary, eligible=40)
    generate_codes(actor=branch.secretary, ballot_round=newer, count=40)
    open_round(actor=branch.secretary, ballot_round=newer)
    db.session.commit()
    client = app.test_client()
    login(client, branch.reviewer)

    page = unescape(client.get(f"/township/dashboard?year={YEAR}").get_data(as_text=True))

    ballot = field_value(row_of(page, branch.village.id), "ballot")
    assert ballot.startswith("参与率 60.0%（6/10）")
    assert "已确认计票" in ballot
    assert f"另有新一轮「{newer.title}」投票中（0/40），结果以已确认的一轮为准" in ballot
    review = client.get(f"/township/villages/{branch.village.id}/years/{YEAR}/review")
    text = unescape(review.get_data(as_text=True))
    assert "参与率 60.0%（6/10），达到法定人数，已确认计票；另有新一轮" in text
