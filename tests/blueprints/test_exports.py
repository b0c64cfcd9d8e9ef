"""The workbooks downloaded through the pages (DESIGN.md §9): who may download which, the
Chinese filename, and every figure equal to what the results, tally and appraisal pages show."""

import re
from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import select

from starrating.extensions import db
from starrating.models import BallotRound, YearReview
from starrating.queries.assessment import assessed_members, year_results
from starrating.queries.ballots import round_tally, subjects
from starrating.queries.township import township_year
from starrating.rules.assessment_state import Step, YearState
from starrating.rules.ballots import Choice
from starrating.rules.tenstar_scheme import MassMeasure, StarGroup, default_tenstar_scheme
from starrating.rules.vocabulary import Gender, MemberCategory, Membership, Role
from starrating.services.ballots import cast_ballot, close_round, generate_codes, open_round
from starrating.services.marking import record_marks
from starrating.services.vetoes import record_veto
from tests.blueprints.test_appraisal import (
    ZHANG_SAN_ITEMS,
    create_cadre,
    create_pledge,
    hold_cadre_ballot,
    score,
    verify,
)
from tests.factories import (
    certify,
    create_member,
    create_member_round,
    create_scheme,
    create_user,
    create_village,
    login,
    open_assessment,
)
from tests.spreadsheets.exports_reading import open_book, table, texts, values

YEAR = 2026
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCHEME = default_tenstar_scheme()
ORGANISATIONAL = [s.code for s in SCHEME.stars if s.group is not StarGroup.MASS]
FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'
NAMES = ("王建国", FORMULA_NAME, "李桂兰", "阿依古丽·买买提", "张秀英", "刘志强")
PHONE = "13812345678"
S, B, D, U = Choice.SATISFIED, Choice.BASIC, Choice.DISSATISFIED, Choice.UNKNOWN


@pytest.fixture
def village_year():
    """翁家埠村's 2026 year: six members (a probationary one, one vetoed) marked by three raters,
    and a certified member ballot of eight voters that met its quorum."""
    village = create_village(name="翁家埠村")
    secretary = create_user(role=Role.SECRETARY, village=village)
    raters = [secretary, *(create_user(role=Role.COMMITTEE, village=village) for _ in range(2))]
    for i, name in enumerate(NAMES):
        create_member(
            village=village,
            name=name,
            gender=Gender.FEMALE if i % 2 else Gender.MALE,
            membership=Membership.PROBATIONARY if name == "李桂兰" else Membership.FULL,
            phone=PHONE,
        )
    year = open_assessment(village=village, secretary=secretary, raters=raters)
    members = assessed_members(year.id)
    for i, assessed in enumerate(members):
        for j, rater in enumerate(raters):
            marks = {code: (i + j + k) % (i + 2) != 0 for k, code in enumerate(ORGANISATIONAL)}
            record_marks(rater=rater, assessed=assessed, marks=marks)
    vetoed = members[-1]
    record_veto(
        actor=secretary,
        assessed=vetoed,
        reason="违法犯罪",
        on=date(2026, 9, 30),
        note="",
        expected_version=vetoed.version,
        today=date(2026, 10, 1),
    )
    ballot_round = create_member_round(village=village, secretary=secretary, eligible=10)
    codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=9)
    open_round(actor=secretary, ballot_round=ballot_round)
    rows = subjects(ballot_round.id)
    pattern = [S, S, B, S, D, U, S, B]
    for v, code in enumerate(codes[:8]):
        marks = {row.id: pattern[(v + i) % len(pattern)] for i, row in enumerate(rows)}
        cast_ballot(village=village, code=code.code, marks=marks)
    close_round(actor=secretary, ballot_round=ballot_round)
    certify(ballot_round, other=raters[1])
    db.session.commit()
    return village, secretary, year, ballot_round


