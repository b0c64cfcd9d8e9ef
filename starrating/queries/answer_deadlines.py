"""The villagers' objections against their answer deadline (rules/answer_deadline.py, the days
set in the township's scheme): each objection's deadline, the overdue ones first, and how many
are overdue — for the secretary's pages, the township's dashboard and review, and the board.
Each read runs a fixed number of queries, however many villages or objections there are."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import Objection, Scheme
from starrating.rules.answer_deadline import (
    DEFAULT_ANSWER_DAYS,
    AnswerDeadline,
    answer_deadline,
    urgency,
)
from starrating.rules.answer_deadline import overdue_if_filed_before as overdue_before


def _china_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def answer_days_of(scheme: Scheme | None) -> int:
    """The scheme's answer days; the default for a year the township has no scheme for."""
    return scheme.tenstar.answer_days if scheme is not None else DEFAULT_ANSWER_DAYS


def deadline_of(objection: Objection, *, days: int, today: date) -> AnswerDeadline:
    filed_on = objection.filed_at.astimezone(_china_zone()).date()
    return answer_deadline(filed_on=filed_on, days=days, today=today, answered=objection.answered)


def deadlines(
    objections: Sequence[Objection], *, days: int, today: date
) -> dict[int, AnswerDeadline]:
    """Objection id → its deadline as of today."""
    return {o.id: deadline_of(o, days=days, today=today) for o in objections}


def most_urgent_first(
    objections: Sequence[Objection], found: dict[int, AnswerDeadline]
) -> list[Objection]:
    """The objections as a page lists them: overdue ones first (longest overdue first), then
    the other unanswered ones, then the answered ones, each group in its given order."""
    return sorted(objections, key=lambda o: urgency(found[o.id]))


def _overdue_filter(*, days: int, today: date) -> list:
    """Unanswered and filed before the first China day whose objections are still in time."""
    first_in_time = datetime.combine(overdue_before(today, days), time(), tzinfo=_china_zone())
    return [Objection.answered_at.is_(None), Objection.filed_at < first_in_time]


def overdue_count(village_id: int, year: int, *, days: int, today: date) -> int:
    """How many of the village-year's objections are overdue today (one query)."""
    return int(
        db.session.scalar(
            select(func.count(Objection.id)).where(
                Objection.village_id == village_id,
                Objection.year == year,
                *_overdue_filter(days=days, today=today),
            )
        )
        or 0
    )


@dataclass(frozen=True)
class OverdueObjection:
    """An overdue objection as the township's list shows it (never who filed it)."""

    id: int
    village_id: int
    reference: str
    deadline: AnswerDeadline


def overdue_objections(
    village_ids: Sequence[int], year: int, *, days: int, today: date
) -> list[OverdueObjection]:
    """The villages' overdue objections of the year, the longest overdue first (one query)."""
    if not village_ids:
        return []
    rows = db.session.execute(
        select(Objection.id, Objection.village_id, Objection.reference, Objection.filed_at)
        .where(
            Objection.village_id.in_(village_ids),
            Objection.year == year,
            *_overdue_filter(days=days, today=today),
        )
        .order_by(Objection.filed_at, Objection.id)
    ).all()
    zone = _china_zone()
    found = [
        OverdueObjection(
            id=objection_id,
            village_id=village_id,
            reference=reference,
            deadline=answer_deadline(
                filed_on=filed_at.astimezone(zone).date(), days=days, today=today, answered=False
            ),
        )
        for objection_id, village_id, reference, filed_at in rows
    ]
    return [o for o in found if o.deadline.overdue]  # the rule, not the filter, has the last word
