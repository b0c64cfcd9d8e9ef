"""Reads of ballot rounds: turnout while open, the tally after close, the paper entries and
certifications, and the mass-star counts a certified member round gives the ten-star year."""

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from starrating.extensions import db
from starrating.models import AssessmentYear, BallotRound, BallotSubject, BallotToken, CastBallot
from starrating.models.ballots import Certification, PaperEntry
from starrating.rules.ballots import Choice, ChoiceCounts, RoundTally, tally_round
from starrating.rules.electorate import RoundState


def rounds_of(village_id: int) -> list[BallotRound]:
    return list(
        db.session.scalars(
            select(BallotRound)
            .where(BallotRound.village_id == village_id)
            .order_by(BallotRound.id.desc())
        )
    )


def subjects(round_id: int) -> list[BallotSubject]:
    return list(
        db.session.scalars(
            select(BallotSubject)
            .where(BallotSubject.round_id == round_id)
            .order_by(BallotSubject.position)
        )
    )


@dataclass(frozen=True)
class Turnout:
    """What anyone may see while a round is open: how many codes are out and how many used."""

    eligible: int
    issued: int
    returned: int
    voided: int
    phone: int
    paper: int


def turnout(ballot_round: BallotRound) -> Turnout:
    """One query over the codes; never the ballots' contents."""
    live = BallotToken.voided_at.is_(None)
    issued, returned, voided, phone, paper = db.session.execute(
        select(
            func.count(case((live, 1))),
            func.count(case((live & BallotToken.used, 1))),
            func.count(case((~live, 1))),
            func.count(case((BallotToken.channel == "phone", 1))),
            func.count(case((BallotToken.channel == "paper", 1))),
        ).where(BallotToken.round_id == ballot_round.id)
    ).one()
    return Turnout(ballot_round.eligible, issued, returned, voided, phone, paper)


def round_tally(ballot_round: BallotRound) -> RoundTally[int]:
    """The tally of a closed round; refused while it is open (nobody sees results then)."""
    return tally_rounds([ballot_round])[ballot_round.id]


def tally_rounds(rounds: Sequence[BallotRound]) -> dict[int, RoundTally[int]]:
    """Round id → tally, for closed rounds only (refused while any is open); three queries
    whatever the number of rounds, ballots or subjects."""
    if any(r.state is not RoundState.CLOSED for r in rounds):
        raise ValueError("a round is tallied only after it is closed")
    if not rounds:
        return {}
    ids = [r.id for r in rounds]
    issued = dict(
        db.session.execute(
            select(BallotToken.round_id, func.count(BallotToken.id))
            .where(BallotToken.round_id.in_(ids), BallotToken.voided_at.is_(None))
            .group_by(BallotToken.round_id)
        ).all()
    )
    ballots: dict[int, list[dict[int, Choice]]] = defaultdict(list)
    for round_id, marks in db.session.execute(
        select(CastBallot.round_id, CastBallot.marks).where(CastBallot.round_id.in_(ids))
    ):
        ballots[round_id].append(
            {int(subject): Choice(choice) for subject, choice in marks.items()}
        )
    subject_ids: dict[int, list[int]] = defaultdict(list)
    for round_id, subject_id in db.session.execute(
        select(BallotSubject.round_id, BallotSubject.id)
        .where(BallotSubject.round_id.in_(ids))
        .order_by(BallotSubject.round_id, BallotSubject.position)
    ):
        subject_ids[round_id].append(subject_id)
    return {
        r.id: tally_round(
            eligible=r.eligible,
            issued=issued.get(r.id, 0),
            ballots=ballots[r.id],
            subject_ids=subject_ids[r.id],
            quorum=r.electorate.quorum,
        )
        for r in rounds
    }


def _subject_owners(round_ids: Collection[int], column: str) -> dict[int, int | None]:
    """Subject id → the assessed member (column "assessed_member_id") or cadre ("cadre_id")
    it stands for, for the given rounds; one query."""
    owner = getattr(BallotSubject, column)
    return dict(
        db.session.execute(
            select(BallotSubject.id, owner).where(BallotSubject.round_id.in_(round_ids))
        ).all()
    )