def download(client, url: str, filename: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=UTF-8''{quote(filename)}" in disposition
    assert response.headers["Cache-Control"] == "no-store"  # names, grades: never cached
    return open_book(response.data)


def page_rows(html: str, attribute: str) -> dict[str, list[str]]:
    """The cells' text of every table row carrying attribute, by its value."""
    found = {}
    for key, row in re.findall(rf'<tr {attribute}="(\d+)">(.*?)</tr>', html, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        found[key] = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    return found


def test_the_ten_star_workbook_shows_the_results_pages_figures(client, village_year):
    village, secretary, year, _ = village_year
    login(client, secretary)
    book = download(
        client,
        f"/branch/exports/years/{YEAR}/tenstar.xlsx",
        "翁家埠村2026年党员十星级评定汇总表.xlsx",
    )
    rows = table(book.active)
    results = year_results(year)
    page = page_rows(
        client.get(f"/branch/years/{YEAR}/results").get_data(as_text=True), "data-member-id"
    )
    assert values(rows, "姓名") == [r.assessed.member.name for r in results.members]
    recognition = SCHEME.mass_star(MassMeasure.RECOGNITION).code
    for row, result in zip(rows, results.members, strict=True):
        shown = page[str(result.assessed.id)]
        star_cells = shown[2 : 2 + len(SCHEME.stars)]
        assert row["星数"].value == result.outcome.star_count == int(shown[-2])
        assert row["等次"].value.startswith(result.grade.label)
        assert shown[-1].startswith(result.grade.label)
        assert [row[s.name].value == "★" for s in SCHEME.stars] == [c == "★" for c in star_cells]
        rate = {d.star_code: d.shown_value for d in result.outcome.decisions}[recognition]
        assert row["认可率"].value == pytest.approx(float(rate) / 100)
    assert rows[0]["性别"].value == "男"
    assert rows[1]["姓名"].value == FORMULA_NAME
    assert rows[1]["姓名"].data_type == "s"
    assert rows[2]["等次"].value == "不评定等次"
    assert rows[-1]["备注"].value == "一票否决：违法犯罪（2026-09-30）"
    assert rows[-1]["星数"].value == 0
    # 8 voters: 满意 4 or so of 8 → 认可率 is a number the township can sum and average
    assert all(isinstance(v, float) for v in values(rows, "认可率"))
    assert PHONE not in " ".join(texts(book.active))
    assert "1970-05-01" not in " ".join(texts(book.active))  # the members' birth date


def test_one_person_has_one_序号_in_both_workbooks_and_a_small_sample_still_shows_its_rates(
    client,
):
    """陈阿公 (免评, second on the roster) is not on the ballot: the ballot's tally used to
    number 李桂兰 2 where the ten-star summary numbers her 3. 张秀英 has 3 valid marks (< 5):
    her rates are shown, the remark says 样本不足."""
    village = create_village(name="翁家埠村")
    secretary = create_user(role=Role.SECRETARY, village=village)
    for name in ("王建国", "陈阿公", "李桂兰", "张秀英"):
        exempt = name == "陈阿公"
        create_member(
            village=village,
            name=name,
            birth_date=date(1936, 5, 1) if exempt else date(1970, 5, 1),
            category=MemberCategory.ELDERLY_INFIRM if exempt else MemberCategory.ORDINARY,
            exempt_meeting_date=date(YEAR, 1, 10) if exempt else None,
        )
    open_assessment(village=village, secretary=secretary, raters=[secretary])
    ballot_round = create_member_round(village=village, secretary=secretary, eligible=10)
    codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=6)
    open_round(actor=secretary, ballot_round=ballot_round)
    rows = {row.name: row.id for row in subjects(ballot_round.id)}
    assert "陈阿公" not in rows
    for v, code in enumerate(codes):
        marks = {rows["王建国"]: S, rows["李桂兰"]: B, rows["张秀英"]: S if v < 2 else B}
        if v >= 3:
            marks[rows["张秀英"]] = U  # valid 3: 满意 2, 基本满意 1
        cast_ballot(village=village, code=code.code, marks=marks)
    close_round(actor=secretary, ballot_round=ballot_round)
    certify(ballot_round)
    db.session.commit()
    login(client, secretary)
    tenstar = table(
        download(
            client,
            f"/branch/exports/years/{YEAR}/tenstar.xlsx",
            "翁家埠村2026年党员十星级评定汇总表.xlsx",
        ).active
    )
    tally = table(
        download(
            client,
            f"/branch/exports/rounds/{ballot_round.id}/tally.xlsx",
            re.sub(r"\s", "", f"翁家埠村{ballot_round.title}民主测评统计表.xlsx"),
        )["党员群众满意度测评"]
    )
    numbered = {row["姓名"].value: row["序号"].value for row in tenstar}
    assert numbered == {"王建国": 1, "陈阿公": 2, "李桂兰": 3, "张秀英": 4}  # roster order
    assert {row["姓名"].value: row["序号"].value for row in tally} == {
        name: number for name, number in numbered.items() if name != "陈阿公"
    }
    small = next(row for row in tenstar if row["姓名"].value == "张秀英")
    assert small["认可率"].value == pytest.approx(1.0)  # (2 + 1) / 3, as the tally shows
    assert small["满意率"].value == pytest.approx(0.667)
    assert "样本不足" in small["备注"].value
    shown = next(row for row in tally if row["姓名"].value == "张秀英")
    assert shown["满意率"].value == small["满意率"].value


def test_the_round_workbook_shows_the_tally_pages_figures(client, village_year):
    village, secretary, _, ballot_round = village_year
    login(client, secretary)
    book = download(
        client,
        f"/branch/exports/rounds/{ballot_round.id}/tally.xlsx",
        re.sub(r"\s", "", f"翁家埠村{ballot_round.title}民主测评统计表.xlsx"),
    )
    html = client.get(f"/branch/rounds/{ballot_round.id}/tally").get_data(as_text=True)
    page = page_rows(html, "data-subject-id")
    tally = round_tally(ballot_round)
    (ws,) = book.worksheets
    rows = table(ws)
    assert len(rows) == len(page) == len(tally.subjects)
    for row, (subject_id, subject_tally) in zip(rows, tally.subjects, strict=True):
        shown = page[str(subject_id)]
        counts = [row[c.label].value for c in Choice] + [row["空白"].value, row["有效票"].value]
        assert counts == [int(x) for x in shown[2:8]]
        assert row["认可率"].value == pytest.approx(float(shown[8].rstrip("%")) / 100)
        assert row["满意率"].value == pytest.approx(float(subject_tally.satisfaction_shown) / 100)
    assert tally.returned == 8
    assert "收回" in texts(ws)


def test_a_cadre_rounds_tally_names_its_rate_综合满意率_and_keeps_满意率_for_满意_alone(client):
    """满意率 means 满意 / 有效票 for members and cadres alike; the cadres' (满意 + 基本满意)
    / 有效票 is 综合满意率 on the page, in the workbook and in the explanation."""
    village = create_village(name="翁家埠村")
    secretary = create_user(role=Role.SECRETARY, village=village)
    create_scheme(township=village.township, year=YEAR)
    create_cadre(village=village)
    hold_cadre_ballot(village=village, secretary=secretary, counts={S: 60, B: 25, D: 15, U: 8})
    ballot_round = db.session.scalar(
        select(BallotRound).where(BallotRound.village_id == village.id)
    )
    login(client, secretary)
    html = client.get(f"/branch/rounds/{ballot_round.id}/tally").get_data(as_text=True)
    cadres = html[html.index('id="section-cadres"') :]
    assert '<th class="num">综合满意率</th><th class="num">满意率</th>' in cadres
    assert "综合满意率 = (满意 + 基本满意) / 有效票 = (60 + 25) / 100 = 85.0%" in cadres
    assert "满意率 = 满意 / 有效票 = 60 / 100 = 60.0%" in cadres
    assert "认可率" not in cadres
    book = download(
        client,
        f"/branch/exports/rounds/{ballot_round.id}/tally.xlsx",
        re.sub(r"\s", "", f"翁家埠村{ballot_round.title}民主测评统计表.xlsx"),
    )
    (row,) = table(book["村干部民主测评"])
    assert row["综合满意率"].value == pytest.approx(0.85)
    assert row["满意率"].value == pytest.approx(0.60)
    assert "认可率" not in row


def test_the_cadre_workbook_holds_the_worked_example(app, client):
    village = create_village(name="翁家埠村")
    secretary = create_user(role=Role.SECRETARY, village=village)
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    create_scheme(township=village.township, year=YEAR)
    cadre = create_cadre(village=village)
    pledge = create_pledge(cadre=cadre)
    login(client, secretary)
    for item, (_, _, completion) in zip(pledge.items, ZHANG_SAN_ITEMS, strict=True):
        verify(client, cadre, item, completion)
    counts = {S: 60, B: 25, D: 15, U: 8}
    hold_cadre_ballot(village=village, secretary=secretary, counts=counts)
    township = app.test_client()
    login(township, reviewer)
    score(township, cadre, "85")
    for who, url in (
        (client, f"/branch/exports/appraisal/{YEAR}/cadres.xlsx"),
        (township, f"/township/exports/villages/{village.id}/appraisal/{YEAR}/cadres.xlsx"),
    ):
        book = download(who, url, "翁家埠村2026年村干部年度考核表.xlsx")
        (row,) = table(book["考核汇总"])
        assert row["完成率"].value == pytest.approx(0.79)
        assert row["测评得分"].value == pytest.approx(82.0)
        assert row["综合满意率"].value == pytest.approx(0.85)
        assert row["乡镇评价"].value == 85
        assert row["综合得分"].value == pytest.approx(81.1)
        assert row["等次"].value == "称职"
        assert row["扣减"].value == pytest.approx(2640)
        assert row["应发（元）"].value == pytest.approx(21360)
        assert book.sheetnames == ["考核汇总", "张三（村委会主任）"]


def test_the_township_workbook_summarises_every_village(app, client, village_year):
    village, _, year, _ = village_year
    create_village(township=village.township, name="南黄庄村")
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    login(client, reviewer)
    name = f"{village.township.name}2026年乡镇年度汇总.xlsx"
    book = download(client, f"/township/exports/years/{YEAR}/township.xlsx", name)
    assert book.sheetnames == ["汇总", "翁家埠村"]
    summary = book["汇总"]
    assert len(summary._charts) == 1
    rows = {r["村"].value: r for r in table(summary)}
    expected = {v.village.name: v for v in township_year(village.township_id, YEAR)}
    ours = expected["翁家埠村"]
    assert rows["翁家埠村"]["党员数"].value == ours.members == 6
    assert rows["翁家埠村"]["平均星数"].value == pytest.approx(float(ours.average_stars))
    assert rows["翁家埠村"]["参与率"].value == pytest.approx(float(ours.member_round.turnout) / 100)
    for grade, count in ours.grade_counts.items():
        assert rows["翁家埠村"][grade.label].value == count
    assert rows["南黄庄村"]["阶段"].value == "未开启"
    village_rows = table(book["翁家埠村"])
    assert values(village_rows, "星数") == [
        r.outcome.star_count for r in year_results(year).members
    ]


def test_the_township_downloads_a_villages_ten_star_summary_and_round(client, village_year):
    village, _, _, ballot_round = village_year
    login(client, create_user(role=Role.TOWNSHIP, township=village.township))
    url = f"/township/exports/villages/{village.id}/years/{YEAR}/tenstar.xlsx"
    assert client.get(url).mimetype == XLSX
    assert client.get(f"/township/exports/rounds/{ballot_round.id}/tally.xlsx").mimetype == XLSX
    assert (
        client.get(f"/township/exports/villages/{village.id}/years/2025/tenstar.xlsx").status_code
        == 404
    )


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.TELLER, Role.CADRE])
def test_other_village_roles_are_refused(client, village_year, role):
    village, _, _, ballot_round = village_year
    login(client, create_user(role=role, village=village))
    for url in (
        f"/branch/exports/years/{YEAR}/tenstar.xlsx",
        f"/branch/exports/rounds/{ballot_round.id}/tally.xlsx",
        f"/branch/exports/appraisal/{YEAR}/cadres.xlsx",
    ):
        assert client.get(url).status_code == 403, url


