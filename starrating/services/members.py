"""The member roster: add, edit, mark as left, exempt, and import a roster sheet."""

from datetime import date

from sqlalchemy import select, tuple_

from starrating.extensions import db
from starrating.models import Member, User, Village
from starrating.rules.roster import MemberFacts, group_problems, member_problems, name_problems
from starrating.rules.vocabulary import MemberStatus
from starrating.services import ServiceError, StaleEdit
from starrating.services.audit import record_event, snapshot

AUDITED_FIELDS = (
    "name",
    "village_group",
    "gender",
    "birth_date",
    "joined_on",
    "membership",
    "category",
    "phone",
    "status",
    "status_changed_on",
    "exempt_meeting_date",
    "exempt_reason",
    "note",
)


class MemberInvalid(ServiceError):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("；".join(f"{field}：{message}" for field, message in problems))
        self.problems = problems


def _check(facts: MemberFacts, *, today: date) -> None:
    problems = name_problems(facts.name) + group_problems(facts.village_group)
    problems += member_problems(
        birth_date=facts.birth_date,
        joined_on=facts.joined_on,
        category=facts.category,
        exempt_meeting_date=facts.exempt_meeting_date,
        today=today,
    )
    if problems:
        raise MemberInvalid([(p.field, p.message) for p in problems])


def _ensure_not_duplicate(village: Village, facts: MemberFacts, *, other_than: int | None) -> None:
    statement = select(Member.id).where(
        Member.village_id == village.id,
        Member.name == facts.name,
        Member.birth_date == facts.birth_date,
    )
    if other_than is not None:
        statement = statement.where(Member.id != other_than)
    if db.session.scalar(statement):
        raise ServiceError(
            f"花名册里已有「{facts.name}」（出生日期 {facts.birth_date:%Y-%m-%d}），"
            "同名同出生日期视为重复"
        )


def _audit(actor: User, member: Member, action: str, summary: str, before: dict | None) -> None:
    record_event(
        actor=actor,
        action=action,
        summary=summary,
        object_type="member",
        object_id=member.id,
        township_id=member.village.township_id,
        village_id=member.village_id,
        before=before,
        after=snapshot(member, AUDITED_FIELDS),
    )


def _apply(member: Member, facts: MemberFacts) -> None:
    for field in MemberFacts.__dataclass_fields__:
        setattr(member, field, getattr(facts, field))


def add_member(*, actor: User, village: Village, facts: MemberFacts, today: date) -> Member:
    _check(facts, today=today)
    _ensure_not_duplicate(village, facts, other_than=None)
    member = Member(village=village)
    _apply(member, facts)
    db.session.add(member)
    db.session.flush()
    _audit(actor, member, "member.create", f"添加党员「{member.name}」", None)
    return member


def update_member(
    *, actor: User, member: Member, facts: MemberFacts, expected_version: int, today: date
) -> Member:
    """Apply an edit made on a form that showed version expected_version of the member."""
    if member.version != expected_version:
        raise StaleEdit()
    _check(facts, today=today)
    _ensure_not_duplicate(member.village, facts, other_than=member.id)
    before = snapshot(member, AUDITED_FIELDS)
    _apply(member, facts)
    db.session.flush()
    _audit(actor, member, "member.update", f"修改党员「{member.name}」的信息", before)
    return member


def mark_member_left(
    *,
    actor: User,
    member: Member,
    status: MemberStatus,
    on: date,
    expected_version: int,
    today: date,
) -> Member:
    """Mark a member transferred out or deceased: the record stays, with the date."""
    if member.version != expected_version:
        raise StaleEdit()
    if status is MemberStatus.ACTIVE:
        raise ServiceError("请选择“已转出”或“已去世”")
    if member.status is not MemberStatus.ACTIVE:
        raise ServiceError(f"「{member.name}」已是“{member.status.label}”状态")
    if on > today:
        raise ServiceError("日期不能晚于今天")
    before = snapshot(member, AUDITED_FIELDS)
    member.status, member.status_changed_on = status, on
    db.session.flush()
    _audit(actor, member, "member.leave", f"将「{member.name}」标记为{status.label}", before)
    return member


def restore_member(*, actor: User, member: Member, expected_version: int) -> Member:
    """Undo a mistaken transfer or death: the member is on the roster again."""
    if member.version != expected_version:
        raise StaleEdit()
    if member.status is MemberStatus.ACTIVE:
        raise ServiceError(f"「{member.name}」已在册")
    before = snapshot(member, AUDITED_FIELDS)
    member.status, member.status_changed_on = MemberStatus.ACTIVE, None
    db.session.flush()
    _audit(actor, member, "member.restore", f"恢复「{member.name}」为在册", before)
    return member


class ImportRejected(ServiceError):
    """Some rows cannot be imported; problems are (row number, column, reason)."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        super().__init__(f"有 {len(problems)} 处问题，没有导入任何党员")
        self.problems = problems


def import_members(
    *, actor: User, village: Village, rows: list[tuple[int, MemberFacts]], today: date
) -> list[Member]:
    """Add every row, or none. rows pairs each sheet row number with what it says; a row that
    repeats a member already on the roster (same name and birth date) rejects the import."""
    problems: list[tuple[int, str, str]] = []
    for row_number, facts in rows:
        try:
            _check(facts, today=today)
        except MemberInvalid as invalid:
            problems += [(row_number, field, message) for field, message in invalid.problems]
    keys = [(facts.name, facts.birth_date) for _, facts in rows]
    existing = (
        {
            (name, born)
            for name, born in db.session.execute(
                select(Member.name, Member.birth_date).where(
                    Member.village_id == village.id,
                    tuple_(Member.name, Member.birth_date).in_(keys),
                )
            )
        }
        if keys
        else set()
    )
    problems += [
        (
            row_number,
            "姓名",
            f"花名册里已有「{facts.name}」（出生日期 {facts.birth_date:%Y-%m-%d}）",
        )
        for row_number, facts in rows
        if (facts.name, facts.birth_date) in existing
    ]
    if problems:
        raise ImportRejected(sorted(problems))
    members = [Member(village=village) for _ in rows]
    for member, (_, facts) in zip(members, rows, strict=True):
        _apply(member, facts)
    db.session.add_all(members)
    db.session.flush()
    record_event(
        actor=actor,
        action="member.import",
        summary=f"从表格导入党员 {len(members)} 名",
        object_type="village",
        object_id=village.id,
        township_id=village.township_id,
        village_id=village.id,
        after={"imported": [m.name for m in members]},
    )
    return members
