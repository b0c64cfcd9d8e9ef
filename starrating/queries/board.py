"""Reads for a village's public notice board (DESIGN.md §8) and its objections.

What the board shows is chosen here, field by field: names, posts and results — a name with its
namesake detail (组别 or birth year, queries/namesakes.py) where two share it — and, as 村务公开
requires unless the township's scheme turns it off (rules/board_scheme.py), each cadre's pay
standard and pay result. A member's phone or birth date, a veto's reason, a cadre's consequence
flags, and who filed an objection never leave this module for a public page. Each read runs a
fixed number of queries.
Once a part is published, the board shows its stored result version (queries/versions.py),
never the live results: a correction reaches the board as a new version, with the day and the
list of what changed.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask import abort
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from starrating.extensions import db
from starrating.models import AssessmentYear, BallotRound, Cadre, Objection, ResultVersion, Village
from starrating.queries.appraisal import active_cadres, pledges_by_cadre
from starrating.queries.assessment import year_results
from starrating.queries.ballots import rounds_of
from starrating.queries.namesakes import namesake_labels
from starrating.queries.result_rows import PublicCadreResult, PublicStarRow, public_star_rows
from starrating.queries.versions import cadres_of, published_history, tenstar_of
from starrating.rules.assessment_state import YearState, objection_answerer, publicity_open
from starrating.rules.board_scheme import BoardScheme
from starrating.rules.electorate import RoundState
from starrating.rules.pledges import PledgeState
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import Role


@dataclass(frozen=True)
class Publicity:
    """One item on the board: published on a day, for the publicity days up to ends_on."""

    published_on: date | None
    ends_on: date | None

    @property
    def published(self) -> bool:
        return self.published_on is not None

    def live(self, today: date) -> bool:
        return publicity_open(self.ends_on, today)

    def status(self, today: date) -> str:
        if self.ends_on is None:
            return "尚未公示"
        if publicity_open(self.ends_on, today):
            return f"公示中，至 {self.ends_on.month}月{self.ends_on.day}日"
        return "公示期已结束"


@dataclass(frozen=True)
class PublicPledgeItem:
    content: str
    indicator: str
    target: str
    deadline: date
    weight: int


@dataclass(frozen=True)
class PublicPledge:
    name: str
    post: str
    items: tuple[PublicPledgeItem, ...]


@dataclass(frozen=True)
class Change:
    """One line of a correction's public list: whose result changed, from what to what."""

    name: Markup
    before: str
    after: str


@dataclass(frozen=True)
class Correction:
    """The board's note that what it shows corrects an earlier publication: the day and the
    version now shown, and what changed since the version before it."""

    corrected_on: date
    number: int
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Board:
    village: Village
    year: int
    star_names: tuple[str, ...]
    star_labels: tuple[str, ...]  # a short label per star, printed beside its ★ or ☆
    tenstar: Publicity
    members: list[PublicStarRow]  # empty until published
    quota_note: str | None  # when the 支委会 chose the 优秀 among more eligible than the quota
    pledges: list[PublicPledge]
    cadres: Publicity
    cadre_results: list[PublicCadreResult]  # empty until published
    tenstar_correction: Correction | None
    cadre_correction: Correction | None
    shows: BoardScheme  # what the township's scheme puts on the board
    closed_rounds: list[BallotRound]
    answerer: str  # who answers an objection filed now: 村党支部, or 乡镇 during the review


def answerer_label(state: YearState | None) -> str:
    """Who answers the objections of a year in that state, as the board says it."""
    return "乡镇" if objection_answerer(state) is Role.TOWNSHIP else "村党支部"


def objection_answerer_label(objection: Objection) -> str:
    """Who answered the objection (乡镇 or 村党支部), or who will answer it now."""
    if objection.answered_by is not None:
        return "乡镇" if objection.answered_by.role is Role.TOWNSHIP else "村党支部"
    state = db.session.scalar(
        select(AssessmentYear.state).where(
            AssessmentYear.village_id == objection.village_id,
            AssessmentYear.year == objection.year,
        )
    )
    return answerer_label(state)


