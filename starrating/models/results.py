"""Stored result versions of a village-year (DESIGN.md §16): what was published, corrected,
submitted and approved, as it was, with who signed it off."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from starrating.extensions import db
from starrating.models.assessment import AssessmentYear
from starrating.models.org import User
from starrating.models.types import UTCDateTime, enum_column, utcnow
from starrating.rules.result_versions import Part


class ResultVersion(db.Model):
    """Version `number` of a part of a village-year's results: the rows the board, the
    pages and the workbooks show (content, queries/versions.py), the scheme they were worked
    out under, a digest of the inputs and of the content. Prepared by the secretary, signed
    off by another, then published (and perhaps later corrected by a newer version); never
    changed once published — only published_on… are set, once."""

    __tablename__ = "result_version"
    __table_args__ = (UniqueConstraint("year_id", "part", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_year.id"), index=True)
    part: Mapped[Part] = mapped_column(enum_column(Part))
    number: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # the figures a dashboard reads
    content_digest: Mapped[str] = mapped_column(String(64))
    inputs_digest: Mapped[str] = mapped_column(String(64))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scheme.id"))
    scheme_version: Mapped[int]
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # 审核签字: who signed it off before it went public (none for versions stored from years
    # published before versions existed: the note says so)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(200))
    # once public: the day it went on the board, the last day of its publicity, and which
    # publication of the part it belongs to (1; 2 after a return and a new publicity…):
    # a correction is a later version of the same publication
    published_on: Mapped[date | None]
    publicity_ends_on: Mapped[date | None]
    publication: Mapped[int | None]

    year: Mapped[AssessmentYear] = relationship()
    made_by: Mapped[User | None] = relationship(foreign_keys=[made_by_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])

    @property
    def signed(self) -> bool:
        return self.signed_at is not None

    @property
    def published(self) -> bool:
        return self.published_on is not None
