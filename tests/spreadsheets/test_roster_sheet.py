"""The member roster upload and its template: every workbook is built here and read back."""

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from starrating.rules.roster import member_problems, name_problems
from starrating.rules.vocabulary import Gender, MemberCategory, Membership
from starrating.spreadsheets.roster import (
    MAX_UPLOAD_BYTES,
    ROSTER_HEADERS,
    RosterFileRejected,
    RosterReadResult,
    RosterRow,
    RowError,
    read_roster,
)
from starrating.spreadsheets.roster_template import roster_template

TODAY = date(2025, 6, 1)
ZHANG_SAN = {
    "姓名": "张三",
    "性别": "男",
    "出生日期": date(1965, 3, 2),
    "入党日期": date(1990, 7, 1),
    "党员身份": "正式",
    "类别": "普通",
    "联系电话": "13812345678",
    "免评党员大会日期": None,
    "组别": None,
    "备注": None,
}


def member(changes: dict[str, object] | None = None) -> list[object]:
    """张三's row in template column order, with some cells changed."""
    return list((ZHANG_SAN | (changes or {})).values())


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(*rows: list[object], header: list[object] | None = None) -> RosterReadResult:
    data = xlsx([header or list(ROSTER_HEADERS), *rows])
    return read_roster(data, filename="花名册.xlsx", today=TODAY)


def rejection(data: bytes, filename: str = "花名册.xlsx") -> str:
    with pytest.raises(RosterFileRejected) as caught:
        read_roster(data, filename=filename, today=TODAY)
    return caught.value.message


