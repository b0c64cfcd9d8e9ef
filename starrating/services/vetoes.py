"""Vetoes (一票否决) and exemptions (免评) of a member for the year: recorded facts, each with
its reason and date and audited, that take the member's stars out of the grading."""

from datetime import date

from starrating.extensions import db
from starrating.models import AssessedMember, User
from starrating.rules.roster import member_problems
from starrating.services import ServiceError, StaleEdit
from starrating.services.assessment import ensure_marking_open, record_year_event


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
    ensure_marking_open(assessed.year)
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
    record_year_event(
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
    ensure_marking_open(assessed.year)
    if assessed.version != expected_version:
        raise StaleEdit()
    if assessed.veto_reason is None:
        raise ServiceError(f"「{assessed.member.name}」没有否决记录")
    before = {"veto_reason": assessed.veto_reason}
    assessed.veto_reason = assessed.veto_on = assessed.veto_note = None
    db.session.flush()
    record_year_event(
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
    ensure_marking_open(assessed.year)
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
    record_year_event(
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
