"""The township's yearly scheme and a branch's ten-star year: its members, raters and marks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from starrating.extensions import db
from starrating.models.members import Member
from starrating.models.org import Township, User, Village
from starrating.models.types import UTCDateTime, enum_column, utcnow
from starrating.rules.appraisal_scheme import AppraisalScheme, default_appraisal_scheme
from starrating.rules.assessment_state import YearState
from starrating.rules.board_scheme import BoardScheme
from starrating.rules.tenstar_scheme import TenStarScheme
from starrating.rules.tenstar_scheme_json import scheme_from_dict
from starrating.rules.vocabulary import Membership


class Scheme(db.Model):
    """A township's rules for one year, as data; frozen when the first village opens its year.

    `rules` holds one entry per part: "tenstar" (rules.tenstar_scheme's dict form) and
    "appraisal" (rules.appraisal_scheme.AppraisalScheme's; the defaults when absent).
    """

    __tablename__ = "scheme"
    __table_args__ = (UniqueConstraint("township_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    year: Mapped[int]
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    township: Mapped[Township] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def tenstar(self) -> TenStarScheme:
        return scheme_from_dict(self.rules["tenstar"])

    @property
    def appraisal(self) -> AppraisalScheme:
        """The cadre appraisal rules; a scheme made before they existed uses the defaults."""
        stored = self.rules.get("appraisal")
        return AppraisalScheme.from_dict(stored) if stored else default_appraisal_scheme()

    @property
    def board(self) -> BoardScheme:
        """What the village boards show; a scheme made before the setting shows everything."""
        return BoardScheme.from_dict(self.rules.get("board", {}))

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None


class AssessmentYear(db.Model):
    """One branch's ten-star assessment for one year, under one frozen scheme."""

    __tablename__ = "assessment_year"
    __table_args__ = (UniqueConstraint("village_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    year: Mapped[int]
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"))
    state: Mapped[YearState] = mapped_column(enum_column(YearState), default=YearState.MARKING)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marking_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # why marking was closed while some rater had not finished (none when all had)
    marking_closed_reason: Mapped[str | None] = mapped_column(String(200))
    # 优秀 quota: the 支委会's confirmation when more members are eligible than the quota allows
    quota_reason: Mapped[str | None] = mapped_column(String(500))
    quota_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the public board (China dates): ten-star results and cadre results, each for the
    # scheme's publicity days, ending on the day named (inclusive)
    published_on: Mapped[date | None]
    publicity_ends_on: Mapped[date | None]
    cadres_published_on: Mapped[date | None]
    cadres_publicity_ends_on: Mapped[date | None]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # approved or returned

    village: Mapped[Village] = relationship()
    scheme: Mapped[Scheme] = relationship()

    @property
    def marking_open(self) -> bool:
        """Raters may mark: while marking, and during publicity when the secretary has
        reopened marking for corrections."""
        correcting = self.state in (YearState.MARKING, YearState.PUBLICITY)
        return correcting and self.marking_closed_at is None


class AssessedMember(db.Model):
    """A member in one year's assessment: who they were when the year opened, and the year's
    facts about them (veto, exemption, removal, 优秀 confirmation)."""

    __tablename__ = "assessed_member"
    __table_args__ = (UniqueConstraint("year_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_year.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    position: Mapped[int]
    membership: Mapped[Membership] = mapped_column(enum_column(Membership))
    added_later: Mapped[bool] = mapped_column(default=False)
    exempt_meeting_date: Mapped[date | None]
    exempt_reason: Mapped[str | None] = mapped_column(String(200))
    veto_reason: Mapped[str | None] = mapped_column(String(100))
    veto_on: Mapped[date | None]
    veto_note: Mapped[str | None] = mapped_column(String(200))
    removed_reason: Mapped[str | None] = mapped_column(String(200))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    excellent_confirmed: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    year: Mapped[AssessmentYear] = relationship()
    member: Mapped[Member] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def is_exempt(self) -> bool:
        return self.exempt_meeting_date is not None

    @property
    def markable(self) -> bool:
        return self.removed_at is None and not self.is_exempt


class Rater(db.Model):
    """A committee member chosen to mark this year's members."""

    __tablename__ = "rater"

    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_year.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class StarMark(db.Model):
    """One rater's mark of one member on one organisational star: 达标/不达标, or points, or
    弃权 (abstained: neither passed nor points; done for the rater, no mark for the star)."""

    __tablename__ = "star_mark"
    __table_args__ = (UniqueConstraint("assessed_member_id", "rater_id", "star_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_year.id"), index=True)
    assessed_member_id: Mapped[int] = mapped_column(ForeignKey("assessed_member.id"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    star_code: Mapped[str] = mapped_column(String(32))
    passed: Mapped[bool | None]
    points: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    abstained: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(200))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