def rezip(
    data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The same .xlsx with some parts swapped or added, as a hostile sender would make it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = (replace or {}).get(info.filename) or source.read(info)
            target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def with_repetitive_sheet(megabytes: int) -> bytes:
    """A roster whose sheet XML is megabytes of one repeated row, streamed, never held whole."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([list(ROSTER_HEADERS)])))
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    chunk = row * (1024 * 1024 // len(row))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info))
                continue
            with target.open(info.filename, "w", force_zip64=True) as part:
                part.write(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                )
                for _ in range(megabytes):
                    part.write(chunk)
                part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def triples(result: RosterReadResult) -> list[tuple[int | None, str | None, str]]:
    return [(error.row, error.column, error.message) for error in result.errors]


# --- whole-file rejections -------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename", ["花名册.xlsm", "花名册.xls", "花名册.csv", "花名册", "花名册.xlsx.exe"]
)
def test_only_xlsx_filenames_are_accepted(filename):
    message = rejection(xlsx([list(ROSTER_HEADERS), member()]), filename)
    assert "只接受 .xlsx" in message


def test_an_upper_case_extension_is_fine():
    data = xlsx([list(ROSTER_HEADERS), member()])
    assert read_roster(data, filename="C:\\下载\\花名册.XLSX", today=TODAY).errors == []


def test_a_macro_workbook_named_xlsx_is_refused():
    data = xlsx([list(ROSTER_HEADERS), member()])
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    macro_types = types.replace(
        b"spreadsheetml.sheet.main+xml", b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    )
    assert macro_types != types
    assert "宏" in rejection(rezip(data, replace={"[Content_Types].xml": macro_types}))


def test_a_workbook_carrying_a_vba_project_is_refused():
    data = rezip(
        xlsx([list(ROSTER_HEADERS), member()]), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}
    )
    assert "宏" in rejection(data)


def test_a_csv_renamed_to_xlsx_is_refused():
    csv = "姓名,性别,出生日期\n张三,男,1965-03-02\n".encode()
    assert "不是有效的 .xlsx 文件" in rejection(csv)


def test_an_old_xls_or_password_protected_file_is_refused():
    ole = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(4096)
    assert "旧版 .xls" in rejection(ole)


def test_a_truncated_zip_is_refused():
    data = xlsx([list(ROSTER_HEADERS), member()])
    assert "不是有效的 .xlsx 文件" in rejection(data[: len(data) // 2])


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened():
    assert "超过 2 MB" in rejection(b"PK" + bytes(MAX_UPLOAD_BYTES))


def forbid_inflating(monkeypatch: pytest.MonkeyPatch) -> None:
    def opened(*args: object, **kwargs: object) -> None:
        raise AssertionError("a part of the zip was inflated")

    monkeypatch.setattr(zipfile.ZipFile, "open", opened)


def test_a_zip_bomb_is_refused_without_inflating_it(monkeypatch):
    bomb = with_repetitive_sheet(200)
    sheet = zipfile.ZipFile(io.BytesIO(bomb)).getinfo("xl/worksheets/sheet1.xml")
    assert len(bomb) < 1024 * 1024 and sheet.file_size > 200_000_000
    forbid_inflating(monkeypatch)
    assert "疑似恶意文件" in rejection(bomb)


def test_a_part_with_an_absurd_compression_ratio_is_refused(monkeypatch):
    small_bomb = with_repetitive_sheet(10)  # under the 20 MB total, but ~300 times compressed
    forbid_inflating(monkeypatch)
    assert "疑似恶意文件" in rejection(small_bomb)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!-- rows -->\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
)


@pytest.mark.parametrize(
    "part",
    ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "_rels/.rels", "xl/_rels/workbook.xml.rels"],
)
def test_an_xml_part_with_a_dtd_is_refused(part):
    data = xlsx([list(ROSTER_HEADERS), member()])
    original = zipfile.ZipFile(io.BytesIO(data)).read(part)
    hostile = rezip(data, replace={part: BILLION_LAUGHS + original.split(b"?>", 1)[-1]})
    assert "DTD" in rejection(hostile)


@pytest.mark.parametrize(
    "prolog",
    [
        "<!DOCTYPE x>".encode("utf-16"),  # UTF-16, with its byte-order mark
        b"<!-- " + b"x" * 70_000 + b" -->",  # a prolog too long to see past
        b'<?xml version="1.0"?><!ENTITY e "e">',
    ],
)
def test_a_dtd_is_found_however_it_is_hidden(prolog):
    data = xlsx([list(ROSTER_HEADERS), member()])
    assert "DTD" in rejection(rezip(data, replace={"xl/workbook.xml": prolog + b"<workbook/>"}))


def test_a_damaged_workbook_is_refused_as_unreadable():
    data = rezip(xlsx([list(ROSTER_HEADERS), member()]), replace={"xl/workbook.xml": b"<workbook"})
    assert "无法读取该文件" in rejection(data)


def test_a_workbook_without_a_sheet_is_refused():
    data = xlsx([list(ROSTER_HEADERS), member()])
    workbook_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    start, end = workbook_xml.index(b"<sheets>"), workbook_xml.index(b"</sheets>") + 9
    no_sheets = workbook_xml[:start] + b"<sheets/>" + workbook_xml[end:]
    assert rejection(rezip(data, replace={"xl/workbook.xml": no_sheets})) == "文件中没有工作表"


def test_an_empty_sheet_is_refused():
    assert "是空的" in rejection(xlsx([]))


def test_the_header_may_be_the_tenth_row():
    titles = [[f"说明第 {n} 行"] for n in range(1, 10)]
    result = read_roster(
        xlsx([*titles, list(ROSTER_HEADERS), member()]), filename="a.xlsx", today=TODAY
    )
    assert [(row.row_number, row.name) for row in result.rows] == [(11, "张三")]


def test_a_sheet_without_a_header_in_its_first_ten_rows_is_refused():
    titles = [[f"说明第 {n} 行"] for n in range(1, 11)]
    message = rejection(xlsx([*titles, list(ROSTER_HEADERS), member()]))
    assert "前 10 行中没有找到表头" in message


def test_more_rows_than_any_roster_has_are_refused():
    book = Workbook()
    book.active.append(list(ROSTER_HEADERS))
    book.active.cell(row=10_002, column=1, value="李四")
    out = io.BytesIO()
    book.save(out)
    assert "表格超过 10000 行" in rejection(out.getvalue())


def test_a_wrong_dimension_in_the_file_does_not_hide_rows():
    data = xlsx([list(ROSTER_HEADERS), member(), member({"姓名": "李四"})])
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:J3" />' in sheet_xml
    wrong = sheet_xml.replace(b'<dimension ref="A1:J3" />', b'<dimension ref="A1:J2" />')
    result = read_roster(
        rezip(data, replace={"xl/worksheets/sheet1.xml": wrong}),
        filename="花名册.xlsx",
        today=TODAY,
    )
    assert [row.name for row in result.rows] == ["张三", "李四"]


def test_a_header_without_rows_is_refused():
    assert "没有党员数据" in rejection(xlsx([list(ROSTER_HEADERS), [None], ["　"]]))


# --- the header ------------------------------------------------------------------------------


def test_the_header_is_found_below_a_merged_title_row():
    book = Workbook()
    sheet = book.active
    sheet.append(["东风村党员花名册"])
    sheet.merge_cells("A1:I1")
    sheet.append(list(ROSTER_HEADERS))
    sheet.append(member())
    out = io.BytesIO()
    book.save(out)
    result = read_roster(out.getvalue(), filename="花名册.xlsx", today=TODAY)
    assert result.errors == []
    assert [row.row_number for row in result.rows] == [3]


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("姓名*", "姓名"),
        ("姓 名", "姓名"),
        ("　性别　", "性别"),
        ("出生日期＊", "出生日期"),
        ("党员身份（正式/预备）", "党员身份"),
        ("党员身份*(正式/预备)", "党员身份"),
        ("类别（普通/流动/年老体弱）*", "类别"),
    ],
)
def test_header_spellings_are_understood(written, meant):
    header = [written if name == meant else name for name in ROSTER_HEADERS]
    result = read(member(), header=header)
    assert result.errors == []
    assert result.rows[0].name == "张三"


def test_columns_may_come_in_any_order():
    header = list(reversed(ROSTER_HEADERS))
    result = read(list(reversed(member())), header=header)
    assert result.errors == []
    assert result.rows[0].birth_date == date(1965, 3, 2)
    assert result.rows[0].phone == "13812345678"


def test_a_missing_required_column_is_named():
    header = [name for name in ROSTER_HEADERS if name != "出生日期"]
    row = [value for name, value in ZHANG_SAN.items() if name != "出生日期"]
    result = read(row, header=header)
    assert triples(result) == [(1, "出生日期", "表头中缺少必填的「出生日期」列")]
    assert result.rows == []


def test_optional_columns_may_be_left_out():
    result = read(
        ["张三", "男", "1965-03-02", "正式", "普通"],
        header=["姓名", "性别", "出生日期", "党员身份", "类别"],
    )
    assert result.errors == []
    assert result.rows[0].joined_on is None
    assert result.rows[0].phone is None


def test_an_unknown_column_is_named_and_the_rows_are_still_checked():
    result = read(
        [*member(), "110101196503021234"],
        member({"性别": "M"}),
        header=[*ROSTER_HEADERS, "身份证号"],
    )
    assert triples(result) == [
        (1, "身份证号", "第 K 列「身份证号」不是模板中的列，请删除该列或改用导入模板"),
        (3, "性别", "只能填写 男 或 女，不能填「M」"),
    ]


def test_a_duplicated_column_is_named():
    result = read([*member(), "13900000000"], header=[*ROSTER_HEADERS, "联系电话"])
    assert triples(result) == [(1, "联系电话", "「联系电话」列重复（第 G 列和第 K 列）")]


def test_a_serial_number_column_is_ignored():
    result = read([1, *member()], [2], header=["序号", *ROSTER_HEADERS])
    assert result.errors == []
    assert len(result.rows) == 1


# --- the rows --------------------------------------------------------------------------------


def test_a_good_row_is_read_into_its_fields():
    exempt = member({"类别": "年老体弱", "免评党员大会日期": date(2025, 3, 1), "备注": "长期卧床"})
    result = read(exempt)
    assert result == RosterReadResult(
        rows=[
            RosterRow(
                row_number=2,
                name="张三",
                gender=Gender.MALE,
                birth_date=date(1965, 3, 2),
                joined_on=date(1990, 7, 1),
                membership=Membership.FULL,
                category=MemberCategory.ELDERLY_INFIRM,
                phone="13812345678",
                exempt_meeting_date=date(2025, 3, 1),
                note="长期卧床",
            )
        ],
        errors=[],
        blank_rows_skipped=0,
    )


def test_blank_rows_between_members_are_skipped_and_counted_but_trailing_ones_are_not():
    li_si = member({"姓名": "李四", "性别": "女"})
    result = read(member(), [None] * 9, [" ", "\u3000", None], li_si, [None], [None])
    assert [(row.row_number, row.name) for row in result.rows] == [(2, "张三"), (5, "李四")]
    assert result.blank_rows_skipped == 2
    assert result.errors == []


def test_empty_required_cells_say_必填():
    result = read(
        member({"姓名": None, "性别": None, "出生日期": None, "党员身份": "  ", "类别": None})
    )
    assert triples(result) == [
        (2, "姓名", "必填"),
        (2, "性别", "必填"),
        (2, "出生日期", "必填"),
        (2, "党员身份", "必填"),
        (2, "类别", "必填"),
    ]
    assert result.rows == []


def test_all_errors_of_all_rows_are_collected():
    result = read(
        member({"性别": "公"}),
        member({"姓名": "李四"}),
        member({"姓名": "王五", "出生日期": "去年", "联系电话": "12345"}),
    )
    assert triples(result) == [
        (2, "性别", "只能填写 男 或 女，不能填「公」"),
        (4, "出生日期", "无法识别的日期「去年」，请写成 1965-03-02"),
        (4, "联系电话", "电话号码「12345」不对：手机号是 11 位数字，固定电话是 7–12 位数字"),
    ]
    assert [row.name for row in result.rows] == ["李四"]


@pytest.mark.parametrize(("written", "gender"), [("男", Gender.MALE), ("女", Gender.FEMALE)])
def test_gender_is_男_or_女(written, gender):
    assert read(member({"性别": written})).rows[0].gender is gender


@pytest.mark.parametrize(
    ("written", "membership"),
    [
        ("正式", Membership.FULL),
        ("正式党员", Membership.FULL),
        ("预备", Membership.PROBATIONARY),
        ("预备党员", Membership.PROBATIONARY),
    ],
)
def test_membership_spellings(written, membership):
    assert read(member({"党员身份": written})).rows[0].membership is membership


@pytest.mark.parametrize(
    ("written", "category"),
    [
        ("普通", MemberCategory.ORDINARY),
        ("流动", MemberCategory.MOBILE),
        ("流动党员", MemberCategory.MOBILE),
        ("年老体弱", MemberCategory.ELDERLY_INFIRM),
    ],
)
def test_category_spellings(written, category):
    assert read(member({"类别": written})).rows[0].category is category


@pytest.mark.parametrize(
    ("column", "written", "allowed"),
    [
        ("党员身份", "积极分子", "正式 或 预备"),
        ("类别", "困难", "普通、流动 或 年老体弱"),
    ],
)
def test_an_unknown_choice_names_what_is_allowed(column, written, allowed):
    result = read(member({column: written}))
    assert triples(result) == [(2, column, f"只能填写 {allowed}，不能填「{written}」")]


@pytest.mark.parametrize(
    "written",
    [
        datetime(1965, 3, 2),
        date(1965, 3, 2),
        "1965-03-02",
        "1965/3/2",
        "1965.3.2",
        "1965年3月2日",
        "1965年3月2",
        "19650302",
        19650302,
        23803,  # the Excel serial number of 1965-03-02
        23803.0,
        "１９６５－０３－０２",
        " 1965-3-2\u3000",
    ],
)
def test_date_spellings(written):
    result = read(member({"出生日期": written}))
    assert result.errors == []
    assert result.rows[0].birth_date == date(1965, 3, 2)


@pytest.mark.parametrize(
    "written",
    ["1965-13-02", "1965-02-30", "65/3/2", "1965-3/2", "三月二日", "=DATE(1965,3,2)", 0.5],
)
def test_unrecognised_dates_say_how_to_write_them(written):
    result = read(member({"出生日期": written}))
    assert triples(result) == [(2, "出生日期", f"无法识别的日期「{written}」，请写成 1965-03-02")]


def test_a_date_before_1900_is_a_typing_slip():
    result = read(member({"出生日期": "1065-03-02"}))
    assert triples(result) == [(2, "出生日期", "日期「1065-03-02」早于 1900 年，请检查")]


@pytest.mark.parametrize(
    "changes",
    [
        {"出生日期": date(2010, 1, 1), "入党日期": None},
        {"出生日期": date(2026, 1, 1), "入党日期": None},
        {"入党日期": date(1980, 1, 1)},
        {"入党日期": date(2026, 1, 1)},
        {"免评党员大会日期": date(2025, 3, 1)},
        {"类别": "年老体弱", "免评党员大会日期": date(2025, 7, 1)},
    ],
)
def test_plausibility_comes_from_the_shared_roster_rules(changes):
    values = ZHANG_SAN | changes
    expected = member_problems(
        birth_date=values["出生日期"],
        joined_on=values["入党日期"],
        category=MemberCategory.ELDERLY_INFIRM
        if values["类别"] == "年老体弱"
        else MemberCategory.ORDINARY,
        exempt_meeting_date=values["免评党员大会日期"],
        today=TODAY,
    )
    assert expected
    result = read(member(changes))
    assert triples(result) == [(2, problem.field, problem.message) for problem in expected]


def test_a_name_too_long_breaks_the_shared_name_rule():
    long_name = "买" * 41
    (problem,) = name_problems(long_name)
    assert triples(read(member({"姓名": long_name}))) == [(2, "姓名", problem.message)]


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("13812345678", "13812345678"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("0571-88123456", "057188123456"),
        ("88123456", "88123456"),
        ("+86 13812345678", "13812345678"),  # the country code before a mobile is dropped
        (None, None),
    ],
)
def test_phone_numbers_are_kept_as_digits(written, stored):
    assert read(member({"联系电话": written})).rows[0].phone == stored


@pytest.mark.parametrize("written", ["1381234567", "12345", "138123456789", "电话", "+1 5550100"])
def test_a_wrong_phone_number_is_named(written):
    result = read(member({"联系电话": written}))
    message = f"电话号码「{written}」不对：手机号是 11 位数字，固定电话是 7–12 位数字"
    assert triples(result) == [(2, "联系电话", message)]


def test_a_note_longer_than_200_characters_is_refused():
    result = read(member({"备注": "长" * 201}))
    assert triples(result) == [(2, "备注", "不能超过 200 个字")]


def test_the_same_name_and_birth_date_twice_is_a_duplicate_named_on_the_later_row():
    result = read(member(), member({"姓名": "李四"}), member({"性别": "女"}))
    assert triples(result) == [(4, "姓名", "与第 2 行重复（姓名和出生日期都相同）")]
    assert [row.row_number for row in result.rows] == [2, 3]  # rows holds only error-free rows


def test_namesakes_with_different_birth_dates_are_two_members():
    result = read(member(), member({"出生日期": date(1970, 8, 9)}))
    assert result.errors == []
    assert [row.name for row in result.rows] == ["张三", "张三"]


@pytest.mark.parametrize("name", ["王𠀾", "阿依古丽·买买提"])
def test_names_with_extension_b_characters_and_middle_dots_are_kept(name):
    result = read(member({"姓名": name}))
    assert result.errors == []
    assert result.rows[0].name == name


def test_a_formula_in_the_name_cell_is_read_as_its_text_and_is_no_name():
    formula = '=HYPERLINK("http://x","张三")'
    result = read(member({"姓名": formula}))
    (error,) = result.errors
    assert f"姓名「{formula}」不对" in error.message


def test_spaces_and_full_width_spaces_around_values_are_stripped():
    padded = {
        "姓名": "\u3000张三 ",
        "性别": " 男\u3000",
        "党员身份": "\t正式",
        "类别": "普通\u3000",
        "备注": "\u3000",
    }
    row = read(member(padded)).rows[0]
    assert (row.name, row.gender, row.membership, row.category, row.note) == (
        "张三",
        Gender.MALE,
        Membership.FULL,
        MemberCategory.ORDINARY,
        None,
    )


def test_a_row_error_reads_as_row_column_and_reason():
    assert str(RowError(5, "出生日期", "必填")) == "第 5 行「出生日期」：必填"
    assert str(RowError(None, None, "表格中没有党员数据")) == "表格中没有党员数据"


# --- the template ----------------------------------------------------------------------------


def test_the_template_has_a_title_the_headers_and_a_guide_sheet():
    book = load_workbook(io.BytesIO(roster_template()))
    assert book.sheetnames == ["党员花名册", "填写说明"]
    sheet = book["党员花名册"]
    assert sheet["A1"].value == "党员花名册（导入模板）"
    assert "A1:J1" in {str(merged) for merged in sheet.merged_cells.ranges}
    required = ["姓名*", "性别*", "出生日期*", "入党日期", "党员身份*", "类别*"]
    optional = ["联系电话", "免评党员大会日期", "组别", "备注"]
    assert [cell.value for cell in sheet[2]] == [*required, *optional]
    assert sheet.max_row == 2  # no example rows to be imported by accident
    guide = [row[0] for row in book["填写说明"].iter_rows(values_only=True)]
    assert any("1965-03-02" in line for line in guide)
    assert any("组别" in line and "出生年份" in line for line in guide)
    assert sheet.column_dimensions["I"].number_format == "@"  # 组别 "3" stays text


def test_the_template_has_dropdowns_date_formats_widths_and_a_frozen_header():
    sheet = load_workbook(io.BytesIO(roster_template()))["党员花名册"]
    dropdowns = {
        str(rule.sqref).split(":")[0]: rule.formula1
        for rule in sheet.data_validations.dataValidation
    }
    assert dropdowns == {"B3": '"男,女"', "E3": '"正式,预备"', "F3": '"普通,流动,年老体弱"'}
    for letter in "CDH":
        assert sheet.column_dimensions[letter].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["G"].number_format == "@"
    assert sheet.column_dimensions["H"].width >= 2 * len("免评党员大会日期")
    assert sheet.freeze_panes == "A3"


def test_a_filled_in_template_reads_back_its_rows():
    book = load_workbook(io.BytesIO(roster_template()))
    sheet = book["党员花名册"]
    sheet.append(member())
    sheet.append(
        member({"姓名": "阿依古丽·买买提", "性别": "女", "党员身份": "预备", "类别": "流动"})
    )
    out = io.BytesIO()
    book.save(out)
    result = read_roster(out.getvalue(), filename="党员花名册（导入模板）.xlsx", today=TODAY)
    assert result.errors == []
    assert [(row.row_number, row.name, row.membership) for row in result.rows] == [
        (3, "张三", Membership.FULL),
        (4, "阿依古丽·买买提", Membership.PROBATIONARY),
    ]


def test_the_untouched_template_uploaded_again_says_there_are_no_members():
    message = rejection(roster_template())
    assert message == "表格中没有党员数据：请从表头下一行（第 3 行）起填写"


# --- 组别 (村民小组), optional: tells namesakes apart ------------------------------------------


def test_a_group_is_read_from_its_column_and_may_be_left_blank():
    result = read(member({"组别": "三组"}), member({"姓名": "李四"}))
    assert [(row.name, row.village_group) for row in result.rows] == [
        ("张三", "三组"),
        ("李四", None),
    ]
    assert result.errors == []


def test_a_bare_group_number_is_kept_as_a_group():
    result = read(member({"组别": 3}), member({"姓名": "李四", "组别": "５"}))
    assert [row.village_group for row in result.rows] == ["3组", "5组"]


def test_a_column_headed_村民小组_is_the_group():
    header = ["村民小组" if name == "组别" else name for name in ROSTER_HEADERS]
    result = read(member({"组别": "第三村民小组"}), header=header)
    assert result.rows[0].village_group == "第三村民小组"


def test_a_group_longer_than_twenty_characters_is_refused_with_its_row():
    result = read(member({"组别": "组" * 21}))
    assert triples(result) == [(2, "组别", "组别不能超过 20 个字")]
