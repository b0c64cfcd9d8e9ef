"""Reads for the exported workbooks: the same reads the pages use (year_results, round_tally,
appraise_cadres, township_year), turned into the plain rows the builders in
spreadsheets/exports take, plus the township's approval and the cadres' quarterly progress.
A fixed number of queries per workbook, whatever the number of members, cadres or villages."""

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from starrating.extensions import db
from starrating.models import (
    AssessedMember,
    AssessmentYear,
    BallotRound,
    BallotSubject,
    QuarterlyReport,
    Township,
    Village,
    YearReview,
)
from starrating.queries.appraisal import (
    CadreAppraisal,
    active_cadres,
    appraise_cadres,
    cadre_ballot_round,
)
from starrating.queries.assessment import (
    MemberResult,
    YearResults,
    assessed_members,
    year_of,
    year_results,
)
from starrating.queries.ballots import round_tally, subjects, turnout
from starrating.queries.township import VillageYear, township_year
from starrating.rules.assessment_state import Step, YearState
from starrating.rules.cadre_grades import CadreGrade
from starrating.rules.electorate import Section
from starrating.rules.tenstar import GRADE_ORDER, Grade, StarStatus
from starrating.rules.tenstar_scheme import MassMeasure
from starrating.rules.vocabulary import Membership
from starrating.spreadsheets.exports.appraisal import CadreBook, CadreLine, ItemLine
from starrating.spreadsheets.exports.ballots import (
    CodeAccount,
    RoundSection,
    RoundSheet,
    SubjectLine,
)
from starrating.spreadsheets.exports.layout import Heading, Review
from starrating.spreadsheets.exports.tenstar import MemberLine, TenStarSheet
from starrating.spreadsheets.exports.township import TownshipBook, VillageLine

#: the grades a chart of the township shows (the others are rare or not grades)
CHARTED_GRADES = (Grade.EXCELLENT, Grade.QUALIFIED, Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED)


def _china_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def approvals(records: Collection[AssessmentYear]) -> dict[int, Review]:
    """Year id → the township's approval (opinion and day), for the years approved now."""
    approved = [r.id for r in records if r.state is YearState.APPROVED]
    if not approved:
        return {}
    found: dict[int, Review] = {}
    for review in db.session.scalars(
        select(YearReview)
        .where(YearReview.year_id.in_(approved), YearReview.step == Step.APPROVE)
        .order_by(YearReview.at, YearReview.id)
    ):
        found[review.year_id] = Review(review.opinion or "", _china_day(review.at))
    return found


def _heading(village: Village, year: int, today: date, record: AssessmentYear | None) -> Heading:
    review = approvals([record]).get(record.id) if record else None
    return Heading(village.township.name, year, today, village.name, review)


# --- 党员十星级评定汇总表 -------------------------------------------------------------------------


def _statuses(result: MemberResult) -> tuple[StarStatus, ...]:
    """Each star as the results page marks it: awarded only when it counts, a vetoed member's
    stars not awarded."""
    outcome, vetoed = result.outcome, result.assessed.veto_reason is not None
    statuses = []
    for decision in outcome.decisions:
        if decision.star_code in outcome.awarded:
            statuses.append(StarStatus.AWARDED)
        elif vetoed or decision.status is StarStatus.AWARDED:
            statuses.append(StarStatus.NOT_AWARDED)
        else:
            statuses.append(decision.status)
    return tuple(statuses)


def _note(result: MemberResult, statuses: Sequence[StarStatus], minimum_sample: int) -> str:
    assessed, outcome = result.assessed, result.outcome
    parts = []
    if assessed.veto_reason:
        on = f"（{assessed.veto_on:%Y-%m-%d}）" if assessed.veto_on else ""
        parts.append(f"一票否决：{assessed.veto_reason}{on}")
    if result.grade is Grade.EXEMPT and assessed.exempt_meeting_date:
        parts.append(f"免评（党员大会 {assessed.exempt_meeting_date:%Y-%m-%d} 同意）")
    if assessed.membership is Membership.PROBATIONARY:
        parts.append("预备党员")
    if outcome.title:
        parts.append(outcome.title)
    if StarStatus.INSUFFICIENT_SAMPLE in statuses:
        parts.append(
            f"群众星样本不足（有效票少于 {minimum_sample} 票，认可率、满意率不作评星依据）"
        )
    return "；".join(parts)


