"""Rate-limit counters kept in the database when no Redis is configured."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from starrating.extensions import db


class RateLimitCounter(db.Model):
    """Hits of one key (e.g. "login:user:zhang") in one fixed time window."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[int] = mapped_column(primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
