"""乡镇年度汇总 read back: the summary per village with totals, the bar chart of grades, and one
sheet per village that opened its year; a county-sized summary without village sheets."""

from datetime import date
from decimal import Decimal

from openpyxl.chart import BarChart

from starrating.spreadsheets.exports.layout import Heading
from starrating.spreadsheets.exports.tenstar import TenStarSheet
from starrating.spreadsheets.exports.township import TownshipBook, VillageLine, township_workbook
from tests.spreadsheets.exports_reading import assert_print_ready, header_row, open_book, table

GRADES = ("优秀", "优秀资格", "合格", "基本合格", "不合格", "不评定等次", "免评")
CADRE_GRADES = ("优秀", "称职", "基本称职", "不称职")
HEADING = Heading("白沙滩镇", 2026, date(2026, 12, 1))


def village(name: str, grades: tuple[int, ...], *, opened: bool = True) -> VillageLine:
    sheet = TenStarSheet(Heading("白沙滩镇", 2026, date(2026, 12, 1), name), "评分中", (), [], [])
    return VillageLine(
        name=name,
        stage="公示中" if opened else "未开启",
        members=sum(grades),
        grades=grades,
        average_stars=Decimal("8.6") if opened else None,
        turnout=Decimal("60.0") if opened else None,
        cadre_grades=(1, 2, 0, 0, 0),
        sheet=sheet if opened else None,
    )


def book(villages: list[VillageLine]) -> TownshipBook:
    return TownshipBook(
        HEADING, GRADES, ("优秀", "合格", "基本合格", "不合格"), CADRE_GRADES, villages
    )


def test_the_summary_has_a_row_per_village_and_totals():
    found = open_book(
        township_workbook(
            book(
                [
                    village("东沙村", (8, 0, 7, 6, 4, 0, 1)),
                    village("南黄庄村", (0,) * 7, opened=False),
                ]
            )
        )
    )
    assert found.sheetnames == ["汇总", "东沙村"]
    ws = found["汇总"]
    assert ws["A1"].value == "乡镇年度汇总"
    rows = table(ws)
    assert [r["村"].value for r in rows] == ["东沙村", "南黄庄村"]
    assert rows[0]["党员数"].value == 26
    assert rows[0]["不合格"].value == 4
    assert rows[0]["平均星数"].value == 8.6
    assert rows[0]["参与率"].value == 0.6
    assert rows[0]["参与率"].number_format == "0.0%"
    assert rows[1]["阶段"].value == "未开启"
    assert rows[1]["平均星数"].value is None
    header = header_row(ws) + 1  # under the row naming the groups
    assert ws.cell(header + 3, 2).value == "合计"
    assert ws.cell(header + 3, 4).value == 26
    assert_print_ready(ws, header)


def test_the_summary_carries_a_bar_chart_of_the_grades():
    ws = open_book(township_workbook(book([village("东沙村", (8, 0, 7, 6, 4, 0, 1))])))["汇总"]
    (chart,) = ws._charts
    assert isinstance(chart, BarChart)
    assert len(chart.series) == 4


def test_a_county_sized_summary_without_village_sheets():
    villages = [village(f"村{i:03d}", (3, 0, 5, 2, 1, 0, 0)) for i in range(500)]
    found = open_book(township_workbook(book(villages), village_sheets=False))
    assert found.sheetnames == ["汇总"]
    assert len(table(found["汇总"])) == 500
