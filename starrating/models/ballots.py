"""Satisfaction ballot rounds: their subjects, one-time codes and the cast ballots.

A cast ballot holds its marks and its receipt only: nothing links it to a code, a user, an
address or a moment, and its id is random, so neither order nor time can be read from it.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from starrating.extensions import db
from starrating.models.assessment import AssessedMember, AssessmentYear
from starrating.models.org import User, Village
from starrating.models.types import UTCDateTime, enum_column, utcnow
from starrating.rules.electorate import Electorate, RoundState, Section


class BallotRound(db.Model):
    __tablename__ = "ballot_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(100))
    # the member section's subjects are this year's graded members
    assessment_year_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_year.id"))
    has_members: Mapped[bool] = mapped_column(default=False)
    has_cadres: Mapped[bool] = mapped_column(default=False)
    electorate: Mapped[Electorate] = mapped_column(enum_column(Electorate))
    eligible: Mapped[int]
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[RoundState] = mapped_column(enum_column(RoundState), default=RoundState.DRAFT)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # set when the second person certified the tally: final, and what the assessments use
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    village: Mapped[Village] = relationship()
    assessment_year: Mapped[AssessmentYear | None] = relationship()


class BallotSubject(db.Model):
    """One row of the ballot: a member of the year, or a cadre; the name as printed."""

    __tablename__ = "ballot_subject"
    __table_args__ = (UniqueConstraint("round_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("ballot_round.id"), index=True)
    position: Mapped[int]
    section: Mapped[Section] = mapped_column(enum_column(Section))
    assessed_member_id: Mapped[int | None] = mapped_column(ForeignKey("assessed_member.id"))
    cadre_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadre.id"))
    name: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(String(40))

    assessed_member: Mapped[AssessedMember | None] = relationship()
    cadre: Mapped[User | None] = relationship()


class BallotToken(db.Model):
    """One eligible voter's one-time code, stored only as a keyed hash. It keeps whether it was
    used and through which channel — never by whom or for what."""

    __tablename__ = "ballot_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("ballot_round.id"), index=True)
    serial: Mapped[int]
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[str | None] = mapped_column(String(10))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("round_id", "serial"),)


def random_id() -> str:
    return secrets.token_hex(16)


class CastBallot(db.Model):
    """A ballot as cast: the marks (subject id → choice, blanks left out) and the receipt."""

    __tablename__ = "cast_ballot"
    # SQLite stores it in the order of its random id, with no rowid counting the casts.
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("ballot_round.id"), index=True)
    marks: Mapped[dict[str, Any]] = mapped_column(JSON)
    receipt: Mapped[str] = mapped_column(String(12))


class PaperEntry(db.Model):
    """One person's keying of one paper ballot: the code on the sheet and the marks as read.

    A paper ballot counts when two different people keyed the same marks for it; then the code is
    used (channel "paper") and an anonymous CastBallot is stored, and the entries are marked
    matched. The sheet itself carries the code, so these entries reveal nothing the paper does
    not; they stay as the record of who keyed what until the round is certified.
    """

    __tablename__ = "paper_entry"
    __table_args__ = (UniqueConstraint("round_id", "code_hash", "keyed_by_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("ballot_round.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    serial: Mapped[int]
    keyed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    marks: Mapped[dict[str, Any]] = mapped_column(JSON)
    keyed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    keyed_by: Mapped[User] = relationship()


class Certification(db.Model):
    """A teller's or scrutineer's signature under a closed round's tally."""

    __tablename__ = "certification"

    round_id: Mapped[int] = mapped_column(ForeignKey("ballot_round.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    certified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
