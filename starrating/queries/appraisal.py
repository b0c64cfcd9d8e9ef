"""Reads for the cadres' year-end appraisal: the cadre list, pledges with items, township scores,
the cadre ballot a certified round gives the year, and each cadre's appraisal worked out from
those facts under the township's scheme."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask import abort
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from starrating.extensions import db
from starrating.models import BallotRound, Cadre, Pledge, PledgeItem, TownshipScore
from starrating.queries.assessment import scheme_of
from starrating.queries.ballots import cadre_ballot_counts_many, tally_rounds
from starrating.rules.appraisal import (
    AppraisalOutcome,
    PledgeResult,
    WeightOutOfRange,
    WeightsDoNotSum,
    appraise,
)
from starrating.rules.appraisal_scheme import AppraisalScheme, default_appraisal_scheme
from starrating.rules.ballots import ChoiceCounts
from starrating.rules.cadre_grades import CadreGrade
from starrating.rules.electorate import RoundState
from starrating.rules.pay import PayProfile
from starrating.rules.pledges import PledgeState


def active_cadres(village_ids: Collection[int]) -> list[Cadre]:
    """The villages' active cadres, by village then list order, each with its village (and its
    member record, which tells namesakes apart) loaded."""
    return list(
        db.session.scalars(
            select(Cadre)
            .options(joinedload(Cadre.village), joinedload(Cadre.member))
            .where(Cadre.village_id.in_(village_ids), Cadre.active)
            .order_by(Cadre.village_id, Cadre.id)
        )
    )


def _pledge_item_or_404(item_id: int, *conditions: ColumnElement[bool]) -> PledgeItem:
    """The item, with its pledge and cadre loaded by the same query, if it meets conditions."""
    found = db.session.scalar(
        select(PledgeItem)
        .join(PledgeItem.pledge)
        .join(Pledge.cadre)
        .options(contains_eager(PledgeItem.pledge).contains_eager(Pledge.cadre))
        .where(PledgeItem.id == item_id, *conditions)
    )
    if found is None:
        abort(404)
    return found


def get_pledge_item_or_404(item_id: int, *, cadre: Cadre, year: int) -> PledgeItem:
    """An item of that cadre's pledge for that year (the cadre was loaded through a scope)."""
    return _pledge_item_or_404(item_id, Pledge.cadre_id == cadre.id, Pledge.year == year)


def get_village_pledge_item_or_404(
    item_id: int, *, village_id: int, cadre_user_id: int | None = None
) -> PledgeItem:
    """An item of any pledge of the village's cadres; with cadre_user_id, only of the pledges
    of the cadre that account belongs to (a cadre sees their own items only)."""
    conditions = [Cadre.village_id == village_id]
    if cadre_user_id is not None:
        conditions.append(Cadre.user_id == cadre_user_id)
    return _pledge_item_or_404(item_id, *conditions)


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
    tallies = tally_rounds(candidates)
    return next((r for r in candidates if tallies[r.id].counts), None)


# --- working out the results --------------------------------------------------------------------


@dataclass(frozen=True)
class CadreAppraisal:
    """One cadre's year: the pledge, the township's score and the outcome, or why there is none."""

    cadre: Cadre
    pledge: Pledge | None
    township_score: Decimal | None
    outcome: AppraisalOutcome | None
    waiting: str | None
    last_year_grade: CadreGrade | None


@dataclass(frozen=True)
class _Facts:
    pledges: dict[int, Pledge]
    scores: dict[int, TownshipScore]
    ballots: dict[int, dict[int, ChoiceCounts]]


def _facts(cadres: Sequence[Cadre], year: int) -> _Facts:
    ids = [cadre.id for cadre in cadres]
    villages = sorted({cadre.village_id for cadre in cadres})
    return _Facts(
        pledges=pledges_by_cadre(ids, year),
        scores=township_scores(ids, year),
        ballots=cadre_ballot_counts_many(villages, year),
    )


def _waiting(pledge: Pledge | None) -> str | None:
    if pledge is None or not pledge.items:
        return "尚无年度承诺"
    if pledge.state is not PledgeState.PUBLIC:
        return "承诺尚未公开"
    unverified = sum(1 for item in pledge.items if item.verified_completion is None)
    return f"尚有 {unverified} 项承诺未核定完成情况" if unverified else None


def _outcome(
    cadre: Cadre, facts: _Facts, scheme: AppraisalScheme, last_year: CadreGrade | None
) -> tuple[AppraisalOutcome | None, str | None]:
    pledge = facts.pledges.get(cadre.id)
    waiting = _waiting(pledge)
    if waiting or pledge is None:
        return None, waiting
    score = facts.scores.get(cadre.id)
    try:
        outcome = _appraise(cadre, pledge, facts, score, scheme, last_year)
    except (WeightsDoNotSum, WeightOutOfRange) as error:
        return None, str(error)
    return outcome, None


def _appraise(
    cadre: Cadre,
    pledge: Pledge,
    facts: _Facts,
    score: TownshipScore | None,
    scheme: AppraisalScheme,
    last_year: CadreGrade | None,
) -> AppraisalOutcome:
    return appraise(
        items=[
            PledgeResult(item.weight, item.verified_completion or Decimal(0), item.content)
            for item in pledge.items
        ],
        ballot=facts.ballots.get(cadre.village_id, {}).get(cadre.id),
        township_score=score.score if score else None,
        pay_profile=PayProfile(
            base_pay=cadre.base_pay,
            reward_amount=cadre.reward_amount,
            performance_pay=cadre.performance_pay,
        ),
        scheme=scheme,
        last_year_grade=last_year,
    )


def _scheme(cadres: Sequence[Cadre], year: int) -> AppraisalScheme:
    """The township's scheme for the year (all cadres are of one township), or the defaults."""
    if not cadres:
        return default_appraisal_scheme()
    found = scheme_of(cadres[0].village.township_id, year)
    return found.appraisal if found else default_appraisal_scheme()


def _last_year_grades(cadres: Sequence[Cadre], year: int) -> dict[int, CadreGrade | None]:
    """Last year's grade from the system (last year's appraisal, when it can be worked out);
    otherwise, in the first year of use, the grade entered on the cadre's record."""
    facts = _facts(cadres, year - 1)
    scheme = _scheme(cadres, year - 1)
    grades: dict[int, CadreGrade | None] = {}
    for cadre in cadres:
        outcome, _ = _outcome(cadre, facts, scheme, None)  # a grade needs no earlier year
        grades[cadre.id] = outcome.grade if outcome else cadre.previous_grade
    return grades


def appraise_cadres(cadres: Sequence[Cadre], year: int) -> list[CadreAppraisal]:
    """Each cadre's appraisal for the year, in the order given; the reads do not grow with the
    number of cadres (one ballot read per village)."""
    facts = _facts(cadres, year)
    scheme = _scheme(cadres, year)
    last_year = _last_year_grades(cadres, year)
    results = []
    for cadre in cadres:
        outcome, waiting = _outcome(cadre, facts, scheme, last_year[cadre.id])
        score = facts.scores.get(cadre.id)
        results.append(
            CadreAppraisal(
                cadre=cadre,
                pledge=facts.pledges.get(cadre.id),
                township_score=score.score if score else None,
                outcome=outcome,
                waiting=waiting,
                last_year_grade=last_year[cadre.id],
            )
        )
    return results
