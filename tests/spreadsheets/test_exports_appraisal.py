"""村干部年度考核表 built from the §7 worked example (张三) and read back: every figure a number
with the format a township official expects, a sheet per cadre, the pay breakdown."""

from datetime import date
from decimal import Decimal

import pytest

from starrating.rules.appraisal import PledgeResult, appraise
from starrating.rules.appraisal_scheme import default_appraisal_scheme
from starrating.rules.ballots import ChoiceCounts
from starrating.rules.pay import PayProfile
from starrating.spreadsheets.exports.appraisal import (
    CadreBook,
    CadreLine,
    ItemLine,
    cadre_workbook,
)
from starrating.spreadsheets.exports.layout import Heading
from tests.spreadsheets.exports_reading import (
    assert_print_ready,
    header_row,
    labelled,
    open_book,
    table,
    values,
)

ITEMS = [("A", 40, Decimal(100)), ("B", 30, Decimal(80)), ("C", 30, Decimal(50))]


def zhang_san(name: str = "张三") -> CadreLine:
    outcome = appraise(
        items=[PledgeResult(w, c, item) for item, w, c in ITEMS],
        ballot=ChoiceCounts(satisfied=60, basic=25, dissatisfied=15, unknown=8),
        township_score=Decimal(85),
        pay_profile=PayProfile(base_pay=Decimal(24000), reward_amount=Decimal(3000)),
        scheme=default_appraisal_scheme(),
    )
    items = [
        ItemLine(i, item, f"{item}指标：完成", w, (Decimal(20), Decimal(45), None, None), c)
        for i, (item, w, c) in enumerate(ITEMS, start=1)
    ]
    return CadreLine(
        name, "村委会主任", Decimal(24000), Decimal(3000), Decimal(0), None, items, outcome, None
    )


def book(*cadres: CadreLine) -> bytes:
    heading = Heading("白沙滩镇", 2026, date(2026, 12, 1), "翁家埠村")
    return cadre_workbook(CadreBook(heading, "群众测评按测评「年度测评」计算", list(cadres)))


def test_a_summary_then_a_sheet_per_cadre():
    waiting = CadreLine(
        "李四", "村会计", Decimal(20000), Decimal(0), Decimal(0), "称职", [], None, "尚无年度承诺"
    )
    found = open_book(book(zhang_san(), waiting))
    assert found.sheetnames == ["考核汇总", "张三（村委会主任）", "李四（村会计）"]
    rows = table(found["考核汇总"])
    assert values(rows, "姓名") == ["张三", "李四"]
    assert rows[1]["完成率"].value == "尚无年度承诺"


def test_the_worked_example_in_the_summary():
    (row,) = table(open_book(book(zhang_san()))["考核汇总"])
    assert row["完成率"].value == pytest.approx(0.79)
    assert row["完成率"].number_format == "0.0%"
    assert row["测评得分"].value == pytest.approx(82.0)
    assert row["测评得分"].number_format == "0.0"
    assert row["综合满意率"].value == pytest.approx(0.85)
    assert row["乡镇评价"].value == 85
    assert row["综合得分"].value == pytest.approx(81.1)
    assert row["等次"].value == "称职"
    assert row["处理"].value == "无"
    assert row["扣减"].value == pytest.approx(2640)
    assert row["扣减"].number_format == "#,##0.00"
    assert row["应发（元）"].value == pytest.approx(21360)


def test_the_worked_example_on_the_cadres_sheet():
    ws = open_book(book(zhang_san()))["张三（村委会主任）"]
    assert "姓名：张三" in ws["A3"].value
    items = table(ws)
    assert values(items, "权重") == [40, 30, 30]
    assert values(items, "核定完成") == pytest.approx([1.0, 0.8, 0.5])
    assert values(items, "一季度") == pytest.approx([0.2, 0.2, 0.2])
    assert values(items, "三季度") == [None, None, None]
    assert labelled(ws, "完成率").value == pytest.approx(0.79)
    assert "= 79.0%" in labelled(ws, "完成率", 4).value
    assert labelled(ws, "满意（票）").value == 60
    assert labelled(ws, "不了解（票）").value == 8
    assert labelled(ws, "有效票").value == 100
    assert labelled(ws, "测评得分").value == pytest.approx(82.0)
    assert labelled(ws, "不满意率").value == pytest.approx(0.15)
    assert labelled(ws, "综合得分").value == pytest.approx(81.1)
    assert labelled(ws, "等次").value == "称职"
    assert labelled(ws, "扣减（元）").value == pytest.approx(2640)
    assert labelled(ws, "应发（元）").value == pytest.approx(21360)
    assert labelled(ws, "应发（元）").number_format == "#,##0.00"
    assert "24,000.00 − 2,640.00 = 21,360.00" in labelled(ws, "应发（元）", 4).value
    assert_print_ready(ws, header_row(ws))


def test_a_cadre_named_like_a_formula_is_text_on_every_sheet():
    found = open_book(book(zhang_san("=1+1")))
    (row,) = table(found["考核汇总"])
    assert row["姓名"].value == "=1+1"
    assert row["姓名"].data_type == "s"
    assert row["姓名"].quotePrefix is True
    assert found.sheetnames[1] == "=1+1（村委会主任）"
