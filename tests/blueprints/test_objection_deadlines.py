"""Objections have an answer deadline (the scheme's answer days, DESIGN.md §16): the secretary
sees each one's and the overdue ones first, the township sees every village's overdue ones on its
dashboard and the village's review page, and the villager reads by when the answer is due."""

import dataclasses
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

import starrating.blueprints.branch as branch_home
from starrating.blueprints import board as board_view
from starrating.blueprints.branch import review as branch_review_view
from starrating.blueprints.township import dashboard as dashboard_view
from starrating.blueprints.township import review as township_review_view
from starrating.extensions import db
from starrating.models import Objection, ObjectionTopic, User, Village
from starrating.models.types import recorded_at
from starrating.rules.tenstar_scheme import default_tenstar_scheme
from starrating.rules.vocabulary import Role
from starrating.services.objections import answer_objection, file_objection
from tests.factories import (
    counting_queries,
    create_member,
    create_scheme,
    create_township,
    create_user,
    create_village,
    login,
    open_assessment,
)

YEAR = 2026
CHINA = ZoneInfo("Asia/Shanghai")
TODAY = date(YEAR, 12, 10)


def today_is(monkeypatch, day: date) -> None:
    for view in (
        branch_home,
        branch_review_view,
        dashboard_view,
        township_review_view,
        board_view,
    ):
        monkeypatch.setattr(view, "china_today", lambda: day)


def filed(village: Village, day: date, *, at: time = time(10)) -> Objection:
    """An objection filed on the board on that China day and hour."""
    with recorded_at(datetime.combine(day, at, tzinfo=CHINA)):
        objection = file_objection(
            village=village,
            year=YEAR,
            topic=ObjectionTopic.TENSTAR,
            content="有意见",
            name="王举报",
            phone="",
        )
    db.session.commit()
    return objection


def opened_village(township=None, name: str = "翁家埠村") -> tuple[Village, User]:
    village = create_village(township=township, name=name)
    secretary = create_user(role=Role.SECRETARY, village=village)
    create_member(village=village)
    open_assessment(village=village, secretary=secretary, raters=[secretary], year=YEAR)
    return village, secretary


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def shown_order(html: str, objections: list[Objection]) -> list[Objection]:
    """The objections in the order the page lists them."""
    return sorted(objections, key=lambda o: html.index(f'id="objection-{o.id}"'))


def card(html: str, objection: Objection) -> str:
    found = re.search(rf'id="objection-{objection.id}">(.*?)</(section|li)>', html, re.S)
    assert found, objection.reference
    return text(found.group(1))


# --- the secretary --------------------------------------------------------------------------------


@pytest.fixture
def four_objections(monkeypatch):
    """On 12-10: one 10 days overdue (filed 11-20), one 2 days (11-28), one on its last day
    (11-30), one answered although filed long ago (11-01)."""
    village, secretary = opened_village()
    ten_days = filed(village, date(YEAR, 11, 20))
    two_days = filed(village, date(YEAR, 11, 28))
    last_day = filed(village, date(YEAR, 11, 30))
    answered = filed(village, date(YEAR, 11, 1))
    answer_objection(actor=secretary, objection=answered, answer="已复核，评分无误。")
    db.session.commit()
    today_is(monkeypatch, TODAY)
    return village, secretary, [ten_days, two_days, last_day, answered]


def test_the_secretary_sees_each_deadline_and_the_overdue_ones_first(client, four_objections):
    _, secretary, objections = four_objections
    ten_days, two_days, last_day, answered = objections
    login(client, secretary)
    html = page(client, f"/branch/years/{YEAR}/objections")

    assert shown_order(html, objections) == [ten_days, two_days, last_day, answered]
    assert "收到异议后 10 天内答复" in html
    assert "2 条异议已超期未答复" in text(html)
    assert "已超期 10 天 " in card(html, ten_days)
    assert "答复期限 已超期 10 天（应于 11月30日前答复）" in card(html, ten_days)
    assert "答复期限 已超期 2 天（应于 12月8日前答复）" in card(html, two_days)
    assert "答复期限 应于 12月10日前答复（今天是最后一天）" in card(html, last_day)
    assert "超期" not in card(html, last_day) and "答复期限" not in card(html, answered)
    assert re.search(rf'class="card objection overdue" id="objection-{ten_days.id}"', html)
    assert re.search(rf'class="card objection" id="objection-{last_day.id}"', html)


