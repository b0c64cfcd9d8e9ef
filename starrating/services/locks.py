"""The one check every service makes before it changes a village's year (DESIGN.md §5.6):
nothing changes while the township reviews it, and approved is locked for everyone but the
township's reopening."""

from sqlalchemy import select

from starrating.extensions import db
from starrating.models import AssessmentYear
from starrating.queries.assessment import year_lock
from starrating.rules.assessment_state import YearState, lock_message
from starrating.services import ServiceError


def ensure_village_may_edit(village_id: int, year: int) -> None:
    """Refuse any change to a village's year while the township reviews it or once it approved
    it (DESIGN.md §5.6: approved is locked for everyone but the township's reopening)."""
    refusal = year_lock(village_id, year)
    if refusal:
        raise ServiceError(refusal)


def ensure_township_may_edit(village_id: int, year: int) -> None:
    """The township's own entries (its score of a cadre) stay open while it reviews, and close
    once it approved the year."""
    state = db.session.scalar(
        select(AssessmentYear.state).where(
            AssessmentYear.village_id == village_id, AssessmentYear.year == year
        )
    )
    if state is YearState.APPROVED:
        raise ServiceError(lock_message(year, state))
