"""民主测评统计表 from a tally and read back: round figures and each subject's counts, rates and
score as numbers; a sheet per section."""

from datetime import date

import pytest

from starrating.rules.ballots import Choice, tally_round
from starrating.spreadsheets.exports.ballots import (
    CodeAccount,
    RoundSection,
    RoundSheet,
    SubjectLine,
    round_workbook,
)
from starrating.spreadsheets.exports.layout import Heading
from tests.spreadsheets.exports_reading import assert_print_ready, header_row, open_book, table

S, B, D, U = Choice.SATISFIED, Choice.BASIC, Choice.DISSATISFIED, Choice.UNKNOWN


def workbook() -> bytes:
    ballots = [{1: S, 2: S}, {1: S, 2: B}, {1: B, 2: D}, {1: U, 2: None}, {1: None, 2: None}]
    tally = tally_round(eligible=8, issued=6, ballots=ballots, subject_ids=[1, 2])
    (one, t1), (two, t2) = tally.subjects
    return round_workbook(
        RoundSheet(
            heading=Heading("白沙滩镇", 2026, date(2026, 12, 1), "翁家埠村"),
            title="2026 年度民主测评",
            electorate="18岁以上村民",
            tally=tally,
            certified_on=date(2026, 11, 30),
            sections=[
                RoundSection("党员群众满意度测评", False, [SubjectLine(1, "王建国", t1)]),
                RoundSection("村干部民主测评", True, [SubjectLine(2, "张三", t2)]),
            ],
            codes=CodeAccount(
                printed=7, voided=1, phone=3, paper=2, never_used=1, written_off=True
            ),
        )
    )


def test_a_sheet_per_section_with_the_round_figures():
    found = open_book(workbook())
    assert found.sheetnames == ["党员群众满意度测评", "村干部民主测评"]
    ws = found["党员群众满意度测评"]
    labels = header_row(ws, "应参加")
    figures = {ws.cell(labels, c).value: ws.cell(labels + 1, c).value for c in range(1, 9)}
    assert figures["应参加"] == 8
    assert figures["发出"] == 6
    assert figures["收回"] == 5
    assert figures["有效票"] == 4
    assert figures["空白票"] == 1
    assert figures["参与率"] == pytest.approx(0.625)
    assert figures["法定人数"] == 4
    assert figures["结果"] == "有效"
    assert "计票确认：2026-11-30" in ws["A3"].value


def test_the_account_of_the_codes_is_on_every_sheet():
    found = open_book(workbook())
    for ws in found.worksheets:
        labels = header_row(ws, "印制")
        codes = {ws.cell(labels, c).value: ws.cell(labels + 1, c).value for c in range(1, 7)}
        assert codes == {
            "印制": 7,
            "作废补发": 1,
            "手机投票": 3,
            "纸质选票": 2,
            "未使用": 1,
            "核销": "已核销",
        }


def test_counts_rates_and_the_cadres_score():
    found = open_book(workbook())
    (member,) = table(found["党员群众满意度测评"])
    assert [member[c.label].value for c in Choice] == [2, 1, 0, 1]
    assert member["空白"].value == 1
    assert member["有效票"].value == 3
    assert member["认可率"].value == pytest.approx(1.0)
    assert member["满意率"].value == pytest.approx(0.667)
    assert member["满意率"].number_format == "0.0%"
    assert "测评得分" not in member
    (cadre,) = table(found["村干部民主测评"])
    assert cadre["测评得分"].value == pytest.approx(66.7)  # (100 + 70 + 30) / 3
    assert cadre["测评得分"].number_format == "0.0"
    assert_print_ready(found["村干部民主测评"], header_row(found["村干部民主测评"]))
