"""The village's cadres: add, edit, deactivate, and import a cadre list; their pay in 元."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from starrating.extensions import db
from starrating.models import Cadre, CadreRelative, Member, User, Village
from starrating.rules.cadre_grades import CadreGrade
from starrating.rules.pay import MoneyPrecision, NegativeMoney, checked_money
from starrating.rules.roster import clean_name, name_problems
from starrating.rules.vocabulary import PostKind, Role
from starrating.services import ServiceError, StaleEdit
from starrating.services.audit import record_event, snapshot

AUDITED_FIELDS = (
    "name",
    "post",
    "post_kind",
    "member_id",
    "user_id",
    "base_pay",
    "performance_pay",
    "reward_amount",
    "previous_grade",
    "active",
)
MAX_POST_LENGTH = 40  # Cadre.post
MONEY_LIMIT = Decimal("100000000")  # Numeric(10, 2) holds up to 99,999,999.99 元
PAY_LABELS = {"base_pay": "基本工资", "performance_pay": "绩效工资", "reward_amount": "奖励金额"}


@dataclass(frozen=True, kw_only=True)
class CadreFacts:
    """A cadre as the secretary states them; money in 元 as typed (at most two decimals)."""

    name: str
    post: str
    base_pay: Decimal
    post_kind: PostKind | None = None
    performance_pay: Decimal = Decimal(0)
    reward_amount: Decimal = Decimal(0)
    previous_grade: CadreGrade | None = None
    member_id: int | None = None
    user_id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", clean_name(self.name))


class CadreInvalid(ServiceError):
    """problems are (field label, reason) pairs, in Chinese."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("；".join(f"{field}：{message}" for field, message in problems))
        self.problems = problems


def cadre_problems(facts: CadreFacts) -> list[tuple[str, str]]:
    """What is wrong with the facts by themselves (links to records are checked separately)."""
    problems = [(p.field, p.message) for p in name_problems(facts.name)]
    if not facts.post:
        problems.append(("职务", "必填"))
    elif len(facts.post) > MAX_POST_LENGTH:
        problems.append(("职务", f"不能超过 {MAX_POST_LENGTH} 个字"))
    for field, label in PAY_LABELS.items():
        value: Decimal = getattr(facts, field)
        try:
            checked_money(value, label)
        except (MoneyPrecision, NegativeMoney) as error:
            problems.append((label, str(error)))
        else:
            if value >= MONEY_LIMIT:
                problems.append((label, f"{label}不能超过 99999999.99 元，现为 {value}"))
    return problems


#: the roles whose account may be a cadre's: the cadre's own, or the secretary's (the 书记)
LINKABLE_ROLES = frozenset({Role.CADRE, Role.SECRETARY})
MAX_RELATION_LENGTH = 20  # CadreRelative.relation


def _check_links(
    village: Village, facts: CadreFacts, cadre: Cadre | None = None
) -> list[tuple[str, str]]:
    problems = []
    if facts.member_id is not None:
        member = db.session.get(Member, facts.member_id)
        if member is None or member.village_id != village.id:
            problems.append(("关联党员", "所选党员不在本村花名册中"))
    if facts.user_id is not None:
        user = db.session.get(User, facts.user_id)
        if user is None or user.village_id != village.id or user.role not in LINKABLE_ROLES:
            problems.append(("关联账号", "所选账号不是本村的村干部或支部书记账号"))
        else:
            linked = select(Cadre).where(Cadre.user_id == user.id, Cadre.active)
            if cadre is not None:
                linked = linked.where(Cadre.id != cadre.id)
            taken = db.session.scalar(linked.limit(1))
            if taken is not None:
                problems.append(
                    ("关联账号", f"账号「{user.display_name}」已关联村干部「{taken.name}」")
                )
    return problems


def _check(village: Village, facts: CadreFacts, cadre: Cadre | None = None) -> None:
    problems = cadre_problems(facts) + _check_links(village, facts, cadre)
    if problems:
        raise CadreInvalid(problems)


def _apply(cadre: Cadre, facts: CadreFacts) -> None:
    for field in CadreFacts.__dataclass_fields__:
        setattr(cadre, field, getattr(facts, field))


def _audited(cadre: Cadre) -> dict:
    values = snapshot(cadre, AUDITED_FIELDS)
    for field in PAY_LABELS:  # JSON keeps money as text, exactly as stored
        values[field] = None if values[field] is None else str(values[field])
    return values


def _audit(actor: User, cadre: Cadre, action: str, summary: str, before: dict | None) -> None:
    record_event(
        actor=actor,
        action=action,
        summary=summary,
        object_type="cadre",
        object_id=cadre.id,
        township_id=cadre.village.township_id,
        village_id=cadre.village_id,
        before=before,
        after=_audited(cadre),
    )


def add_cadre(*, actor: User, village: Village, facts: CadreFacts) -> Cadre:
    _check(village, facts)
    cadre = Cadre(village=village)
    _apply(cadre, facts)
    db.session.add(cadre)
    db.session.flush()
    _audit(actor, cadre, "cadre.create", f"添加村干部「{cadre.name}」（{cadre.post}）", None)
    return cadre