def board_year(village_id: int, today: date) -> tuple[int, AssessmentYear | None]:
    """The board's year and its record: the village's latest assessment year, or (none
    opened yet) this year, without a record."""
    latest = db.session.scalar(
        select(AssessmentYear)
        .options(joinedload(AssessmentYear.scheme))
        .where(AssessmentYear.village_id == village_id)
        .order_by(AssessmentYear.year.desc())
        .limit(1)
    )
    return (latest.year, latest) if latest is not None else (today.year, None)


def public_board(village: Village, *, today: date) -> Board:
    year, record = board_year(village.id, today)
    tenstar = Publicity(
        record.published_on if record else None, record.publicity_ends_on if record else None
    )
    cadres = Publicity(
        record.cadres_published_on if record else None,
        record.cadres_publicity_ends_on if record else None,
    )
    shows = record.scheme.board if record is not None else BoardScheme()
    star_names: tuple[str, ...] = ()
    members: list[PublicStarRow] = []
    cadre_results: list[PublicCadreResult] = []
    quota_note = None
    tenstar_correction = cadre_correction = None
    if record is not None:
        star_names = tuple(star.name for star in record.scheme.tenstar.stars)
        if tenstar.published and shows.tenstar:
            shown = published_history(record.id, Part.TENSTAR)
            if shown:
                content = tenstar_of(shown[0])
                members = [m.public for m in content.members]
                quota_note = content.quota_note
                tenstar_correction = _correction(shown, _star_changes)
        if cadres.published and shows.cadre_results:
            shown = published_history(record.id, Part.CADRES)
            if shown:
                cadre_results = [_with_pay(c.public, shows) for c in cadres_of(shown[0]).cadres]
                cadre_correction = _correction(shown, _cadre_changes)
    return Board(
        village=village,
        year=year,
        star_names=star_names,
        star_labels=star_labels(star_names),
        tenstar=tenstar,
        members=members,
        quota_note=quota_note,
        pledges=_pledges(active_cadres([village.id]), year) if shows.pledges else [],
        cadres=cadres,
        cadre_results=cadre_results,
        tenstar_correction=tenstar_correction,
        cadre_correction=cadre_correction,
        shows=shows,
        closed_rounds=[r for r in rounds_of(village.id) if r.state is RoundState.CLOSED],
        answerer=answerer_label(record.state if record else None),
    )


def _with_pay(row: PublicCadreResult, shows: BoardScheme) -> PublicCadreResult:
    """The cadre's line with the pay figures the scheme puts on the board (on by default)."""
    return replace(
        row,
        base_pay=row.base_pay if shows.pay_standards else None,
        total_pay=row.total_pay if shows.pay_results else None,
    )


def _correction(
    published: list[ResultVersion],
    changes: Callable[[ResultVersion, ResultVersion], list[Change]],
) -> Correction | None:
    """When the version shown corrects an earlier one published since the year went public
    (this time: a version published before a return and resumption is a past publication)."""
    if len(published) < 2:
        return None
    shown, before = published[0], published[1]
    assert shown.published_on is not None
    return Correction(shown.published_on, shown.number, tuple(changes(before, shown)))


def _star_line(row: PublicStarRow) -> str:
    return row.grade if row.exempt else f"{row.star_count} 星，{row.grade}"


def _star_changes(before: ResultVersion, after: ResultVersion) -> list[Change]:
    old = {m.assessed_id: m.public for m in tenstar_of(before).members}
    new = {m.assessed_id: m.public for m in tenstar_of(after).members}
    return _changes(old, new, _star_line)


def _cadre_line(row: PublicCadreResult) -> str:
    if row.grade is None:
        return "尚无结果"
    return f"综合得分 {row.combined}，{row.grade}"


