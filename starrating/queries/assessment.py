"""Reads of a ten-star year: its members, marks, progress and every member's outcome.

Each function runs a fixed number of queries, whatever the number of members or raters.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from starrating.extensions import db
from starrating.models import (
    AssessedMember,
    AssessmentYear,
    Member,
    Rater,
    Scheme,
    StarMark,
    User,
)
from starrating.queries.ballots import member_ballot_counts_many
from starrating.rules.assessment_state import lock_message, village_may_edit
from starrating.rules.ballots import ChoiceCounts
from starrating.rules.tenstar import Grade, MemberOutcome, grade_member
from starrating.rules.tenstar_awards import (
    ABSTAIN,
    RaterMark,
    award_mass_stars,
    award_organisational_star,
)
from starrating.rules.tenstar_quota import QuotaResult, apply_excellence_quota
from starrating.rules.tenstar_scheme import StarGroup, TenStarScheme
from starrating.rules.vocabulary import MemberStatus, Role

RATER_ROLES = (Role.SECRETARY, Role.COMMITTEE)


def year_of(village_id: int, year: int) -> AssessmentYear | None:
    return db.session.scalar(
        select(AssessmentYear)
        .options(joinedload(AssessmentYear.scheme))
        .where(AssessmentYear.village_id == village_id, AssessmentYear.year == year)
    )


def year_lock(village_id: int, year: int) -> str | None:
    """Why the village may not change that year now (under review, or approved), or None."""
    state = db.session.scalar(
        select(AssessmentYear.state).where(
            AssessmentYear.village_id == village_id, AssessmentYear.year == year
        )
    )
    if state is None or village_may_edit(state):
        return None
    return lock_message(year, state)


def years_of(village_id: int) -> list[AssessmentYear]:
    return list(
        db.session.scalars(
            select(AssessmentYear)
            .where(AssessmentYear.village_id == village_id)
            .order_by(AssessmentYear.year.desc())
        )
    )


def scheme_of(township_id: int, year: int) -> Scheme | None:
    return db.session.scalar(
        select(Scheme).where(Scheme.township_id == township_id, Scheme.year == year)
    )


def assessed_members(year_id: int, *, include_removed: bool = True) -> list[AssessedMember]:
    """The year's members in roster order, each with its Member loaded."""
    statement = (
        select(AssessedMember)
        .options(joinedload(AssessedMember.member))
        .where(AssessedMember.year_id == year_id)
        .order_by(AssessedMember.position)
    )
    if not include_removed:
        statement = statement.where(AssessedMember.removed_at.is_(None))
    return list(db.session.scalars(statement))


def raters(year_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Rater, Rater.user_id == User.id)
            .where(Rater.year_id == year_id)
            .order_by(User.id)
        )
    )


def rater_candidates(village_id: int) -> list[User]:
    """Who may be chosen as a rater: the village's active secretary and committee members,
    the secretary first."""
    secretary_first = case((User.role == Role.SECRETARY, 0), else_=1)
    return list(
        db.session.scalars(
            select(User)
            .where(User.village_id == village_id, User.role.in_(RATER_ROLES), User.active)
            .order_by(secretary_first, User.id)
        )
    )


def joinable_members(year: AssessmentYear) -> list[Member]:
    """Members on the village roster today who are not in the year (joined or moved in since
    it opened), in roster order."""
    in_year = select(AssessedMember.member_id).where(AssessedMember.year_id == year.id)
    return list(
        db.session.scalars(
            select(Member)
            .where(
                Member.village_id == year.village_id,
                Member.status == MemberStatus.ACTIVE,
                Member.id.not_in(in_year),
            )
            .order_by(Member.id)
        )
    )


def rater_marks(year_id: int, rater_id: int) -> dict[int, dict[str, StarMark]]:
    """One rater's own marks: assessed member → star code → mark."""
    found: dict[int, dict[str, StarMark]] = defaultdict(dict)
    for mark in db.session.scalars(
        select(StarMark).where(StarMark.year_id == year_id, StarMark.rater_id == rater_id)
    ):
        found[mark.assessed_member_id][mark.star_code] = mark
    return found