def test_another_village_or_township_is_not_found(app, client, village_year):
    village, _, _, ballot_round = village_year
    neighbour = create_village(township=village.township)
    login(client, create_user(role=Role.SECRETARY, village=neighbour))
    assert client.get(f"/branch/exports/rounds/{ballot_round.id}/tally.xlsx").status_code == 404
    client = app.test_client()
    login(client, create_user(role=Role.TOWNSHIP))
    for url in (
        f"/township/exports/villages/{village.id}/years/{YEAR}/tenstar.xlsx",
        f"/township/exports/rounds/{ballot_round.id}/tally.xlsx",
        f"/township/exports/villages/{village.id}/appraisal/{YEAR}/cadres.xlsx",
    ):
        assert client.get(url).status_code == 404, url
    # their own township's workbook holds none of this village
    book = open_book(client.get(f"/township/exports/years/{YEAR}/township.xlsx").data)
    assert "翁家埠村" not in book.sheetnames


def test_every_download_is_sent_no_store_so_no_browser_or_proxy_keeps_it(app, village_year):
    """Workbooks carry names, grades and explanations: `no-store`, not send_file's `no-cache`
    (which lets a browser or proxy keep a copy). Every .xlsx route of the app is listed here."""
    village, secretary, _, ballot_round = village_year
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    downloads = {
        "/branch/exports/years/<int:year>/tenstar.xlsx": (secretary, f"years/{YEAR}/tenstar"),
        "/branch/exports/rounds/<int:round_id>/tally.xlsx": (
            secretary,
            f"rounds/{ballot_round.id}/tally",
        ),
        "/branch/exports/appraisal/<int:year>/cadres.xlsx": (secretary, f"appraisal/{YEAR}/cadres"),
        "/branch/members/template.xlsx": (secretary, None),
        "/branch/cadres/template.xlsx": (secretary, None),
        "/township/exports/villages/<int:village_id>/years/<int:year>/tenstar.xlsx": (
            reviewer,
            f"villages/{village.id}/years/{YEAR}/tenstar",
        ),
        "/township/exports/rounds/<int:round_id>/tally.xlsx": (
            reviewer,
            f"rounds/{ballot_round.id}/tally",
        ),
        "/township/exports/villages/<int:village_id>/appraisal/<int:year>/cadres.xlsx": (
            reviewer,
            f"villages/{village.id}/appraisal/{YEAR}/cadres",
        ),
        "/township/exports/years/<int:year>/township.xlsx": (reviewer, f"years/{YEAR}/township"),
        "/branch/exports/years/<int:year>/archive.xlsx": (secretary, f"years/{YEAR}/archive"),
        "/township/exports/villages/<int:village_id>/years/<int:year>/archive.xlsx": (
            reviewer,
            f"villages/{village.id}/years/{YEAR}/archive",
        ),
    }
    routes = {r.rule for r in app.url_map.iter_rules() if r.rule.endswith(".xlsx")}
    assert routes == set(downloads), "a new download: add it here"
    for rule, (user, middle) in downloads.items():
        client = app.test_client()
        login(client, user)
        prefix = rule.split("/exports/")[0] + "/exports/"
        url = rule if middle is None else f"{prefix}{middle}.xlsx"
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == XLSX, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_a_round_still_open_has_no_workbook(client):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    create_member(village=village)
    open_assessment(village=village, secretary=secretary, raters=[secretary])
    ballot_round = create_member_round(village=village, secretary=secretary)
    login(client, secretary)
    response = client.get(f"/branch/exports/rounds/{ballot_round.id}/tally.xlsx")
    assert response.status_code == 409
    assert "投票结束后才能下载" in response.get_data(as_text=True)


