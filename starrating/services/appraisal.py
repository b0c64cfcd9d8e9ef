"""The cadres' year end (年终逐人评议): verified completion, the township's score, and each
cadre's appraisal worked out from the stored facts under the township's scheme."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starrating.extensions import db
from starrating.models import Cadre, Pledge, PledgeItem, TownshipScore, User
from starrating.models.types import utcnow
from starrating.queries import appraisal as reads
from starrating.queries.assessment import scheme_of
from starrating.rules.appraisal import (
    AppraisalOutcome,
    AppraisalScheme,
    PledgeResult,
    WeightOutOfRange,
    WeightsDoNotSum,
    appraise,
    default_appraisal_scheme,
)
from starrating.rules.ballots import ChoiceCounts
from starrating.rules.cadre_grades import CadreGrade
from starrating.rules.pay import PayProfile
from starrating.rules.pledges import PledgeState
from starrating.rules.wording import plain
from starrating.services import ServiceError
from starrating.services.audit import record_event

FULL_MARKS = Decimal(100)


def _audit(actor: User, cadre: Cadre, action: str, summary: str, after: dict[str, Any]) -> None:
    record_event(
        actor=actor,
        action=action,
        summary=summary,
        object_type="cadre",
        object_id=cadre.id,
        township_id=cadre.village.township_id,
        village_id=cadre.village_id,
        after=after,
    )


def record_verified_completion(*, actor: User, item: PledgeItem, completion: Decimal) -> None:
    """The secretary's verified completion (核定完成) of a public pledge's item, in percent; more
    than 100 is kept as entered and counted as 100."""
    pledge = item.pledge
    if pledge.state is not PledgeState.PUBLIC:
        raise ServiceError("承诺公开后才能核定完成情况")
    if completion < 0:
        raise ServiceError("核定完成不能为负数")
    if completion != completion.quantize(Decimal("0.1")):
        raise ServiceError("核定完成最多一位小数")
    before = item.verified_completion
    item.verified_completion = completion
    item.verified_at = utcnow()
    db.session.flush()
    _audit(
        actor,
        pledge.cadre,
        "appraisal.verify",
        f"核定 {pledge.cadre.name} {pledge.year} 年承诺事项“{item.content}”"
        f"完成 {plain(completion)}%",
        {"item_id": item.id, "before": _text(before), "after": str(completion)},
    )


def record_township_score(*, actor: User, cadre: Cadre, year: int, score: Decimal) -> None:
    """The township's score (乡镇评价) of one cadre for one year: 0–100, one decimal."""
    if not 0 <= score <= FULL_MARKS:
        raise ServiceError(f"乡镇评价应在 0 到 100 之间，现为 {plain(score)}")
    if score != score.quantize(Decimal("0.1")):
        raise ServiceError("乡镇评价最多一位小数")
    found = reads.township_scores([cadre.id], year).get(cadre.id)
    before = found.score if found else None
    if found is None:
        found = TownshipScore(cadre_id=cadre.id, year=year, score=score, scored_by_id=actor.id)
        db.session.add(found)
    found.score, found.scored_by_id, found.scored_at = score, actor.id, utcnow()
    db.session.flush()
    _audit(
        actor,
        cadre,
        "appraisal.township_score",
        f"乡镇评价 {cadre.name} {year} 年度 {plain(score)} 分",
        {"year": year, "before": _text(before), "after": str(score)},
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


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
        pledges=reads.pledges_by_cadre(ids, year),
        scores=reads.township_scores(ids, year),
        ballots={village: reads.cadre_ballot_counts(village, year) for village in villages},
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
