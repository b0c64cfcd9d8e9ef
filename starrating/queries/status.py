"""Where a village's years stand, in the state rule's words (rules/assessment_state.year_status):
the facts every page's status sentence is made from, read in a fixed number of queries."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import AssessmentYear, BallotRound, YearReview
from starrating.rules.assessment_state import Step, YearFacts, YearStatus, year_status
from starrating.rules.electorate import RoundState
from starrating.web import china_day


def _china_day(moment: datetime | None) -> date | None:
    return china_day(moment) if moment is not None else None


def _rounds_counting(records: Sequence[AssessmentYear]) -> dict[tuple[int, int], tuple[int, int]]:
    """(village id, year) → (rounds voting, rounds closed but not certified)."""
    villages = {r.village_id for r in records}
    years = {r.year for r in records}
    uncertified = (BallotRound.state == RoundState.CLOSED) & BallotRound.certified_at.is_(None)
    rows = db.session.execute(
        select(
            BallotRound.village_id,
            BallotRound.year,
            func.count(BallotRound.id).filter(BallotRound.state == RoundState.OPEN),
            func.count(BallotRound.id).filter(uncertified),
        )
        .where(BallotRound.village_id.in_(villages), BallotRound.year.in_(years))
        .group_by(BallotRound.village_id, BallotRound.year)
    )
    return {(v, y): (voting, counting) for v, y, voting, counting in rows}


def _resumed(year_ids: list[int]) -> set[int]:
    """Years whose last review step is the secretary's 按审核意见修改."""
    last = (
        select(YearReview.year_id, func.max(YearReview.id).label("last_id"))
        .where(YearReview.year_id.in_(year_ids))
        .group_by(YearReview.year_id)
        .subquery()
    )
    return set(
        db.session.scalars(
            select(YearReview.year_id)
            .join(last, YearReview.id == last.c.last_id)
            .where(YearReview.step == Step.RESUME)
        )
    )


def year_statuses(records: Sequence[AssessmentYear], *, today: date) -> dict[int, YearStatus]:
    """Year id → its status; three queries whatever the number of years."""
    if not records:
        return {}
    rounds = _rounds_counting(records)
    resumed = _resumed([r.id for r in records])
    found = {}
    for record in records:
        voting, counting = rounds.get((record.village_id, record.year), (0, 0))
        facts = YearFacts(
            year=record.year,
            today=today,
            state=record.state,
            marking_closed_on=_china_day(record.marking_closed_at),
            published_on=record.published_on,
            publicity_ends_on=record.publicity_ends_on,
            cadres_published_on=record.cadres_published_on,
            cadres_publicity_ends_on=record.cadres_publicity_ends_on,
            submitted_on=_china_day(record.submitted_at),
            resumed=record.id in resumed,
            open_rounds=voting,
            uncertified_rounds=counting,
        )
        found[record.id] = year_status(facts)
    return found


def year_status_of(record: AssessmentYear, *, today: date) -> YearStatus:
    return year_statuses([record], today=today)[record.id]