def test_the_pages_link_to_their_workbooks(client, village_year):
    village, secretary, _, ballot_round = village_year
    login(client, secretary)
    for page, link in (
        (f"/branch/years/{YEAR}/results", f"/branch/exports/years/{YEAR}/tenstar.xlsx"),
        (
            f"/branch/rounds/{ballot_round.id}/tally",
            f"/branch/exports/rounds/{ballot_round.id}/tally.xlsx",
        ),
        (f"/branch/appraisal/{YEAR}", f"/branch/exports/appraisal/{YEAR}/cadres.xlsx"),
    ):
        assert link in client.get(page).get_data(as_text=True), page


def test_the_township_pages_link_to_the_township_workbook(app, client, village_year):
    village, *_ = village_year
    login(client, create_user(role=Role.TOWNSHIP, township=village.township))
    assert "/township/exports/years/" in client.get("/township/").get_data(as_text=True)
    appraisal = client.get(f"/township/appraisal/{YEAR}").get_data(as_text=True)
    assert f"/township/exports/years/{YEAR}/township.xlsx" in appraisal


def test_an_approved_year_carries_the_townships_opinion_and_china_date(client, village_year):
    village, secretary, year, _ = village_year
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    year.state = YearState.APPROVED
    approved_at = datetime(2026, 12, 19, 18, 30, tzinfo=UTC)  # 20 December in China
    db.session.add(
        YearReview(
            year_id=year.id,
            step=Step.APPROVE,
            actor_id=reviewer.id,
            at=approved_at,
            opinion="评定程序规范，同意。",
        )
    )
    db.session.commit()
    login(client, secretary)
    found = texts(open_book(client.get(f"/branch/exports/years/{YEAR}/tenstar.xlsx").data).active)
    assert "评定程序规范，同意。" in found
    assert any("审核日期：2026 年 12 月 20 日" in t for t in found)