def roster_numbers(members: Iterable[AssessedMember]) -> dict[int, int]:
    """Assessed member id → 序号: 1, 2, … in roster order over the members still in the year.
    One person has one 序号 in the ten-star summary and in the ballot's tally workbook (an
    exempt member keeps his, though not on the ballot)."""
    ordered = sorted((m for m in members if m.removed_at is None), key=lambda m: m.position)
    return {member.id: number for number, member in enumerate(ordered, start=1)}


def member_line(result: MemberResult, results: YearResults, number: int) -> MemberLine:
    """One row of the summary, the figures of the results page."""
    outcome, member = result.outcome, result.assessed.member
    statuses = _statuses(result)
    rates = {d.star_code: d.shown_value for d in outcome.decisions}
    exempt = result.grade is Grade.EXEMPT
    provisional = "（暂定）" if outcome.provisional and result.grade.is_graded else ""
    return MemberLine(
        number=number,
        name=member.name,
        gender=member.gender.label,
        category=member.category.label,
        stars=statuses,
        exempt=exempt,
        star_count=outcome.star_count,
        recognition=None if exempt else rates.get(_mass(results, MassMeasure.RECOGNITION)),
        satisfaction=None if exempt else rates.get(_mass(results, MassMeasure.SATISFACTION)),
        grade=result.grade.label + provisional,
        note=_note(result, statuses, results.scheme.mass.minimum_sample),
    )


def _mass(results: YearResults, measure: MassMeasure) -> str:
    return results.scheme.mass_star(measure).code


def tenstar_sheet(record: AssessmentYear, results: YearResults, heading: Heading) -> TenStarSheet:
    counts = results.grade_counts()
    numbers = roster_numbers(r.assessed for r in results.members)
    return TenStarSheet(
        heading=heading,
        stage=record.state.label,
        star_names=tuple(star.name for star in results.scheme.stars),
        members=[member_line(r, results, numbers[r.assessed.id]) for r in results.members],
        grade_counts=[
            (grade.label, counts.get(grade, 0))
            for grade in GRADE_ORDER
            if counts.get(grade, 0) or grade is not Grade.EXCELLENT_ELIGIBLE
        ],
    )


def tenstar_export(record: AssessmentYear, *, today: date) -> TenStarSheet:
    """The village-year's 党员十星级评定汇总表."""
    heading = _heading(record.village, record.year, today, record)
    return tenstar_sheet(record, year_results(record), heading)


# --- 民主测评统计表 -------------------------------------------------------------------------------


def _subject_numbers(
    ballot_round: BallotRound, found: Sequence[BallotSubject]
) -> dict[int, int | None]:
    """Subject id → 序号 in the workbook: a member's 序号 in the year's roster (as in the
    ten-star summary; none once taken out of the year), a cadre's place on the ballot."""
    roster = (
        roster_numbers(assessed_members(ballot_round.assessment_year_id))
        if ballot_round.assessment_year_id is not None
        else {}
    )
    return {
        s.id: s.position if s.assessed_member_id is None else roster.get(s.assessed_member_id)
        for s in found
    }


def round_export(ballot_round: BallotRound, *, today: date) -> RoundSheet:
    """A closed round's 民主测评统计表 (the tally page's figures)."""
    tally = round_tally(ballot_round)
    by_id = {subject.id: subject for subject in subjects(ballot_round.id)}
    numbers = _subject_numbers(ballot_round, list(by_id.values()))
    sections = [
        RoundSection(
            label=section.label,
            scored=section is Section.CADRES,
            approval_rate_label=section.approval_rate_label,
            subjects=[
                SubjectLine(numbers[sid], by_id[sid].name, t)
                for sid, t in tally.subjects
                if by_id[sid].section is section
            ],
        )
        for section in Section
        if any(s.section is section for s in by_id.values())
    ]
    village = ballot_round.village
    record = year_of(village.id, ballot_round.year)
    certified = ballot_round.certified_at
    counts = turnout(ballot_round)
    codes = CodeAccount(
        printed=counts.printed,
        voided=counts.voided,
        phone=counts.phone,
        paper=counts.paper,
        never_used=counts.never_used,
        written_off=ballot_round.written_off_at is not None,
    )
    return RoundSheet(
        heading=_heading(village, ballot_round.year, today, record),
        title=ballot_round.title,
        electorate=ballot_round.electorate.label,
        tally=tally,
        certified_on=_china_day(certified) if certified else None,
        sections=sections,
        codes=codes,
    )


# --- 村干部年度考核表 -----------------------------------------------------------------------------


