"""After marking: publishing results on the board, submitting the year to the township, and the
township's approval, return or reopening (DESIGN.md §5.5–6, §7.4). Also the one check every
other service makes before it changes a village's year lives in services/locks.py."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import AssessmentYear, BallotRound, Cadre, Objection, User, YearReview
from starrating.models.types import utcnow
from starrating.queries.appraisal import active_cadres, appraise_cadres
from starrating.queries.assessment import year_results
from starrating.rules.assessment_state import (
    OPINION_LENGTH,
    TRANSITIONS,
    Step,
    YearState,
    approval_problems,
    lock_message,
    publicity_end,
    publicity_open,
    publish_blockers,
    step_problem,
    submit_blockers,
    village_may_edit,
)
from starrating.rules.electorate import RoundState
from starrating.rules.tenstar import Grade
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.audit import record_event

NEEDS_APPROVAL = frozenset({Grade.EXCELLENT, Grade.UNQUALIFIED})


# --- what blocks a step -------------------------------------------------------------------------


def open_objections(village_id: int, year: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Objection.id)).where(
                Objection.village_id == village_id,
                Objection.year == year,
                Objection.answered_at.is_(None),
            )
        )
        or 0
    )


def unfinished_rounds(village_id: int, year: int) -> int:
    """The year's ballot rounds that are open, or closed but not certified: their count can
    still change. (A round never opened counts nothing and blocks nothing.)"""
    return (
        db.session.scalar(
            select(func.count(BallotRound.id)).where(
                BallotRound.village_id == village_id,
                BallotRound.year == year,
                (BallotRound.state == RoundState.OPEN)
                | ((BallotRound.state == RoundState.CLOSED) & BallotRound.certified_at.is_(None)),
            )
        )
        or 0
    )


def active_cadre_count(village_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Cadre.id)).where(Cadre.village_id == village_id, Cadre.active)
        )
        or 0
    )


def _result_problems(year: AssessmentYear) -> tuple[str, ...]:
    return year_results(year).quota.problems


def publishing_blockers(year: AssessmentYear) -> list[str]:
    return publish_blockers(
        marking_closed=year.marking_closed_at is not None,
        result_problems=_result_problems(year),
    )


def cadre_publishing_blockers(year: AssessmentYear) -> list[str]:
    """A cadre whose result cannot be worked out yet (no public pledge, completions not all
    verified) stops the cadre results from going public. A missing ballot or township score
    does not: the result then says which component it left out."""
    cadres = active_cadres([year.village_id])
    if not cadres:
        return ["本村还没有村干部名单"]
    return [
        f"「{found.cadre.name}」：{found.waiting}"
        for found in appraise_cadres(cadres, year.year)
        if found.waiting
    ]


def submission_blockers(year: AssessmentYear, *, today: date) -> list[str]:
    return submit_blockers(
        today=today,
        state=year.state,
        marking_closed=year.marking_closed_at is not None,
        result_problems=_result_problems(year),
        publicity_ends_on=year.publicity_ends_on,
        cadres=active_cadre_count(year.village_id),
        cadre_publicity_ends_on=year.cadres_publicity_ends_on,
        open_objections=open_objections(year.village_id, year.year),
        unfinished_rounds=unfinished_rounds(year.village_id, year.year),
    )


# --- the steps ----------------------------------------------------------------------------------


def _ensure_step(actor: User, year: AssessmentYear, step: Step) -> None:
    """The village's own steps are refused with the lock message while the year is under
    review or approved, like every other village change; then the step's own rule."""
    village_step = TRANSITIONS[step].role is Role.SECRETARY
    if village_step and actor.role is Role.SECRETARY and not village_may_edit(year.state):
        raise ServiceError(lock_message(year.year, year.state))
    problem = step_problem(year.state, step, actor.role)
    if problem:
        raise ServiceError(problem)


def _step(
    actor: User,
    year: AssessmentYear,
    step: Step,
    opinion: str | None = None,
    approved: Sequence[int] | None = None,
) -> None:
    _ensure_step(actor, year, step)
    before = year.state
    year.state = _target(step)
    db.session.add(
        YearReview(
            year_id=year.id,
            step=step,
            actor_id=actor.id,
            opinion=opinion,
            approved_members=list(approved) if approved is not None else None,
        )
    )
    db.session.flush()
    summary = f"{year.year} 年度评定：{step.label}" + (f"（{opinion}）" if opinion else "")
    record_event(
        actor=actor,
        action=f"year.{step.value}",
        summary=summary,
        object_type="assessment_year",
        object_id=year.id,
        township_id=year.village.township_id,
        village_id=year.village_id,
        before={"state": before.value},
        after={"state": year.state.value, "opinion": opinion},
    )


