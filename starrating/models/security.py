"""The rate limits' sliding log in the database, used when Redis is not configured or reachable;
and the one-time tokens of the forms that create a record."""

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from starrating.extensions import db
from starrating.models.types import UTCDateTime, utcnow


class RateLimitHit(db.Model):
    """One counted hit of a key (e.g. "login:user:zhang:900") at a moment, kept until its
    window has passed; tag marks what it was for an alert (e.g. a typed or a linked code)."""

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_key_at_ms", "key", "at_ms"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200))
    at_ms: Mapped[int] = mapped_column(BigInteger)
    expires_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    tag: Mapped[str] = mapped_column(String(40), default="")


class FormSubmission(db.Model):
    """A create form's one-time token, claimed by the request that made the record, with where
    that record is shown. A second request with the same token (a double tap, a resent form,
    the back button) finds it and is answered with the record already made."""

    __tablename__ = "form_submission"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    done_url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
