"""The cadre list sheet: the template reads back, and an upload is checked cell by cell."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from starrating.rules.cadre_grades import CadreGrade
from starrating.spreadsheets.cadres import cadre_template, read_cadres
from starrating.spreadsheets.upload import UploadRejected

HEADER = [
    "序号",
    "姓名*",
    "职务*",
    "基本工资（元）*",
    "绩效工资（元）",
    "奖励金额（元）",
    "上年度考核等次",
]


def _sheet(*rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "村干部名单"
    sheet.append(["村干部名单（导入模板）"])
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_has_starred_headers_a_grade_dropdown_and_a_guide():
    book = load_workbook(io.BytesIO(cadre_template()))
    sheet = book["村干部名单"]
    assert [c.value for c in sheet[2]] == [
        "姓名*",
        "职务*",
        "职务类别",
        "基本工资（元）*",
        "绩效工资（元）",
        "奖励金额（元）",
        "上年度考核等次",
    ]
    assert '"优秀,称职,基本称职,不称职"' in [
        v.formula1 for v in sheet.data_validations.dataValidation
    ]
    assert "填写说明" in book.sheetnames and sheet.max_row == 2


def test_an_empty_template_is_refused_as_a_whole():
    with pytest.raises(UploadRejected, match="没有村干部数据"):
        read_cadres(cadre_template(), filename="模板.xlsx")


def test_good_rows_are_read_with_money_exactly_as_written():
    result = read_cadres(
        _sheet(
            (1, "张三", "主任", 24000, 1200.5, "3,000元", "不称职"),
            (2, "阿依古丽·买买提", "会计", "18000", None, None, None),
        ),
        filename="a.xlsx",
    )
    assert result.errors == []
    (row3, first), (row4, second) = result.rows
    assert (row3, row4) == (3, 4)
    assert first.base_pay == 24000 and first.performance_pay == Decimal("1200.5")
    assert first.reward_amount == Decimal("3000") and first.previous_grade is CadreGrade.INCOMPETENT
    assert second.name == "阿依古丽·买买提" and second.previous_grade is None


def test_each_bad_cell_is_named_by_row_column_and_reason():
    result = read_cadres(
        _sheet(
            (1, "张三", "主任", 24000.125, None, None, None),
            (2, "李四", None, "两万", None, None, "良好"),
            (3, "张三", "主任", 100, None, None, None),
            (4, "王五", "文书", -5, None, None, None),
        ),
        filename="a.xlsx",
    )
    found = {(e.row, e.column) for e in result.errors}
    assert (3, "基本工资") in found  # three decimals
    assert {(4, "基本工资"), (4, "上年度考核等次")} <= found
    assert (4, "职务") in found
    assert (6, "基本工资") in found  # negative
    messages = " ".join(str(e) for e in result.errors)
    assert "最多两位小数" in messages and "不能为负数" in messages


def test_a_repeated_name_and_post_is_a_duplicate():
    result = read_cadres(
        _sheet((1, "张三", "主任", 1, None, None, None), (2, "张三", "主任", 2, None, None, None)),
        filename="a.xlsx",
    )
    assert [str(e) for e in result.errors] == ["第 4 行「姓名」：与第 3 行重复（姓名和职务都相同）"]


def test_a_missing_required_column_is_reported():
    result = read_cadres(_sheet(("张三",), header=["姓名"]), filename="a.xlsx")
    assert {e.column for e in result.errors} == {"职务", "基本工资"} and result.rows == []


def test_a_file_that_is_not_xlsx_is_refused():
    with pytest.raises(UploadRejected, match=".xlsx"):
        read_cadres(b"name,post", filename="a.csv")
