"""民主测评统计表: a closed round's figures and, a sheet per section, each subject's counts, rates
and score — the figures of the tally page."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl.worksheet.worksheet import Worksheet

from starrating.rules.ballots import Choice, RoundTally, SubjectTally
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
    merge,
    new_book,
    notes,
    percent_cell,
    put,
    sheet_name,
    title_block,
    write_row,
)

TITLE = "民主测评统计表"
RATE_NOTE = (
    "说明：有效票 = 满意 + 基本满意 + 不满意（不了解和未填不计入）；"
    "党员的认可率、村干部的综合满意率 =（满意 + 基本满意）/ 有效票；"
    "满意率 = 满意 / 有效票（只计满意）；不满意率 = 不满意 / 有效票；"
    "测评得分 = Σ 票数 × 分值 / 有效票（满意 100、基本满意 70、不满意 30）。"
    "百分数和得分四舍五入到 0.1。"
)


@dataclass(frozen=True)
class SubjectLine:
    position: int | None  # 序号: a member's in the year's roster, a cadre's on the ballot
    name: str
    tally: SubjectTally


@dataclass(frozen=True)
class RoundSection:
    label: str
    scored: bool  # the cadre section shows the weighted score
    subjects: Sequence[SubjectLine]
    approval_rate_label: str = "认可率"  # (满意 + 基本满意) / 有效票: 综合满意率 for cadres


@dataclass(frozen=True)
class CodeAccount:
    """The round's codes: printed = voided (lost, spoiled) + used on phones + on paper + never
    used; never used ones are written off (核销) before certification."""

    printed: int
    voided: int
    phone: int
    paper: int
    never_used: int
    written_off: bool


@dataclass(frozen=True)
class RoundSheet:
    heading: Heading
    title: str
    electorate: str
    tally: RoundTally[int]
    certified_on: date | None
    sections: Sequence[RoundSection]
    codes: CodeAccount | None = None


_FIGURES = ("应参加", "发出", "收回", "有效票", "空白票", "参与率", "法定人数", "结果")


def _figures(ws: Worksheet, row: int, sheet: RoundSheet) -> int:
    """The round's totals as a two-row block: labels, then the numbers."""
    t = sheet.tally
    verdict = "有效" if t.counts else "未达，需补测"
    values: list[object] = [
        t.eligible,
        t.issued,
        t.returned,
        t.valid_ballots,
        t.blank_ballots,
        percent_cell(t.turnout_shown),
        t.quorum.required(t.eligible),
        verdict,
    ]
    styles = [INTEGER] * 5 + [RATE, INTEGER, CENTER]
    row = _block(ws, row, _FIGURES, values, styles)
    if (codes := sheet.codes) is not None:
        unused = "已核销" if codes.written_off else "尚未核销"
        code_values: list[object] = [
            codes.printed,
            codes.voided,
            codes.phone,
            codes.paper,
            codes.never_used,
            unused,
        ]
        row = _block(ws, row, _CODES, code_values, [INTEGER] * 5 + [CENTER])
    return row


_CODES = ("印制", "作废补发", "手机投票", "纸质选票", "未使用", "核销")


def _block(
    ws: Worksheet, row: int, labels: Sequence[str], values: list[object], styles: list[object]
) -> int:
    """A two-row block of figures: labels, then the numbers."""
    for column, label in enumerate(labels, start=1):
        put(ws, row, column, label, HEADER)
    write_row(ws, row + 1, values, styles)
    ws.row_dimensions[row].height = ws.row_dimensions[row + 1].height = 30
    return row + 2


def _columns(section: RoundSection) -> list[Column]:
    names = fit_width((s.name for s in section.subjects), least=9, most=16)
    columns = [
        Column("序号", 6, CENTER),
        Column("姓名", names, TEXT),
        *(Column(choice.label, 9, INTEGER) for choice in Choice),
        Column("空白", 9, INTEGER),
        Column("有效票", 9, INTEGER),
        Column(section.approval_rate_label, 10, RATE),
        Column("满意率", 9, RATE),
        Column("不满意率", 9, RATE),
    ]
    return [*columns, Column("测评得分", 9, SCORE)] if section.scored else columns


def _fill_section(ws: Worksheet, sheet: RoundSheet, section: RoundSection) -> None:
    columns = _columns(section)
    width = len(columns)
    certified = f"{sheet.certified_on:%Y-%m-%d}" if sheet.certified_on else "尚未确认"
    row = title_block(
        ws,
        TITLE,
        sheet.heading,
        width,
        f"测评：{sheet.title}　　参加对象：{sheet.electorate}　　计票确认：{certified}",
    )
    row = _figures(ws, row, sheet)
    merge(ws, row, 1, width, section.label, HEADER)
    header_row(ws, row + 1, columns)
    styles = [c.style for c in columns]
    row += 2
    for line in section.subjects:
        t, c = line.tally, line.tally.counts
        values: list[object] = [
            line.position,
            line.name,
            *(c.of(choice) for choice in Choice),
            c.blank,
            t.valid,
            percent_cell(t.recognition_shown),
            percent_cell(t.satisfaction_shown),
            percent_cell(t.dissatisfied_shown),
        ]
        if section.scored:
            values.append(t.score_shown)
        write_row(ws, row, values, styles)
        row += 1
    row = notes(ws, row, width, [RATE_NOTE, *sheet.tally.explain()])
    footer(ws, row, width, sheet.heading.review)


def round_workbook(sheet: RoundSheet) -> bytes:
    """The round's 民主测评统计表 as .xlsx bytes: a sheet per section (members, cadres)."""
    book = new_book()
    for section in sheet.sections:
        _fill_section(book.create_sheet(sheet_name(section.label, book.sheetnames)), sheet, section)
    if not sheet.sections:
        _fill_section(book.create_sheet(TITLE), sheet, RoundSection("测评对象", False, ()))
    return book_bytes(book)