def _counting_rounds(
    candidates: Sequence[BallotRound], key: Callable[[BallotRound], int], column: str
) -> dict[int, dict[int, ChoiceCounts]]:
    """Of certified rounds ordered newest first, the first per key that met its quorum: key →
    (subject owner → counts). A round that missed quorum is re-run, never counted."""
    tallies = tally_rounds(candidates)
    chosen: dict[int, BallotRound] = {}
    for ballot_round in candidates:
        if key(ballot_round) not in chosen and tallies[ballot_round.id].counts:
            chosen[key(ballot_round)] = ballot_round
    owners = _subject_owners([r.id for r in chosen.values()], column)
    found: dict[int, dict[int, ChoiceCounts]] = {}
    for group, ballot_round in chosen.items():
        counts: dict[int, ChoiceCounts] = {}
        for subject_id, subject_tally in tallies[ballot_round.id].subjects:
            owner = owners[subject_id]
            if owner is not None:
                counts[owner] = subject_tally.counts
        found[group] = counts
    return found


def _certified(*conditions: Any) -> list[BallotRound]:
    return list(
        db.session.scalars(
            select(BallotRound)
            .where(
                *conditions,
                BallotRound.state == RoundState.CLOSED,
                BallotRound.certified_at.is_not(None),
            )
            .order_by(BallotRound.certified_at.desc(), BallotRound.id.desc())
        )
    )


def member_ballot_counts(year: AssessmentYear) -> dict[int, ChoiceCounts]:
    """The member ballot that decides the year's mass stars: the latest certified round with a
    member section that met its quorum (a round that missed it is re-run, never counted; a
    closed round counts only once a teller and a scrutineer have certified its tally).
    Assessed member id → counts; empty when there is none yet."""
    return member_ballot_counts_many([year.id]).get(year.id, {})


def member_ballot_counts_many(year_ids: Collection[int]) -> dict[int, dict[int, ChoiceCounts]]:
    """member_ballot_counts for many years at once: year id → (assessed member id → counts);
    a year without a counting round is left out. A fixed number of queries."""
    if not year_ids:
        return {}
    candidates = _certified(BallotRound.assessment_year_id.in_(year_ids), BallotRound.has_members)
    return _counting_rounds(candidates, lambda r: r.assessment_year_id or 0, "assessed_member_id")


def cadre_ballot_counts_many(
    village_ids: Collection[int], year: int
) -> dict[int, dict[int, ChoiceCounts]]:
    """The cadre ballot of each village's year: village id → (cadre id → counts), from the
    latest certified round with a cadre section that met its quorum; a village without one is
    left out. A fixed number of queries, whatever the number of villages."""
    if not village_ids:
        return {}
    candidates = _certified(
        BallotRound.village_id.in_(village_ids),
        BallotRound.year == year,
        BallotRound.has_cadres,
    )
    return _counting_rounds(candidates, lambda r: r.village_id, "cadre_id")


# --- paper ballots and certification ------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """One sheet keyed twice with different marks: both entries, and the subjects they differ on."""

    serial: int
    entries: tuple[PaperEntry, PaperEntry]
    differing: frozenset[int]


def paper_disagreements(round_id: int) -> list[Disagreement]:
    """Sheets whose two entries disagree, by sheet number; one query."""
    entries = db.session.scalars(
        select(PaperEntry)
        .where(PaperEntry.round_id == round_id, PaperEntry.matched_at.is_(None))
        .order_by(PaperEntry.serial, PaperEntry.id)
    ).all()
    by_sheet: dict[int, list[PaperEntry]] = defaultdict(list)
    for entry in entries:
        by_sheet[entry.serial].append(entry)
    found = []
    for serial, pair in by_sheet.items():
        if len(pair) != 2:
            continue
        first, second = pair
        subjects_ = set(first.marks) | set(second.marks)
        differing = {int(s) for s in subjects_ if first.marks.get(s) != second.marks.get(s)}
        found.append(Disagreement(serial, (first, second), frozenset(differing)))
    return found


@dataclass(frozen=True)
class PaperProgress:
    """Sheets keyed once and waiting for the second keying, sheets disagreeing, sheets counted."""

    waiting: int
    disagreeing: int
    counted: int


def paper_progress(round_id: int) -> PaperProgress:
    rows = db.session.execute(
        select(
            PaperEntry.code_hash,
            func.count(PaperEntry.id),
            func.count(PaperEntry.matched_at),
        )
        .where(PaperEntry.round_id == round_id)
        .group_by(PaperEntry.code_hash)
    ).all()
    waiting = sum(1 for _, keyed, matched in rows if keyed == 1 and not matched)
    disagreeing = sum(1 for _, keyed, matched in rows if keyed >= 2 and not matched)
    return PaperProgress(waiting, disagreeing, sum(1 for _, _, matched in rows if matched))


def certifications(round_id: int) -> list[Certification]:
    return list(
        db.session.scalars(
            select(Certification)
            .options(joinedload(Certification.user))
            .where(Certification.round_id == round_id)
            .order_by(Certification.certified_at)
        )
    )
