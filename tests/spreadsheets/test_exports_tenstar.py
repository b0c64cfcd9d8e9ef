"""党员十星级评定汇总表 built from plain rows and read back with openpyxl: the columns of
DESIGN.md §9, numbers as numbers, text that looks like a formula kept as text, print-ready."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from starrating.rules.tenstar import StarStatus
from starrating.rules.tenstar_scheme import default_tenstar_scheme
from starrating.spreadsheets.exports.layout import Heading, Review, sheet_name
from starrating.spreadsheets.exports.tenstar import MemberLine, TenStarSheet, tenstar_workbook
from tests.spreadsheets.exports_reading import (
    assert_print_ready,
    header_row,
    open_book,
    table,
    texts,
)

A, N, U, S = (
    StarStatus.AWARDED,
    StarStatus.NOT_AWARDED,
    StarStatus.UNDECIDED,
    StarStatus.INSUFFICIENT_SAMPLE,
)
STARS = tuple(star.name for star in default_tenstar_scheme().stars)
HEADING = Heading("白沙滩镇", 2026, date(2026, 12, 1), "翁家埠村")


def line(name: str, stars: tuple[StarStatus, ...], **facts) -> MemberLine:
    values = {
        "number": 0,  # numbered by sheet()
        "name": name,
        "gender": "女",
        "category": "普通",
        "stars": stars,
        "exempt": False,
        "star_count": stars.count(A),
        "recognition": Decimal("85.0"),
        "satisfaction": Decimal("61.5"),
        "grade": "优秀",
        "note": "",
    }
    values.update(facts)
    return MemberLine(**values)


def sheet(*members: MemberLine, review: Review | None = None) -> TenStarSheet:
    heading = Heading(HEADING.township, HEADING.year, HEADING.printed_on, HEADING.village, review)
    numbered = [replace(m, number=m.number or i) for i, m in enumerate(members, start=1)]
    return TenStarSheet(heading, "评分中", STARS, numbered, [("优秀", 1), ("合格", 0)])


def test_the_columns_are_those_of_the_design():
    ws = open_book(tenstar_workbook(sheet(line("王建国", (A,) * 10)))).active
    header = [c.value for c in ws[header_row(ws)]]
    assert header == [
        "序号",
        "姓名",
        "性别",
        "类别",
        *STARS,
        "星数",
        "认可率",
        "满意率",
        "等次",
        "备注",
    ]


def test_the_title_block_names_township_village_and_year_and_is_merged():
    ws = open_book(tenstar_workbook(sheet(line("王建国", (A,) * 10)))).active
    assert ws["A1"].value == "党员十星级评定汇总表"
    assert "乡镇：白沙滩镇" in ws["A2"].value
    assert "村：翁家埠村" in ws["A2"].value
    assert "年度：2026 年" in ws["A2"].value
    assert "A1:S1" in {str(r) for r in ws.merged_cells.ranges}
    assert "优秀 1 人" in ws["A3"].value


def test_stars_are_marked_star_blank_or_dash():
    stars = (A, N, U, S, A, A, A, A, A, A)
    ws = open_book(tenstar_workbook(sheet(line("李桂兰", stars)))).active
    (row,) = table(ws)
    assert [row[name].value for name in STARS[:4]] == ["★", None, "—", None]
    exempt = line("张秀英", (U,) * 10, exempt=True, star_count=0, grade="免评")
    (row,) = table(open_book(tenstar_workbook(sheet(exempt))).active)
    assert {row[name].value for name in STARS} == {"—"}


def test_counts_and_rates_are_numbers_with_a_number_format():
    ws = open_book(tenstar_workbook(sheet(line("王建国", (A,) * 8 + (N, N))))).active
    (row,) = table(ws)
    assert row["序号"].value == 1
    assert row["星数"].value == 8
    assert row["星数"].data_type == "n"
    assert row["认可率"].value == pytest.approx(0.85)
    assert row["认可率"].number_format == "0.0%"
    assert row["满意率"].value == pytest.approx(0.615)


def test_a_missing_rate_is_a_blank_cell_not_a_dash():
    member = line("王建国", (A,) * 8 + (U, U), recognition=None, satisfaction=None)
    (row,) = table(open_book(tenstar_workbook(sheet(member))).active)
    assert row["认可率"].value is None


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example","点我")', "+1", "-2", "@SUM(A1)", "\t=1"]
)
def test_a_name_that_looks_like_a_formula_stays_inert_text(name):
    ws = open_book(tenstar_workbook(sheet(line(name, (A,) * 10)))).active
    (row,) = table(ws)
    cell = row["姓名"]
    assert cell.value == name
    assert cell.data_type == "s"
    assert cell.quotePrefix is True


def test_names_of_any_cjk_character_are_kept():
    name = "阿依古丽·买买提𠀋"
    (row,) = table(open_book(tenstar_workbook(sheet(line(name, (A,) * 10)))).active)
    assert row["姓名"].value == name


def test_the_sheet_is_print_ready():
    ws = open_book(tenstar_workbook(sheet(line("王建国", (A,) * 10)))).active
    assert_print_ready(ws, header_row(ws))


def test_the_footer_has_signature_lines_and_an_empty_review_box():
    found = texts(open_book(tenstar_workbook(sheet(line("王建国", (A,) * 10)))).active)
    for who in ("支部书记：", "计票人：", "监票人：", "日期："):
        assert any(t.startswith(who) for t in found), who
    assert "乡镇审核意见" in found
    assert any("（盖章）" in t and "年　月　日" in t for t in found)


def test_an_approved_year_carries_the_opinion_and_date_in_the_review_box():
    review = Review("评定程序规范，同意。", date(2026, 12, 20))
    found = texts(
        open_book(tenstar_workbook(sheet(line("王建国", (A,) * 10), review=review))).active
    )
    assert "评定程序规范，同意。" in found
    assert any("2026 年 12 月 20 日" in t for t in found)


def test_sheet_names_are_legal_and_namesakes_numbered():
    assert sheet_name("东/沙:村*?", []) == "东沙村"
    assert sheet_name("东沙村", ["东沙村"]) == "东沙村(2)"
    assert len(sheet_name("村" * 40, [])) == 31
