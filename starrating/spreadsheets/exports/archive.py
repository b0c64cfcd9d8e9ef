"""公示档案: every publication of a village-year as it went public — each version's rows, its
period, who signed it off — and the villagers' objections with their answers (never who filed
them), one sheet each."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl.worksheet.worksheet import Worksheet

from starrating.spreadsheets.exports.appraisal import CadreBook, fill_cadre_summary
from starrating.spreadsheets.exports.layout import (
    CENTER,
    TEXT,
    Column,
    Heading,
    book_bytes,
    fit_height,
    header_row,
    new_book,
    print_setup,
    sheet_name,
    title_block,
    write_row,
)
from starrating.spreadsheets.exports.tenstar import TenStarSheet, fill_tenstar_sheet

TITLE = "公示档案"
OBJECTIONS = "群众异议与答复"


@dataclass(frozen=True)
class ArchivedObjection:
    reference: str
    topic: str
    filed_on: date
    content: str
    answer: str | None
    answered_on: date | None
    answered_by: str | None  # 村党支部 or 乡镇


@dataclass(frozen=True)
class Publication:
    """One version as it went public: its sheet's name and its rows (one of the two)."""

    name: str
    tenstar: TenStarSheet | None = None
    cadres: CadreBook | None = None


@dataclass(frozen=True)
class ArchiveBook:
    heading: Heading
    publications: Sequence[Publication]
    objections: Sequence[ArchivedObjection]


def _objection_columns() -> list[Column]:
    return [
        Column("编号", 12, CENTER),
        Column("事项", 14, CENTER),
        Column("提出日期", 11, CENTER),
        Column("异议内容", 40, TEXT),
        Column("答复", 40, TEXT),
        Column("答复日期", 11, CENTER),
        Column("答复人", 9, CENTER),
    ]


def _objections(book: ArchiveBook, ws: Worksheet) -> None:
    columns = _objection_columns()
    width = len(columns)
    first = title_block(ws, OBJECTIONS, book.heading, width)
    header_row(ws, first, columns)
    styles = [c.style for c in columns]
    row = first + 1
    for o in book.objections:
        values = [
            o.reference,
            o.topic,
            f"{o.filed_on:%Y-%m-%d}",
            o.content,
            o.answer or "尚未答复",
            f"{o.answered_on:%Y-%m-%d}" if o.answered_on else "",
            o.answered_by or "",
        ]
        write_row(ws, row, values, styles)
        longest = max(o.content, o.answer or "", key=len)
        fit_height(ws, row, longest, columns[3].width)
        row += 1
    print_setup(ws, title_rows=first)


def archive_workbook(book: ArchiveBook) -> bytes:
    """The archive as .xlsx bytes: a sheet per publication, oldest first, then the objections."""
    workbook = new_book()
    for publication in book.publications:
        ws = workbook.create_sheet(sheet_name(publication.name, workbook.sheetnames))
        if publication.tenstar is not None:
            fill_tenstar_sheet(ws, publication.tenstar)
        elif publication.cadres is not None:
            fill_cadre_summary(ws, publication.cadres)
    _objections(book, workbook.create_sheet(sheet_name(OBJECTIONS, workbook.sheetnames)))
    return book_bytes(workbook)