def marking_progress(year_id: int) -> dict[tuple[int, int], int]:
    """(rater id, assessed member id) → how many stars that rater has marked for that member."""
    rows = db.session.execute(
        select(StarMark.rater_id, StarMark.assessed_member_id, func.count(StarMark.id))
        .where(StarMark.year_id == year_id)
        .group_by(StarMark.rater_id, StarMark.assessed_member_id)
    )
    return {(rater_id, member_id): count for rater_id, member_id, count in rows}


@dataclass(frozen=True)
class RaterCompletion:
    """How far one rater has got: members with every organisational star decided (marked or
    弃权), of the members to mark."""

    rater: User
    done: int
    due: int

    @property
    def finished(self) -> bool:
        return self.done >= self.due

    @property
    def missing(self) -> int:
        return max(self.due - self.done, 0)

    def describe(self) -> str:
        return f"{self.rater.display_name} 已评 {self.done}/{self.due} 人，还差 {self.missing} 人"


def rater_completion(
    year: AssessmentYear,
    *,
    raters_: Sequence[User] | None = None,
    members: Sequence[AssessedMember] | None = None,
    progress: dict[tuple[int, int], int] | None = None,
) -> list[RaterCompletion]:
    """Every rater of the year with how many members they have finished, in rater order; from
    the raters, members and marking_progress given (a page that shows them anyway), else read."""
    stars = sum(1 for star in year.scheme.tenstar.stars if star.measure is None)
    members = assessed_members(year.id) if members is None else members
    progress = marking_progress(year.id) if progress is None else progress
    markable = [a.id for a in members if a.markable]
    return [
        RaterCompletion(
            rater=user,
            done=sum(1 for member in markable if progress.get((user.id, member), 0) >= stars),
            due=len(markable),
        )
        for user in (raters(year.id) if raters_ is None else raters_)
    ]


@dataclass(frozen=True)
class MemberResult:
    assessed: AssessedMember
    outcome: MemberOutcome
    grade: Grade
    quota_lines: tuple[str, ...]

    @property
    def explanation(self) -> tuple[str, ...]:
        return (*self.outcome.explanation, *self.quota_lines)

    @property
    def grade_explanation(self) -> tuple[str, ...]:
        """Why this grade: the explanation without the one sentence per star."""
        star_lines = {decision.explanation for decision in self.outcome.decisions}
        return tuple(line for line in self.explanation if line not in star_lines)


@dataclass(frozen=True)
class YearResults:
    scheme: TenStarScheme
    members: list[MemberResult]
    quota: QuotaResult

    @cached_property
    def by_id(self) -> dict[int, MemberResult]:
        """Assessed member id → result."""
        return {result.assessed.id: result for result in self.members}

    def grade_counts(self) -> dict[Grade, int]:
        counts: dict[Grade, int] = defaultdict(int)
        for result in self.members:
            counts[result.grade] += 1
        return counts


def year_results(year: AssessmentYear) -> YearResults:
    """Every member's stars, grade and explanation under the year's frozen scheme, after the
    优秀 quota. Members taken out of the year are not graded. Mass stars come from the latest
    closed member ballot that met its quorum, and wait (待测评) until there is one."""
    return year_results_many([year])[year.id]


def year_results_many(years: Sequence[AssessmentYear]) -> dict[int, YearResults]:
    """year_results for many years (a township's villages) at once: year id → results, in a
    fixed number of queries whatever the number of villages, members or raters. Each year's
    scheme should be loaded already (year_of and townships' reads load it)."""
    inputs = year_inputs_many(years)
    return {year.id: _results(year, *inputs[year.id]) for year in years}


YearInputs = tuple[
    list[AssessedMember], dict[int, dict[str, list[RaterMark]]], dict[int, ChoiceCounts]
]


def results_from_inputs(year: AssessmentYear, inputs: YearInputs) -> YearResults:
    return _results(year, *inputs)


def year_inputs_many(years: Sequence[AssessmentYear]) -> dict[int, YearInputs]:
    """What the rules work a year's results out from: year id → (the members in the year, in
    roster order; assessed member → star code → the marks that count; assessed member → their
    ballot counts from the deciding round). With the year's scheme and its quota confirmation,
    this is all year_results reads (a stored version's inputs digest is taken over it)."""
    if not years:
        return {}
    ids = [year.id for year in years]
    members: dict[int, list[AssessedMember]] = defaultdict(list)
    for assessed in db.session.scalars(
        select(AssessedMember)
        .options(joinedload(AssessedMember.member))
        .where(AssessedMember.year_id.in_(ids), AssessedMember.removed_at.is_(None))
        .order_by(AssessedMember.year_id, AssessedMember.position)
    ):
        members[assessed.year_id].append(assessed)
    marks = _marks_by_year(ids)
    ballots = member_ballot_counts_many(ids)
    return {year.id: (members[year.id], marks[year.id], ballots.get(year.id, {})) for year in years}


