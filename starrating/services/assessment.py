"""A branch's ten-star year: open it, choose raters, add or take out members, close and reopen
marking, confirm 优秀 within the quota. The raters' marks are recorded in marking.py, vetoes
and exemptions in vetoes.py."""

from sqlalchemy import delete, func, select

from starrating.extensions import db
from starrating.models import (
    AssessedMember,
    AssessmentYear,
    Member,
    Rater,
    Scheme,
    User,
    Village,
)
from starrating.models.types import utcnow
from starrating.queries.assessment import rater_completion
from starrating.rules.assessment_state import YearState, lock_message, village_may_edit
from starrating.rules.vocabulary import MemberStatus, Role
from starrating.services import ServiceError
from starrating.services.audit import record_event
from starrating.services.schemes import freeze_scheme

RATER_ROLES = frozenset({Role.SECRETARY, Role.COMMITTEE})
QUOTA_REASON_LENGTH = 500  # AssessmentYear.quota_reason
REMOVED_REASON_LENGTH = 200  # AssessedMember.removed_reason
CLOSE_REASON_LENGTH = 200  # AssessmentYear.marking_closed_reason
RETURNED_FIRST = "本年度评定已被乡镇退回：请先在「公示与上报」页点「按审核意见修改」，再更改评分"


def missing_scheme_message(year: int) -> str:
    """What the secretary reads when the township has no scheme for the year yet."""
    return f"乡镇尚未制定 {year} 年度评定方案，请联系乡镇审核人"


