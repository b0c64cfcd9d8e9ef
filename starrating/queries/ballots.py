"""Reads of ballot rounds: turnout while open, the tally after close, the paper entries and
certifications, and the mass-star counts a certified member round gives the ten-star year."""

from collections import defaultdict
from dataclasses import dataclass

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


def cast_marks(round_id: int) -> list[dict[int, Choice]]:
    """Every cast ballot's marks (blanks left out), in no particular order."""
    return [
        {int(subject): Choice(choice) for subject, choice in marks.items()}
        for marks in db.session.scalars(
            select(CastBallot.marks).where(CastBallot.round_id == round_id)
        )
    ]


def round_tally(ballot_round: BallotRound) -> RoundTally[int]:
    """The tally of a closed round; refused while it is open (nobody sees results then)."""
    if ballot_round.state is not RoundState.CLOSED:
        raise ValueError("a round is tallied only after it is closed")
    counts = turnout(ballot_round)
    return tally_round(
        eligible=ballot_round.eligible,
        issued=counts.issued,
        ballots=cast_marks(ballot_round.id),
        subject_ids=[s.id for s in subjects(ballot_round.id)],
        quorum=ballot_round.electorate.quorum,
    )


def member_ballot_counts(year: AssessmentYear) -> dict[int, ChoiceCounts]:
    """The member ballot that decides the year's mass stars: the latest certified round with a
    member section that met its quorum (a round that missed it is re-run, never counted; a
    closed round counts only once a teller and a scrutineer have certified its tally).
    Assessed member id → counts; empty when there is none yet."""
    candidates = db.session.scalars(
        select(BallotRound)
        .where(
            BallotRound.assessment_year_id == year.id,
            BallotRound.has_members,
            BallotRound.state == RoundState.CLOSED,
            BallotRound.certified_at.is_not(None),
        )
        .order_by(BallotRound.certified_at.desc())
    ).all()
    for ballot_round in candidates:
        tally = round_tally(ballot_round)
        if not tally.counts:
            continue
        by_subject = {s.id: s.assessed_member_id for s in subjects(ballot_round.id)}
        found: dict[int, ChoiceCounts] = defaultdict(ChoiceCounts)
        for subject_id, subject_tally in tally.subjects:
            member = by_subject[subject_id]
            if member is not None:
                found[member] = subject_tally.counts
        return dict(found)
    return {}


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
