"""What every exported sheet shares: named styles, inert text cells, the title block, the header
row with print settings, the signature lines and the township's review box (DESIGN.md §9)."""

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from math import ceil

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

#: Song-style type, as township offices print; LibreOffice maps it through fontconfig.
FONT = "宋体"
#: the characters that make a spreadsheet program read text as a formula (DESIGN.md §11)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
#: control characters an .xlsx may not hold; openpyxl refuses them
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
SHEET_NAME_LIMIT = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")

TITLE, SUBTITLE, HEADER, TEXT, CENTER, NOTE = "标题", "副标题", "表头", "文字", "居中", "说明"
INTEGER, SCORE, RATE, MONEY, SIGN = "整数", "分数", "比率", "金额", "签名"
BOX, SEAL = "意见框", "盖章处"


@dataclass(frozen=True)
class Review:
    """The township's approval of the village's year: the opinion and the day, for the box."""

    opinion: str
    on: date


@dataclass(frozen=True)
class Heading:
    """The title block: whose sheet, which year, printed when, and the approval if any."""

    township: str
    year: int
    printed_on: date
    village: str | None = None
    review: Review | None = None


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    style: str = TEXT


def _thin() -> Border:
    side = Side(style="thin", color="000000")
    return Border(left=side, right=side, top=side, bottom=side)


def _style(name: str, **parts: object) -> NamedStyle:
    style = NamedStyle(name=name)
    style.font = parts.pop("font", Font(name=FONT, size=11))  # type: ignore[assignment]
    for key, value in parts.items():
        setattr(style, key, value)
    return style


