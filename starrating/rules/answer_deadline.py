"""When a villager's objection (异议) must be answered, and when an unanswered one is overdue.

The rule: an objection filed on a day (China date) is to be answered within the scheme's answer
days counted from the day after — filed on 11-28 with 10 days, it is answered by 12-08, that day
included. From the day after that, while it has no answer, it is overdue (已超期), by one day on
12-09. An answered objection is never overdue.
"""

from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_ANSWER_DAYS = 10  # a scheme's answer days (rules/tenstar_scheme.py) unless it sets them
MAX_ANSWER_DAYS = 30


def answer_by(filed_on: date, days: int) -> date:
    """The last day on which an objection filed on filed_on is answered in time."""
    return filed_on + timedelta(days=days)


def days_overdue(*, filed_on: date, days: int, today: date, answered: bool) -> int:
    """How many days past its deadline an unanswered objection is today; 0 when answered or
    still in time."""
    if answered:
        return 0
    return max((today - answer_by(filed_on, days)).days, 0)


def overdue_if_filed_before(today: date, days: int) -> date:
    """An unanswered objection filed before this day is overdue today (for reads that select
    the overdue ones by their filing moment)."""
    return today - timedelta(days=days)


@dataclass(frozen=True)
class AnswerDeadline:
    """One objection's deadline as of a day: by when, and how far past it while unanswered."""

    filed_on: date
    answer_by: date
    days_overdue: int
    answered: bool
    last_day: bool = False  # today is the deadline itself

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def sentence(self) -> str:
        """The deadline in words: 应于 12月8日前答复, 已超期 3 天（应于 12月8日前答复）."""
        due = f"应于 {self.answer_by.month}月{self.answer_by.day}日前答复"
        if self.answered:
            return "已答复"
        if self.overdue:
            return f"已超期 {self.days_overdue} 天（{due}）"
        return f"{due}（今天是最后一天）" if self.last_day else due


def answer_deadline(*, filed_on: date, days: int, today: date, answered: bool) -> AnswerDeadline:
    """The objection's deadline under the scheme's answer days, as of today."""
    due = answer_by(filed_on, days)
    return AnswerDeadline(
        filed_on=filed_on,
        answer_by=due,
        days_overdue=days_overdue(filed_on=filed_on, days=days, today=today, answered=answered),
        answered=answered,
        last_day=not answered and today == due,
    )


def urgency(deadline: AnswerDeadline) -> tuple[int, int]:
    """The order objections are shown in (a sort key; ties keep their order): overdue ones
    first, the longest overdue first; then the other unanswered ones, the nearest deadline
    first; then the answered ones."""
    if deadline.answered:
        return (2, 0)
    if deadline.overdue:
        return (0, -deadline.days_overdue)
    return (1, deadline.answer_by.toordinal())