def update_cadre(*, actor: User, cadre: Cadre, facts: CadreFacts, expected_version: int) -> Cadre:
    """Apply an edit made on a form that showed version expected_version of the cadre."""
    if cadre.version != expected_version:
        raise StaleEdit()
    _check(cadre.village, facts, cadre)
    before = _audited(cadre)
    _apply(cadre, facts)
    db.session.flush()
    _audit(actor, cadre, "cadre.update", f"修改村干部「{cadre.name}」的信息", before)
    return cadre


def deactivate_cadre(*, actor: User, cadre: Cadre, expected_version: int) -> Cadre:
    """A cadre who left office: the record and their pledges stay."""
    if cadre.version != expected_version:
        raise StaleEdit()
    if not cadre.active:
        raise ServiceError(f"「{cadre.name}」已停用")
    before = _audited(cadre)
    cadre.active = False
    db.session.flush()
    _audit(actor, cadre, "cadre.deactivate", f"停用村干部「{cadre.name}」", before)
    return cadre


class CadreImportRejected(ServiceError):
    """Some rows cannot be imported; problems are (row number, column, reason)."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        super().__init__(f"有 {len(problems)} 处问题，没有导入任何村干部")
        self.problems = problems


def import_cadres(
    *, actor: User, village: Village, rows: list[tuple[int, CadreFacts]]
) -> list[Cadre]:
    """Add every row, or none. A row naming an active cadre already on the list with the same
    post rejects the import."""
    problems = [
        (number, field, message)
        for number, facts in rows
        for field, message in cadre_problems(facts) + _check_links(village, facts)
    ]
    existing = {
        (name, post)
        for name, post in db.session.execute(
            select(Cadre.name, Cadre.post).where(Cadre.village_id == village.id, Cadre.active)
        )
    }
    problems += [
        (number, "姓名", f"村干部名单里已有「{facts.name}」（{facts.post}）")
        for number, facts in rows
        if (facts.name, facts.post) in existing
    ]
    if problems:
        raise CadreImportRejected(sorted(problems))
    cadres = [Cadre(village=village) for _ in rows]
    for cadre, (_, facts) in zip(cadres, rows, strict=True):
        _apply(cadre, facts)
    db.session.add_all(cadres)
    db.session.flush()
    record_event(
        actor=actor,
        action="cadre.import",
        summary=f"从表格导入村干部 {len(cadres)} 名",
        object_type="village",
        object_id=village.id,
        township_id=village.township_id,
        village_id=village.id,
        after={"imported": [c.name for c in cadres]},
    )
    return cadres


# --- close relatives (近亲属) -------------------------------------------------------------------


def add_relative(
    *, actor: User, cadre: Cadre, name: str, relation: str, user_id: int | None
) -> tuple[CadreRelative, str | None]:
    """List a close relative on the cadre's record (the account is optional). Returns it and
    a warning when the relative sits on the village's 监委会 (which they may not)."""
    from starrating.services.supervision import seat_problems, seats

    name, relation = clean_name(name), relation.strip()
    problems = [(p.field, p.message) for p in name_problems(name)]
    if len(relation) > MAX_RELATION_LENGTH:
        problems.append(("关系", f"不能超过 {MAX_RELATION_LENGTH} 个字"))
    user = None
    if user_id is not None:
        user = db.session.get(User, user_id)
        if user is None or user.village_id != cadre.village_id:
            problems.append(("关联账号", "所选账号不是本村的账号"))
        elif user.id == cadre.user_id:
            problems.append(("关联账号", f"这是「{cadre.name}」本人的账号，不是近亲属的"))
    if any(r.name == name and r.user_id == user_id for r in cadre.relatives):
        problems.append(("姓名", f"「{cadre.name}」的近亲属里已有「{name}」"))
    if problems:
        raise CadreInvalid(problems)
    relative = CadreRelative(cadre=cadre, name=name, relation=relation, user_id=user_id)
    db.session.add(relative)
    db.session.flush()
    record_event(
        actor=actor,
        action="cadre.relative_add",
        summary=f"登记村干部「{cadre.name}」的近亲属「{name}」"
        + (f"（{relation}）" if relation else ""),
        object_type="cadre",
        object_id=cadre.id,
        township_id=cadre.village.township_id,
        village_id=cadre.village_id,
        after={"name": name, "relation": relation, "user_id": user_id},
    )
    conflicted = seat_problems(cadre.village_id)
    seated = [s for s in seats(cadre.village_id) if s.id in conflicted]
    warning = None
    if seated:
        names = "、".join(s.user.display_name for s in seated)
        warning = (
            f"注意：{names}是村务监督委员会成员，村干部的近亲属不能担任监委会成员，"
            "请在监委会页面更换"
        )
    return relative, warning


def remove_relative(*, actor: User, relative: CadreRelative) -> None:
    cadre = relative.cadre
    db.session.delete(relative)
    db.session.flush()
    record_event(
        actor=actor,
        action="cadre.relative_remove",
        summary=f"删除村干部「{cadre.name}」的近亲属「{relative.name}」",
        object_type="cadre",
        object_id=cadre.id,
        township_id=cadre.village.township_id,
        village_id=cadre.village_id,
        before={"name": relative.name, "relation": relative.relation},
    )
