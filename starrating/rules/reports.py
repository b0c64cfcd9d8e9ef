"""Quarterly reports on pledge items (每季度汇报): which are due or overdue, which may be filed.

The overdue rule: a quarter's report may be filed from the quarter's first day, and is due within
REPORT_GRACE_DAYS (15) days after the quarter ends — Q1 by 15 April, Q2 by 15 July, Q3 by
15 October, Q4 by 15 January of the next year. From the day after that it is overdue. Only items
of public pledges (已公开承诺) are reported on, so only they can be overdue.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from starrating.rules.pledges import progress_problems

QUARTERS = (1, 2, 3, 4)
REPORT_GRACE_DAYS = 15


class ReportStatus(StrEnum):
    """Where one item's report for one quarter stands on a given day."""

    FILED = "filed"
    NOT_STARTED = "not_started"  # the quarter has not begun
    OPEN = "open"  # the quarter is under way: may be filed, not yet due
    DUE = "due"  # the quarter has ended, within the grace days
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {
            ReportStatus.FILED: "已汇报",
            ReportStatus.NOT_STARTED: "未开始",
            ReportStatus.OPEN: "本季度进行中",
            ReportStatus.DUE: "待汇报",
            ReportStatus.OVERDUE: "逾期未报",
        }[self]


@dataclass(frozen=True)
class QuarterDates:
    first_day: date
    last_day: date
    due_by: date  # the last day on which the report is on time


def quarter_dates(year: int, quarter: int) -> QuarterDates:
    """A quarter's first and last day, and the day its report is due by (last day + 15 days)."""
    if quarter not in QUARTERS:
        raise ValueError(f"quarter must be 1–4, not {quarter}")
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    last = following - timedelta(days=1)
    return QuarterDates(first, last, last + timedelta(days=REPORT_GRACE_DAYS))


def report_status(*, year: int, quarter: int, filed: bool, today: date) -> ReportStatus:
    """A filed report is filed; otherwise it is not started, open, due (within 15 days after the
    quarter ends) or overdue (after that), by today's date."""
    if filed:
        return ReportStatus.FILED
    dates = quarter_dates(year, quarter)
    if today < dates.first_day:
        return ReportStatus.NOT_STARTED
    if today <= dates.last_day:
        return ReportStatus.OPEN
    if today <= dates.due_by:
        return ReportStatus.DUE
    return ReportStatus.OVERDUE


def years_in_play(today: date) -> tuple[int, ...]:
    """The pledge years a cadre may still report on: this year, and last year until its fourth
    quarter's report is due (15 January)."""
    if today <= quarter_dates(today.year - 1, 4).due_by:
        return (today.year - 1, today.year)
    return (today.year,)


def filing_problems(
    *, pledge_public: bool, year: int, quarter: int, today: date, progress: Decimal | None = None
) -> list[str]:
    """A report is for quarter 1–4 of a public pledge, for a quarter that has begun, with a
    progress of 0–100 %."""
    if quarter not in QUARTERS:
        return [f"季度须为 1–4，没有第 {quarter} 季度"]
    problems = []
    if not pledge_public:
        problems.append("这份承诺还没有公开，公开承诺后才能每季度汇报")
    if today < quarter_dates(year, quarter).first_day:
        problems.append(f"{year} 年第 {quarter} 季度还没有开始，不能提前汇报")
    if progress is not None:
        problems += progress_problems(progress)
    return problems
