"""摘星 and 升星 (DESIGN.md §15): the secretary records the 支委会's decision to take a star from a
member, or to restore or add one, during the year after an approved assessment; audited."""

from dataclasses import dataclass
from datetime import date

from starrating.extensions import db
from starrating.models import Member, StarChange, User
from starrating.queries.stars import star_standing
from starrating.rules.star_changes import ChangeKind, Proposed, Standing, change_problems
from starrating.rules.vocabulary import MemberStatus, Role
from starrating.services import ServiceError
from starrating.services.audit import record_event

NOTE_LENGTH = 200


@dataclass(frozen=True)
class ChangeFacts:
    kind: ChangeKind
    star_code: str
    changed_on: date | None
    decided_on: date | None
    reason: str
    note: str = ""


def record_star_change(
    *, actor: User, member: Member, facts: ChangeFacts, today: date
) -> StarChange:
    """Record a 摘星 or 升星 against the member's current stars; refused with every reason
    when it does not fit (a star not held, one already held, a date before the approval or
    after the end of the year after the approved one, a member not in that year, 免评, or no
    longer on the roster)."""
    if actor.role is not Role.SECRETARY or actor.village_id != member.village_id:
        raise ServiceError("摘星、升星只能由本村支部书记按支委会决定登记")
    standing = star_standing(member.village_id)
    if standing is None:
        raise ServiceError("本村还没有审批通过的年度评定结果，没有可调整的星级")
    note = (facts.note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise ServiceError(f"备注不能超过 {NOTE_LENGTH} 字")
    current = standing.member(member.id)
    leaver = None if member.status is MemberStatus.ACTIVE else member.status.label
    problems = change_problems(
        Proposed(facts.kind, facts.star_code, facts.changed_on, facts.decided_on, facts.reason),
        Standing(
            year=standing.year.year,
            approved_on=standing.approved_on,
            in_year=current is not None,
            exempt=current is not None and current.exempt,
            leaver=leaver,
            star_names=dict(zip(standing.star_codes, standing.star_names, strict=True)),
            held=current.held if current else frozenset(),
        ),
        standing.rules,
        today=today,
    )
    if problems:
        raise ServiceError("；".join(problems))
    assert facts.changed_on is not None and facts.decided_on is not None  # checked above
    change = StarChange(
        village_id=member.village_id,
        year_id=standing.year.id,
        member_id=member.id,
        kind=facts.kind,
        star_code=facts.star_code,
        changed_on=facts.changed_on,
        decided_on=facts.decided_on,
        reason=facts.reason,
        note=note or None,
        recorded_by_id=actor.id,
    )
    db.session.add(change)
    db.session.flush()
    star = standing.star_name(facts.star_code)
    record_event(
        actor=actor,
        action=f"stars.{facts.kind.value}",
        summary=f"{facts.kind.label}：{member.name}「{star}」（{facts.reason}）",
        object_type="member",
        object_id=member.id,
        township_id=member.village.township_id,
        village_id=member.village_id,
        after={
            "change": change.id,
            "year": standing.year.year,
            "star": facts.star_code,
            "on": facts.changed_on.isoformat(),
            "decided_on": facts.decided_on.isoformat(),
            "reason": facts.reason,
            "note": note,
        },
    )
    return change
