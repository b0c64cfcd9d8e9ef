"""Stored result versions (DESIGN.md §16): what a version holds, how the live results become one,
and which version a reader sees.

A version's content is the rows of queries/result_rows.py as they stood: each member's line of
the 汇总表 and its line on the board, the explanation the township reviews; each cadre's line
(with pay) and its line on the board. Its summary holds the few figures the township's dashboard
and summary read without loading the rows. The content digest proves a version unchanged; the
inputs digest names what it was worked out from (the marks, ballots, facts and scheme), so a
version rebuilt from the same inputs is the same version.

Which version is shown: the latest published one of a part once it is public, and while the
year is submitted or approved (nothing can change a submitted or approved year, so that is the
version submitted and approved); none before, or after a returned year is taken back to
marking (the pages compute live)."""

import hashlib
import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import defer, joinedload

from starrating.extensions import db
from starrating.models import AssessmentYear, ResultVersion
from starrating.plain import plain, restore
from starrating.queries.appraisal import CadreAppraisal, active_cadres, appraise_cadres
from starrating.queries.assessment import (
    YearResults,
    marking_counts,
    results_from_inputs,
    year_inputs_many,
)
from starrating.queries.namesakes import namesake_labels
from starrating.queries.result_rows import (
    PublicCadreResult,
    PublicStarRow,
    ballot_note,
    cadre_line,
    member_line,
    public_cadre_result,
    public_star_rows,
    quarterly_progress,
    roster_numbers,
)
from starrating.rules.cadre_grades import CadreGrade
from starrating.rules.numbers import round_half_up
from starrating.rules.result_versions import Part
from starrating.rules.tenstar import Grade
from starrating.spreadsheets.exports.appraisal import CadreLine
from starrating.spreadsheets.exports.tenstar import MemberLine

# --- what a version holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredMember:
    assessed_id: int
    grade: Grade
    public: PublicStarRow  # the board's line
    line: MemberLine  # the 汇总表's line (with private remarks)
    veto_reason: str | None
    explanation: tuple[str, ...]  # why this grade (the township reviews it)
    star_explanations: tuple[str, ...]  # one sentence per star


@dataclass(frozen=True)
class TenStarContent:
    star_names: tuple[str, ...]
    members: tuple[StoredMember, ...]
    quota_note: str | None  # the board's note when the 支委会 chose the 优秀 under the quota
    quota_summary: tuple[str, ...]
    quota_problems: tuple[str, ...]


@dataclass(frozen=True)
class TenStarFigures:
    """The summary a dashboard row reads."""

    members: int
    grades: dict[Grade, int]
    average_stars: Decimal | None
    marks_done: int
    marks_expected: int


@dataclass(frozen=True)
class StoredCadre:
    cadre_id: int
    public: PublicCadreResult
    line: CadreLine


@dataclass(frozen=True)
class CadreContent:
    ballot_note: str
    cadres: tuple[StoredCadre, ...]


@dataclass(frozen=True)
class CadreFigures:
    """One cadre as a dashboard row and its charts read it."""

    cadre_id: int
    name: str
    completion: Decimal | None
    satisfaction: Decimal | None
    grade: CadreGrade | None
    complete: bool  # every component present (none renormalised)
    waiting: str | None


Content = TenStarContent | CadreContent


@dataclass(frozen=True)
class Built:
    """A part's results worked out now, ready to be stored or compared with a version."""

    part: Part
    content: Content
    summary: dict[str, Any]
    content_digest: str
    inputs_digest: str


def digest(value: Any) -> str:
    """A SHA-256 over the value's canonical plain form."""
    data = plain(value, canonical=True)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --- the live results as a version ---------------------------------------------------------------


def build_tenstar(year: AssessmentYear) -> Built:
    """The year's ten-star results now, as a version would hold them."""
    read = year_inputs_many([year])[year.id]
    results = results_from_inputs(year, read)
    done, expected = marking_counts([year.id], {year.id: results}, {year.id: year})
    content = tenstar_content(results)
    figures = tenstar_figures(results, done.get(year.id, 0), expected.get(year.id, 0))
    members, marks, ballots = read
    facts = [
        [m.id, m.member_id, m.position, m.membership, m.veto_reason, m.veto_on, m.veto_note]
        + [m.exempt_meeting_date, m.exempt_reason, m.excellent_confirmed]
        + [m.member.name, m.member.gender, m.member.category]
        for m in members
    ]
    scheme = {"rules": year.scheme.rules["tenstar"], "quota": year.quota_confirmed_at is not None}
    inputs = {"scheme": scheme, "members": facts, "marks": marks, "ballots": ballots}
    return Built(Part.TENSTAR, content, plain(figures), digest(content), digest(inputs))


