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
    Rater,
    StarMark,
    Village,
    YearReview,
)
from starrating.queries.appraisal import CadreAppraisal, active_cadres, appraise_cadres
from starrating.queries.assessment import YearResults, year_results_many
from starrating.queries.ballots import deciding_member_rounds
from starrating.queries.ordering import in_township_order
from starrating.rules.assessment_state import YearState
from starrating.rules.electorate import RoundState
from starrating.rules.numbers import round_half_up
from starrating.rules.quorum import quorum_met
from starrating.rules.tenstar import GRADE_ORDER, Grade
from starrating.rules.tenstar_scheme import StarGroup


@dataclass(frozen=True)
class MemberRound:
    """A ballot round with a member section of the village's year: how far voting got."""

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
    village: Village
    record: AssessmentYear | None  # None: the village has not opened the year
    results: YearResults | None
    marks_done: int
    marks_expected: int
    member_round: MemberRound | None  # the certified round that decides, else the latest
    newer_round: MemberRound | None  # a round after the deciding one, still voting or counting
    open_objections: int
    objections: int
    cadres: list[CadreAppraisal]

    @property
    def stage(self) -> str:
        return self.record.state.label if self.record else "未开启"

    @property
    def state(self) -> YearState | None:
        return self.record.state if self.record else None

    @property
    def marking_percent(self) -> Decimal | None:
        if not self.marks_expected:
            return None
        done = min(self.marks_done, self.marks_expected)
        return round_half_up(Decimal(100) * done / self.marks_expected)

    @property
    def grade_counts(self) -> dict[Grade, int]:
        counts = dict.fromkeys(GRADE_ORDER, 0)
        if self.results:
            for grade, count in self.results.grade_counts().items():
                counts[grade] += count
        return counts

    @property
    def members(self) -> int:
        return len(self.results.members) if self.results else 0

    @property
    def average_stars(self) -> Decimal | None:
        """Mean star count of the members who were marked (exempt members left out)."""
        if not self.results:
            return None
        counted = [
            r.outcome.star_count for r in self.results.members if r.grade is not Grade.EXEMPT
        ]
        if not counted:
            return None
        return round_half_up(Decimal(sum(counted)) / len(counted))

    @property
    def cadres_done(self) -> int:
        """Cadres whose result is complete: every component present (none renormalised)."""
        return sum(
            1 for c in self.cadres if c.outcome is not None and not c.outcome.combined.renormalised
        )


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
    village_ids = [v.id for v in villages]
    records = {
        r.village_id: r
        for r in db.session.scalars(
            select(AssessmentYear)
            .options(joinedload(AssessmentYear.scheme))
            .where(AssessmentYear.village_id.in_(village_ids), AssessmentYear.year == year)
        )
    }
    year_ids = [r.id for r in records.values()]
    results = year_results_many(list(records.values()))
    done, expected = _marking(year_ids, results, records)
    rounds, newer = _member_rounds(year_ids)
    open_objections, objections = _objections(village_ids, year)
    cadres_by_village: dict[int, list[CadreAppraisal]] = defaultdict(list)
    for appraisal in appraise_cadres(active_cadres(village_ids), year):
        cadres_by_village[appraisal.cadre.village_id].append(appraisal)
    rows = []
    for village in villages:
        record = records.get(village.id)
        rows.append(
            VillageYear(
                village=village,
                record=record,
                results=results.get(record.id) if record else None,
                marks_done=done.get(record.id, 0) if record else 0,
                marks_expected=expected.get(record.id, 0) if record else 0,
                member_round=rounds.get(record.id) if record else None,
                newer_round=newer.get(record.id) if record else None,
                open_objections=open_objections.get(village.id, 0),
                objections=objections.get(village.id, 0),
                cadres=cadres_by_village[village.id],
            )
        )
    return rows


def _marking(
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
