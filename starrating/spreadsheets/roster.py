"""The member roster sheet: its import template, and an uploaded .xlsx checked cell by cell."""

import codecs
import io
import math
import re
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from starrating.rules.roster import Problem, member_problems, name_problems
from starrating.rules.vocabulary import Gender, MemberCategory, Membership, from_label

ROSTER_HEADERS: tuple[str, ...] = (
    "姓名",
    "性别",
    "出生日期",
    "入党日期",
    "党员身份",
    "类别",
    "联系电话",
    "免评党员大会日期",
    "备注",
)
REQUIRED_HEADERS = frozenset({"姓名", "性别", "出生日期", "党员身份", "类别"})
IGNORED_HEADERS = frozenset({"序号"})  # clerks number their rows; the number means nothing to us
SHEET_TITLE = "党员花名册"
GUIDE_TITLE = "填写说明"
TEMPLATE_TITLE = "党员花名册（导入模板）"
TEMPLATE_HEADER_ROW = 2

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # a roster of hundreds of rows is tens of KB
MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # what the zip says it holds; zipfile never inflates past it
MAX_RATIO = 100  # real sheet XML deflates 5–20 times; a zip bomb about 1,000 times
RATIO_CHECKED_ABOVE = 1024 * 1024
MAX_PARTS = 500
XML_HEAD_BYTES = 64 * 1024  # a DTD can only sit in the prolog, before the root element
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 30
MAX_SHEET_ROWS = 10_000
MAX_NOTE_LENGTH = 200
EARLIEST_DATE = date(1900, 1, 1)

_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # .xls, and any password-protected workbook
_UNREADABLE = "无法读取该文件：文件可能已损坏，或不是用 Excel/WPS 保存的 .xlsx 文件"
_HOSTILE = "文件解压后过大或压缩比异常，疑似恶意文件，不予接受"

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class RosterRow:
    row_number: int
    name: str
    gender: Gender
    birth_date: date
    joined_on: date | None
    membership: Membership
    category: MemberCategory
    phone: str | None
    exempt_meeting_date: date | None
    note: str | None


@dataclass(frozen=True)
class RowError:
    """One reason the upload cannot be imported; row is the Excel row number the user sees."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = (f"第 {self.row} 行" if self.row else "") + (
            f"「{self.column}」" if self.column else ""
        )
        return f"{where}：{self.message}" if where else self.message


@dataclass(frozen=True)
class RosterReadResult:
    rows: list[RosterRow]
    errors: list[RowError]
    blank_rows_skipped: int


class RosterFileRejected(Exception):
    """The whole upload is unusable; message says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_roster(data: bytes, *, filename: str, today: date) -> RosterReadResult:
    """Every row of an uploaded roster, checked; the import may go ahead only if errors is empty.

    A duplicate is the same name and the same birth date: namesakes are common in a village."""
    _check_container(data, filename)
    grid = _read_grid(data)
    header_at = _find_header(grid)
    columns, errors = _map_columns(grid[header_at], header_at + 1)
    if REQUIRED_HEADERS - columns.keys():
        return RosterReadResult([], errors, 0)
    body = [
        {name: _cell(values, i) for name, i in columns.items()} for values in grid[header_at + 1 :]
    ]
    while body and _is_blank(body[-1]):
        body.pop()
    if not body:
        raise RosterFileRejected(
            f"表格中没有党员数据：请从表头下一行（第 {header_at + 2} 行）起填写"
        )
    rows, row_errors, blanks = _read_body(body, header_at + 2, today)
    return RosterReadResult(rows, errors + row_errors, blanks)


# --- the container: refused before a single cell is parsed -------------------------------------