def _cadre_changes(before: ResultVersion, after: ResultVersion) -> list[Change]:
    old = {c.cadre_id: c.public for c in cadres_of(before).cadres}
    new = {c.cadre_id: c.public for c in cadres_of(after).cadres}
    return _changes(old, new, _cadre_line)


def _changes(old: dict[int, Any], new: dict[int, Any], line: Callable[[Any], str]) -> list[Change]:
    """Whose public line changed, in the order of the new version (then those no longer in
    it): the name and the line before and after, never anything the board does not show."""
    found = [
        Change(row.name, line(old[key]) if key in old else "（未列入）", line(row))
        for key, row in new.items()
        if key not in old or line(old[key]) != line(row)
    ]
    found.extend(
        Change(row.name, line(row), "（不再列入）") for key, row in old.items() if key not in new
    )
    return found


def tenstar_preview(record: AssessmentYear) -> list[PublicStarRow]:
    """The ten-star rows exactly as the board will show them once published."""
    return public_star_rows(year_results(record))[0]


def rows_digest(rows: list[PublicStarRow]) -> str:
    """A short fingerprint of what is shown: publishing checks that the rows the secretary
    confirmed are still the rows that go public (no mark changed in between)."""
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def star_labels(names: tuple[str, ...]) -> tuple[str, ...]:
    """A short label per star, so a reader needs not count positions: the first two characters
    of its name (理想信念星 → 理想), or the two before 星 where two stars share the first two
    (群众认可星 → 认可, 群众满意星 → 满意), or the whole name without 星."""
    stems = [name.removesuffix("星") for name in names]

    def unique(label: str, labels: list[str]) -> bool:
        return labels.count(label) == 1

    firsts, lasts = [stem[:2] for stem in stems], [stem[-2:] for stem in stems]
    return tuple(
        first if unique(first, firsts) else last if unique(last, lasts) else stem
        for stem, first, last in zip(stems, firsts, lasts, strict=True)
    )


def _pledges(cadres: list[Cadre], year: int) -> list[PublicPledge]:
    pledges = pledges_by_cadre([cadre.id for cadre in cadres], year)
    label = namesake_labels(cadres)
    shown = []
    for cadre in cadres:
        pledge = pledges.get(cadre.id)
        if pledge is None or pledge.state is not PledgeState.PUBLIC:
            continue
        items = tuple(
            PublicPledgeItem(item.content, item.indicator, item.target, item.deadline, item.weight)
            for item in pledge.items
        )
        shown.append(PublicPledge(label(cadre), cadre.post, items))
    return shown


# --- objections ----------------------------------------------------------------------------------


def objection_by_reference(village_id: int, reference: str) -> Objection | None:
    return db.session.scalar(
        select(Objection).where(
            Objection.village_id == village_id, Objection.reference == reference
        )
    )


def village_objections(village_id: int, year: int) -> list[Objection]:
    """The year's objections for the secretary: unanswered first, then newest first; each
    with who answered it loaded."""
    answered_last = Objection.answered_at.is_not(None)
    return list(
        db.session.scalars(
            select(Objection)
            .options(joinedload(Objection.answered_by))
            .where(Objection.village_id == village_id, Objection.year == year)
            .order_by(answered_last, Objection.filed_at.desc(), Objection.id.desc())
        )
    )


def objection_counts(village_id: int, year: int) -> tuple[int, int]:
    """(all, unanswered) objections of the village's year."""
    total, open_ = db.session.execute(
        select(
            func.count(Objection.id),
            func.count(Objection.id).filter(Objection.answered_at.is_(None)),
        ).where(Objection.village_id == village_id, Objection.year == year)
    ).one()
    return int(total), int(open_)


def get_objection_or_404(objection_id: int, *, year: AssessmentYear) -> Objection:
    """An objection of that village-year (the year was loaded through the user's scope)."""
    found = db.session.scalar(
        select(Objection).where(
            Objection.id == objection_id,
            Objection.village_id == year.village_id,
            Objection.year == year.year,
        )
    )
    if found is None:
        abort(404)
    return found
