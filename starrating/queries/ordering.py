"""A township's villages in the order its pages list them (rules/village_order.py)."""

from collections.abc import Collection, Sequence

from sqlalchemy import select

from starrating.collation import spelled
from starrating.extensions import db
from starrating.models import AssessmentYear, Village
from starrating.queries.appraisal import CadreAppraisal
from starrating.rules.assessment_state import YearState
from starrating.rules.village_order import VillageToList, township_order


def awaiting_review(village_ids: Collection[int], year: int | None = None) -> set[int]:
    """The villages with a year (that year, or any) submitted and not yet decided."""
    if not village_ids:
        return set()
    query = select(AssessmentYear.village_id).where(
        AssessmentYear.village_id.in_(village_ids), AssessmentYear.state == YearState.SUBMITTED
    )
    if year is not None:
        query = query.where(AssessmentYear.year == year)
    return set(db.session.scalars(query))


def in_township_order(villages: Sequence[Village], awaiting: Collection[int]) -> list[Village]:
    """The villages, those in `awaiting` (waiting for the reviewer) first, then by pinyin."""
    by_id = {village.id: village for village in villages}
    keys = [
        VillageToList(v.id, v.name, spelled(v.name), awaiting_review=v.id in awaiting)
        for v in villages
    ]
    return [by_id[village_id] for village_id in township_order(keys)]


def cadres_in_township_order(found: Sequence[CadreAppraisal], year: int) -> list[CadreAppraisal]:
    """The cadres village by village in the township's order (waiting for review first, then
    by pinyin), each village's cadres in their list order."""
    villages = list({item.cadre.village_id: item.cadre.village for item in found}.values())
    ordered = in_township_order(villages, awaiting_review([v.id for v in villages], year))
    rank = {village.id: i for i, village in enumerate(ordered)}
    return sorted(found, key=lambda item: rank[item.cadre.village_id])  # stable: list order kept
