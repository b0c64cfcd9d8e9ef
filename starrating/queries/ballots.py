"""Reads of ballot rounds: turnout while open, the tally after close, and the mass-star counts
a closed member round gives the ten-star year."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import case, func, select

from starrating.extensions import db
from starrating.models import AssessmentYear, BallotRound, BallotSubject, BallotToken, CastBallot
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
    """The member ballot that decides the year's mass stars: the latest closed round with a
    member section that met its quorum (a round that missed it is re-run, never counted).
    Assessed member id → counts; empty when there is none yet."""
    candidates = db.session.scalars(
        select(BallotRound)
        .where(
            BallotRound.assessment_year_id == year.id,
            BallotRound.has_members,
            BallotRound.state == RoundState.CLOSED,
        )
        .order_by(BallotRound.closed_at.desc())
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
