"""The public side of a year and its review: villagers' objections and the township's decisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from starrating.extensions import db
from starrating.models.assessment import AssessmentYear
from starrating.models.org import User, Village
from starrating.models.types import UTCDateTime, enum_column, utcnow
from starrating.rules.assessment_state import Step


class ObjectionTopic(StrEnum):
    TENSTAR = "tenstar"
    PLEDGES = "pledges"
    CADRES = "cadres"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            ObjectionTopic.TENSTAR: "十星级评定结果",
            ObjectionTopic.PLEDGES: "村干部公开承诺",
            ObjectionTopic.CADRES: "村干部考核结果",
            ObjectionTopic.OTHER: "其他",
        }[self]


class Objection(db.Model):
    """An objection filed on the public board. Who filed it (name, phone, both optional) is
    shown to the village's secretary and the township only, never on a public page."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    year: Mapped[int]
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    topic: Mapped[ObjectionTopic] = mapped_column(enum_column(ObjectionTopic))
    content: Mapped[str] = mapped_column(Text)
    filer_name: Mapped[str | None] = mapped_column(String(40))
    filer_phone: Mapped[str | None] = mapped_column(String(20))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    village: Mapped[Village] = relationship()
    answered_by: Mapped[User | None] = relationship()

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class YearReview(db.Model):
    """One step in a year's life after marking: publishing, submitting, the township's approval
    (with the 优秀 and 不合格 members it approved one by one), a return or a reopening, with the
    opinion or reason given."""

    __tablename__ = "year_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_year.id"), index=True)
    step: Mapped[Step] = mapped_column(enum_column(Step))
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opinion: Mapped[str | None] = mapped_column(String(500))
    # assessed member ids the township approved as 优秀 or 不合格 (approve only)
    approved_members: Mapped[list[Any] | None] = mapped_column(JSON)
    # section → result version id, that a submission named and an approval approved
    versions: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    year: Mapped[AssessmentYear] = relationship()
    actor: Mapped[User] = relationship()