def test_the_secretarys_review_page_and_home_count_the_overdue_ones(client, four_objections):
    _, secretary, _ = four_objections
    login(client, secretary)
    overview = page(client, f"/branch/years/{YEAR}/review")
    found = re.search(r'<dd id="objection-count">(.*?)</dd>', overview, re.S)
    assert text(found.group(1)).startswith("4 条， 3 条未答复 ， 2 条异议已超期未答复")
    home = text(page(client, "/branch/"))
    assert "3 条群众异议待答复，其中 2 条已超期" in home


def test_an_answer_takes_an_objection_off_the_overdue_count(client, four_objections):
    _, secretary, objections = four_objections
    answer_objection(actor=secretary, objection=objections[0], answer="已核实。")
    db.session.commit()
    login(client, secretary)
    assert "1 条异议已超期未答复" in text(page(client, f"/branch/years/{YEAR}/review"))
    assert "2 条群众异议待答复，其中 1 条已超期" in text(page(client, "/branch/"))


def test_the_deadline_counts_from_the_china_day_of_filing(client, monkeypatch):
    """23:30 on 11-28 and 00:30 on 11-29 in China are both 11-28 in UTC: with 10 days the
    first is overdue on 12-09, the second is due that day."""
    village, secretary = opened_village()
    late_evening = filed(village, date(YEAR, 11, 28), at=time(23, 30))
    past_midnight = filed(village, date(YEAR, 11, 29), at=time(0, 30))
    today_is(monkeypatch, date(YEAR, 12, 9))
    login(client, secretary)
    html = page(client, f"/branch/years/{YEAR}/objections")
    assert "已超期 1 天（应于 12月8日前答复）" in card(html, late_evening)
    assert "应于 12月9日前答复（今天是最后一天）" in card(html, past_midnight)
    assert "1 条异议已超期未答复" in text(page(client, f"/branch/years/{YEAR}/review"))


def test_the_scheme_sets_the_days(client, monkeypatch):
    township = create_township()
    create_scheme(
        township=township,
        year=YEAR,
        tenstar=dataclasses.replace(default_tenstar_scheme(), answer_days=3),
    )
    village, secretary = opened_village(township)
    objection = filed(village, date(YEAR, 12, 1))
    today_is(monkeypatch, date(YEAR, 12, 5))
    login(client, secretary)
    html = page(client, f"/branch/years/{YEAR}/objections")
    assert "收到异议后 3 天内答复" in html
    assert "已超期 1 天（应于 12月4日前答复）" in card(html, objection)


# --- the township -------------------------------------------------------------------------------


@pytest.fixture
def township_with_overdue(monkeypatch):
    """东沙村 with objections 10 and 2 days overdue, 西岙村 with one 5 days overdue and one in
    time, 北塘村 with one answered late (not overdue), 南黄庄村 (no year opened) with one 1 day
    overdue."""
    township = create_township()
    create_scheme(township=township, year=YEAR)
    dongsha, _ = opened_village(township, "东沙村")
    xiao, _ = opened_village(township, "西岙村")
    beitang, beitang_secretary = opened_village(township, "北塘村")
    nanhuang = create_village(township=township, name="南黄庄村")
    found = {
        "东沙10": filed(dongsha, date(YEAR, 11, 20)),
        "东沙2": filed(dongsha, date(YEAR, 11, 28)),
        "西岙5": filed(xiao, date(YEAR, 11, 25)),
        "西岙in": filed(xiao, date(YEAR, 12, 3)),
        "北塘": filed(beitang, date(YEAR, 11, 1)),
        "南黄庄1": filed(nanhuang, date(YEAR, 11, 29)),
    }
    answer_objection(actor=beitang_secretary, objection=found["北塘"], answer="已复核。")
    db.session.commit()
    today_is(monkeypatch, TODAY)
    reviewer = create_user(role=Role.TOWNSHIP, township=township)
    return reviewer, {"东沙村": dongsha, "西岙村": xiao, "北塘村": beitang}, found