def _target(step: Step) -> YearState:
    return TRANSITIONS[step].target


def publish_results(*, actor: User, year: AssessmentYear, today: date) -> date:
    """Put the ten-star results on the public board for the scheme's publicity days; returns
    the last day of publicity."""
    _ensure_step(actor, year, Step.PUBLISH)
    blockers = publishing_blockers(year)
    if blockers:
        raise ServiceError("还不能公示：" + "；".join(blockers))
    year.published_on = today
    year.publicity_ends_on = publicity_end(today, year.scheme.tenstar.publicity_days)
    _step(actor, year, Step.PUBLISH, f"公示至 {year.publicity_ends_on.isoformat()}")
    return year.publicity_ends_on


def publish_cadre_results(*, actor: User, year: AssessmentYear, today: date) -> date:
    """Put the cadres' results on the board for the scheme's publicity days (again after a
    return: the days start over). Returns the last day of publicity."""
    if actor.role is not Role.SECRETARY:
        raise ServiceError("「公示村干部考核结果」只能由支部书记操作")
    if not village_may_edit(year.state):
        raise ServiceError(lock_message(year.year, year.state))
    if year.state is YearState.RETURNED:
        raise ServiceError("本年度评定已被乡镇退回：请先点「按审核意见修改」")
    if publicity_open(year.cadres_publicity_ends_on, today):
        raise ServiceError("村干部考核结果正在公示中")
    blockers = cadre_publishing_blockers(year)
    if blockers:
        raise ServiceError("还不能公示村干部考核结果：" + "；".join(blockers))
    ends = publicity_end(today, year.scheme.tenstar.publicity_days)
    year.cadres_published_on, year.cadres_publicity_ends_on = today, ends
    db.session.flush()
    record_event(
        actor=actor,
        action="year.publish_cadres",
        summary=f"公示 {year.year} 年度村干部考核结果，至 {ends.isoformat()}",
        object_type="assessment_year",
        object_id=year.id,
        township_id=year.village.township_id,
        village_id=year.village_id,
        after={"cadres_published_on": today.isoformat(), "ends_on": ends.isoformat()},
    )
    return ends


def submit_year(*, actor: User, year: AssessmentYear, today: date) -> None:
    _ensure_step(actor, year, Step.SUBMIT)
    blockers = submission_blockers(year, today=today)
    if blockers:
        raise ServiceError("还不能报送乡镇：" + "；".join(blockers))
    year.submitted_at = utcnow()
    _step(actor, year, Step.SUBMIT)


def members_needing_approval(year: AssessmentYear) -> list[int]:
    """Assessed member ids graded 优秀 or 不合格: the township approves each one explicitly."""
    return [r.assessed.id for r in year_results(year).members if r.grade in NEEDS_APPROVAL]


def approve_year(
    *, actor: User, year: AssessmentYear, approved_members: Sequence[int], opinion: str
) -> None:
    problem = step_problem(year.state, Step.APPROVE, actor.role)
    if problem:
        raise ServiceError(problem)
    problems = approval_problems(
        needs_approval=members_needing_approval(year),
        approved=approved_members,
        opinion=opinion.strip(),
    )
    if problems:
        raise ServiceError("；".join(problems))
    year.decided_at = utcnow()
    _step(actor, year, Step.APPROVE, opinion.strip() or None, sorted(approved_members))


def return_year(*, actor: User, year: AssessmentYear, opinion: str) -> None:
    _decide_with_reason(actor, year, Step.RETURN, opinion, "请填写退回意见，说明需要修改什么")


def reopen_year(*, actor: User, year: AssessmentYear, reason: str) -> None:
    """An approved year goes back to the village (as returned) with the township's reason."""
    _decide_with_reason(actor, year, Step.REOPEN, reason, "请填写重新打开的原因")


def _decide_with_reason(
    actor: User, year: AssessmentYear, step: Step, text: str, missing: str
) -> None:
    problem = step_problem(year.state, step, actor.role)
    if problem:
        raise ServiceError(problem)
    if not text.strip():
        raise ServiceError(missing)
    if len(text.strip()) > OPINION_LENGTH:
        raise ServiceError(f"意见不能超过 {OPINION_LENGTH} 字")
    year.decided_at = utcnow()
    _step(actor, year, step, text.strip())


def resume_year(*, actor: User, year: AssessmentYear) -> None:
    """The secretary takes a returned year back to marking to act on the township's opinion;
    results go public again (for full publicity days) before the next submission."""
    _ensure_step(actor, year, Step.RESUME)
    year.published_on = year.publicity_ends_on = None
    year.cadres_published_on = year.cadres_publicity_ends_on = None
    year.submitted_at = None
    _step(actor, year, Step.RESUME)