def quarterly_progress(item_ids: Collection[int]) -> dict[tuple[int, int], Decimal]:
    """(pledge item id, quarter) → the progress % reported; one query."""
    if not item_ids:
        return {}
    rows = db.session.execute(
        select(QuarterlyReport.item_id, QuarterlyReport.quarter, QuarterlyReport.progress).where(
            QuarterlyReport.item_id.in_(item_ids)
        )
    )
    return {(item_id, quarter): progress for item_id, quarter, progress in rows}


def cadre_line(result: CadreAppraisal, progress: dict[tuple[int, int], Decimal]) -> CadreLine:
    cadre, pledge = result.cadre, result.pledge
    items = [
        ItemLine(
            position=item.position,
            content=item.content,
            indicator=f"{item.indicator}：{item.target}",
            weight=item.weight,
            quarters=tuple(progress.get((item.id, q)) for q in range(1, 5)),
            verified=item.verified_completion,
        )
        for item in (pledge.items if pledge else [])
    ]
    last = result.last_year_grade
    return CadreLine(
        name=cadre.name,
        post=cadre.post,
        base_pay=cadre.base_pay,
        reward_amount=cadre.reward_amount,
        performance_pay=cadre.performance_pay,
        last_year_grade=last.label if last else None,
        items=items,
        outcome=result.outcome,
        waiting=result.waiting,
    )


def _ballot_note(village_id: int, year: int) -> str:
    """Where the ballot figures come from, as the appraisal page says it."""
    ballot_round = cadre_ballot_round(village_id, year)
    if ballot_round is None or ballot_round.certified_at is None:
        return "尚无已确认且达到法定人数的村干部测评；综合得分暂按其余各项折算。"
    day = _china_day(ballot_round.certified_at)
    return f"群众测评按已确认计票结果的测评「{ballot_round.title}」计算（{day:%Y-%m-%d} 确认）。"


def cadre_export(village: Village, year: int, *, today: date) -> CadreBook:
    """The village-year's 村干部年度考核表: every active cadre, as the appraisal pages show."""
    results = appraise_cadres(active_cadres([village.id]), year)
    item_ids = [item.id for r in results if r.pledge for item in r.pledge.items]
    progress = quarterly_progress(item_ids)
    return CadreBook(
        heading=_heading(village, year, today, year_of(village.id, year)),
        ballot_note=_ballot_note(village.id, year),
        cadres=[cadre_line(r, progress) for r in results],
    )


# --- 乡镇年度汇总 -------------------------------------------------------------------------------


def _cadre_grades(row: VillageYear) -> tuple[int, ...]:
    counts: dict[CadreGrade | None, int] = defaultdict(int)
    for appraisal in row.cadres:
        counts[appraisal.outcome.grade if appraisal.outcome else None] += 1
    return (*(counts[grade] for grade in CadreGrade), counts[None])


def village_line(
    row: VillageYear, township: Township, year: int, today: date, review: Review | None
) -> VillageLine:
    sheet = None
    if row.record is not None and row.results is not None:
        heading = Heading(township.name, year, today, row.village.name, review)
        sheet = tenstar_sheet(row.record, row.results, heading)
    counts = row.grade_counts
    return VillageLine(
        name=row.village.name,
        stage=row.stage,
        members=row.members,
        grades=tuple(counts[grade] for grade in GRADE_ORDER),
        average_stars=row.average_stars,
        turnout=row.member_round.turnout if row.member_round else None,
        cadre_grades=_cadre_grades(row),
        sheet=sheet,
    )


def township_book(
    township: Township, year: int, rows: Sequence[VillageYear], *, today: date
) -> TownshipBook:
    """The township workbook's rows from township_year's reads (and one query for approvals)."""
    reviews = approvals([r.record for r in rows if r.record is not None])
    villages = [
        village_line(r, township, year, today, reviews.get(r.record.id) if r.record else None)
        for r in rows
    ]
    return TownshipBook(
        heading=Heading(township.name, year, today),
        grade_labels=tuple(grade.label for grade in GRADE_ORDER),
        charted_grades=tuple(grade.label for grade in CHARTED_GRADES),
        cadre_grade_labels=tuple(grade.label for grade in CadreGrade),
        villages=villages,
    )


def township_export(township: Township, year: int, *, today: date) -> TownshipBook:
    """The township-year's 乡镇年度汇总: township_year's fixed number of reads, and approvals."""
    return township_book(township, year, township_year(township.id, year), today=today)
