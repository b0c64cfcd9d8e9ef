"""A branch's ten-star year: open it, choose raters, mark, record vetoes and exemptions,
close marking, confirm 优秀 within the quota."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func, select

from starrating.extensions import db
from starrating.models import (
    AssessedMember,
    AssessmentYear,
    Member,
    Rater,
    Scheme,
    StarMark,
    User,
    Village,
)
from starrating.models.types import utcnow
from starrating.queries.assessment import rater_completion
from starrating.rules.assessment_state import YearState, lock_message, village_may_edit
from starrating.rules.roster import member_problems
from starrating.rules.tenstar_awards import Abstention
from starrating.rules.tenstar_scheme import MarkingMode, StarGroup
from starrating.rules.vocabulary import MemberStatus, Role
from starrating.services import ServiceError, StaleEdit, ensure_unchanged
from starrating.services.audit import record_event
from starrating.services.schemes import freeze_scheme

RATER_ROLES = frozenset({Role.SECRETARY, Role.COMMITTEE})
Mark = bool | Decimal | Abstention | None  # None: no mark; ABSTAIN: 弃权
QUOTA_REASON_LENGTH = 500  # AssessmentYear.quota_reason
REMOVED_REASON_LENGTH = 200  # AssessedMember.removed_reason
CLOSE_REASON_LENGTH = 200  # AssessmentYear.marking_closed_reason
RETURNED_FIRST = "本年度评定已被乡镇退回：请先在「公示与上报」页点「按审核意见修改」，再更改评分"


def missing_scheme_message(year: int) -> str:
    """What the secretary reads when the township has no scheme for the year yet."""
    return f"乡镇尚未制定 {year} 年度评定方案，请联系乡镇审核人"


def _audit(
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


def _ensure_marking_open(year: AssessmentYear) -> None:
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
    _audit(
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
    _ensure_marking_open(year)
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
    _audit(
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
    _ensure_marking_open(year)
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
    _audit(
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
    _ensure_marking_open(assessed.year)
    if not reason.strip():
        raise ServiceError("请填写移出评定名单的原因")
    if assessed.removed_at is not None:
        raise ServiceError(f"「{assessed.member.name}」已移出评定名单")
    if len(reason.strip()) > REMOVED_REASON_LENGTH:
        raise ServiceError(f"移出原因不能超过 {REMOVED_REASON_LENGTH} 字")
    assessed.removed_at, assessed.removed_reason = utcnow(), reason.strip()
    _audit(
        actor,
        assessed.year,
        "year.remove_member",
        f"将「{assessed.member.name}」移出评定名单：{reason.strip()}",
        object_type="assessed_member",
        object_id=assessed.id,
    )


def marks_state(marks: Mapping[str, StarMark]) -> tuple[tuple[str, str | None, str | None], ...]:
    """A rater's marks of one member as compared for stale saves: (star, mark, note), sorted."""
    return tuple(sorted((code, _plain(m), m.note) for code, m in marks.items()))


def record_marks(
    *,
    rater: User,
    assessed: AssessedMember,
    marks: Mapping[str, Mark],
    notes: Mapping[str, str] | None = None,
    shown: str | None = None,
) -> int:
    """Store this rater's marks of one member (a star left empty has no mark, 弃权 is kept as
    decided); returns how many stars are now decided, 弃权 included. Only the year's raters
    mark, only while marking is open."""
    year = assessed.year
    _ensure_marking_open(year)
    if not db.session.get(Rater, (year.id, rater.id)):
        raise ServiceError("您不是本年度的评委，不能评分")
    if not assessed.markable:
        why = "已移出评定名单" if assessed.removed_at else "免评"
        raise ServiceError(f"「{assessed.member.name}」{why}，不需要评分")
    scheme = year.scheme.tenstar
    codes = {star.code for star in scheme.stars if star.group is not StarGroup.MASS}
    if set(marks) - codes:
        raise ServiceError("只能评定基础星和先锋星")
    points_mode = scheme.marking.mode is MarkingMode.POINTS
    for code, mark in marks.items():
        _check_mark(mark, points_mode=points_mode, star=scheme.star(code).name)
    existing = {
        m.star_code: m
        for m in db.session.scalars(
            select(StarMark).where(
                StarMark.assessed_member_id == assessed.id, StarMark.rater_id == rater.id
            )
        )
    }
    # the page was opened before this rater saved other marks (another tab): not overwritten
    ensure_unchanged(marks_state(existing), shown)
    before = {code: _plain(m) for code, m in existing.items()}
    before |= {f"{code}.note": m.note for code, m in existing.items() if m.note}
    for code, mark in marks.items():
        _store(assessed, rater, existing.get(code), code, mark, (notes or {}).get(code))
    db.session.flush()
    after = {code: _plain_mark(mark) for code, mark in marks.items()}
    after |= {  # the notes as stored now (a note changed alone is audited too)
        f"{code}.note": note
        for code, mark in marks.items()
        if mark is not None and (note := ((notes or {}).get(code) or "").strip())
    }
    _audit(
        rater,
        year,
        "mark.record",
        f"为「{assessed.member.name}」评分",
        object_type="assessed_member",
        object_id=assessed.id,
        before=before,
        after=after,
    )
    return sum(1 for mark in marks.values() if mark is not None) + sum(
        1 for code in existing if code not in marks
    )