def tenstar_content(results: YearResults) -> TenStarContent:
    public, quota_note = public_star_rows(results)
    numbers = roster_numbers(r.assessed for r in results.members)
    members = tuple(
        StoredMember(
            assessed_id=result.assessed.id,
            grade=result.grade,
            public=row,
            line=member_line(result, results, numbers[result.assessed.id]),
            veto_reason=result.assessed.veto_reason,
            explanation=result.grade_explanation,
            star_explanations=tuple(d.explanation for d in result.outcome.decisions),
        )
        for result, row in zip(results.members, public, strict=True)
    )
    return TenStarContent(
        star_names=tuple(star.name for star in results.scheme.stars),
        members=members,
        quota_note=quota_note,
        quota_summary=tuple(results.quota.summary),
        quota_problems=tuple(results.quota.problems),
    )


def tenstar_figures(results: YearResults, done: int, expected: int) -> TenStarFigures:
    counts: dict[Grade, int] = defaultdict(int)
    for result in results.members:
        counts[result.grade] += 1
    counted = [r.outcome.star_count for r in results.members if r.grade is not Grade.EXEMPT]
    average = round_half_up(Decimal(sum(counted)) / len(counted)) if counted else None
    return TenStarFigures(len(results.members), dict(counts), average, done, expected)


def live_cadre_content(village_id: int, year: int) -> CadreContent:
    """The village's cadres' results for the year now, as a version holds them."""
    return _cadre_content(appraise_cadres(active_cadres([village_id]), year), village_id, year)


def _cadre_content(found: Sequence[CadreAppraisal], village_id: int, year: int) -> CadreContent:
    progress = quarterly_progress([i.id for r in found if r.pledge for i in r.pledge.items])
    label = namesake_labels(r.cadre for r in found)
    return CadreContent(
        ballot_note=ballot_note(village_id, year),
        cadres=tuple(
            StoredCadre(r.cadre.id, public_cadre_result(r, label(r.cadre)), cadre_line(r, progress))
            for r in found
        ),
    )


def build_cadres(year: AssessmentYear) -> Built:
    """The village's cadres' results for the year now, as a version would hold them."""
    found = appraise_cadres(active_cadres([year.village_id]), year.year)
    content = _cadre_content(found, year.village_id, year.year)
    inputs = [
        [r.cadre.id, r.cadre.name, r.cadre.post, r.cadre.base_pay, r.cadre.reward_amount]
        + [r.cadre.performance_pay, r.township_score, r.last_year_grade]
        + [r.outcome.ballot.counts if r.outcome else None]
        + [[i.id, i.weight, i.verified_completion] for i in (r.pledge.items if r.pledge else [])]
        for r in found
    ]
    scheme = year.scheme.rules.get("appraisal")
    summary = {"cadres": plain(cadre_figures(found))}
    inputs_digest = digest({"scheme": scheme, "cadres": inputs})
    return Built(Part.CADRES, content, summary, digest(content), inputs_digest)


def cadre_figures(found: Sequence[CadreAppraisal]) -> list[CadreFigures]:
    return [
        CadreFigures(
            cadre_id=r.cadre.id,
            name=r.cadre.name,
            completion=r.outcome.completion if r.outcome else None,
            satisfaction=r.outcome.satisfaction if r.outcome else None,
            grade=r.outcome.grade if r.outcome else None,
            complete=r.outcome is not None and not r.outcome.combined.renormalised,
            waiting=r.waiting,
        )
        for r in found
    ]


def build(year: AssessmentYear, part: Part) -> Built:
    return build_tenstar(year) if part is Part.TENSTAR else build_cadres(year)


# --- reading stored versions ---------------------------------------------------------------------


def tenstar_of(version: ResultVersion) -> TenStarContent:
    content: TenStarContent = restore(TenStarContent, version.content)
    return content


def cadres_of(version: ResultVersion) -> CadreContent:
    content: CadreContent = restore(CadreContent, version.content)
    return content


def figures_of(version: ResultVersion) -> TenStarFigures:
    figures: TenStarFigures = restore(TenStarFigures, version.summary)
    return figures


def cadre_figures_of(version: ResultVersion) -> list[CadreFigures]:
    return [restore(CadreFigures, row) for row in version.summary["cadres"]]


