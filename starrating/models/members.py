"""The Party member roster of a village's branch."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from starrating.extensions import db
from starrating.models.org import Village
from starrating.models.types import UTCDateTime, enum_column, utcnow
from starrating.rules.vocabulary import Gender, MemberCategory, Membership, MemberStatus


class Member(db.Model):
    """A Party member: kept for ever, marked transferred or deceased instead of deleted.

    Namesakes are allowed; the same name *and* birth date in one village is a duplicate.
    """

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("village_id", "name", "birth_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    # 组别 / 村民小组, optional: shown beside the name where namesakes meet (rules/namesakes.py)
    village_group: Mapped[str | None] = mapped_column(String(20))
    gender: Mapped[Gender] = mapped_column(enum_column(Gender))
    birth_date: Mapped[date]
    joined_on: Mapped[date | None]
    membership: Mapped[Membership] = mapped_column(enum_column(Membership))
    category: Mapped[MemberCategory] = mapped_column(enum_column(MemberCategory))
    phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[MemberStatus] = mapped_column(
        enum_column(MemberStatus), default=MemberStatus.ACTIVE
    )
    status_changed_on: Mapped[date | None]
    exempt_meeting_date: Mapped[date | None]
    exempt_reason: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic locking: an edit made on a stale form is refused, not silently applied.
    version: Mapped[int] = mapped_column(default=1)

    village: Mapped[Village] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def is_exempt(self) -> bool:
        return self.exempt_meeting_date is not None
