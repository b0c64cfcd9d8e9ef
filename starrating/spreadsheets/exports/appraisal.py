"""村干部年度考核表: a summary of the village's cadres, then a sheet per cadre with the pledge
items (weight, Q1–Q4 progress, verified completion), the ballot, the township's score, the
combined score, grade, flags and the pay breakdown — the figures of the appraisal pages."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.worksheet.worksheet import Worksheet

from starrating.rules.appraisal import AppraisalOutcome
from starrating.spreadsheets.exports.layout import (
    CENTER,
    HEADER,
    INTEGER,
    MONEY,
    RATE,
    SCORE,
    TEXT,
    Column,
    Heading,
    book_bytes,
    fit_height,
    fit_width,
    footer,
    header_row,
    merge,
    new_book,
    notes,
    percent_cell,
    put,
    sheet_name,
    span_width,
    title_block,
    write_row,
)

TITLE = "村干部年度考核表"
SUMMARY = "考核汇总"
QUARTERS = ("一季度", "二季度", "三季度", "四季度")


@dataclass(frozen=True)
class ItemLine:
    position: int
    content: str
    indicator: str
    weight: int
    quarters: tuple[Decimal | None, ...]  # progress % of Q1..Q4, None when not reported
    verified: Decimal | None  # 核定完成 %, None until verified


@dataclass(frozen=True)
class CadreLine:
    name: str
    post: str
    base_pay: Decimal
    reward_amount: Decimal
    performance_pay: Decimal
    last_year_grade: str | None
    items: Sequence[ItemLine]
    outcome: AppraisalOutcome | None
    waiting: str | None


@dataclass(frozen=True)
class CadreBook:
    heading: Heading
    ballot_note: str  # which certified round the ballot figures come from
    cadres: Sequence[CadreLine]
    lines: tuple[str, ...] = ()  # more lines under the title (an archived version's facts)


def flags_text(outcome: AppraisalOutcome) -> str:
    """处理 as the pages write it: the flags or 无, and a missing component that was dropped."""
    text = "、".join(flag.label for flag in outcome.flags) or "无"
    if outcome.combined.renormalised:
        text += f"；缺少{'、'.join(outcome.combined.missing)}，已折算"
    return text


# --- the summary sheet --------------------------------------------------------------------------


def _summary_columns(book: CadreBook) -> list[Column]:
    names = fit_width((c.name for c in book.cadres), least=8, most=16)
    posts = fit_width((c.post for c in book.cadres), least=10, most=24)
    return [
        Column("序号", 5, CENTER),
        Column("姓名", names, TEXT),
        Column("职务", posts, TEXT),
        Column("完成率", 8, RATE),
        Column("测评得分", 8, SCORE),
        Column("综合满意率", 10, RATE),
        Column("乡镇评价", 8, SCORE),
        Column("综合得分", 8, SCORE),
        Column("等次", 9, CENTER),
        Column("处理", 16, TEXT),
        Column("基本工资", 11, MONEY),
        Column("扣减", 10, MONEY),
        Column("奖励", 10, MONEY),
        Column("绩效", 10, MONEY),
        Column("应发（元）", 11, MONEY),
    ]


def fill_cadre_summary(ws: Worksheet, book: CadreBook) -> None:
    """The summary table of the village's cadres on ws, with title block and footer."""
    columns = _summary_columns(book)
    width = len(columns)
    first = title_block(ws, TITLE, book.heading, width, *book.lines, book.ballot_note)
    header_row(ws, first, columns)
    styles = [c.style for c in columns]
    row = first + 1
    for number, cadre in enumerate(book.cadres, start=1):
        o = cadre.outcome
        if o is None:
            write_row(ws, row, [number, cadre.name, cadre.post], styles[:3])
            fit_height(ws, row, cadre.post, columns[2].width)
            merge(ws, row, 4, width, cadre.waiting or "", TEXT)
        else:
            values = [
                number,
                cadre.name,
                cadre.post,
                percent_cell(o.completion),
                o.ballot_score,
                percent_cell(o.satisfaction),
                o.township_score,
                o.combined_score,
                o.grade.label,
                flags_text(o),
                o.pay.base_pay,
                o.pay.deduction,
                o.pay.reward,
                o.pay.performance,
                o.total_pay,
            ]
            write_row(ws, row, values, styles)
            fit_height(ws, row, flags_text(o), columns[9].width)
        row += 1
    footer(ws, row, width, book.heading.review)


# --- one cadre's sheet --------------------------------------------------------------------------


