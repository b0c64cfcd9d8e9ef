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
from starrating.queries.versions import shown_version, tenstar_of
from starrating.rules.assessment_state import (
    OPINION_LENGTH,
    TRANSITIONS,
    Step,
    YearState,
    approval_problems,
    lock_message,
    marking_blocker,
    publicity_end,
    publish_blockers,
    step_problem,
    submit_blockers,
    village_may_edit,
)
from starrating.rules.electorate import RoundState
from starrating.rules.result_versions import Part
from starrating.rules.tenstar import Grade
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.audit import record_event
from starrating.services.versions import correction_needed, put_on_board, signed_draft

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
    ) + (corrections_pending(year) if year.state is YearState.PUBLICITY else [])


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
    versions: dict[str, int] | None = None,
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
            versions=versions,
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
    version = signed_draft(year, Part.TENSTAR)
    year.published_on = today
    year.publicity_ends_on = publicity_end(today, year.scheme.tenstar.publicity_days)
    put_on_board(version, today=today, ends_on=year.publicity_ends_on, correction=False)
    opinion = f"第 {version.number} 版，公示至 {year.publicity_ends_on.isoformat()}"
    _step(actor, year, Step.PUBLISH, opinion)
    return year.publicity_ends_on


def publish_cadre_results(*, actor: User, year: AssessmentYear, today: date) -> date:
    """Put the cadres' results on the board for the scheme's publicity days (again after a
    return: the days start over). Returns the last day of publicity."""
    _ensure_village_change(actor, year, "「公示村干部考核结果」")
    if year.cadres_published_on is not None:
        raise ServiceError("村干部考核结果已经公示；公示后有改动的，请生成更正稿并公示更正")
    blockers = cadre_publishing_blockers(year)
    if blockers:
        raise ServiceError("还不能公示村干部考核结果：" + "；".join(blockers))
    version = signed_draft(year, Part.CADRES)
    ends = publicity_end(today, year.scheme.tenstar.publicity_days)
    year.cadres_published_on, year.cadres_publicity_ends_on = today, ends
    put_on_board(version, today=today, ends_on=ends, correction=False)
    record_event(
        actor=actor,
        action="year.publish_cadres",
        summary=f"公示 {year.year} 年度村干部考核结果（第 {version.number} 版），至 {ends}",
        object_type="assessment_year",
        object_id=year.id,
        township_id=year.village.township_id,
        village_id=year.village_id,
        after={
            "cadres_published_on": today.isoformat(),
            "ends_on": ends.isoformat(),
            "version": version.number,
        },
    )
    return ends


def publish_correction(*, actor: User, year: AssessmentYear, part: Part, today: date) -> int:
    """更正: a newer signed-off version of a published part replaces the one on the board
    (its publicity days unchanged; the board says 更正于 today and what changed). Returns the
    version's number."""
    _ensure_village_change(actor, year, "「公示更正」")
    ends = year.publicity_ends_on if part is Part.TENSTAR else year.cadres_publicity_ends_on
    if ends is None:
        raise ServiceError(f"{part.label}尚未公示，不需要更正")
    if part is Part.TENSTAR:
        blocker = marking_blocker(year.state, year.marking_closed_at is not None)
        problems = [blocker] if blocker else list(_result_problems(year))
        if problems:
            raise ServiceError("还不能公示更正：" + "；".join(problems))
    if not correction_needed(year, part):
        raise ServiceError(f"{part.label}与公示栏上的一致，没有需要更正的内容")
    version = signed_draft(year, part)
    put_on_board(version, today=today, ends_on=ends, correction=True)
    record_event(
        actor=actor,
        action=f"year.correct_{part.value}",
        summary=f"公示更正：{year.year} 年度{part.label}第 {version.number} 版",
        object_type="assessment_year",
        object_id=year.id,
        township_id=year.village.township_id,
        village_id=year.village_id,
        after={"version": version.number, "corrected_on": today.isoformat()},
    )
    return version.number


def _ensure_village_change(actor: User, year: AssessmentYear, what: str) -> None:
    if actor.role is not Role.SECRETARY:
        raise ServiceError(f"{what}只能由支部书记操作")
    if not village_may_edit(year.state):
        raise ServiceError(lock_message(year.year, year.state))
    if year.state is YearState.RETURNED:
        raise ServiceError("本年度评定已被乡镇退回：请先点「按审核意见修改」")


def corrections_pending(year: AssessmentYear) -> list[str]:
    """The published parts whose results changed since the version on the board."""
    return [
        f"{part.label}公示后又有改动：请生成更正稿、审核签字后公示更正"
        for part in Part
        if correction_needed(year, part)
    ]


def _shown_version_ids(year: AssessmentYear) -> dict[str, int]:
    return {
        part.value: version.id
        for part in Part
        if (version := shown_version(year, part)) is not None
    }


def submit_year(*, actor: User, year: AssessmentYear, today: date) -> None:
    _ensure_step(actor, year, Step.SUBMIT)
    blockers = submission_blockers(year, today=today)
    if blockers:
        raise ServiceError("还不能报送乡镇：" + "；".join(blockers))
    year.submitted_at = utcnow()
    _step(actor, year, Step.SUBMIT, versions=_shown_version_ids(year))


def members_needing_approval(year: AssessmentYear) -> list[int]:
    """Assessed member ids graded 优秀 or 不合格 in the version submitted (the live results
    before there is one): the township approves each one explicitly."""
    stored = shown_version(year, Part.TENSTAR)
    if stored is not None:
        return [m.assessed_id for m in tenstar_of(stored).members if m.grade in NEEDS_APPROVAL]
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
    _step(
        actor,
        year,
        Step.APPROVE,
        opinion.strip() or None,
        sorted(approved_members),
        versions=_shown_version_ids(year),
    )


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
