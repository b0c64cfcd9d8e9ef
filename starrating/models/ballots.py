"""Satisfaction ballot rounds: their subjects, one-time codes, the cast ballots and receipts.

A cast ballot holds its marks only, and a receipt its code only, in two tables: nothing links a
ballot to a code, a receipt, a user, an address or a moment. Both ids are random, and closing a
round draws the ballots' ids afresh and rewrites them in one transaction, so neither the order
nor the transaction stamps of the rows tell the order of casting (services/ballots.py).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, String, UniqueConstraint, or_
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
    # the codes never used, voided after close by someone other than the secretary (核销)
    written_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    written_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    written_off_count: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    village: Mapped[Village] = relationship()
    assessment_year: Mapped[AssessmentYear | None] = relationship()
    written_off_by: Mapped[User | None] = relationship()


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
    # voided because it was never used by the end of the round (核销), not lost or spoiled
    written_off: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (UniqueConstraint("round_id", "serial"),)

    @classmethod
    def handed_out(cls) -> ColumnElement[bool]:
        """Codes that count as issued: all but those voided as lost or spoiled (a code written
        off at the end of the round was handed out all the same, and never used)."""
        return or_(cls.voided_at.is_(None), cls.written_off)


def random_id() -> str:
    return secrets.token_hex(16)


class CastBallot(db.Model):
    """A ballot as cast: the marks (subject id → choice, blanks left out), nothing else."""

    __tablename__ = "cast_ballot"
    # Keyed by the round, then the random id: SQLite stores the rows in that order, with no
    # rowid counting the casts, and a round's ballots stay together (a cast writes near the
    # round's other ballots, and the round needs no index of its own).
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012

    round_id: Mapped[int] = mapped_column(ForeignKey("ballot_round.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    marks: Mapped[dict[str, Any]] = mapped_column(JSON)


class BallotReceipt(db.Model):
    """The receipt of one counted ballot, for the public list after close: stored apart from
    the marks, with an id of its own, so that a receipt a voter was made to show leads to no
    ballot. The receipt is derived from the code (rules/tokens.py), so a villager who enters
    their code again is shown it again."""

    __tablename__ = "ballot_receipt"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012

    round_id: Mapped[int] = mapped_column(ForeignKey("ballot_round.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    receipt: Mapped[str] = mapped_column(String(12))


class PaperEntry(db.Model):
    """One person's keying of one paper ballot: the code on the sheet and the marks as read.

    A paper ballot counts when two different people keyed the same marks for it; then the code is
    used (channel "paper") and an anonymous CastBallot is stored, and the entries are marked
    matched. Until the round is certified the entries hold the marks as read (to compare the two
    keyings and resolve disagreements); certifying clears the marks, so that afterwards they
    keep only who keyed which sheet and when. A sheet that cannot be counted (keyed once and the
    paper lost, or its code voided) is voided by two people (voided_by, void_confirmed_by).
    """

    __tablename__ = "paper_entry"
    __table_args__ = (UniqueConstraint("round_id", "code_hash", "keyed_by_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("ballot_round.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    serial: Mapped[int]
    keyed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    marks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    keyed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(String(200))
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # the second person's confirmation makes the void final
    void_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    keyed_by: Mapped[User] = relationship(foreign_keys=[keyed_by_id])
    voided_by: Mapped[User | None] = relationship(foreign_keys=[voided_by_id])
    void_confirmed_by: Mapped[User | None] = relationship(foreign_keys=[void_confirmed_by_id])


class PrintRun(db.Model):
    """One print job of a round's codes: the serials printed (and those they replace), who
    printed them, and the scan test of its cover page. A phone that opens the cover's test
    address (probe) marks the run scanned: the printed address works. It holds no code, and
    of a scan only when and how often."""

    __tablename__ = "print_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("ballot_round.id"), index=True)
    first_serial: Mapped[int]
    last_serial: Mapped[int]
    # the serials voided in this job, which these replace (a failed print run reprinted)
    replaces: Mapped[list[int] | None] = mapped_column(JSON)
    base_url: Mapped[str] = mapped_column(String(200))
    printed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    printed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    probe: Mapped[str] = mapped_column(String(32), unique=True, default=random_id)
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scan_count: Mapped[int] = mapped_column(default=0)

    printed_by: Mapped[User] = relationship()


class Certification(db.Model):
    """A teller's or scrutineer's signature under a closed round's tally."""

    __tablename__ = "certification"

    round_id: Mapped[int] = mapped_column(ForeignKey("ballot_round.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    certified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
