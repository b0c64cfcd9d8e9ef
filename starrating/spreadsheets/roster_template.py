"""The roster import template: the sheet a secretary downloads, fills in and uploads."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from starrating.spreadsheets.roster import (
    GUIDE_TITLE,
    REQUIRED_HEADERS,
    ROSTER_HEADERS,
    SHEET_TITLE,
    TEMPLATE_HEADER_ROW,
    TEMPLATE_TITLE,
)
from starrating.spreadsheets.upload import MAX_UPLOAD_BYTES

# --- the template -----------------------------------------------------------------------------


_WIDTHS = {"姓名": 14, "组别": 10, "性别": 8, "联系电话": 16, "免评党员大会日期": 20, "备注": 30}
_FORMATS = {  # text columns keep what is typed: no live formula, no 1.38E+10 for a phone number
    **dict.fromkeys(("出生日期", "入党日期", "免评党员大会日期"), "yyyy-mm-dd"),
    **dict.fromkeys(("姓名", "联系电话", "组别", "备注"), "@"),
}
_DROPDOWNS = {"性别": "男,女", "党员身份": "正式,预备", "类别": "普通,流动,年老体弱"}
_GUIDE = (
    f"1. 在“{SHEET_TITLE}”表第 {TEMPLATE_HEADER_ROW + 1} 行起每人填一行；不要改表头或合并单元格。",
    "2. 带 * 的列必须填写：" + "、".join(h for h in ROSTER_HEADERS if h in REQUIRED_HEADERS) + "。",
    "3. 日期写成 1965-03-02（也可以写 1965/3/2、1965.3.2、1965年3月2日 或 19650302）。",
    "4. 性别填 男 或 女；党员身份填 正式 或 预备；类别填 普通、流动 或 年老体弱（可下拉选择）。",
    "5. 联系电话可以不填；填写时为 11 位手机号，或 7–12 位固定电话。",
    "6. 免评党员大会日期：只有“年老体弱”且经党员大会同意免评的党员才填写。",
    "7. 同名的党员照实填写：系统以“姓名 + 出生日期”区分，两行姓名和出生日期都相同视为重复。"
    "组别（村民小组，如“三组”）可以不填；同名党员在选票和公示栏上以组别区分，"
    "没有组别时以出生年份区分（只显示年份，不显示出生日期、身份证号或电话）。",
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
