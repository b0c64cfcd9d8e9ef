"""Reads for the quarterly reports (每季度汇报): a cadre account's cadres, their pledges with
items, and the reports filed on a set of items; a fixed number of queries whatever the count."""

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from starrating.extensions import db
from starrating.models import Cadre, Pledge, QuarterlyReport


def cadres_of_account(user_id: int, village_id: int) -> list[Cadre]:
    """The village's cadres that login account belongs to (usually one)."""
    return list(
        db.session.scalars(
            select(Cadre)
            .where(Cadre.user_id == user_id, Cadre.village_id == village_id)
            .order_by(Cadre.id)
        )
    )


def pledges_with_items(cadres: Sequence[Cadre], years: Collection[int]) -> list[Pledge]:
    """The cadres' pledges of those years, oldest year first, each with its items in order."""
    ids = [cadre.id for cadre in cadres]
    if not ids or not years:
        return []
    return list(
        db.session.scalars(
            select(Pledge)
            .where(Pledge.cadre_id.in_(ids), Pledge.year.in_(list(years)))
            .options(selectinload(Pledge.items))
            .order_by(Pledge.year, Pledge.id)
        )
    )


def reports_of(item_ids: Collection[int]) -> dict[tuple[int, int], QuarterlyReport]:
    """(item id, quarter) → the report filed, with who filed it."""
    if not item_ids:
        return {}
    reports = db.session.scalars(
        select(QuarterlyReport)
        .where(QuarterlyReport.item_id.in_(list(item_ids)))
        .options(selectinload(QuarterlyReport.filed_by))
    )
    return {(report.item_id, report.quarter): report for report in reports}
