"""党员十星级评定汇总表: one row per member of a village's year, as the results page shows it."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from starrating.rules.tenstar import StarStatus
from starrating.spreadsheets.exports.layout import (
    CENTER,
    INTEGER,
    RATE,
    TEXT,
    Column,
    Heading,
    book_bytes,
    fit_height,
    fit_width,
    footer,
    header_row,
    new_book,
    notes,
    percent_cell,
    sheet_name,
    title_block,
    write_row,
)

TITLE = "党员十星级评定汇总表"
AWARDED, NOT_AWARDED, UNDECIDED = "★", "", "—"
LEGEND = (
    "说明：★ 授星；空白 未授星（含一票否决、群众星样本不足）；— 待定（尚未评分或群众测评"
    "尚未计票确认）或免评。认可率 =（满意 + 基本满意）/ 有效票，满意率 = 满意 / 有效票，"
    "四舍五入到 0.1%。"
)


@dataclass(frozen=True)
class MemberLine:
    """One member's year: stars in the scheme's order (the status counted: AWARDED only for a
    star that counts), rates in percent as published (0.1), the grade and the remarks. number
    is the member's 序号 in the year's roster, the same in the 民主测评统计表."""

    number: int
    name: str
    gender: str
    category: str
    stars: tuple[StarStatus, ...]
    exempt: bool
    star_count: int
    recognition: Decimal | None
    satisfaction: Decimal | None
    grade: str
    note: str


@dataclass(frozen=True)
class TenStarSheet:
    heading: Heading
    stage: str
    star_names: tuple[str, ...]
    members: Sequence[MemberLine]
    grade_counts: Sequence[tuple[str, int]]
    lines: tuple[str, ...] = ()  # more lines under the title (an archived version's facts)


def star_mark(status: StarStatus, *, exempt: bool) -> str:
    """★ for a star that counts, blank for one not awarded, — while undecided or exempt."""
    if exempt or status is StarStatus.UNDECIDED:
        return UNDECIDED
    return AWARDED if status is StarStatus.AWARDED else NOT_AWARDED


def _columns(sheet: TenStarSheet) -> list[Column]:
    names = [m.name for m in sheet.members]
    notes_ = [m.note for m in sheet.members]
    return [
        Column("序号", 5, CENTER),
        Column("姓名", fit_width(names, least=8, most=16), TEXT),
        Column("性别", 5, CENTER),
        Column("类别", 9, CENTER),
        *(Column(name, 6.5, CENTER) for name in sheet.star_names),
        Column("星数", 5.5, INTEGER),
        Column("认可率", 8, RATE),
        Column("满意率", 8, RATE),
        Column("等次", 11, CENTER),
        Column("备注", fit_width(notes_, least=16, most=40), TEXT),
    ]


def fill_tenstar_sheet(ws: Worksheet, sheet: TenStarSheet) -> None:
    """The summary table of one village's year on ws, with title block, footer and review box."""
    columns = _columns(sheet)
    width = len(columns)
    counts = "　".join(f"{label} {count} 人" for label, count in sheet.grade_counts)
    stage = f"评定阶段：{sheet.stage}　　{counts}"
    first = title_block(ws, TITLE, sheet.heading, width, *sheet.lines, stage)
    header_row(ws, first, columns, height=48)
    styles = [c.style for c in columns]
    row = first + 1
    for m in sheet.members:
        marks = [star_mark(status, exempt=m.exempt) for status in m.stars]
        values = [
            m.number,
            m.name,
            m.gender,
            m.category,
            *marks,
            m.star_count,
            percent_cell(m.recognition),
            percent_cell(m.satisfaction),
            m.grade,
            m.note,
        ]
        write_row(ws, row, values, styles)
        if m.note:
            fit_height(ws, row, m.note, columns[-1].width)
        row += 1
    row = notes(ws, row, width, [LEGEND])
    footer(ws, row, width, sheet.heading.review)


def add_tenstar_sheet(book: Workbook, sheet: TenStarSheet, title: str) -> Worksheet:
    ws = book.create_sheet(sheet_name(title, book.sheetnames))
    fill_tenstar_sheet(ws, sheet)
    return ws


def tenstar_workbook(sheet: TenStarSheet) -> bytes:
    """The village-year's 党员十星级评定汇总表 as .xlsx bytes."""
    book = new_book()
    add_tenstar_sheet(book, sheet, TITLE)
    return book_bytes(book)
