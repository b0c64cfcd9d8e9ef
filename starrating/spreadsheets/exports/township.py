"""乡镇年度汇总: a summary sheet (per village: stage, members, grades, average stars, turnout,
cadre grades) with a bar chart of the grades, then each village's 党员十星级评定汇总表."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from starrating.spreadsheets.exports.layout import (
    CENTER,
    HEADER,
    INTEGER,
    RATE,
    SCORE,
    TEXT,
    Column,
    Heading,
    book_bytes,
    fit_width,
    footer,
    header_row,
    merge_range,
    new_book,
    notes,
    percent_cell,
    put,
    title_block,
    write_row,
)
from starrating.spreadsheets.exports.tenstar import TenStarSheet, add_tenstar_sheet

TITLE = "乡镇年度汇总"
SUMMARY = "汇总"
CHART_TITLE = "各村党员评定等次"
WAITING = "待定"


@dataclass(frozen=True)
class VillageLine:
    name: str
    stage: str
    members: int
    grades: tuple[int, ...]  # in TownshipBook.grade_labels order
    average_stars: Decimal | None
    turnout: Decimal | None  # percent, 0.1, of the latest member round
    cadre_grades: tuple[int, ...]  # in TownshipBook.cadre_grade_labels order, then 待定
    sheet: TenStarSheet | None  # None: the village has not opened the year


@dataclass(frozen=True)
class TownshipBook:
    heading: Heading
    grade_labels: tuple[str, ...]
    charted_grades: tuple[str, ...]  # the grades the chart shows, a subset of grade_labels
    cadre_grade_labels: tuple[str, ...]
    villages: Sequence[VillageLine]


def _columns(book: TownshipBook) -> list[Column]:
    names = fit_width((v.name for v in book.villages), least=10, most=20)
    return [
        Column("序号", 5, CENTER),
        Column("村", names, TEXT),
        Column("阶段", 11, CENTER),
        Column("党员数", 7, INTEGER),
        *(Column(label, 7, INTEGER) for label in book.grade_labels),
        Column("平均星数", 8, SCORE),
        Column("参与率", 8, RATE),
        *(Column(label, 7, INTEGER) for label in (*book.cadre_grade_labels, WAITING)),
    ]


def _group_row(ws: Worksheet, row: int, book: TownshipBook, columns: Sequence[Column]) -> None:
    """The row above the header naming the two groups; other columns span both rows."""
    grades_from = 5
    cadres_from = grades_from + len(book.grade_labels) + 2
    groups = {
        grades_from: ("党员评定等次（人）", len(book.grade_labels)),
        cadres_from: ("村干部考核等次（人）", len(book.cadre_grade_labels) + 1),
    }
    column = 1
    while column <= len(columns):
        if column in groups:
            label, span = groups[column]
            for c in range(column, column + span):
                put(ws, row, c, label if c == column else None, HEADER)
            merge_range(ws, row, column, row, column + span - 1)
            column += span
            continue
        put(ws, row, column, columns[column - 1].header, HEADER)
        ws.cell(row=row + 1, column=column).value = None  # covered by the cell above
        merge_range(ws, row, column, row + 1, column)
        column += 1


def _summary(ws: Worksheet, book: TownshipBook) -> tuple[int, int]:
    """The summary table; returns its first and last data rows."""
    columns = _columns(book)
    width = len(columns)
    first = title_block(ws, TITLE, book.heading, width, f"共 {len(book.villages)} 个村")
    header_row(ws, first + 1, columns)
    _group_row(ws, first, book, columns)
    styles = [c.style for c in columns]
    row = start = first + 2
    for number, village in enumerate(book.villages, start=1):
        values = [
            number,
            village.name,
            village.stage,
            village.members,
            *village.grades,
            village.average_stars,
            percent_cell(village.turnout),
            *village.cadre_grades,
        ]
        write_row(ws, row, values, styles)
        row += 1
    totals = [
        None,
        "合计",
        None,
        sum(v.members for v in book.villages),
        *(sum(col) for col in zip(*(v.grades for v in book.villages), strict=True)),
        None,
        None,
        *(sum(col) for col in zip(*(v.cadre_grades for v in book.villages), strict=True)),
    ]
    if book.villages:
        write_row(ws, row, totals, styles)
        row += 1
    return start, row - 1


def _chart(ws: Worksheet, book: TownshipBook, first: int, last: int, anchor_row: int) -> None:
    """A stacked bar per village of its members by grade, read from the summary's cells."""
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = CHART_TITLE
    chart.y_axis.title = "人数"
    chart.x_axis.title = "村"
    villages_only = last - 1 if book.villages else last  # leave the 合计 row out
    for label in book.charted_grades:
        column = 5 + book.grade_labels.index(label)
        data = Reference(ws, min_col=column, min_row=first - 1, max_row=villages_only)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=first, max_row=villages_only))
    chart.width = 26
    chart.height = 11 if len(book.villages) <= 60 else 16
    ws.row_breaks.append(Break(id=anchor_row - 1))  # the chart prints whole, on its own page
    ws.add_chart(chart, f"A{anchor_row}")


def township_workbook(book: TownshipBook, *, village_sheets: bool = True) -> bytes:
    """The township-year workbook as .xlsx bytes: the summary with its chart, then (unless
    village_sheets is False, for a county-sized summary) one sheet per village."""
    workbook = new_book()
    ws = workbook.create_sheet(SUMMARY)
    first, last = _summary(ws, book)
    width = len(_columns(book))
    row = notes(
        ws,
        last + 1,
        width,
        ["说明：平均星数不含免评党员；参与率为最近一次党员测评的收回票数 / 应参加人数。"],
    )
    row = footer(ws, row, width, None)
    _chart(ws, book, first, last, row + 1)
    if village_sheets:
        for village in book.villages:
            if village.sheet is not None:
                add_tenstar_sheet(workbook, village.sheet, village.name)
    return book_bytes(workbook)