def overdue_rows(html: str) -> list[list[str]]:
    table = re.search(r'<table class="table" id="overdue-list">(.*?)</table>', html, re.S)
    assert table, "no list of overdue objections"
    body = table.group(1).split("</thead>")[1]
    return [
        [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_dashboard_lists_every_villages_overdue_objections_longest_first(
    client, township_with_overdue
):
    reviewer, villages, found = township_with_overdue
    login(client, reviewer)
    html = page(client, f"/township/dashboard?year={YEAR}")

    tile = re.search(r'<div id="overdue-objections-total" class="overdue">(.*?)</div>', html)
    assert text(tile.group(1)) == "4 超期未答复"
    assert "收到群众异议后 10 天内答复" in html
    assert overdue_rows(html) == [
        ["东沙村", "10 天", "11月20日", "11月30日", "村党支部", found["东沙10"].reference, "查看"],
        ["西岙村", "5 天", "11月25日", "12月5日", "村党支部", found["西岙5"].reference, "查看"],
        ["东沙村", "2 天", "11月28日", "12月8日", "村党支部", found["东沙2"].reference, "查看"],
        ["南黄庄村", "1 天", "11月29日", "12月9日", "村党支部", found["南黄庄1"].reference]
        + ["本村未开启年度评定"],
    ]
    dongsha = villages["东沙村"]
    link = f"/township/villages/{dongsha.id}/years/{YEAR}/review#objection-{found['东沙10'].id}"
    assert f'href="{link}"' in html
    assert "王举报" not in html  # who filed stays on the review page
    # each village's row carries its count
    for name, count in (("东沙村", 2), ("西岙村", 1)):
        row = re.search(rf'<tr data-village-id="{villages[name].id}">(.*?)</tr>', html, re.S)
        assert f"{count} 条超期" in text(row.group(1))
    beitang = re.search(rf'<tr data-village-id="{villages["北塘村"].id}">(.*?)</tr>', html, re.S)
    assert "超期" not in beitang.group(1)


def test_a_dashboard_without_overdue_objections_shows_no_list(client, monkeypatch):
    township = create_township()
    create_scheme(township=township, year=YEAR)
    village, _ = opened_village(township)
    filed(village, date(YEAR, 12, 5))
    today_is(monkeypatch, TODAY)
    reviewer = create_user(role=Role.TOWNSHIP, township=township)
    login(client, reviewer)
    html = page(client, f"/township/dashboard?year={YEAR}")
    assert 'id="overdue-list"' not in html
    tile = re.search(r'<div id="overdue-objections-total">(.*?)</div>', html)
    assert text(tile.group(1)) == "0 超期未答复"


def test_the_village_review_page_marks_the_overdue_objections_first(client, township_with_overdue):
    reviewer, villages, found = township_with_overdue
    login(client, reviewer)
    html = page(client, f"/township/villages/{villages['西岙村'].id}/years/{YEAR}/review")
    in_time, late = found["西岙in"], found["西岙5"]
    assert shown_order(html, [in_time, late]) == [late, in_time]
    assert f'class="open overdue" data-reference="{late.reference}"' in html
    assert f'class="open" data-reference="{in_time.reference}"' in html
    assert "已超期 5 天" in card(html, late)
    assert "尚未答复 · 已超期 5 天（应于 12月5日前答复）" in card(html, late)
    assert "尚未答复 · 应于 12月13日前答复" in card(html, in_time)
    facts = re.search(r'<dd id="objection-count">(.*?)</dd>', html, re.S)
    assert text(facts.group(1)).startswith("2 条， 2 条未答复 ， 1 条异议已超期未答复")


def _dashboard_queries(app, villages: int) -> int:
    township = create_township()
    create_scheme(township=township, year=YEAR)
    for number in range(villages):
        village, _ = opened_village(township, f"第{number:02d}村")
        filed(village, date(YEAR, 11, 20))
        filed(village, date(YEAR, 11, 28))
    reviewer = create_user(role=Role.TOWNSHIP, township=township)
    client = app.test_client()
    login(client, reviewer)
    assert client.get(f"/township/dashboard?year={YEAR}").status_code == 200
    with counting_queries() as statements:
        html = page(client, f"/township/dashboard?year={YEAR}")
    assert len(overdue_rows(html)) == 2 * villages
    return len(statements)


def test_the_overdue_list_runs_as_many_queries_for_30_villages_as_for_3(app, monkeypatch):
    today_is(monkeypatch, TODAY)
    assert _dashboard_queries(app, 30) == _dashboard_queries(app, 3)


# --- the villager ---------------------------------------------------------------------------------


def test_the_board_says_by_when_the_answer_is_due(client, monkeypatch):
    village, secretary = opened_village()
    waiting = filed(village, date(YEAR, 11, 28))
    path = f"/{village.code}/board/objections/{waiting.reference}"
    today_is(monkeypatch, date(YEAR, 12, 8))
    html = text(page(client, path))
    assert "按规定，村党支部应于 2026年12月8日 前答复，请过几天再用编号查看。" in html
    today_is(monkeypatch, date(YEAR, 12, 11))
    assert "应于 2026年12月8日 前答复，现已超过答复期限 3 天。" in text(page(client, path))
    answer_objection(actor=secretary, objection=waiting, answer="已复核。")
    db.session.commit()
    html = text(page(client, path))
    assert "已复核。" in html and "答复期限" not in html and "应于" not in html
