"""Stars through the year (DESIGN.md §15): each 摘星 and 升星 the 支委会 decided between two
assessments, against the stars of the approved year."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from starrating.extensions import db
from starrating.models.assessment import AssessmentYear
from starrating.models.members import Member
from starrating.models.org import User
from starrating.models.types import UTCDateTime, enum_column, utcnow
from starrating.rules.star_changes import ChangeKind


class StarChange(db.Model):
    """One star taken away (摘星) or restored or added (升星) on a day, by the 支委会's decision
    of decided_on: the star's code in the approved year's scheme, the public reason (from that
    scheme's list, shown on the board) and a private note (the branch and township only).
    Never changed once recorded."""

    __tablename__ = "star_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_year.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind))
    star_code: Mapped[str] = mapped_column(String(32))
    changed_on: Mapped[date]
    decided_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(200))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    year: Mapped[AssessmentYear] = relationship()
    member: Mapped[Member] = relationship()
    recorded_by: Mapped[User] = relationship()