def _check_mark(mark: Mark, *, points_mode: bool, star: str) -> None:
    if mark is None or isinstance(mark, Abstention):
        return
    if points_mode:
        if isinstance(mark, bool) or not isinstance(mark, Decimal) or not 0 <= mark <= 100:
            raise ServiceError(f"{star}：分数须在 0–100 之间")
        if mark != mark.quantize(Decimal("0.1")):
            raise ServiceError(f"{star}：分数最多保留一位小数")
    elif not isinstance(mark, bool):
        raise ServiceError(f"{star}：请选择达标或不达标")


def _store(
    assessed: AssessedMember,
    rater: User,
    found: StarMark | None,
    code: str,
    mark: Mark,
    note: str | None,
) -> None:
    if mark is None:
        if found is not None:
            db.session.delete(found)
        return
    if found is None:
        found = StarMark(
            year_id=assessed.year_id,
            assessed_member_id=assessed.id,
            rater_id=rater.id,
            star_code=code,
        )
        db.session.add(found)
    found.passed = mark if isinstance(mark, bool) else None
    found.points = mark if isinstance(mark, Decimal) else None
    found.abstained = isinstance(mark, Abstention)
    found.note = (note or "").strip() or None
    found.marked_at = utcnow()


def _plain(mark: StarMark) -> str | None:
    if mark.abstained:
        return "弃权"
    return _plain_mark(mark.passed if mark.passed is not None else mark.points)


def _plain_mark(mark: Mark) -> str | None:
    if mark is None:
        return None
    if isinstance(mark, Abstention):
        return "弃权"
    if isinstance(mark, bool):
        return "达标" if mark else "不达标"
    return str(mark)


def record_veto(
    *,
    actor: User,
    assessed: AssessedMember,
    reason: str,
    on: date,
    note: str,
    expected_version: int,
    today: date,
) -> None:
    """一票否决: a recorded fact (one of the scheme's reasons, with its date) voids the stars."""
    _ensure_marking_open(assessed.year)
    if assessed.version != expected_version:
        raise StaleEdit()
    if reason not in assessed.year.scheme.tenstar.veto_reasons:
        raise ServiceError("请从方案规定的否决情形中选择")
    if on > today:
        raise ServiceError("否决事实的日期不能晚于今天")
    before = {"veto_reason": assessed.veto_reason}
    assessed.veto_reason, assessed.veto_on = reason, on
    assessed.veto_note = note.strip() or None
    db.session.flush()
    _audit(
        actor,
        assessed.year,
        "year.veto",
        f"对「{assessed.member.name}」一票否决：{reason}",
        object_type="assessed_member",
        object_id=assessed.id,
        before=before,
        after={"veto_reason": reason, "veto_on": on.isoformat(), "veto_note": note.strip()},
    )


def clear_veto(*, actor: User, assessed: AssessedMember, expected_version: int) -> None:
    _ensure_marking_open(assessed.year)
    if assessed.version != expected_version:
        raise StaleEdit()
    if assessed.veto_reason is None:
        raise ServiceError(f"「{assessed.member.name}」没有否决记录")
    before = {"veto_reason": assessed.veto_reason}
    assessed.veto_reason = assessed.veto_on = assessed.veto_note = None
    db.session.flush()
    _audit(
        actor,
        assessed.year,
        "year.clear_veto",
        f"撤销对「{assessed.member.name}」的否决",
        object_type="assessed_member",
        object_id=assessed.id,
        before=before,
        after={"veto_reason": None},
    )


def record_exemption(
    *,
    actor: User,
    assessed: AssessedMember,
    meeting_date: date | None,
    reason: str,
    expected_version: int,
    today: date,
) -> None:
    """免评 for a 年老体弱 member, approved by the 党员大会 on meeting_date (None: not exempt)."""
    _ensure_marking_open(assessed.year)
    if assessed.version != expected_version:
        raise StaleEdit()
    member = assessed.member
    if meeting_date is None and not assessed.is_exempt:
        raise ServiceError(f"「{member.name}」本年度没有免评记录")
    problems = member_problems(
        birth_date=member.birth_date,
        joined_on=None,
        category=member.category,
        exempt_meeting_date=meeting_date,
        today=today,
    )
    if problems:
        raise ServiceError("；".join(p.message for p in problems))
    before = {"exempt_meeting_date": _iso(assessed.exempt_meeting_date)}
    assessed.exempt_meeting_date = meeting_date
    assessed.exempt_reason = reason.strip() or None if meeting_date else None
    db.session.flush()
    summary = (
        f"「{member.name}」经党员大会同意免评" if meeting_date else f"撤销「{member.name}」的免评"
    )
    _audit(
        actor,
        assessed.year,
        "year.exemption",
        summary,
        object_type="assessed_member",
        object_id=assessed.id,
        before=before,
        after={"exempt_meeting_date": _iso(meeting_date), "exempt_reason": reason.strip()},
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def close_marking(*, actor: User, year: AssessmentYear, reason: str = "") -> None:
    """End marking. While some rater has not finished, only with a reason, kept on the year
    and in the audit with who had marked how many."""
    _ensure_marking_open(year)
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
    _audit(
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
    _audit(
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
    _audit(
        actor,
        year,
        "year.confirm_excellence",
        f"支委会确认优秀 {len(member_ids)} 人：{reason.strip()}",
        after={"confirmed": sorted(member_ids), "reason": reason.strip()},
    )