def record_year_event(
    actor: User,
    year: AssessmentYear,
    action: str,
    summary: str,
    *,
    object_type: str = "assessment_year",
    object_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """An audit event about the year (or one of its members), filed under its village."""
    record_event(
        actor=actor,
        action=action,
        summary=summary,
        object_type=object_type,
        object_id=object_id or year.id,
        township_id=year.village.township_id,
        village_id=year.village_id,
        before=before,
        after=after,
    )


def ensure_marking_open(year: AssessmentYear) -> None:
    """Refuse, saying why, unless the year's marks, raters and members may change now."""
    if not village_may_edit(year.state):
        raise ServiceError(lock_message(year.year, year.state))
    if year.state not in (YearState.MARKING, YearState.PUBLICITY):
        raise ServiceError(RETURNED_FIRST)
    if year.marking_closed_at is not None:
        raise ServiceError(f"{year.year} 年度评分已结束，不能再修改评分")


def open_year(*, actor: User, village: Village, year: int, rater_ids: list[int]) -> AssessmentYear:
    """Fix this year's roster (members on the roster today, in roster order) and scheme, and
    start marking with the chosen raters."""
    scheme = db.session.scalar(
        select(Scheme).where(Scheme.township_id == village.township_id, Scheme.year == year)
    )
    if scheme is None:
        raise ServiceError(missing_scheme_message(year))
    exists = select(AssessmentYear.id).where(
        AssessmentYear.village_id == village.id, AssessmentYear.year == year
    )
    if db.session.scalar(exists):
        raise ServiceError(f"{year} 年度评定已经开启")
    members = db.session.scalars(
        select(Member)
        .where(Member.village_id == village.id, Member.status == MemberStatus.ACTIVE)
        .order_by(Member.id)
    ).all()
    if not members:
        raise ServiceError("花名册里还没有在册党员，请先录入花名册")
    assessment = AssessmentYear(village=village, year=year, scheme=scheme)
    db.session.add(assessment)
    db.session.flush()
    db.session.add_all(
        AssessedMember(
            year=assessment,
            member=member,
            position=index,
            membership=member.membership,
            exempt_meeting_date=member.exempt_meeting_date,
            exempt_reason=member.exempt_reason,
        )
        for index, member in enumerate(members, start=1)
    )
    freeze_scheme(actor=actor, scheme=scheme, village_name=village.name)
    record_year_event(
        actor,
        assessment,
        "year.open",
        f"开启 {year} 年度党员十星级评定（{len(members)} 名党员）",
        after={"members": len(members), "scheme": scheme.id},
    )
    set_raters(actor=actor, year=assessment, user_ids=rater_ids)
    return assessment


def grade_changes_with_raters(
    *, actor: User, year: AssessmentYear, user_ids: list[int]
) -> list[tuple[str, str, str]]:
    """What setting these raters would do to the grades (marks are kept, but only the current
    raters' count): (name, grade now, grade then) of each member whose grade would change.
    Worked out by setting them inside a savepoint that is rolled back."""
    from starrating.queries.assessment import year_results

    now = {
        r.assessed.id: (r.assessed.member.name, r.grade.label) for r in year_results(year).members
    }
    savepoint = db.session.begin_nested()
    try:
        set_raters(actor=actor, year=year, user_ids=user_ids)
        then = {r.assessed.id: r.grade.label for r in year_results(year).members}
    finally:
        savepoint.rollback()
    db.session.expire_all()
    return [
        (name, grade, then[assessed_id])
        for assessed_id, (name, grade) in now.items()
        if assessed_id in then and then[assessed_id] != grade
    ]


def set_raters(*, actor: User, year: AssessmentYear, user_ids: list[int]) -> list[User]:
    """The raters are committee members (the secretary included) of the branch."""
    ensure_marking_open(year)
    users = (
        db.session.scalars(
            select(User).where(
                User.id.in_(user_ids),
                User.village_id == year.village_id,
                User.role.in_(RATER_ROLES),
                User.active,
            )
        ).all()
        if user_ids
        else []
    )
    if len(users) != len(set(user_ids)):
        raise ServiceError("评委只能从本村支委（含支部书记）中选择")
    if not users:
        raise ServiceError("请至少选择一名评委")
    before = sorted(db.session.scalars(select(Rater.user_id).where(Rater.year_id == year.id)))
    keep = {user.id for user in users}
    db.session.execute(delete(Rater).where(Rater.year_id == year.id, Rater.user_id.not_in(keep)))
    db.session.add_all(Rater(year_id=year.id, user_id=uid) for uid in keep - set(before))
    db.session.flush()
    names = "、".join(user.display_name for user in users)
    record_year_event(
        actor,
        year,
        "year.raters",
        f"设定评委 {len(users)} 人：{names}",
        before={"raters": before},
        after={"raters": sorted(keep)},
    )
    return list(users)


def add_member_to_year(*, actor: User, year: AssessmentYear, member: Member) -> AssessedMember:
    """A member who joined (or transferred in) after the year opened is added explicitly."""
    ensure_marking_open(year)
    if member.village_id != year.village_id or member.status is not MemberStatus.ACTIVE:
        raise ServiceError("只能加入本村在册党员")
    taken = select(AssessedMember.id).where(
        AssessedMember.year_id == year.id, AssessedMember.member_id == member.id
    )
    if db.session.scalar(taken):
        raise ServiceError(f"「{member.name}」已在本年度评定名单中")
    last = db.session.scalar(
        select(func.max(AssessedMember.position)).where(AssessedMember.year_id == year.id)
    )
    assessed = AssessedMember(
        year=year,
        member=member,
        position=(last or 0) + 1,
        membership=member.membership,
        added_later=True,
        exempt_meeting_date=member.exempt_meeting_date,
        exempt_reason=member.exempt_reason,
    )
    db.session.add(assessed)
    db.session.flush()
    record_year_event(
        actor,
        year,
        "year.add_member",
        f"将「{member.name}」加入 {year.year} 年度评定名单",
        object_type="assessed_member",
        object_id=assessed.id,
    )
    return assessed


def remove_member_from_year(*, actor: User, assessed: AssessedMember, reason: str) -> None:
    """Take a member out of this year's assessment (e.g. transferred out); marks are kept."""
    ensure_marking_open(assessed.year)
    if not reason.strip():
        raise ServiceError("请填写移出评定名单的原因")
    if assessed.removed_at is not None:
        raise ServiceError(f"「{assessed.member.name}」已移出评定名单")
    if len(reason.strip()) > REMOVED_REASON_LENGTH:
        raise ServiceError(f"移出原因不能超过 {REMOVED_REASON_LENGTH} 字")
    assessed.removed_at, assessed.removed_reason = utcnow(), reason.strip()
    record_year_event(
        actor,
        assessed.year,
        "year.remove_member",
        f"将「{assessed.member.name}」移出评定名单：{reason.strip()}",
        object_type="assessed_member",
        object_id=assessed.id,
    )


def close_marking(*, actor: User, year: AssessmentYear, reason: str = "") -> None:
    """End marking. While some rater has not finished, only with a reason, kept on the year
    and in the audit with who had marked how many."""
    ensure_marking_open(year)
    unfinished = [c for c in rater_completion(year) if not c.finished]
    reason = reason.strip()
    if unfinished and not reason:
        who = "、".join(c.describe() for c in unfinished)
        raise ServiceError(
            f"还有 {len(unfinished)} 名评委没有评完（{who}），请填写仍要结束评分的原因"
        )
    if len(reason) > CLOSE_REASON_LENGTH:
        raise ServiceError(f"结束评分的原因不能超过 {CLOSE_REASON_LENGTH} 字")
    year.marking_closed_at = utcnow()
    year.marking_closed_reason = reason if unfinished else None
    summary = f"结束 {year.year} 年度评分"
    if unfinished:
        summary += f"（{len(unfinished)} 名评委未评完）：{reason}"
    record_year_event(
        actor,
        year,
        "year.close_marking",
        summary,
        after={
            "reason": year.marking_closed_reason,
            "unfinished": [c.describe() for c in unfinished],
        },
    )


def reopen_marking(*, actor: User, year: AssessmentYear, reason: str) -> None:
    """Before submission (also during publicity, to correct marks, audited), the secretary may
    let raters mark again."""
    if not village_may_edit(year.state):
        raise ServiceError(lock_message(year.year, year.state))
    if year.state not in (YearState.MARKING, YearState.PUBLICITY) or year.marking_closed_at is None:
        raise ServiceError("评分没有结束，无需重新开放")
    if not reason.strip():
        raise ServiceError("请填写重新开放评分的原因")
    year.marking_closed_at = year.marking_closed_reason = None
    record_year_event(
        actor,
        year,
        "year.reopen_marking",
        f"重新开放 {year.year} 年度评分：{reason.strip()}",
        after={"reason": reason.strip()},
    )


def confirm_excellence(
    *,
    actor: User,
    year: AssessmentYear,
    member_ids: set[int],
    reason: str,
    eligible_ids: set[int],
    quota: int,
) -> None:
    """The 支委会 picks who of the eligible is graded 优秀 when more are eligible than the
    quota; its opinion is recorded. eligible_ids and quota come from the rules' QuotaResult."""
    if not village_may_edit(year.state):
        raise ServiceError(lock_message(year.year, year.state))
    if year.state not in (YearState.MARKING, YearState.PUBLICITY):
        raise ServiceError(RETURNED_FIRST)
    if not reason.strip():
        raise ServiceError("请填写支委会意见")
    if len(reason.strip()) > QUOTA_REASON_LENGTH:
        raise ServiceError(f"支委会意见不能超过 {QUOTA_REASON_LENGTH} 字")
    if member_ids - eligible_ids:
        raise ServiceError("只能从具备优秀资格的党员中确认")
    if len(member_ids) > quota:
        raise ServiceError(f"确认 {len(member_ids)} 人超过优秀名额 {quota} 人")
    members = db.session.scalars(
        select(AssessedMember).where(AssessedMember.year_id == year.id)
    ).all()
    for assessed in members:
        assessed.excellent_confirmed = assessed.id in member_ids
    year.quota_reason, year.quota_confirmed_at = reason.strip(), utcnow()
    db.session.flush()
    record_year_event(
        actor,
        year,
        "year.confirm_excellence",
        f"支委会确认优秀 {len(member_ids)} 人：{reason.strip()}",
        after={"confirmed": sorted(member_ids), "reason": reason.strip()},
    )
