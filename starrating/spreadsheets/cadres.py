"""The cadre list sheet: its import template, and an uploaded .xlsx checked cell by cell."""

import io
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from starrating.rules.cadre_grades import CadreGrade
from starrating.rules.vocabulary import PostKind, from_label
from starrating.services.cadres import CadreFacts, cadre_problems
from starrating.spreadsheets.roster import RowError
from starrating.spreadsheets.upload import (
    MAX_UPLOAD_BYTES,
    UploadRejected,
    cell_at,
    cell_text,
    check_container,
    read_grid,
)

CADRE_HEADERS: tuple[str, ...] = (
    "姓名",
    "职务",
    "职务类别",
    "基本工资",
    "绩效工资",
    "奖励金额",
    "上年度考核等次",
)
REQUIRED_HEADERS = frozenset({"姓名", "职务", "基本工资"})
IGNORED_HEADERS = frozenset({"序号"})
PAY_COLUMNS = {"基本工资": "base_pay", "绩效工资": "performance_pay", "奖励金额": "reward_amount"}
SHEET_TITLE = "村干部名单"
GUIDE_TITLE = "填写说明"
TEMPLATE_HEADER_ROW = 2
HEADER_SEARCH_ROWS = 10
GRADES = "、".join(grade.label for grade in CadreGrade)
KINDS = "、".join(kind.label for kind in PostKind)


@dataclass(frozen=True)
class CadreReadResult:
    rows: list[tuple[int, CadreFacts]]
    errors: list[RowError]


def _header_key(value: object) -> str:
    """职务 from '职务*', 基本工资 from '基本工资（元）*'."""
    text = unicodedata.normalize("NFKC", cell_text(value) or "")
    for noise in ("(元)", "*", " "):
        text = text.replace(noise, "")
    return text


