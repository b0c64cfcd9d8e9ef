"""A cadre's yearly pledge: items drafted, confirmed when the weights sum to 100, made public,
and afterwards amended only with a reason on record."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from starrating.extensions import db
from starrating.models import Cadre, Pledge, PledgeItem, User
from starrating.models.types import utcnow
from starrating.rules.pledges import PledgeState, weight_problems
from starrating.services import ServiceError, StaleEdit
from starrating.services.audit import record_event, snapshot
from starrating.services.locks import ensure_village_may_edit

ITEM_FIELDS = ("content", "indicator", "target", "deadline", "weight")
MAX_REASON_LENGTH = 200


@dataclass(frozen=True, kw_only=True)
class ItemFacts:
    content: str
    indicator: str
    target: str
    deadline: date
    weight: int


class WeightsDoNotSum(ServiceError):
    """The pledge's weights are not whole numbers 1–100 summing to 100."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


def find_pledge(cadre: Cadre, year: int) -> Pledge | None:
    return db.session.scalars(
        select(Pledge).where(Pledge.cadre_id == cadre.id, Pledge.year == year)
    ).first()


def _audit(
    actor: User,
    pledge: Pledge,
    action: str,
    summary: str,
    *,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    cadre = pledge.cadre
    record_event(
        actor=actor,
        action=action,
        summary=summary,
        object_type="pledge",
        object_id=pledge.id,
        township_id=cadre.village.township_id,
        village_id=cadre.village_id,
        before=before,
        after=after,
    )


def _item_snapshot(item: PledgeItem) -> dict:
    return snapshot(item, ITEM_FIELDS)


def _ensure_open(pledge: Pledge) -> None:
    ensure_village_may_edit(pledge.cadre.village_id, pledge.year)


def _ensure_draft(pledge: Pledge) -> None:
    if pledge.state is not PledgeState.DRAFT:
        raise ServiceError(f"承诺已{pledge.state.label}，不能再增删改；公开后修改须说明理由")


def _ensure_version(pledge: Pledge, expected_version: int) -> None:
    if pledge.version != expected_version:
        raise StaleEdit()


def add_pledge_item(*, actor: User, cadre: Cadre, year: int, facts: ItemFacts) -> PledgeItem:
    """Add an item to the cadre's draft pledge for year, starting the pledge if need be."""
    ensure_village_may_edit(cadre.village_id, year)
    pledge = find_pledge(cadre, year)
    if pledge is None:
        pledge = Pledge(cadre=cadre, year=year, state=PledgeState.DRAFT)
        db.session.add(pledge)
    _ensure_draft(pledge)
    position = max((item.position for item in pledge.items), default=0) + 1
    item = PledgeItem(position=position, **_fields(facts))
    pledge.items.append(item)
    db.session.flush()
    _audit(
        actor,
        pledge,
        "pledge.item_add",
        f"为「{cadre.name}」{year} 年承诺添加第 {position} 项",
        after=_item_snapshot(item),
    )
    return item


def _fields(facts: ItemFacts) -> dict:
    return {field: getattr(facts, field) for field in ITEM_FIELDS}


def _ensure_item_version(item: PledgeItem, expected_version: int) -> None:
    # the form carried the version it showed: someone saved the item since, so saving these
    # values would silently overwrite theirs
    if item.version != expected_version:
        raise StaleEdit()


def update_pledge_item(
    *, actor: User, item: PledgeItem, facts: ItemFacts, expected_version: int
) -> PledgeItem:
    """Change an item of a draft pledge, unless it changed since the form showed it."""
    _ensure_open(item.pledge)
    pledge = item.pledge
    _ensure_draft(pledge)
    _ensure_item_version(item, expected_version)
    before = _item_snapshot(item)
    for field, value in _fields(facts).items():
        setattr(item, field, value)
    db.session.flush()
    summary = f"修改「{pledge.cadre.name}」{pledge.year} 年承诺第 {item.position} 项"
    _audit(actor, pledge, "pledge.item_update", summary, before=before, after=_item_snapshot(item))
    return item


def remove_pledge_item(*, actor: User, item: PledgeItem) -> None:
    _ensure_open(item.pledge)
    pledge = item.pledge
    _ensure_draft(pledge)
    before = _item_snapshot(item)
    pledge.items.remove(item)
    db.session.flush()
    summary = f"删除「{pledge.cadre.name}」{pledge.year} 年承诺第 {item.position} 项"
    _audit(actor, pledge, "pledge.item_remove", summary, before=before)


def confirm_pledge(*, actor: User, pledge: Pledge, expected_version: int) -> Pledge:
    """A draft is confirmed only when its weights are whole numbers 1–100 that sum to 100."""
    _ensure_open(pledge)
    _ensure_version(pledge, expected_version)
    _ensure_draft(pledge)
    problems = weight_problems([item.weight for item in pledge.items])
    if problems:
        raise WeightsDoNotSum(problems)
    pledge.state, pledge.confirmed_at = PledgeState.CONFIRMED, utcnow()
    db.session.flush()
    _audit(actor, pledge, "pledge.confirm", f"确认「{pledge.cadre.name}」{pledge.year} 年承诺")
    return pledge


def reopen_pledge(*, actor: User, pledge: Pledge, expected_version: int) -> Pledge:
    """A confirmed pledge not yet public goes back to draft to be corrected."""
    _ensure_open(pledge)
    _ensure_version(pledge, expected_version)
    if pledge.state is not PledgeState.CONFIRMED:
        raise ServiceError("只有已确认、尚未公开的承诺可以退回草稿")
    pledge.state, pledge.confirmed_at = PledgeState.DRAFT, None
    db.session.flush()
    summary = f"将「{pledge.cadre.name}」{pledge.year} 年承诺退回草稿"
    _audit(actor, pledge, "pledge.reopen", summary)
    return pledge


def publish_pledge(*, actor: User, pledge: Pledge, expected_version: int) -> Pledge:
    """A confirmed pledge is made public (公开承诺) and from then on amended only with a reason."""
    _ensure_open(pledge)
    _ensure_version(pledge, expected_version)
    if pledge.state is not PledgeState.CONFIRMED:
        raise ServiceError("承诺须先确认（权重合计为 100）才能公开")
    pledge.state, pledge.published_at = PledgeState.PUBLIC, utcnow()
    db.session.flush()
    _audit(actor, pledge, "pledge.publish", f"公开「{pledge.cadre.name}」{pledge.year} 年承诺")
    return pledge


def amend_pledge_item(
    *, actor: User, item: PledgeItem, facts: ItemFacts, reason: str, expected_version: int
) -> PledgeItem:
    """Change an item of a public pledge: a reason is required, the weights must still sum to
    100, the item must not have changed since the form showed it, and the audit trail keeps
    before, after and the reason."""
    _ensure_open(item.pledge)
    pledge = item.pledge
    if pledge.state is not PledgeState.PUBLIC:
        raise ServiceError("只有已公开的承诺需要说明理由修改")
    _ensure_item_version(item, expected_version)
    reason = reason.strip()
    if not reason:
        raise ServiceError("修改已公开的承诺须填写修改理由")
    if len(reason) > MAX_REASON_LENGTH:
        raise ServiceError(f"修改理由不能超过 {MAX_REASON_LENGTH} 个字")
    weights = [facts.weight if other is item else other.weight for other in pledge.items]
    problems = weight_problems(weights)
    if problems:
        raise WeightsDoNotSum(problems)
    before = _item_snapshot(item)
    for field, value in _fields(facts).items():
        setattr(item, field, value)
    db.session.flush()
    after = {**_item_snapshot(item), "reason": reason}
    summary = (
        f"修改已公开的「{pledge.cadre.name}」{pledge.year} 年承诺第 {item.position} 项：{reason}"
    )
    _audit(actor, pledge, "pledge.amend", summary, before={**before, "reason": None}, after=after)
    return item