def _marks_by_year(year_ids: list[int]) -> dict[int, dict[int, dict[str, list[RaterMark]]]]:
    """The marks that count, for many years: year id → assessed member → star code → the
    marks of the raters each year has now (弃权 as ABSTAIN: the rule leaves it out). A rater
    taken off the list keeps their marks on record, but they no longer decide a star."""
    # counted per star and value in SQL: a 200-member year of 5 raters sends a fifth of the rows
    # (a star's outcome depends on how many raters said what, never on their order)
    rows = db.session.execute(
        select(
            StarMark.year_id,
            StarMark.assessed_member_id,
            StarMark.star_code,
            StarMark.passed,
            StarMark.points,
            StarMark.abstained,
            func.count(),
        )
        .join(Rater, (Rater.year_id == StarMark.year_id) & (Rater.user_id == StarMark.rater_id))
        .where(StarMark.year_id.in_(year_ids))
        .group_by(
            StarMark.year_id,
            StarMark.assessed_member_id,
            StarMark.star_code,
            StarMark.passed,
            StarMark.points,
            StarMark.abstained,
        )
    )
    marks: dict[int, dict[int, dict[str, list[RaterMark]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for year_id, member_id, code, passed, points, abstained, count in rows:
        value: RaterMark = ABSTAIN if abstained else passed if passed is not None else points
        marks[year_id][member_id][code].extend([value] * count)
    return marks


def _results(
    year: AssessmentYear,
    members: list[AssessedMember],
    marks: dict[int, dict[str, list[RaterMark]]],
    ballot_counts: dict[int, ChoiceCounts],
) -> YearResults:
    scheme = year.scheme.tenstar
    organisational = [s.code for s in scheme.stars if s.group is not StarGroup.MASS]
    outcomes = []
    for assessed in members:
        decisions = [
            award_organisational_star(code, marks[assessed.id][code], scheme)
            for code in organisational
        ]
        decisions.extend(award_mass_stars(ballot_counts.get(assessed.id), scheme))
        outcomes.append(
            grade_member(
                member_id=assessed.id,
                membership=assessed.membership,
                decisions=decisions,
                scheme=scheme,
                veto=assessed.veto_reason,
                exempt_meeting_date=assessed.exempt_meeting_date,
            )
        )
    confirmed = (
        {m.id for m in members if m.excellent_confirmed} if year.quota_confirmed_at else None
    )
    quota = apply_excellence_quota(outcomes, scheme, confirmed)
    results = [
        MemberResult(
            assessed, outcome, quota.grades[assessed.id], quota.explanations.get(assessed.id, ())
        )
        for assessed, outcome in zip(members, outcomes, strict=True)
    ]
    return YearResults(scheme, results, quota)


def marking_counts(
    year_ids: list[int], results: dict[int, YearResults], records: dict[int, AssessmentYear]
) -> tuple[dict[int, int], dict[int, int]]:
    """Year id → marks given by current raters, and → marks expected (raters × members who
    are marked × organisational stars)."""
    if not year_ids:
        return {}, {}
    done = dict(
        db.session.execute(
            select(StarMark.year_id, func.count(StarMark.id))
            .join(Rater, (Rater.year_id == StarMark.year_id) & (Rater.user_id == StarMark.rater_id))
            .where(StarMark.year_id.in_(year_ids))
            .group_by(StarMark.year_id)
        ).all()
    )
    raters = dict(
        db.session.execute(
            select(Rater.year_id, func.count(Rater.user_id))
            .where(Rater.year_id.in_(year_ids))
            .group_by(Rater.year_id)
        ).all()
    )
    expected = {}
    for record in records.values():
        found = results[record.id]
        stars = sum(1 for s in found.scheme.stars if s.group is not StarGroup.MASS)
        markable = sum(
            1 for r in found.members if r.grade is not Grade.EXEMPT and not r.assessed.veto_reason
        )
        expected[record.id] = raters.get(record.id, 0) * markable * stars
    return done, expected
