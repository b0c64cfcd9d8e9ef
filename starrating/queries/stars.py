"""Stars through the year (DESIGN.md §15): each member's current stars and their history.

The current stars are read, never copied: the stars of the village's latest approved year, as
in the result version the township approved (the approval names it; the latest published
version of an approved year is the same one), with each 摘星 and 升星 recorded since applied in
order. A member's history reads each year's stored version, never the results recomputed.

Two views: the branch's (with the private notes) and the board's (public reasons only, and
only while the approved year's scheme puts the 星级榜 on the board). Each read runs a fixed
number of queries."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload

from starrating.extensions import db
from starrating.models import (
    AssessedMember,
    AssessmentYear,
    Member,
    ResultVersion,
    StarChange,
    YearReview,
)
from starrating.queries.board import star_labels
from starrating.queries.versions import StoredMember, published_versions, shown_versions, tenstar_of
from starrating.rules.assessment_state import Step, YearState
from starrating.rules.result_versions import Part
from starrating.rules.star_changes import Change, ChangeKind, StarChangeRules, current_stars
from starrating.rules.vocabulary import MemberStatus
from starrating.web import china_day


@dataclass(frozen=True)
class ChangeLine:
    """One 摘星 or 升星 as the branch reads it (the note is private)."""

    id: int
    year: int  # the approved year whose stars it changed
    kind: ChangeKind
    star_code: str
    star_name: str
    changed_on: date
    decided_on: date
    reason: str
    note: str | None
    recorded_by: str


@dataclass(frozen=True)
class MemberStars:
    member_id: int
    assessed_id: int
    name: Markup  # as the approved version names them (namesakes told apart)
    grade: str  # the approved grade
    exempt: bool  # 免评 that year: no stars
    leaver: str | None  # 已转出 / 已去世 since, or None
    approved: tuple[bool, ...]  # the approved stars, in the scheme's order
    stars: tuple[bool, ...]  # the stars now
    held: frozenset[str]  # the codes of the stars now
    changes: tuple[ChangeLine, ...]

    @property
    def star_count(self) -> int:
        return sum(self.stars)

    @property
    def removed(self) -> int:
        return sum(1 for c in self.changes if c.kind is ChangeKind.REMOVE)

    @property
    def awarded(self) -> int:
        return sum(1 for c in self.changes if c.kind is ChangeKind.AWARD)


@dataclass(frozen=True)
class StarStanding:
    """The village's current stars: the approved year they start from and every member."""

    year: AssessmentYear
    approved_on: date  # the China day the township approved it
    version_number: int
    star_codes: tuple[str, ...]
    star_names: tuple[str, ...]
    star_labels: tuple[str, ...]
    rules: StarChangeRules
    on_board: bool  # the approved year's scheme puts the 星级榜 on the board
    members: tuple[MemberStars, ...]

    def member(self, member_id: int) -> MemberStars | None:
        return next((m for m in self.members if m.member_id == member_id), None)

    def star_name(self, code: str) -> str:
        return dict(zip(self.star_codes, self.star_names, strict=True)).get(code, code)


def approved_year(village_id: int) -> AssessmentYear | None:
    """The village's latest approved year, whose stars are the current ones."""
    return db.session.scalar(
        select(AssessmentYear)
        .options(joinedload(AssessmentYear.scheme))
        .where(AssessmentYear.village_id == village_id, AssessmentYear.state == YearState.APPROVED)
        .order_by(AssessmentYear.year.desc())
        .limit(1)
    )


def approved_version(year: AssessmentYear) -> ResultVersion | None:
    """The ten-star version the township approved: the one its latest approval names, else
    (an approval stored before it named versions) the latest published one."""
    named = db.session.scalar(
        select(YearReview.versions)
        .where(YearReview.year_id == year.id, YearReview.step == Step.APPROVE)
        .order_by(YearReview.at.desc(), YearReview.id.desc())
        .limit(1)
    )
    version_id = (named or {}).get(Part.TENSTAR.value)
    if version_id is not None:
        return db.session.get(ResultVersion, version_id)
    return published_versions([year.id], Part.TENSTAR).get(year.id)


def star_standing(village_id: int) -> StarStanding | None:
    """Every member's current stars, or None before the village has an approved year (five
    queries)."""
    year = approved_year(village_id)
    version = approved_version(year) if year is not None else None
    if year is None or version is None:
        return None
    content = tenstar_of(version)
    scheme = year.scheme.tenstar
    codes = tuple(star.code for star in scheme.stars)
    names = {star.code: star.name for star in scheme.stars}
    assessed = {
        a.id: a
        for a in db.session.scalars(
            select(AssessedMember)
            .options(joinedload(AssessedMember.member))
            .where(AssessedMember.year_id == year.id)
        )
    }
    by_member: dict[int, list[StarChange]] = {}
    for change in _changes(StarChange.year_id == year.id):
        by_member.setdefault(change.member_id, []).append(change)
    members = []
    for stored in content.members:
        row = assessed.get(stored.assessed_id)
        if row is None:
            continue
        own = by_member.get(row.member_id, [])
        members.append(_member_stars(stored, row.member, year.year, codes, names, own))
    assert year.decided_at is not None  # an approved year was decided
    return StarStanding(
        year=year,
        approved_on=china_day(year.decided_at),
        version_number=version.number,
        star_codes=codes,
        star_names=tuple(content.star_names),
        star_labels=star_labels(tuple(content.star_names)),
        rules=scheme.changes,
        on_board=year.scheme.board.star_standing,
        members=tuple(members),
    )


