"""The rate limits' sliding log in the database, used when Redis is not configured or reachable."""

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from starrating.extensions import db


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