def read_cadres(data: bytes, *, filename: str) -> CadreReadResult:
    """Every row of an uploaded cadre list, checked; the import may go ahead only if errors is
    empty. Two rows with the same name and post are a duplicate."""
    check_container(data, filename)
    grid = read_grid(data, sheet_title=SHEET_TITLE)
    header_at = next(
        (i for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]) if "姓名" in map(_header_key, row)),
        None,
    )
    if header_at is None:
        raise UploadRejected(f"前 {HEADER_SEARCH_ROWS} 行中没有找到表头（应有“姓名”等列）")
    columns, errors = _map_columns(grid[header_at], header_at + 1)
    if REQUIRED_HEADERS - columns.keys():
        return CadreReadResult([], errors)
    rows: list[tuple[int, CadreFacts]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, values in enumerate(grid[header_at + 1 :], start=header_at + 2):
        cells = {name: cell_at(values, i) for name, i in columns.items()}
        if all(cell_text(v) is None for v in cells.values()):
            continue
        facts, row_errors = _parse_row(number, cells)
        errors += row_errors
        if facts is None:
            continue
        earlier = seen.setdefault((facts.name, facts.post), number)
        if earlier != number:
            errors.append(RowError(number, "姓名", f"与第 {earlier} 行重复（姓名和职务都相同）"))
            continue
        rows.append((number, facts))
    if not rows and not errors:
        raise UploadRejected(f"表格中没有村干部数据：请从第 {header_at + 2} 行起填写")
    return CadreReadResult(rows, errors)


def _map_columns(values: tuple[object, ...], row: int) -> tuple[dict[str, int], list[RowError]]:
    columns: dict[str, int] = {}
    errors: list[RowError] = []
    for index, value in enumerate(values):
        key, letter = _header_key(value), get_column_letter(index + 1)
        if not key or key in IGNORED_HEADERS:
            continue
        if key not in CADRE_HEADERS:
            shown = cell_text(value)
            errors.append(RowError(row, shown, f"第 {letter} 列「{shown}」不是模板中的列"))
        elif key in columns:
            errors.append(RowError(row, key, f"「{key}」列重复"))
        else:
            columns[key] = index
    errors += [
        RowError(row, name, f"表头中缺少必填的「{name}」列")
        for name in CADRE_HEADERS
        if name in REQUIRED_HEADERS and name not in columns
    ]
    return columns, errors


def _money(value: object) -> Decimal | None:
    """An amount as typed: a number cell, or text such as 24,000.50 or 24000元."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value)) if value == value else None  # str() keeps what Excel shows
    text = unicodedata.normalize("NFKC", cell_text(value) or "").replace(",", "")
    try:
        found = Decimal(text.removesuffix("元").strip())
    except InvalidOperation:
        return None
    return found if found.is_finite() else None


def _parse_row(number: int, cells: dict[str, object]) -> tuple[CadreFacts | None, list[RowError]]:
    errors: list[RowError] = []
    name = cell_text(cells.get("姓名")) or ""
    post = cell_text(cells.get("职务")) or ""
    pay: dict[str, Decimal] = {}
    for column, field in PAY_COLUMNS.items():
        shown = cell_text(cells.get(column))
        if shown is None:
            if column in REQUIRED_HEADERS:
                errors.append(RowError(number, column, "必填"))
            continue
        amount = _money(cells.get(column))
        if amount is None:
            errors.append(RowError(number, column, f"无法识别的金额「{shown}」，请写成 24000.50"))
        else:
            pay[field] = amount
    grade_text = cell_text(cells.get("上年度考核等次"))
    grade = from_label(CadreGrade, grade_text) if grade_text else None
    if grade_text and grade is None:
        errors.append(
            RowError(number, "上年度考核等次", f"只能填写 {GRADES}，不能填「{grade_text}」")
        )
    kind_text = cell_text(cells.get("职务类别"))
    kind = from_label(PostKind, kind_text) if kind_text else None
    if kind_text and kind is None:
        errors.append(RowError(number, "职务类别", f"只能填写 {KINDS}，不能填「{kind_text}」"))
    facts = CadreFacts(
        name=name,
        post=post,
        post_kind=kind,
        base_pay=pay.get("base_pay", Decimal(0)),
        performance_pay=pay.get("performance_pay", Decimal(0)),
        reward_amount=pay.get("reward_amount", Decimal(0)),
        previous_grade=grade,
    )
    failed = {error.column for error in errors}
    errors += [
        RowError(number, field, message)
        for field, message in cadre_problems(facts)
        if field not in failed
    ]
    return (None, errors) if errors else (facts, [])


# --- the template -----------------------------------------------------------------------------

_GUIDE = (
    f"1. 在“{SHEET_TITLE}”表第 {TEMPLATE_HEADER_ROW + 1} 行起每人填一行；不要改表头。",
    "2. 带 * 的列必须填写：姓名、职务、基本工资。",
    "3. 金额以元为单位，最多两位小数（精确到分），如 24000 或 24000.50。",
    f"4. 上年度考核等次只在第一年使用本系统时填写：{GRADES}（可下拉选择），不知道可留空。",
    f"5. 职务类别：{KINDS}（可下拉选择）；书记兼村委会主任的填“村民委员会成员”。"
    "留空的导入后在网页上补填（旧模板没有这一列，也可以导入）。",
    "6. 关联党员、登录账号和近亲属请导入后在网页上逐个填写。",
    "7. 上传时逐行检查：只要有一处错误，整张表都不导入，并列出出错的行、列和原因。",
    f"8. 只接受 .xlsx 文件，不超过 {MAX_UPLOAD_BYTES // 1048576} MB。",
)


def cadre_template() -> bytes:
    """The import template: a title row, starred required headers, a grade dropdown, a guide."""
    book = Workbook()
    ws = book.active
    ws.title = SHEET_TITLE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(CADRE_HEADERS))
    ws.cell(row=1, column=1, value="村干部名单（导入模板）").font = Font(size=16, bold=True)
    for index, name in enumerate(CADRE_HEADERS, start=1):
        required = name in REQUIRED_HEADERS
        shown = f"{name}（元）" if name in PAY_COLUMNS else name
        cell = ws.cell(
            row=TEMPLATE_HEADER_ROW, column=index, value=shown + ("*" if required else "")
        )
        cell.font = Font(bold=True, color="C00000" if required else None)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center")
        column = ws.column_dimensions[get_column_letter(index)]
        column.width = 18
        column.number_format = "0.00" if name in PAY_COLUMNS else "@"
    rule = DataValidation(
        type="list", formula1='"' + GRADES.replace("、", ",") + '"', allow_blank=True
    )
    letter = get_column_letter(CADRE_HEADERS.index("上年度考核等次") + 1)
    rule.add(f"{letter}{TEMPLATE_HEADER_ROW + 1}:{letter}1048576")
    ws.add_data_validation(rule)
    kinds = DataValidation(
        type="list", formula1='"' + KINDS.replace("、", ",") + '"', allow_blank=True
    )
    letter = get_column_letter(CADRE_HEADERS.index("职务类别") + 1)
    kinds.add(f"{letter}{TEMPLATE_HEADER_ROW + 1}:{letter}1048576")
    ws.add_data_validation(kinds)
    ws.freeze_panes = f"A{TEMPLATE_HEADER_ROW + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    guide = book.create_sheet(GUIDE_TITLE)
    guide.column_dimensions["A"].width = 100
    guide.append(["村干部名单填写说明"])
    for line in _GUIDE:
        guide.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