def versions_of(year_id: int, part: Part | None = None) -> list[ResultVersion]:
    """A year's versions, newest first, with who made and signed each."""
    query = (
        select(ResultVersion)
        .options(joinedload(ResultVersion.made_by), joinedload(ResultVersion.signed_by))
        .where(ResultVersion.year_id == year_id)
        .order_by(ResultVersion.number.desc(), ResultVersion.id.desc())
    )
    if part is not None:
        query = query.where(ResultVersion.part == part)
    return list(db.session.scalars(query))


def latest_draft(year_id: int, part: Part) -> ResultVersion | None:
    """The newest version of the part when it has not gone public (awaiting its sign-off
    or its publishing), else None."""
    newest = next(iter(versions_of(year_id, part)), None)
    return newest if newest is not None and not newest.published else None


def published_versions(
    year_ids: Collection[int], part: Part, *, with_content: bool = True
) -> dict[int, ResultVersion]:
    """Year id → the part's latest published version (one query; the rows left unloaded
    when only the summary is read)."""
    if not year_ids:
        return {}
    newest = (
        select(ResultVersion.year_id, func.max(ResultVersion.number).label("number"))
        .where(
            ResultVersion.year_id.in_(year_ids),
            ResultVersion.part == part,
            ResultVersion.published_on.is_not(None),
        )
        .group_by(ResultVersion.year_id)
        .subquery()
    )
    query = select(ResultVersion).join(
        newest,
        (ResultVersion.year_id == newest.c.year_id) & (ResultVersion.number == newest.c.number),
    )
    query = query.where(ResultVersion.part == part)
    if not with_content:
        query = query.options(defer(ResultVersion.content))
    return {v.year_id: v for v in db.session.scalars(query)}


def shown_versions(
    records: Sequence[AssessmentYear], part: Part, *, with_content: bool = True
) -> dict[int, ResultVersion]:
    """Year id → the version readers see, for the years whose part is public (and stays
    so while submitted, approved, or returned until the village takes it back); the others
    compute live."""
    stored = [r.id for r in records if is_public(r, part)]
    return published_versions(stored, part, with_content=with_content)


def is_public(record: AssessmentYear, part: Part) -> bool:
    published = record.published_on if part is Part.TENSTAR else record.cadres_published_on
    return published is not None


def shown_version(record: AssessmentYear, part: Part) -> ResultVersion | None:
    return shown_versions([record], part).get(record.id)


def published_history(year_id: int, part: Part) -> list[ResultVersion]:
    """The part's versions published since the year last went public, newest first: the
    one the board shows, then those it corrected. (Publishing after a return starts over: the
    versions of the earlier publication are the archive's.)"""
    published = [v for v in versions_of(year_id, part) if v.published]
    if not published:
        return []
    return [v for v in published if v.publication == published[0].publication]


@dataclass(frozen=True)
class PartStatus:
    """Where a part stands on the way to the board, for the secretary's page: the version on
    the board, the draft waiting (and whether it is still the results now), and whether the
    results changed since the version on the board (a correction is due)."""

    part: Part
    shown: ResultVersion | None
    draft: ResultVersion | None
    draft_fresh: bool
    changed: bool

    @property
    def ready(self) -> bool:
        """A signed draft that is still the results now: it can go public."""
        return self.draft is not None and self.draft.signed and self.draft_fresh


def part_status(year: AssessmentYear, part: Part) -> PartStatus:
    history = versions_of(year.id, part)
    shown = next((v for v in history if v.published), None) if is_public(year, part) else None
    draft = history[0] if history and not history[0].published else None
    now = build(year, part).content_digest if history else None
    return PartStatus(
        part=part,
        shown=shown,
        draft=draft,
        draft_fresh=draft is not None and draft.content_digest == now,
        changed=shown is not None and shown.content_digest != now,
    )


def awaiting_sign_off(village_id: int) -> list[ResultVersion]:
    """The village's drafts waiting for a sign-off: the newest version of a part of a year,
    neither signed nor published."""
    drafts = db.session.scalars(
        select(ResultVersion)
        .join(AssessmentYear, AssessmentYear.id == ResultVersion.year_id)
        .options(joinedload(ResultVersion.made_by), joinedload(ResultVersion.year))
        .where(AssessmentYear.village_id == village_id)
        .order_by(ResultVersion.year_id, ResultVersion.part, ResultVersion.number.desc())
    )
    newest: dict[tuple[int, Part], ResultVersion] = {}
    for version in drafts:
        newest.setdefault((version.year_id, version.part), version)
    return [v for v in newest.values() if not v.signed and not v.published]
