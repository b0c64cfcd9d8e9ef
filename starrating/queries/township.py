"""A township's year at a glance: every village's stage, marking progress, member ballot,
objections, ten-star results and cadre results. The dashboard and the township workbook read
it; its queries do not grow with the number of villages, members, raters or cadres."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from starrating.extensions import db
from starrating.models import (
    AssessmentYear,
    BallotRound,
    BallotToken,
    Objection,
    ResultVersion,
    Village,
    YearReview,
)
from starrating.queries.appraisal import CadreAppraisal, active_cadres, appraise_cadres
from starrating.queries.assessment import YearResults, marking_counts, year_results_many
from starrating.queries.ballots import deciding_member_rounds
from starrating.queries.ordering import in_township_order
from starrating.queries.versions import (
    CadreFigures,
    TenStarFigures,
    cadre_figures,
    cadre_figures_of,
    figures_of,
    shown_versions,
    tenstar_figures,
)
from starrating.rules.assessment_state import YearState
from starrating.rules.electorate import RoundState
from starrating.rules.numbers import round_half_up
from starrating.rules.quorum import quorum_met
from starrating.rules.result_versions import Part
from starrating.rules.tenstar import GRADE_ORDER, Grade


@dataclass(frozen=True)
class MemberRound:
    """A ballot round with a member part of the village's year: how far voting got."""

    round: BallotRound
    issued: int
    returned: int

    @property
    def turnout(self) -> Decimal | None:
        """Returned ballots / eligible voters, in percent (0.1)."""
        if not self.round.eligible:
            return None
        return round_half_up(Decimal(100) * self.returned / self.round.eligible)

    @property
    def closed(self) -> bool:
        return self.round.state is RoundState.CLOSED

    @property
    def certified(self) -> bool:
        return self.round.certified_at is not None

    @property
    def quorum_met(self) -> bool:
        """Enough ballots returned for the round's electorate (法定人数)."""
        return quorum_met(self.returned, self.round.eligible, self.round.electorate.quorum)


@dataclass(frozen=True)
class VillageYear:
    """A village's year as the township sees it. Once public, its figures come from the stored
    result versions (tenstar_version, cadre_version); before, they are worked out live
    (results)."""

    village: Village
    record: AssessmentYear | None  # None: the village has not opened the year
    results: YearResults | None  # live results, for a year not yet public
    figures: TenStarFigures | None
    member_round: MemberRound | None  # the certified round that decides, else the latest
    newer_round: MemberRound | None  # a round after the deciding one, still voting or counting
    open_objections: int
    objections: int
    cadres: list[CadreFigures]
    tenstar_version: ResultVersion | None = None
    cadre_version: ResultVersion | None = None

    @property
    def stage(self) -> str:
        return self.record.state.label if self.record else "未开启"

    @property
    def state(self) -> YearState | None:
        return self.record.state if self.record else None

    @property
    def marks_done(self) -> int:
        return self.figures.marks_done if self.figures else 0

    @property
    def marks_expected(self) -> int:
        return self.figures.marks_expected if self.figures else 0

    @property
    def marking_percent(self) -> Decimal | None:
        if not self.marks_expected:
            return None
        done = min(self.marks_done, self.marks_expected)
        return round_half_up(Decimal(100) * done / self.marks_expected)

    @property
    def grade_counts(self) -> dict[Grade, int]:
        counts = dict.fromkeys(GRADE_ORDER, 0)
        if self.figures:
            for grade, count in self.figures.grades.items():
                counts[grade] += count
        return counts

    @property
    def members(self) -> int:
        return self.figures.members if self.figures else 0

    @property
    def average_stars(self) -> Decimal | None:
        """Mean star count of the members who were marked (exempt members left out)."""
        return self.figures.average_stars if self.figures else None

    @property
    def cadres_done(self) -> int:
        """Cadres whose result is complete: every component present (none renormalised)."""
        return sum(1 for c in self.cadres if c.complete)


def township_year(township_id: int, year: int) -> list[VillageYear]:
    """Every village of the township for the year: those whose year waits for the township's
    review first, then by pinyin."""
    villages = list(db.session.scalars(select(Village).where(Village.township_id == township_id)))
    rows = _village_years(villages, year)
    awaiting = {row.village.id for row in rows if row.state is YearState.SUBMITTED}
    order = {v.id: i for i, v in enumerate(in_township_order(villages, awaiting))}
    return sorted(rows, key=lambda row: order[row.village.id])


def village_year(village: Village, year: int) -> VillageYear:
    """One village's year, with the same figures as its row of the township's year."""
    return _village_years([village], year)[0]


