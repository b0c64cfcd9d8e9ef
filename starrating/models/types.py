"""Column types shared by the models."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Enum, TypeDecorator
from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[datetime]):
    """A moment stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (use utcnow())")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# The largest id, year or count a column holds on every database we run on: SQLAlchemy's
# Integer is PostgreSQL's 32-bit integer (SQLite's are 64-bit). A larger number in a URL or a
# query string names nothing: it is answered 404, never sent to the database to overflow.
DATABASE_INT_MAX = 2**31 - 1


_pinned_now: ContextVar[datetime | None] = ContextVar("pinned_now", default=None)


def utcnow() -> datetime:
    return _pinned_now.get() or datetime.now(UTC)


@contextmanager
def recorded_at(moment: datetime) -> Iterator[None]:
    """Every write in the block is stamped as made at moment: only for the demo, which walks
    its villages through the services on past days of the year (a step recorded today would
    contradict the dates the step itself carries)."""
    token = _pinned_now.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _pinned_now.reset(token)


def enum_column(enum: type[StrEnum], length: int = 20) -> Any:
    """An enum stored as its English value in a VARCHAR with a CHECK constraint."""
    return Enum(
        enum,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        create_constraint=True,
        name=enum.__name__.lower(),
    )