def _styles() -> list[NamedStyle]:
    """One NamedStyle per kind of cell: a cell then stores a style id, not its own Font,
    Border and Alignment (a third faster on big sheets, DESIGN.md §11)."""
    middle = Alignment(vertical="center", wrap_text=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center")
    boxed = {"border": _thin()}
    return [
        _style(TITLE, font=Font(name=FONT, size=18, bold=True), alignment=centred),
        _style(SUBTITLE, alignment=Alignment(horizontal="center", vertical="center")),
        _style(
            HEADER,
            font=Font(name=FONT, size=11, bold=True),
            alignment=centred,
            fill=PatternFill("solid", fgColor="EDEDED"),
            **boxed,
        ),
        _style(TEXT, alignment=middle, **boxed),
        _style(CENTER, alignment=centred, **boxed),
        _style(NOTE, font=Font(name=FONT, size=10), alignment=Alignment(wrap_text=True)),
        _style(INTEGER, alignment=right, number_format="0", **boxed),
        _style(SCORE, alignment=right, number_format="0.0", **boxed),
        _style(RATE, alignment=right, number_format="0.0%", **boxed),
        _style(MONEY, alignment=right, number_format="#,##0.00", **boxed),
        _style(
            BOX, alignment=Alignment(horizontal="left", vertical="top", wrap_text=True), **boxed
        ),
        _style(SEAL, alignment=Alignment(horizontal="right", vertical="center"), **boxed),
        _style(SIGN, alignment=Alignment(horizontal="left", vertical="bottom")),
    ]


_STYLE_ARRAYS = "starrating_style_arrays"


def new_book() -> Workbook:
    """An empty workbook (no sheet yet) with the export styles registered."""
    book = Workbook()
    book.remove(book.active)
    arrays = {}
    for style in _styles():
        book.add_named_style(style)
        arrays[style.name] = style.as_tuple()
    setattr(book, _STYLE_ARRAYS, arrays)
    return book


def styled(cell: Cell, style: str) -> None:
    """cell.style = style, without openpyxl's lookup of the name among the workbook's styles
    on every cell (a tenth of a township workbook's time): the registered style's array, as
    openpyxl itself would copy it."""
    arrays = getattr(cell.parent.parent, _STYLE_ARRAYS, None)
    if arrays is None:
        cell.style = style
    else:
        cell._style = copy(arrays[style])


def book_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_name(name: str, taken: Iterable[str]) -> str:
    """A legal, unique sheet name: no []:*?/\\', at most 31 characters, a number added for a
    namesake."""
    base = _SHEET_NAME_FORBIDDEN.sub("", _ILLEGAL.sub("", name)).strip() or "表"
    base = base[:SHEET_NAME_LIMIT]
    used = {n.lower() for n in taken}
    found, serial = base, 2
    while found.lower() in used:
        suffix = f"({serial})"
        found, serial = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix, serial + 1
    return found


def put(ws: Worksheet, row: int, column: int, value: object, style: str = TEXT) -> Cell:
    """Write one cell: text stays text (a leading = + - @ or control character gets a quote
    prefix, never a live formula), numbers stay numbers, None leaves the cell blank."""
    cell: Cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = _ILLEGAL.sub("", value)
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    elif value is not None:
        cell.value = value
    styled(cell, style)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # after the style, which would reset it
    return cell


def percent_cell(value: Decimal | None) -> Decimal | None:
    """A rate shown as 85.0 (%) on the pages → 0.85 in a cell formatted 0.0%."""
    return None if value is None else value / 100


def display_width(text: str) -> float:
    """Columns a text needs: a CJK character is two, a space half, others one."""
    return sum(
        2 if unicodedata.east_asian_width(ch) in "WF" else 0.5 if ch == " " else 1 for ch in text
    )


def fit_width(values: Iterable[str], *, least: float, most: float) -> float:
    widest = max((display_width(v) for v in values), default=0)
    return min(max(widest + 2, least), most)


def merge_range(ws: Worksheet, top: int, left: int, bottom: int, right: int) -> None:
    """Merge a block whose cells are styled already. openpyxl's merge_cells would restyle the
    block's edges cell by cell (half the time of a township workbook); the covered cells keep
    their own style here, as Excel itself writes them."""
    ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"
    ws.merged_cells.add(MergedCellRange(ws, ref))


def merge(ws: Worksheet, row: int, first: int, last: int, value: object, style: str) -> Cell:
    """One merged cell across columns first..last of a row; every covered cell keeps the style
    so that borders print all round."""
    cell = put(ws, row, first, value, style)
    for column in range(first + 1, last + 1):
        styled(ws.cell(row=row, column=column), style)
    if last > first:
        merge_range(ws, row, first, row, last)
    return cell


def title_block(ws: Worksheet, title: str, heading: Heading, width: int, *lines: str) -> int:
    """Rows 1–2 (and a line per extra): the title, then township, village, year and the day
    printed. Returns the next free row."""
    merge(ws, 1, 1, width, title, TITLE)
    ws.row_dimensions[1].height = 34
    facts = [f"乡镇：{heading.township}"]
    if heading.village:
        facts.append(f"村：{heading.village}")
    facts += [f"年度：{heading.year} 年", f"制表日期：{heading.printed_on:%Y-%m-%d}"]
    merge(ws, 2, 1, width, "　　".join(facts), SUBTITLE)
    ws.row_dimensions[2].height = 20
    row = 3
    for line in lines:
        merge(ws, row, 1, width, line, SUBTITLE)
        row += 1
    return row


def header_row(ws: Worksheet, row: int, columns: Sequence[Column], *, height: float = 30) -> None:
    """The table's header at row: widths set, frozen below it, and rows 1..row repeated on
    every printed page."""
    for index, column in enumerate(columns, start=1):
        put(ws, row, index, column.header, HEADER)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.row_dimensions[row].height = height
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    print_setup(ws, title_rows=row)


def print_setup(ws: Worksheet, *, title_rows: int) -> None:
    """A4 landscape, one page wide (as many pages tall as needed), title rows repeated, centred,
    numbered pages."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{title_rows}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.8
    ws.page_margins.footer = 0.4  # the page number well clear of the paper's edge
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def write_row(ws: Worksheet, row: int, values: Sequence[object], styles: Sequence[str]) -> None:
    for column, (value, style) in enumerate(zip(values, styles, strict=True), start=1):
        put(ws, row, column, value, style)


def span_width(ws: Worksheet, first: int, last: int) -> float:
    """The width of columns first..last in character units (8.43 where none was set)."""
    total = 0.0
    for column in range(first, last + 1):
        width = ws.column_dimensions[get_column_letter(column)].width
        total += width if width else 8.43
    return total


def fit_height(ws: Worksheet, row: int, text: str, span: float, *, line: float = 15) -> None:
    """Give a row of wrapped text the lines it needs: spreadsheet programs do not grow a row
    for a merged cell, and LibreOffice not for a row whose height is unset either."""
    lines = max(1, ceil(display_width(text) / max(span - 1, 1)))
    if lines > 1:
        current = ws.row_dimensions[row].height or line
        ws.row_dimensions[row].height = max(current, line * lines + 3)


def notes(ws: Worksheet, row: int, width: int, lines: Sequence[str]) -> int:
    """Wrapped explanatory lines under a table, each across the width; returns the next row."""
    span = span_width(ws, 1, width)
    for text in lines:
        merge(ws, row, 1, width, text, NOTE)
        fit_height(ws, row, text, span, line=14)
        row += 1
    return row


SIGNERS = ("支部书记", "计票人", "监票人", "日期")


def signature_lines(ws: Worksheet, row: int, width: int) -> int:
    """支部书记、计票人、监票人、日期, each with room to sign, spread over the width."""
    row += 1
    for (first, last), who in zip(_segments(ws, width, len(SIGNERS)), SIGNERS, strict=True):
        blank = "　　年　　月　　日" if who == "日期" else "＿＿＿＿＿＿"
        merge(ws, row, first, last, f"{who}：{blank}", SIGN)
    ws.row_dimensions[row].height = 30
    return row + 1


def _segments(ws: Worksheet, width: int, parts: int) -> list[tuple[int, int]]:
    """Split columns 1..width into parts runs of nearly equal printed width."""
    if width <= parts:
        return [(min(i + 1, width), min(i + 1, width)) for i in range(parts)]
    edges = [0.0]
    for column in range(1, width + 1):
        edges.append(edges[-1] + span_width(ws, column, column))
    cuts = [0]
    for part in range(1, parts):
        wanted = edges[-1] * part / parts
        free = range(cuts[-1] + 1, width - (parts - part) + 1)
        cuts.append(min(free, key=lambda c: abs(edges[c] - wanted)))
    cuts.append(width)
    return [(cuts[i] + 1, cuts[i + 1]) for i in range(parts)]


def footer(ws: Worksheet, row: int, width: int, review: Review | None) -> int:
    """The signature lines and the review box, kept together on one printed page."""
    end = review_box(ws, signature_lines(ws, row, width), width, review)
    keep_together(ws, row, end - 1, width)
    return end


# A4 landscape less the margins of print_setup, in points; rows are 15 pt unless set.
PRINTABLE_WIDTH, PRINTABLE_HEIGHT, ROW_HEIGHT = 780.0, 470.0, 15.0


def _row_height(ws: Worksheet, row: int) -> float:
    return ws.row_dimensions[row].height or ROW_HEIGHT


def keep_together(ws: Worksheet, first: int, last: int, width: int) -> None:
    """Start rows first..last on a new page when, printed one page wide, they would straddle
    a page break (an estimate from column widths and row heights; the title rows repeat)."""
    table_points = (span_width(ws, 1, width) * 7 + 5 * width) * 0.75
    page = PRINTABLE_HEIGHT / min(1.0, PRINTABLE_WIDTH / table_points)
    titles = int(str(ws.print_title_rows or "1:0").split(":")[-1].lstrip("$") or 0)
    repeated = sum(_row_height(ws, r) for r in range(1, titles + 1))
    used = 0.0
    for row in range(1, first):
        height = _row_height(ws, row)
        used = repeated + height if used + height > page else used + height
    block = sum(_row_height(ws, r) for r in range(first, last + 1))
    if used + block > page and block < page - repeated:
        ws.row_breaks.append(Break(id=first - 1))


def review_box(ws: Worksheet, row: int, width: int, review: Review | None) -> int:
    """The 乡镇审核意见 box: the approval opinion when the township approved the year, else
    blank for the handwritten opinion; room for the seal and the date at the bottom right."""
    row += 1
    merge(ws, row, 1, width, "乡镇审核意见", HEADER)
    top, bottom = row + 1, row + 4
    put(ws, top, 1, (review.opinion or "审核通过。") if review else "", BOX)
    for r in range(top, bottom + 1):
        for column in range(1, width + 1):
            styled(ws.cell(row=r, column=column), BOX if r < bottom else SEAL)
        ws.row_dimensions[r].height = 22
    merge_range(ws, top, 1, bottom - 1, width)
    day = f"{review.on.year} 年 {review.on.month} 月 {review.on.day} 日" if review else "年　月　日"
    merge(ws, bottom, 1, width, f"（盖章）　　　　审核日期：{day}　", SEAL)
    ws.row_dimensions[bottom].height = 40
    return bottom + 1
