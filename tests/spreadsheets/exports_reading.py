"""Reading an exported workbook back the way a township official reads it: the table under its
header, a cell by its label, the print settings."""

import io

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet


def open_book(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def header_row(ws: Worksheet, first: str = "序号") -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == first:
            return row
    raise AssertionError(f"no header starting {first} on {ws.title}")


def table(ws: Worksheet, first: str = "序号") -> list[dict[str, object]]:
    """The rows under the header whose first cell is first, as header → cell, until a row
    whose first cell is not a number."""
    row = header_row(ws, first)
    headers = [c.value for c in ws[row]]
    if ws.cell(row=row + 1, column=1).value is None:  # a group row above the header proper
        headers = [lower.value or upper for upper, lower in zip(headers, ws[row + 1], strict=True)]
        row += 1
    rows = []
    for r in range(row + 1, ws.max_row + 1):
        if not isinstance(ws.cell(row=r, column=1).value, int):
            break
        rows.append({h: ws.cell(row=r, column=i + 1) for i, h in enumerate(headers) if h})
    return rows


def values(rows: list[dict[str, object]], header: str) -> list[object]:
    return [row[header].value for row in rows]  # type: ignore[attr-defined]


def labelled(ws: Worksheet, label: str, column: int = 3) -> object:
    """The cell in column of the row whose first cell reads label (the cadre result block)."""
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == label:
            return ws.cell(row=row, column=column)
    raise AssertionError(f"no row labelled {label} on {ws.title}")


def texts(ws: Worksheet) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def assert_print_ready(ws: Worksheet, header: int) -> None:
    """A4 landscape, one page wide and as tall as needed, rows 1..header repeated on every
    page, frozen below the header, the title merged across the table."""
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows.replace("$", "") == f"1:{header}"
    assert ws.freeze_panes == f"A{header + 1}"
    assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
