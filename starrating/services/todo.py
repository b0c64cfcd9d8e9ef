"""The secretary's to-do list (the branch home page): what is waiting now, each item with its
count and where to act. Reads only; the status of the year comes from the state rule."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from starrating.extensions import db
from starrating.models import AssessmentYear, BallotRound, BallotToken
from starrating.queries import assessment as year_reads
from starrating.queries.answer_deadlines import overdue_count
from starrating.queries.appraisal import active_cadres
from starrating.queries.board import objection_counts
from starrating.queries.reports import pledges_with_items, reports_of
from starrating.queries.versions import part_status
from starrating.rules.assessment_state import YearState, objection_answerer
from starrating.rules.electorate import RoundState
from starrating.rules.pledges import PledgeState
from starrating.rules.reports import QUARTERS, ReportStatus, report_status, years_in_play
from starrating.rules.result_versions import Part
from starrating.rules.tenstar import Grade
from starrating.rules.vocabulary import Role
from starrating.services.review import publishing_blockers, submission_blockers


@dataclass(frozen=True)
class Todo:
    """One thing waiting: what to read, and the page (endpoint, its arguments, an anchor)."""

    text: str
    endpoint: str
    params: dict[str, int] = field(default_factory=dict)
    anchor: str = ""


def secretary_todos(village_id: int, *, today: date) -> list[Todo]:
    """What waits for the village's secretary, in the order of the work: the year's marking,
    the 优秀 confirmation, ballot rounds, publishing, objections, submission, then the cadres'
    overdue quarterly reports. A fixed number of queries per year."""
    years = year_reads.years_of(village_id)
    latest = years[0] if years else None
    todos = [] if latest else [_open_year(today.year)]
    if latest is not None:
        todos += _marking(latest) + _excellence(latest)
    todos += _rounds(village_id)
    if latest is not None:
        todos += _steps(latest, today)
    return todos + _overdue_reports(village_id, today)


def _on_year_page(year: AssessmentYear, text: str, anchor: str) -> Todo:
    return Todo(text, "branch.year", {"year": year.year}, anchor)


def _on_review_page(year: AssessmentYear, text: str, anchor: str) -> Todo:
    return Todo(text, "branch.review", {"year": year.year}, anchor)


def _open_year(year: int) -> Todo:
    return Todo(f"开启 {year} 年度党员十星级评定", "branch.years", anchor="open-year")


def _marking(year: AssessmentYear) -> list[Todo]:
    if not year.marking_open:
        return []
    raters = year_reads.raters(year.id)
    if not raters:
        return [_on_year_page(year, f"{year.year} 年度尚未设定评委", "raters")]
    progress = year_reads.rater_completion(
        year,
        raters_=raters,
        members=year_reads.assessed_members(year.id),
        progress=year_reads.marking_progress(year.id),
    )
    waiting = [p for p in progress if p.missing]
    if not waiting:
        return [_on_year_page(year, "评委都已评完：可以结束评分", "close-marking")]
    return [
        _on_year_page(year, f"{p.rater.display_name}还差 {p.missing} 人未评", "progress")
        for p in waiting
    ]


def _excellence(year: AssessmentYear) -> list[Todo]:
    if year.state not in (YearState.MARKING, YearState.PUBLICITY):
        return []
    quota = year_reads.year_results(year).quota
    if not any(grade is Grade.EXCELLENT_ELIGIBLE for grade in quota.grades.values()):
        return []
    text = f"待支委会确认优秀人选（具备资格 {len(quota.candidates)} 人，名额 {quota.quota} 人）"
    return [Todo(text, "branch.results", {"year": year.year}, "excellence")]


def _rounds(village_id: int) -> list[Todo]:
    """Rounds voting (with their turnout) and rounds closed but not yet certified."""
    live = BallotToken.handed_out()
    rows = db.session.execute(
        select(
            BallotRound,
            func.count(case((live & BallotToken.used, 1))),
        )
        .outerjoin(BallotToken, BallotToken.round_id == BallotRound.id)
        .where(
            BallotRound.village_id == village_id,
            (BallotRound.state == RoundState.OPEN)
            | ((BallotRound.state == RoundState.CLOSED) & BallotRound.certified_at.is_(None)),
        )
        .group_by(BallotRound.id)
        .order_by(BallotRound.id)
    ).all()
    todos = []
    for ballot_round, returned in rows:
        if ballot_round.state is RoundState.OPEN:
            text = f"「{ballot_round.title}」投票中 {returned}/{ballot_round.eligible}"
        else:
            text = f"「{ballot_round.title}」已结束投票，待计票人和监票人确认计票"
        todos.append(Todo(text, "branch.round", {"round_id": ballot_round.id}))
    return todos


def _steps(year: AssessmentYear, today: date) -> list[Todo]:
    """The year's next step once marking is done, and the villagers' objections."""
    todos = []
    if year.state is YearState.MARKING and year.marking_closed_at is not None:
        blockers = publishing_blockers(year)
        text = "还不能公示：" + "；".join(blockers) if blockers else "评定结果可以公示"
        todos.append(_on_review_page(year, text, "publish"))
    todos += _versions(year)
    _, unanswered = objection_counts(year.village_id, year.year)
    if unanswered:
        # while the township reviews the year it answers them: shown, not the branch's to do
        who = "" if objection_answerer(year.state) is Role.SECRETARY else "乡镇"
        left = ""
        if year.publicity_ends_on is not None and today <= year.publicity_ends_on:
            left = f"（公示期剩 {(year.publicity_ends_on - today).days + 1} 天）"
        overdue = overdue_count(
            year.village_id, year.year, days=year.scheme.tenstar.answer_days, today=today
        )
        late = f"，其中 {overdue} 条已超期" if overdue else ""
        text = f"{unanswered} 条群众异议待{who}答复{late}{left}"
        todos.append(Todo(text, "branch.objections", {"year": year.year}))
    if year.state is YearState.PUBLICITY and not submission_blockers(year, today=today):
        todos.append(_on_review_page(year, "公示已期满：可以报送乡镇审核", "submit"))
    if year.state is YearState.RETURNED:
        todos.append(_on_review_page(year, "乡镇已退回：请按审核意见修改", "resume"))
    return todos


def _versions(year: AssessmentYear) -> list[Todo]:
    """A 公示稿 waiting for its sign-off or signed and ready, and a public part whose results
    changed since (a correction is due)."""
    if year.state not in (YearState.MARKING, YearState.PUBLICITY):
        return []
    todos = []
    for part in Part:
        status = part_status(year, part)
        anchor = "publish" if part is Part.TENSTAR else "publish-cadres"
        draft = status.draft
        if draft is not None and status.draft_fresh:
            text = (
                f"{part.label}公示稿第 {draft.number} 版已审核签字，可以公示"
                if draft.signed
                else f"{part.label}公示稿第 {draft.number} 版待审核签字"
            )
            todos.append(_on_review_page(year, text, anchor))
        elif status.changed:
            text = f"{part.label}公示后有改动：请生成更正稿、审核签字后公示更正"
            todos.append(_on_review_page(year, text, anchor))
    return todos


def _overdue_reports(village_id: int, today: date) -> list[Todo]:
    """Per cadre, the quarterly reports of public pledges that are overdue."""
    cadres = active_cadres([village_id])
    pledges = [
        p for p in pledges_with_items(cadres, years_in_play(today)) if p.state is PledgeState.PUBLIC
    ]
    filed = reports_of([item.id for pledge in pledges for item in pledge.items])
    overdue: dict[int, int] = {}
    for pledge in pledges:
        for item in pledge.items:
            for quarter in QUARTERS:
                status = report_status(
                    year=pledge.year,
                    quarter=quarter,
                    filed=(item.id, quarter) in filed,
                    today=today,
                )
                if status is ReportStatus.OVERDUE:
                    overdue[pledge.cadre_id] = overdue.get(pledge.cadre_id, 0) + 1
    return [
        Todo(f"{cadre.name}有 {overdue[cadre.id]} 份季度汇报逾期未报", "branch.reports_overview")
        for cadre in cadres
        if cadre.id in overdue
    ]