def _item_columns(cadre: CadreLine) -> list[Column]:
    contents = fit_width((i.content for i in cadre.items), least=20, most=36)
    indicators = fit_width((i.indicator for i in cadre.items), least=16, most=30)
    return [
        Column("序号", 6, CENTER),
        Column("承诺内容", contents, TEXT),
        Column("指标与目标", indicators, TEXT),
        Column("权重", 6, INTEGER),
        *(Column(q, 8, RATE) for q in QUARTERS),
        Column("核定完成", 9, RATE),
    ]


def _line(outcome: AppraisalOutcome, start: str) -> str:
    return next((line for line in outcome.explanation if line.startswith(start)), "")


def _result_rows(cadre: CadreLine, o: AppraisalOutcome) -> list[tuple[str, object, str, str]]:
    """(label, value, style, note) for the figures under the items table."""
    counts = o.ballot.counts
    ballot: list[tuple[str, object, str, str]] = []
    if counts is not None:
        ballot = [
            ("满意（票）", counts.satisfied, INTEGER, ""),
            ("基本满意（票）", counts.basic, INTEGER, ""),
            ("不满意（票）", counts.dissatisfied, INTEGER, ""),
            ("不了解（票）", counts.unknown, INTEGER, "不计入有效票"),
            ("有效票", counts.valid, INTEGER, ""),
        ]
    pay = o.pay
    return [
        ("完成率", percent_cell(o.completion), RATE, _line(o, "完成率 r")),
        *ballot,
        ("测评得分", o.ballot_score, SCORE, _line(o, "测评得分") or "群众测评未举行或无有效票"),
        ("综合满意率", percent_cell(o.satisfaction), RATE, ""),
        ("不满意率", percent_cell(o.dissatisfied), RATE, ""),
        ("乡镇评价", o.township_score, SCORE, "" if o.township_score is not None else "未评"),
        ("综合得分", o.combined_score, SCORE, "；".join(o.combined.explanation)),
        ("等次", o.grade.label, CENTER, _line(o, "等次：")),
        ("处理", flags_text(o), CENTER, ""),
        ("基本工资（元）", pay.base_pay, MONEY, pay.explanation[0] if pay.explanation else ""),
        ("扣减（元）", pay.deduction, MONEY, "；".join(pay.explanation[1:-1])),
        ("奖励（元）", pay.reward, MONEY, ""),
        ("绩效工资（元）", pay.performance, MONEY, ""),
        ("应发（元）", o.total_pay, MONEY, pay.explanation[-1] if pay.explanation else ""),
    ]


def _cadre_sheet(ws: Worksheet, book: CadreBook, cadre: CadreLine) -> None:
    columns = _item_columns(cadre)
    width = len(columns)
    last = cadre.last_year_grade or "无"
    first = title_block(
        ws,
        TITLE,
        book.heading,
        width,
        f"姓名：{cadre.name}　　职务：{cadre.post}　　上年度等次：{last}",
    )
    header_row(ws, first, columns)
    styles = [c.style for c in columns]
    row = first + 1
    for item in cadre.items:
        quarters = [percent_cell(q) for q in item.quarters]
        values = [item.position, item.content, item.indicator, item.weight, *quarters]
        write_row(ws, row, [*values, percent_cell(item.verified)], styles)
        row += 1
    if not cadre.items:
        merge(ws, row, 1, width, "尚无年度承诺", TEXT)
        row += 1
    row = notes(ws, row, width, ["季度进度为每季度汇报的进度；核定完成超过 100% 的按 100% 计。"])
    row = _results(ws, row, width, cadre, book.ballot_note)
    footer(ws, row, width, book.heading.review)


def _results(ws: Worksheet, row: int, width: int, cadre: CadreLine, ballot_note: str) -> int:
    """The result block: 项目 (columns 1–2), 数值 (3), 说明 (4 to the last)."""
    merge(ws, row, 1, width, "考核结果", HEADER)
    row += 1
    if cadre.outcome is None:
        merge(ws, row, 1, width, cadre.waiting or "", TEXT)
        return row + 1
    span = span_width(ws, 4, width)
    for label, value, style, note in _result_rows(cadre, cadre.outcome):
        merge(ws, row, 1, 2, label, TEXT)
        put(ws, row, 3, value, style)
        merge(ws, row, 4, width, note, TEXT)
        fit_height(ws, row, note, span)
        row += 1
    return notes(ws, row, width, [ballot_note])


def cadre_workbook(book: CadreBook) -> bytes:
    """The village-year's 村干部年度考核表 as .xlsx bytes: the summary, then a sheet per cadre."""
    workbook = new_book()
    fill_cadre_summary(workbook.create_sheet(SUMMARY), book)
    for cadre in book.cadres:
        ws = workbook.create_sheet(sheet_name(f"{cadre.name}（{cadre.post}）", workbook.sheetnames))
        _cadre_sheet(ws, book, cadre)
    return book_bytes(workbook)
