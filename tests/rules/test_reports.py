"""Quarterly reports: a quarter's report is due within 15 days after the quarter ends."""

from datetime import date
from decimal import Decimal

import pytest

from starrating.rules.reports import (
    ReportStatus,
    filing_problems,
    quarter_dates,
    report_status,
    years_in_play,
)


@pytest.mark.parametrize(
    ("quarter", "first", "last", "due_by"),
    [
        (1, date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 15)),
        (2, date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 15)),
        (3, date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 15)),
        (4, date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 15)),
    ],
)
def test_each_quarters_report_is_due_fifteen_days_after_it_ends(quarter, first, last, due_by):
    dates = quarter_dates(2026, quarter)
    assert (dates.first_day, dates.last_day, dates.due_by) == (first, last, due_by)


def test_there_is_no_fifth_quarter():
    with pytest.raises(ValueError, match="1–4"):
        quarter_dates(2026, 5)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 3, 31), ReportStatus.NOT_STARTED),
        (date(2026, 4, 1), ReportStatus.OPEN),
        (date(2026, 6, 30), ReportStatus.OPEN),
        (date(2026, 7, 1), ReportStatus.DUE),
        (date(2026, 7, 15), ReportStatus.DUE),
        (date(2026, 7, 16), ReportStatus.OVERDUE),
    ],
)
def test_an_unfiled_second_quarter_report_by_date(today, expected):
    assert report_status(year=2026, quarter=2, filed=False, today=today) is expected


def test_a_filed_report_is_never_overdue():
    assert report_status(year=2026, quarter=1, filed=True, today=date(2027, 5, 1)) is (
        ReportStatus.FILED
    )


def test_the_fourth_quarter_is_overdue_from_the_sixteenth_of_january():
    assert report_status(year=2026, quarter=4, filed=False, today=date(2027, 1, 15)) is (
        ReportStatus.DUE
    )
    assert report_status(year=2026, quarter=4, filed=False, today=date(2027, 1, 16)) is (
        ReportStatus.OVERDUE
    )


def test_last_years_pledge_stays_in_play_until_its_fourth_quarter_is_due():
    assert years_in_play(date(2027, 1, 15)) == (2026, 2027)
    assert years_in_play(date(2027, 1, 16)) == (2027,)


def test_a_report_on_a_public_pledge_for_a_begun_quarter_has_no_problems():
    assert (
        filing_problems(
            pledge_public=True, year=2026, quarter=2, today=date(2026, 5, 1), progress=Decimal(40)
        )
        == []
    )


@pytest.mark.parametrize("progress", [Decimal(120), Decimal(-5)])
def test_progress_outside_nought_to_a_hundred_is_refused(progress):
    problems = filing_problems(
        pledge_public=True, year=2026, quarter=1, today=date(2026, 5, 1), progress=progress
    )
    assert problems == [f"进度须在 0–100% 之间，现为 {progress}%"]


def test_a_pledge_not_yet_public_takes_no_report():
    problems = filing_problems(pledge_public=False, year=2026, quarter=1, today=date(2026, 5, 1))
    assert problems == ["这份承诺还没有公开，公开承诺后才能每季度汇报"]


def test_quarter_five_is_refused():
    problems = filing_problems(pledge_public=True, year=2026, quarter=5, today=date(2026, 5, 1))
    assert problems == ["季度须为 1–4，没有第 5 季度"]


def test_a_quarter_not_yet_begun_cannot_be_reported_early():
    problems = filing_problems(pledge_public=True, year=2026, quarter=3, today=date(2026, 5, 1))
    assert problems == ["2026 年第 3 季度还没有开始，不能提前汇报"]
