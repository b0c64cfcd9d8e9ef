"""Reads of a round's print runs (services/printing.py writes them)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from starrating.extensions import db
from starrating.models import PrintRun


def print_runs(round_id: int) -> list[PrintRun]:
    """The round's print jobs, newest first, with who printed them."""
    return list(
        db.session.scalars(
            select(PrintRun)
            .options(joinedload(PrintRun.printed_by))
            .where(PrintRun.round_id == round_id)
            .order_by(PrintRun.id.desc())
        )
    )
