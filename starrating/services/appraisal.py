"""The cadres' year end (年终逐人评议): the secretary's verified completion and the township's score
(each cadre's appraisal is worked out in queries/appraisal.py)."""

from decimal import Decimal
from typing import Any

from starrating.extensions import db
from starrating.models import Cadre, PledgeItem, TownshipScore, User
from starrating.models.types import utcnow
from starrating.queries import appraisal as reads
from starrating.rules.pledges import PledgeState
from starrating.rules.wording import plain
from starrating.services import ServiceError, ensure_unchanged
from starrating.services.audit import record_event
from starrating.services.locks import ensure_township_may_edit, ensure_village_may_edit

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


def record_verified_completion(
    *, actor: User, item: PledgeItem, completion: Decimal, shown: str | None = None
) -> None:
    """The secretary's verified completion (核定完成) of a public pledge's item, in percent; more
    than 100 is kept as entered and counted as 100. shown: the fingerprint of the completion
    the form showed (a save over a newer one is refused)."""
    pledge = item.pledge
    ensure_village_may_edit(pledge.cadre.village_id, pledge.year)
    ensure_unchanged(item.verified_completion, shown)
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


def record_township_score(
    *, actor: User, cadre: Cadre, year: int, score: Decimal, shown: str | None = None
) -> None:
    """The township's score (乡镇评价) of one cadre for one year: 0–100, one decimal. shown: the
    fingerprint of the score the form showed (a save over a newer one is refused)."""
    ensure_township_may_edit(cadre.village_id, year)
    current = reads.township_scores([cadre.id], year).get(cadre.id)
    ensure_unchanged(current.score if current else None, shown)
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
