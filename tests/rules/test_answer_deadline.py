"""An objection's answer deadline: the scheme's days from the day after filing, the last day
included; overdue from the day after, while unanswered."""

from datetime import date, timedelta

import pytest

from starrating.rules.answer_deadline import (
    answer_by,
    answer_deadline,
    days_overdue,
    overdue_if_filed_before,
    urgency,
)

FILED = date(2026, 11, 28)


def test_filed_on_28_november_with_10_days_is_answered_by_8_december() -> None:
    assert answer_by(FILED, 10) == date(2026, 12, 8)


def test_with_one_day_the_answer_is_due_the_next_day() -> None:
    assert answer_by(FILED, 1) == date(2026, 11, 29)


def test_a_deadline_runs_into_the_next_year() -> None:
    assert answer_by(date(2026, 12, 28), 10) == date(2027, 1, 7)


@pytest.mark.parametrize(
    ("today", "overdue", "sentence"),
    [
        (date(2026, 11, 28), 0, "应于 12月8日前答复"),
        (date(2026, 12, 7), 0, "应于 12月8日前答复"),
        (date(2026, 12, 8), 0, "应于 12月8日前答复（今天是最后一天）"),
        (date(2026, 12, 9), 1, "已超期 1 天（应于 12月8日前答复）"),
        (date(2026, 12, 20), 12, "已超期 12 天（应于 12月8日前答复）"),
    ],
)
def test_the_deadline_day_is_still_in_time_and_the_day_after_is_overdue(
    today: date, overdue: int, sentence: str
) -> None:
    found = answer_deadline(filed_on=FILED, days=10, today=today, answered=False)
    assert found.answer_by == date(2026, 12, 8)
    assert found.days_overdue == overdue
    assert found.overdue is (overdue > 0)
    assert found.sentence == sentence


def test_an_answered_objection_is_never_overdue() -> None:
    late = date(2027, 3, 1)
    assert days_overdue(filed_on=FILED, days=10, today=late, answered=True) == 0
    found = answer_deadline(filed_on=FILED, days=10, today=late, answered=True)
    assert not found.overdue and found.sentence == "已答复"


def test_the_filing_cutoff_agrees_with_the_rule_day_by_day() -> None:
    """Reads select overdue objections by filing day: before the cutoff exactly when overdue."""
    today = date(2026, 12, 9)
    assert overdue_if_filed_before(today, 10) == date(2026, 11, 29)
    for back in range(40):
        filed = today - timedelta(days=back)
        for days in (1, 10, 30):
            overdue = days_overdue(filed_on=filed, days=days, today=today, answered=False) > 0
            assert (filed < overdue_if_filed_before(today, days)) is overdue, (filed, days)


def test_overdue_ones_come_first_the_longest_overdue_first_then_the_nearest_deadline() -> None:
    today = date(2026, 12, 10)

    def due(filed: date, answered: bool = False):
        return answer_deadline(filed_on=filed, days=10, today=today, answered=answered)

    answered = due(date(2026, 11, 1), answered=True)
    in_time_later = due(date(2026, 12, 5))
    in_time_sooner = due(date(2026, 12, 1))
    two_days = due(date(2026, 11, 28))
    ten_days = due(date(2026, 11, 20))
    shown = sorted([answered, in_time_later, two_days, in_time_sooner, ten_days], key=urgency)
    assert shown == [ten_days, two_days, in_time_sooner, in_time_later, answered]
