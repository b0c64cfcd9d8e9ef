"""An uploaded .xlsx, made safe to read: the container is checked before any cell is parsed,
then the chosen sheet's values are read as plain values (a formula as its text, never evaluated).
"""

import codecs
import io
import re
import warnings
import zipfile
import zlib

from openpyxl import Workbook, load_workbook

from starrating.config import MAX_UPLOAD_BYTES  # a roster of hundreds of rows is tens of KB

MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # what the zip says it holds; zipfile never inflates past it
MAX_RATIO = 100  # real sheet XML deflates 5–20 times; a zip bomb about 1,000 times
RATIO_CHECKED_ABOVE = 1024 * 1024
MAX_PARTS = 500
XML_HEAD_BYTES = 64 * 1024  # a DTD can only sit in the prolog, before the root element
MAX_COLUMNS = 30
MAX_SHEET_ROWS = 10_000

_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # .xls, and any password-protected workbook
_UNREADABLE = "无法读取该文件：文件可能已损坏，或不是用 Excel/WPS 保存的 .xlsx 文件"
_HOSTILE = "文件解压后过大或压缩比异常，疑似恶意文件，不予接受"


class UploadRejected(Exception):
    """The whole upload is unusable; message says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the container: refused before a single cell is parsed -------------------------------------


def check_container(data: bytes, filename: str) -> None:
    if not filename.strip().lower().endswith(".xlsx"):
        raise UploadRejected(
            "只接受 .xlsx 格式的 Excel 文件；.xls、.xlsm、.csv 等请先用 Excel 或 WPS“另存为” .xlsx"
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRejected(f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB，不予接受")
    if data.startswith(_OLE_MAGIC):
        raise UploadRejected(
            "这是旧版 .xls 文件或设置了打开密码的文件：请去掉密码并“另存为” .xlsx 后再上传"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
        raise UploadRejected("这不是有效的 .xlsx 文件（可能是改了扩展名的其他文件）") from exc


def _check_archive(archive: zipfile.ZipFile) -> None:
    parts = archive.infolist()
    # Sizes come from the zip's directory: judged without inflating anything.
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise UploadRejected(_HOSTILE)
    for part in parts:
        ratio_too_high = part.file_size > MAX_RATIO * max(part.compress_size, 1)
        if part.file_size > RATIO_CHECKED_ABOVE and ratio_too_high:
            raise UploadRejected(_HOSTILE)
    names = {part.filename for part in parts}
    content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if any(name.lower().endswith("vbaproject.bin") for name in names) or any(
        marker in content_types.lower() for marker in (b"macroenabled", b"macrosheet")
    ):
        raise UploadRejected("文件含有宏（VBA），为安全起见不予接受；请另存为不含宏的 .xlsx")
    for part in parts:
        with archive.open(part) as stream:
            head = stream.read(XML_HEAD_BYTES)
        if _declares_dtd(head):
            raise UploadRejected("文件含有不允许的 XML 声明（DTD/实体），疑似恶意文件，不予接受")


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


def read_grid(data: bytes, *, sheet_title: str) -> list[tuple[object, ...]]:
    """The roster sheet's values (a formula as its text, never evaluated), no trailing blanks."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (extensions, missing styles); not our concern.
            warnings.simplefilter("ignore", UserWarning)
            book = load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
            try:
                return _sheet_values(book, sheet_title)
            finally:
                book.close()
    except UploadRejected:
        raise
    except Exception as exc:  # openpyxl fails in many ways on a damaged file; all mean "unreadable"
        raise UploadRejected(_UNREADABLE) from exc


def _sheet_values(book: Workbook, sheet_title: str) -> list[tuple[object, ...]]:
    sheets = book.worksheets
    if not sheets:
        raise UploadRejected("文件中没有工作表")
    sheet = next((s for s in sheets if s.title == sheet_title), sheets[0])
    sheet.reset_dimensions()  # a wrong <dimension> in the file must not cut rows off silently
    grid: list[tuple[object, ...]] = []
    pending_blanks = 0
    for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
        if all(cell_text(value) is None for value in values):
            pending_blanks += 1  # kept only if a filled row follows: a sheet may end in blank rows
            continue
        if len(grid) + pending_blanks >= MAX_SHEET_ROWS:
            raise UploadRejected(f"表格超过 {MAX_SHEET_ROWS} 行，请检查是否选错了文件")
        grid.extend(() for _ in range(pending_blanks))
        grid.append(values)
        pending_blanks = 0
    if not grid:
        raise UploadRejected(f"工作表“{sheet.title}”是空的")
    return grid


_EDGE_BLANKS = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")  # \s covers U+3000


def cell_text(value: object) -> str | None:
    """A cell as trimmed text (a whole number without '.0'), or None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _EDGE_BLANKS.sub("", str(value))
    return text or None


def cell_at(values: tuple[object, ...], index: int) -> object:
    return values[index] if index < len(values) else None