def _check_container(data: bytes, filename: str) -> None:
    if not filename.strip().lower().endswith(".xlsx"):
        raise RosterFileRejected(
            "只接受 .xlsx 格式的 Excel 文件；.xls、.xlsm、.csv 等请先用 Excel 或 WPS“另存为” .xlsx"
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise RosterFileRejected(f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB，不予接受")
    if data.startswith(_OLE_MAGIC):
        raise RosterFileRejected(
            "这是旧版 .xls 文件或设置了打开密码的文件：请去掉密码并“另存为” .xlsx 后再上传"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
        raise RosterFileRejected("这不是有效的 .xlsx 文件（可能是改了扩展名的其他文件）") from exc


def _check_archive(archive: zipfile.ZipFile) -> None:
    parts = archive.infolist()
    # Sizes come from the zip's directory: judged without inflating anything.
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise RosterFileRejected(_HOSTILE)
    for part in parts:
        ratio_too_high = part.file_size > MAX_RATIO * max(part.compress_size, 1)
        if part.file_size > RATIO_CHECKED_ABOVE and ratio_too_high:
            raise RosterFileRejected(_HOSTILE)
    names = {part.filename for part in parts}
    content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if any(name.lower().endswith("vbaproject.bin") for name in names) or any(
        marker in content_types.lower() for marker in (b"macroenabled", b"macrosheet")
    ):
        raise RosterFileRejected("文件含有宏（VBA），为安全起见不予接受；请另存为不含宏的 .xlsx")
    for part in parts:
        with archive.open(part) as stream:
            head = stream.read(XML_HEAD_BYTES)
        if _declares_dtd(head):
            raise RosterFileRejected(
                "文件含有不允许的 XML 声明（DTD/实体），疑似恶意文件，不予接受"
            )


_PROLOG = re.compile(r"(?:\s|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)


def _declares_dtd(head: bytes) -> bool:
    """True when a part's prolog holds a DTD (the door to entity expansion) or is too long to judge.

    Every part is looked at, not only *.xml: openpyxl parses whatever the relationships name.
    defusedxml inside openpyxl is the second line of defence."""
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    text = head.decode("utf-16" if utf16 else "utf-8", errors="replace")
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return True
    match = _PROLOG.match(text)
    rest = text[match.end() :] if match else text
    return rest.startswith("<!") or (not rest and len(head) == XML_HEAD_BYTES)


# --- cells ------------------------------------------------------------------------------------


def _read_grid(data: bytes) -> list[tuple[object, ...]]:
    """The roster sheet's values (a formula as its text, never evaluated), no trailing blanks."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (extensions, missing styles); not our concern.
            warnings.simplefilter("ignore", UserWarning)
            book = load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
            try:
                return _sheet_values(book)
            finally:
                book.close()
    except RosterFileRejected:
        raise
    except Exception as exc:  # openpyxl fails in many ways on a damaged file; all mean "unreadable"
        raise RosterFileRejected(_UNREADABLE) from exc


def _sheet_values(book: Workbook) -> list[tuple[object, ...]]:
    sheets = book.worksheets
    if not sheets:
        raise RosterFileRejected("文件中没有工作表")
    sheet = next((s for s in sheets if s.title == SHEET_TITLE), sheets[0])
    sheet.reset_dimensions()  # a wrong <dimension> in the file must not cut rows off silently
    grid: list[tuple[object, ...]] = []
    pending_blanks = 0
    for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
        if all(_text(value) is None for value in values):
            pending_blanks += 1  # kept only if a filled row follows: a sheet may end in blank rows
            continue
        if len(grid) + pending_blanks >= MAX_SHEET_ROWS:
            raise RosterFileRejected(f"表格超过 {MAX_SHEET_ROWS} 行，请检查是否选错了文件")
        grid.extend(() for _ in range(pending_blanks))
        grid.append(values)
        pending_blanks = 0
    if not grid:
        raise RosterFileRejected(f"工作表“{sheet.title}”是空的")
    return grid


_EDGE_BLANKS = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")  # \s covers U+3000


def _text(value: object) -> str | None:
    """A cell as trimmed text (a whole number without '.0'), or None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _EDGE_BLANKS.sub("", str(value))
    return text or None


def _cell(values: tuple[object, ...], index: int) -> object:
    return values[index] if index < len(values) else None


def _is_blank(cells: dict[str, object]) -> bool:
    return all(_text(value) is None for value in cells.values())


# --- the header -------------------------------------------------------------------------------


_HEADER_NOTE = re.compile(r"\([^()]*\)")
_HEADER_NOISE = re.compile(r"[\s*]")


def _header_key(value: object) -> str:
    """姓名 from '姓 名*', 党员身份 from '党员身份（正式/预备）'."""
    text = unicodedata.normalize("NFKC", _text(value) or "")  # full-width （）＊ to ()*
    return _HEADER_NOISE.sub("", _HEADER_NOTE.sub("", text))


def _find_header(grid: list[tuple[object, ...]]) -> int:
    for index, values in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if any(_header_key(value) == "姓名" for value in values):
            return index
    raise RosterFileRejected(
        f"前 {HEADER_SEARCH_ROWS} 行中没有找到表头（应有“姓名”等列）：请使用下载的导入模板填写"
    )


def _map_columns(values: tuple[object, ...], row: int) -> tuple[dict[str, int], list[RowError]]:
    """Which column holds which field; order may differ from the template's."""
    columns: dict[str, int] = {}
    errors: list[RowError] = []
    for index, value in enumerate(values):
        key, letter = _header_key(value), get_column_letter(index + 1)
        if not key or key in IGNORED_HEADERS:
            continue
        if key not in ROSTER_HEADERS:
            shown = _text(value)
            message = f"第 {letter} 列「{shown}」不是模板中的列，请删除该列或改用导入模板"
            errors.append(RowError(row, shown, message))
        elif key in columns:
            first = get_column_letter(columns[key] + 1)
            errors.append(RowError(row, key, f"「{key}」列重复（第 {first} 列和第 {letter} 列）"))
        else:
            columns[key] = index
    for name in ROSTER_HEADERS:
        if name in REQUIRED_HEADERS and name not in columns:
            errors.append(RowError(row, name, f"表头中缺少必填的「{name}」列"))
    return columns, errors


# --- the rows ---------------------------------------------------------------------------------


def _read_body(
    body: list[dict[str, object]], first_row: int, today: date
) -> tuple[list[RosterRow], list[RowError], int]:
    rows: list[RosterRow] = []
    errors: list[RowError] = []
    blanks = 0
    seen: dict[tuple[str, date], int] = {}
    for number, cells in enumerate(body, start=first_row):
        if _is_blank(cells):
            blanks += 1
            continue
        row, row_errors = _parse_row(number, cells, today)
        errors.extend(row_errors)
        if row is None:
            continue
        earlier = seen.setdefault((row.name, row.birth_date), number)
        if earlier != number:
            message = f"与第 {earlier} 行重复（姓名和出生日期都相同）"
            errors.append(RowError(number, "姓名", message))
            continue
        rows.append(row)
    return rows, errors, blanks


def _parse_row(
    number: int, cells: dict[str, object], today: date
) -> tuple[RosterRow | None, list[RowError]]:
    cell = _RowReader(number, cells)
    name = cell.text("姓名", required=True)
    gender = cell.choice("性别", Gender, "男 或 女")
    birth_date = cell.day("出生日期", required=True)
    joined_on = cell.day("入党日期")
    membership = cell.choice("党员身份", Membership, "正式 或 预备")
    category = cell.choice("类别", MemberCategory, "普通、流动 或 年老体弱")
    phone = cell.phone("联系电话")
    exempt = cell.day("免评党员大会日期")
    note = cell.text("备注", max_length=MAX_NOTE_LENGTH)
    cell.add(name_problems(name) if name else [])
    if birth_date and category:
        cell.add(
            member_problems(
                birth_date=birth_date,
                joined_on=joined_on,
                category=category,
                exempt_meeting_date=exempt,
                today=today,
            )
        )
    if cell.errors or not (name and gender and birth_date and membership and category):
        return None, cell.errors
    row = RosterRow(
        number, name, gender, birth_date, joined_on, membership, category, phone, exempt, note
    )
    return row, []


class _RowReader:
    """One row's cells by column name; each problem is noted against its column."""

    def __init__(self, row: int, cells: dict[str, object]) -> None:
        self.row = row
        self.cells = cells
        self.errors: list[RowError] = []

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, message))

    def add(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.fail(problem.field, problem.message)

    def text(self, column: str, *, required: bool = False, max_length: int = 0) -> str | None:
        text = _text(self.cells.get(column))
        if text is None and required:
            self.fail(column, "必填")
        elif text is not None and max_length and len(text) > max_length:
            self.fail(column, f"不能超过 {max_length} 个字")
        return text

    def choice(self, column: str, enum: type[E], allowed: str) -> E | None:
        text = self.text(column, required=True)
        if text is None:
            return None
        found = from_label(enum, text) or from_label(enum, text.removesuffix("党员"))
        if found is None:
            self.fail(column, f"只能填写 {allowed}，不能填「{text}」")
        return found

    def day(self, column: str, *, required: bool = False) -> date | None:
        value = self.cells.get(column)
        shown = self.text(column, required=required)
        if shown is None:
            return None
        found = _parse_date(value)
        if found is None:
            self.fail(column, f"无法识别的日期「{shown}」，请写成 1965-03-02")
        elif found < EARLIEST_DATE:
            self.fail(column, f"日期「{shown}」早于 1900 年，请检查")
            return None
        return found

    def phone(self, column: str) -> str | None:
        shown = self.text(column)
        if shown is None:
            return None
        digits = re.sub(r"[\s\-–—]", "", unicodedata.normalize("NFKC", shown))
        if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
            return digits
        self.fail(column, f"电话号码「{shown}」不对：手机号是 11 位数字，固定电话是 7–12 位数字")
        return None


_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"[02-9][0-9]{6,11}")  # with or without the area code; never starts with 1
_DATE_TEXT = (
    re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"),
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日?"),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"),
)
_LAST_EXCEL_SERIAL = 2_958_465  # 9999-12-31


def _parse_date(value: object) -> date | None:
    """A date as a clerk may write it: a date cell, 1965-03-02, 1965/3/2, 1965.3.2, 1965年3月2日,
    19650302, or the Excel serial number a date becomes when its cell loses the date format."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _date_from_number(value)
    if isinstance(value, str):
        return _date_from_text(unicodedata.normalize("NFKC", value).strip())
    return None


def _date_from_number(value: float) -> date | None:
    if not math.isfinite(value):
        return None
    if not 1 <= value < _LAST_EXCEL_SERIAL + 1:
        return _date_from_text(str(int(value))) if value == int(value) else None
    moment: datetime = from_excel(int(value))
    return moment.date()


def _date_from_text(text: str) -> date | None:
    for pattern in _DATE_TEXT:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


# --- the template -----------------------------------------------------------------------------


_WIDTHS = {"姓名": 14, "性别": 8, "联系电话": 16, "免评党员大会日期": 20, "备注": 30}
_FORMATS = {  # text columns keep what is typed: no live formula, no 1.38E+10 for a phone number
    **dict.fromkeys(("出生日期", "入党日期", "免评党员大会日期"), "yyyy-mm-dd"),
    **dict.fromkeys(("姓名", "联系电话", "备注"), "@"),
}
_DROPDOWNS = {"性别": "男,女", "党员身份": "正式,预备", "类别": "普通,流动,年老体弱"}
_GUIDE = (
    f"1. 在“{SHEET_TITLE}”表第 {TEMPLATE_HEADER_ROW + 1} 行起每人填一行；不要改表头或合并单元格。",
    "2. 带 * 的列必须填写：" + "、".join(h for h in ROSTER_HEADERS if h in REQUIRED_HEADERS) + "。",
    "3. 日期写成 1965-03-02（也可以写 1965/3/2、1965.3.2、1965年3月2日 或 19650302）。",
    "4. 性别填 男 或 女；党员身份填 正式 或 预备；类别填 普通、流动 或 年老体弱（可下拉选择）。",
    "5. 联系电话可以不填；填写时为 11 位手机号，或 7–12 位固定电话。",
    "6. 免评党员大会日期：只有“年老体弱”且经党员大会同意免评的党员才填写。",
    "7. 同名的党员照实填写：系统以“姓名 + 出生日期”区分，两行姓名和出生日期都相同视为重复。",
    "8. 上传时逐行检查：只要有一处错误，整张表都不导入，并列出出错的行、列和原因。",
    f"9. 只接受 .xlsx 文件（不收 .xls、.xlsm、.csv），不超过 {MAX_UPLOAD_BYTES // 1048576} MB。",
)


def roster_template() -> bytes:
    """The import template: a title row, starred required headers, dropdowns, and a 填写说明 sheet.

    It holds no example rows, so nothing can be imported by accident."""
    book = Workbook()
    _fill_roster_sheet(book.active)
    _fill_guide_sheet(book.create_sheet(GUIDE_TITLE))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill_roster_sheet(ws: Worksheet) -> None:
    ws.title = SHEET_TITLE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(ROSTER_HEADERS))
    title = ws.cell(row=1, column=1, value=TEMPLATE_TITLE)
    title.font = Font(size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    for index, name in enumerate(ROSTER_HEADERS, start=1):
        required = name in REQUIRED_HEADERS
        cell = ws.cell(
            row=TEMPLATE_HEADER_ROW, column=index, value=name + "*" if required else name
        )
        cell.font = Font(bold=True, color="C00000" if required else None)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        column = ws.column_dimensions[get_column_letter(index)]
        column.width = _WIDTHS.get(name, 14)
        column.number_format = _FORMATS.get(name, "General")
        if name in _DROPDOWNS:
            _add_dropdown(ws, get_column_letter(index), _DROPDOWNS[name])
    ws.freeze_panes = f"A{TEMPLATE_HEADER_ROW + 1}"
    ws.print_title_rows = f"1:{TEMPLATE_HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _add_dropdown(ws: Worksheet, letter: str, choices: str) -> None:
    rule = DataValidation(
        type="list",
        formula1=f'"{choices}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="请从下拉列表中选择",
        error="只能填写：" + choices.replace(",", "、"),
    )
    rule.add(f"{letter}{TEMPLATE_HEADER_ROW + 1}:{letter}1048576")
    ws.add_data_validation(rule)


def _fill_guide_sheet(ws: Worksheet) -> None:
    ws.column_dimensions["A"].width = 100
    ws.append(["党员花名册填写说明"])
    ws["A1"].font = Font(size=14, bold=True)
    for line in _GUIDE:
        ws.append([line])
        ws.cell(row=ws.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
