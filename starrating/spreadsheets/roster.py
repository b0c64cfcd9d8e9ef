"""The member roster sheet: its import template, and an uploaded .xlsx checked cell by cell."""

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from starrating.rules.roster import (
    MemberFacts,
    Problem,
    group_problems,
    member_problems,
    name_problems,
    village_group,
)
from starrating.rules.values import phone_digits
from starrating.rules.vocabulary import Gender, MemberCategory, Membership, from_label
from starrating.spreadsheets.upload import (
    MAX_UPLOAD_BYTES,  # noqa: F401  (the web layer quotes it)
    UploadRejected,
    cell_at,
    cell_text,
    check_container,
    read_grid,
)

ROSTER_HEADERS: tuple[str, ...] = (
    "姓名",
    "性别",
    "出生日期",
    "入党日期",
    "党员身份",
    "类别",
    "联系电话",
    "免评党员大会日期",
    "组别",
    "备注",
)
REQUIRED_HEADERS = frozenset({"姓名", "性别", "出生日期", "党员身份", "类别"})
IGNORED_HEADERS = frozenset({"序号"})  # clerks number their rows; the number means nothing to us
HEADER_ALIASES = {"村民小组": "组别", "小组": "组别"}  # what other rosters call our column
SHEET_TITLE = "党员花名册"
GUIDE_TITLE = "填写说明"
TEMPLATE_TITLE = "党员花名册（导入模板）"
TEMPLATE_HEADER_ROW = 2

HEADER_SEARCH_ROWS = 10
MAX_NOTE_LENGTH = 200
EARLIEST_DATE = date(1900, 1, 1)

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, kw_only=True)
class RosterRow(MemberFacts):
    """A member as one sheet row states them, with the row number the user sees."""

    row_number: int


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


RosterFileRejected = UploadRejected


def read_roster(data: bytes, *, filename: str, today: date) -> RosterReadResult:
    """Every row of an uploaded roster, checked; the import may go ahead only if errors is empty.

    A duplicate is the same name and the same birth date: namesakes are common in a village."""
    check_container(data, filename)
    grid = read_grid(data, sheet_title=SHEET_TITLE)
    header_at = _find_header(grid)
    columns, errors = _map_columns(grid[header_at], header_at + 1)
    if REQUIRED_HEADERS - columns.keys():
        return RosterReadResult([], errors, 0)
    body = [
        {name: cell_at(values, i) for name, i in columns.items()}
        for values in grid[header_at + 1 :]
    ]
    while body and _is_blank(body[-1]):
        body.pop()
    if not body:
        raise RosterFileRejected(
            f"表格中没有党员数据：请从表头下一行（第 {header_at + 2} 行）起填写"
        )
    rows, row_errors, blanks = _read_body(body, header_at + 2, today)
    return RosterReadResult(rows, errors + row_errors, blanks)


def _is_blank(cells: dict[str, object]) -> bool:
    return all(cell_text(value) is None for value in cells.values())


# --- the header -------------------------------------------------------------------------------


_HEADER_NOTE = re.compile(r"\([^()]*\)")
_HEADER_NOISE = re.compile(r"[\s*]")


def _header_key(value: object) -> str:
    """姓名 from '姓 名*', 党员身份 from '党员身份（正式/预备）'."""
    text = unicodedata.normalize("NFKC", cell_text(value) or "")  # full-width （）＊ to ()*
    key = _HEADER_NOISE.sub("", _HEADER_NOTE.sub("", text))
    return HEADER_ALIASES.get(key, key)


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
            shown = cell_text(value)
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
    group = village_group(cell.text("组别"))
    cell.add(name_problems(name) if name else [])
    cell.add(group_problems(group))
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
        row_number=number,
        name=name,
        gender=gender,
        birth_date=birth_date,
        joined_on=joined_on,
        membership=membership,
        category=category,
        phone=phone,
        exempt_meeting_date=exempt,
        note=note,
        village_group=group,
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
        text = cell_text(self.cells.get(column))
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
        try:
            return phone_digits(shown)
        except ValueError:
            self.fail(
                column, f"电话号码「{shown}」不对：手机号是 11 位数字，固定电话是 7–12 位数字"
            )
            return None


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
        return _date_fromcell_text(unicodedata.normalize("NFKC", value).strip())
    return None


def _date_from_number(value: float) -> date | None:
    if not math.isfinite(value):
        return None
    if not 1 <= value < _LAST_EXCEL_SERIAL + 1:
        return _date_fromcell_text(str(int(value))) if value == int(value) else None
    moment: datetime = from_excel(int(value))
    return moment.date()


def _date_fromcell_text(text: str) -> date | None:
    for pattern in _DATE_TEXT:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None