def _village_years(villages: list[Village], year: int) -> list[VillageYear]:
    """The rows, in a fixed number of queries: the stored versions' summaries for the years
    that are public, the live results only for those still before publicity."""
    village_ids = [v.id for v in villages]
    records = {
        r.village_id: r
        for r in db.session.scalars(
            select(AssessmentYear)
            .options(joinedload(AssessmentYear.scheme))
            .where(AssessmentYear.village_id.in_(village_ids), AssessmentYear.year == year)
        )
    }
    stored = shown_versions(list(records.values()), Part.TENSTAR, with_content=False)
    stored_cadres = shown_versions(list(records.values()), Part.CADRES, with_content=False)
    live = [r for r in records.values() if r.id not in stored]
    results = year_results_many(live)
    done, expected = marking_counts([r.id for r in live], results, {r.id: r for r in live})
    figures = {y: figures_of(v) for y, v in stored.items()} | {
        r.id: tenstar_figures(results[r.id], done.get(r.id, 0), expected.get(r.id, 0)) for r in live
    }
    rounds, newer = _member_rounds([r.id for r in records.values()])
    open_objections, objections = _objections(village_ids, year)
    cadres_by_village: dict[int, list[CadreFigures]] = defaultdict(list)
    for record in records.values():
        if record.id in stored_cadres:
            cadres_by_village[record.village_id] = cadre_figures_of(stored_cadres[record.id])
    live_villages = [v for v in village_ids if v not in cadres_by_village]
    by_village: dict[int, list[CadreAppraisal]] = defaultdict(list)
    for appraisal in appraise_cadres(active_cadres(live_villages), year):
        by_village[appraisal.cadre.village_id].append(appraisal)
    for village_id, found in by_village.items():
        cadres_by_village[village_id] = cadre_figures(found)
    rows = []
    for village in villages:
        record = records.get(village.id)
        rows.append(
            VillageYear(
                village=village,
                record=record,
                results=results.get(record.id) if record else None,
                figures=figures.get(record.id) if record else None,
                member_round=rounds.get(record.id) if record else None,
                newer_round=newer.get(record.id) if record else None,
                open_objections=open_objections.get(village.id, 0),
                objections=objections.get(village.id, 0),
                cadres=cadres_by_village[village.id],
                tenstar_version=stored.get(record.id) if record else None,
                cadre_version=stored_cadres.get(record.id) if record else None,
            )
        )
    return rows


def _member_rounds(year_ids: list[int]) -> tuple[dict[int, MemberRound], dict[int, MemberRound]]:
    """Year id → the member round that decides its mass stars (certified, quorum met), or
    while there is none its latest member round; and year id → the latest member round after
    the deciding one, when there is one (a 补测 under way). Codes issued and used for each."""
    if not year_ids:
        return {}, {}
    latest: dict[int, BallotRound] = {}
    for ballot_round in db.session.scalars(
        select(BallotRound)
        .where(BallotRound.assessment_year_id.in_(year_ids), BallotRound.has_members)
        .order_by(BallotRound.id)
    ):
        latest[ballot_round.assessment_year_id or 0] = ballot_round
    deciding = deciding_member_rounds(year_ids)
    shown = {year_id: deciding.get(year_id, r) for year_id, r in latest.items()}
    newer = {y: r for y, r in latest.items() if y in deciding and r.id != deciding[y].id}
    live = BallotToken.handed_out()
    round_ids = [r.id for r in (*shown.values(), *newer.values())]
    counts = {
        round_id: (issued, returned)
        for round_id, issued, returned in db.session.execute(
            select(
                BallotToken.round_id,
                func.count(BallotToken.id),
                func.count(BallotToken.id).filter(BallotToken.used),
            )
            .where(BallotToken.round_id.in_(round_ids), live)
            .group_by(BallotToken.round_id)
        )
    }

    def figures(rounds: dict[int, BallotRound]) -> dict[int, MemberRound]:
        return {y: MemberRound(r, *counts.get(r.id, (0, 0))) for y, r in rounds.items()}

    return figures(shown), figures(newer)


def _objections(village_ids: list[int], year: int) -> tuple[dict[int, int], dict[int, int]]:
    """Village id → objections not yet answered, and → all objections, for the year."""
    rows = db.session.execute(
        select(
            Objection.village_id,
            func.count(Objection.id).filter(Objection.answered_at.is_(None)),
            func.count(Objection.id),
        )
        .where(Objection.village_id.in_(village_ids), Objection.year == year)
        .group_by(Objection.village_id)
    ).all()
    return {v: o for v, o, _ in rows}, {v: n for v, _, n in rows}


def review_history(year_id: int) -> list[YearReview]:
    """A year's steps after marking (publish, submit, approve, return, resume, reopen), oldest
    first, each with its actor."""
    return list(
        db.session.scalars(
            select(YearReview)
            .options(joinedload(YearReview.actor))
            .where(YearReview.year_id == year_id)
            .order_by(YearReview.at, YearReview.id)
        )
    )