def standing_before(year: AssessmentYear) -> StarStanding | None:
    """The current stars the year's assessment starts from: the standing of the year before,
    when that is the village's latest approved year."""
    standing = star_standing(year.village_id)
    return standing if standing is not None and standing.year.year == year.year - 1 else None


def _changes(condition: ColumnElement[bool]) -> Sequence[StarChange]:
    return list(
        db.session.scalars(
            select(StarChange)
            .options(joinedload(StarChange.recorded_by), joinedload(StarChange.year))
            .where(condition)
            .order_by(StarChange.changed_on, StarChange.id)
        )
    )


def _line(change: StarChange, names: dict[str, str]) -> ChangeLine:
    return ChangeLine(
        id=change.id,
        year=change.year.year,
        kind=change.kind,
        star_code=change.star_code,
        star_name=names.get(change.star_code, change.star_code),
        changed_on=change.changed_on,
        decided_on=change.decided_on,
        reason=change.reason,
        note=change.note,
        recorded_by=change.recorded_by.display_name,
    )


def _member_stars(
    stored: StoredMember,
    member: Member,
    year: int,
    codes: tuple[str, ...],
    names: dict[str, str],
    changes: Sequence[StarChange],
) -> MemberStars:
    approved = tuple(stored.public.stars) if not stored.public.exempt else ()
    applied = (Change(c.kind, c.star_code) for c in changes)
    stars = current_stars(codes, approved, applied) if approved else ()
    return MemberStars(
        member_id=member.id,
        assessed_id=stored.assessed_id,
        name=stored.public.name,
        grade=stored.public.grade,
        exempt=stored.public.exempt,
        leaver=None if member.status is MemberStatus.ACTIVE else member.status.label,
        approved=approved,
        stars=stars,
        held=frozenset(code for code, got in zip(codes, stars, strict=False) if got),
        changes=tuple(_line(c, names) for c in changes),
    )


# --- the board's view ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicChange:
    kind: str  # 摘星 / 升星
    star_name: str
    changed_on: date
    reason: str


@dataclass(frozen=True)
class PublicStarLine:
    name: Markup
    exempt: bool
    stars: tuple[bool, ...]
    star_count: int
    removed: int
    awarded: int
    changes: tuple[PublicChange, ...]


@dataclass(frozen=True)
class PublicStanding:
    year: int  # the approved year the stars start from
    star_names: tuple[str, ...]
    star_labels: tuple[str, ...]
    members: tuple[PublicStarLine, ...]


def public_standing(village_id: int) -> PublicStanding | None:
    """The 党员星级榜 for the board: members still on the roster, their current stars and their
    摘星 / 升星 with the public reasons (never the notes); None when there is nothing to show
    or the approved year's scheme keeps it off the board."""
    standing = star_standing(village_id)
    if standing is None or not standing.on_board:
        return None
    lines = tuple(
        PublicStarLine(
            name=m.name,
            exempt=m.exempt,
            stars=m.stars,
            star_count=m.star_count,
            removed=m.removed,
            awarded=m.awarded,
            changes=tuple(
                PublicChange(c.kind.label, c.star_name, c.changed_on, c.reason) for c in m.changes
            ),
        )
        for m in standing.members
        if m.leaver is None
    )
    return PublicStanding(standing.year.year, standing.star_names, standing.star_labels, lines)


# --- a member's history --------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryYear:
    """One of the member's years as its stored version has it (None before it went public)."""

    year: int
    state: YearState
    version_number: int | None
    star_names: tuple[str, ...]
    star_labels: tuple[str, ...]
    stars: tuple[bool, ...]
    star_count: int | None
    grade: str | None
    exempt: bool
    changes: tuple[ChangeLine, ...]  # the 摘星 and 升星 against this year's stars


def member_history(member: Member) -> list[HistoryYear]:
    """Every year the member was assessed, newest first, with its stored stars and grade and
    the 摘星 and 升星 made against them (four queries)."""
    rows = list(
        db.session.scalars(
            select(AssessedMember)
            .options(joinedload(AssessedMember.year).joinedload(AssessmentYear.scheme))
            .where(AssessedMember.member_id == member.id)
        )
    )
    years = [row.year for row in rows]
    versions = shown_versions(years, Part.TENSTAR)
    changes = _changes(StarChange.member_id == member.id)
    history = []
    for row in sorted(rows, key=lambda r: r.year.year, reverse=True):
        record, version = row.year, versions.get(row.year_id)
        names = {star.code: star.name for star in record.scheme.tenstar.stars}
        own = tuple(_line(c, names) for c in changes if c.year_id == record.id)
        stored = _stored(version, row.id)
        history.append(
            HistoryYear(
                year=record.year,
                state=record.state,
                version_number=version.number if version else None,
                star_names=tuple(names.values()),
                star_labels=star_labels(tuple(names.values())),
                stars=tuple(stored.public.stars) if stored else (),
                star_count=stored.public.star_count if stored else None,
                grade=stored.public.grade if stored else None,
                exempt=stored.public.exempt if stored else row.is_exempt,
                changes=own,
            )
        )
    return history


def _stored(version: ResultVersion | None, assessed_id: int) -> StoredMember | None:
    if version is None:
        return None
    return next((m for m in tenstar_of(version).members if m.assessed_id == assessed_id), None)
