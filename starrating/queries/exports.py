"""Reads for the exported workbooks: the same reads the pages use (the stored result versions
of queries/versions.py once a year's results are public, round_tally, township_year), turned
into the plain rows the builders in spreadsheets/exports take, plus the township's approval.
A fixed number of queries per workbook, whatever the number of members, cadres or villages."""

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import select

from starrating.extensions import db
from starrating.models import (
    AssessmentYear,
    BallotRound,
    BallotSubject,
    Township,
    Village,
    YearReview,
)
from starrating.queries.assessment import (
    assessed_members,
    year_of,
    year_results,
)
from starrating.queries.ballots import round_tally, subjects, turnout
from starrating.queries.result_rows import roster_numbers
from starrating.queries.township import VillageYear, township_year
from starrating.queries.versions import (
    TenStarContent,
    cadres_of,
    live_cadre_content,
    shown_version,
    shown_versions,
    tenstar_content,
    tenstar_of,
)
from starrating.rules.assessment_state import Step, YearState
from starrating.rules.cadre_grades import CadreGrade
from starrating.rules.electorate import Section
from starrating.rules.result_versions import Part
from starrating.rules.tenstar import GRADE_ORDER, Grade
from starrating.spreadsheets.exports.appraisal import CadreBook
from starrating.spreadsheets.exports.ballots import (
    CodeAccount,
    RoundSection,
    RoundSheet,
    SubjectLine,
)
from starrating.spreadsheets.exports.layout import Heading, Review
from starrating.spreadsheets.exports.tenstar import TenStarSheet
from starrating.spreadsheets.exports.township import TownshipBook, VillageLine
from starrating.web import china_day

#: the grades a chart of the township shows (the others are rare or not grades)
CHARTED_GRADES = (Grade.EXCELLENT, Grade.QUALIFIED, Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED)


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
        found[review.year_id] = Review(review.opinion or "", china_day(review.at))
    return found


def _heading(village: Village, year: int, today: date, record: AssessmentYear | None) -> Heading:
    review = approvals([record]).get(record.id) if record else None
    return Heading(village.township.name, year, today, village.name, review)


# --- 党员十星级评定汇总表 -------------------------------------------------------------------------


def tenstar_sheet(
    record: AssessmentYear, content: TenStarContent, heading: Heading
) -> TenStarSheet:
    counts = Counter(member.grade for member in content.members)
    return TenStarSheet(
        heading=heading,
        stage=record.state.label,
        star_names=content.star_names,
        members=[member.line for member in content.members],
        grade_counts=[
            (grade.label, counts.get(grade, 0))
            for grade in GRADE_ORDER
            if counts.get(grade, 0) or grade is not Grade.EXCELLENT_ELIGIBLE
        ],
    )


def tenstar_export(record: AssessmentYear, *, today: date) -> TenStarSheet:
    """The village-year's 党员十星级评定汇总表: the version shown once the results are
    public (the one submitted and approved), the live results before."""
    heading = _heading(record.village, record.year, today, record)
    stored = shown_version(record, Part.TENSTAR)
    content = tenstar_of(stored) if stored else tenstar_content(year_results(record))
    return tenstar_sheet(record, content, heading)


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
        certified_on=china_day(certified) if certified else None,
        sections=sections,
        codes=codes,
    )


# --- 村干部年度考核表 -----------------------------------------------------------------------------


def cadre_export(village: Village, year: int, *, today: date) -> CadreBook:
    """The village-year's 村干部年度考核表: every active cadre as the appraisal pages show, from
    the version shown once the cadres' results are public."""
    record = year_of(village.id, year)
    stored = shown_version(record, Part.CADRES) if record else None
    content = cadres_of(stored) if stored else live_cadre_content(village.id, year)
    return CadreBook(
        heading=_heading(village, year, today, record),
        ballot_note=content.ballot_note,
        cadres=[cadre.line for cadre in content.cadres],
    )


# --- 乡镇年度汇总 -------------------------------------------------------------------------------


def _cadre_grades(row: VillageYear) -> tuple[int, ...]:
    counts: dict[CadreGrade | None, int] = defaultdict(int)
    for cadre in row.cadres:
        counts[cadre.grade] += 1
    return (*(counts[grade] for grade in CadreGrade), counts[None])


def village_line(
    row: VillageYear,
    township: Township,
    year: int,
    today: date,
    review: Review | None,
    content: TenStarContent | None,
) -> VillageLine:
    sheet = None
    if row.record is not None and content is not None:
        heading = Heading(township.name, year, today, row.village.name, review)
        sheet = tenstar_sheet(row.record, content, heading)
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
    """The township workbook's rows from township_year's reads, with the stored versions' rows
    of the public years (one query) and one query for approvals."""
    records = [r.record for r in rows if r.record is not None]
    reviews = approvals(records)
    stored = shown_versions(records, Part.TENSTAR)
    villages = []
    for row in rows:
        content = None
        if row.record is not None:
            version = stored.get(row.record.id)
            if version is not None:
                content = tenstar_of(version)
            elif row.results is not None:
                content = tenstar_content(row.results)
        review = reviews.get(row.record.id) if row.record else None
        villages.append(village_line(row, township, year, today, review, content))
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
