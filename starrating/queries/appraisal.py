"""Reads for the cadres' year-end appraisal: the cadre list, pledges with items, township scores
and the cadre ballot counts a certified round gives the year."""

from collections.abc import Collection

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from starrating.extensions import db
from starrating.models import BallotRound, Cadre, Pledge, PledgeItem, TownshipScore
from starrating.queries.ballots import round_tally, subjects
from starrating.rules.ballots import ChoiceCounts
from starrating.rules.electorate import RoundState


def active_cadres(village_ids: Collection[int]) -> list[Cadre]:
    """The villages' active cadres, by village then list order, each with its village loaded."""
    return list(
        db.session.scalars(
            select(Cadre)
            .options(joinedload(Cadre.village))
            .where(Cadre.village_id.in_(village_ids), Cadre.active)
            .order_by(Cadre.village_id, Cadre.id)
        )
    )


def get_pledge_item_or_404(item_id: int, *, cadre: Cadre, year: int) -> PledgeItem:
    """An item of that cadre's pledge for that year (the cadre was loaded through a scope)."""
    found = db.session.scalar(
        select(PledgeItem)
        .join(Pledge)
        .where(PledgeItem.id == item_id, Pledge.cadre_id == cadre.id, Pledge.year == year)
    )
    if found is None:
        abort(404)
    return found


def pledges_by_cadre(cadre_ids: Collection[int], year: int) -> dict[int, Pledge]:
    """Cadre id → that year's pledge with its items (in order); one query for the pledges and
    one for the items."""
    found = db.session.scalars(
        select(Pledge)
        .options(selectinload(Pledge.items))
        .where(Pledge.cadre_id.in_(cadre_ids), Pledge.year == year)
    )
    return {pledge.cadre_id: pledge for pledge in found}


def township_scores(cadre_ids: Collection[int], year: int) -> dict[int, TownshipScore]:
    """Cadre id → the township's score of that year."""
    found = db.session.scalars(
        select(TownshipScore).where(
            TownshipScore.cadre_id.in_(cadre_ids), TownshipScore.year == year
        )
    )
    return {score.cadre_id: score for score in found}


def cadre_ballot_round(village_id: int, year: int) -> BallotRound | None:
    """The round whose cadre section counts for the year: the latest certified one that met its
    quorum (a round that missed it is re-run, never counted)."""
    candidates = db.session.scalars(
        select(BallotRound)
        .where(
            BallotRound.village_id == village_id,
            BallotRound.year == year,
            BallotRound.has_cadres,
            BallotRound.state == RoundState.CLOSED,
            BallotRound.certified_at.is_not(None),
        )
        .order_by(BallotRound.certified_at.desc(), BallotRound.id.desc())
    ).all()
    for ballot_round in candidates:
        if round_tally(ballot_round).counts:
            return ballot_round
    return None


def cadre_ballot_counts(village_id: int, year: int) -> dict[int, ChoiceCounts]:
    """The cadre ballot of the village's year: cadre id → counts, from cadre_ballot_round;
    empty when there is none yet (the appraisal then leaves 群众测评 out and says so)."""
    ballot_round = cadre_ballot_round(village_id, year)
    if ballot_round is None:
        return {}
    by_subject = {s.id: s.cadre_id for s in subjects(ballot_round.id)}
    found: dict[int, ChoiceCounts] = {}
    for subject_id, subject_tally in round_tally(ballot_round).subjects:
        cadre_id = by_subject[subject_id]
        if cadre_id is not None:
            found[cadre_id] = subject_tally.counts
    return found
