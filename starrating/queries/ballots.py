"""Reads of ballot rounds: turnout while open, the tally after close, the paper entries and
certifications, and the mass-star counts a certified member round gives the ten-star year."""

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from starrating.extensions import db
from starrating.models import (
    AssessmentYear,
    BallotReceipt,
    BallotRound,
    BallotSubject,
    BallotToken,
    CastBallot,
)
from starrating.models.ballots import Certification, PaperEntry
from starrating.rules.ballots import Choice, ChoiceCounts, RoundTally, tally_round
from starrating.rules.electorate import RoundState
from starrating.rules.quorum import quorum_met


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
    """What anyone may see while a round is open — how many codes are out and how many used —
    and, once it is closed, the codes' whole account: printed = voided (lost or spoiled, each
    replaced) + issued; issued = used on a phone + used on paper + never used; the never used
    are written off (核销) by someone other than the secretary before the tally is certified."""

    eligible: int
    issued: int
    returned: int
    voided: int
    phone: int
    paper: int
    written_off: int = 0

    @property
    def printed(self) -> int:
        return self.issued + self.voided

    @property
    def never_used(self) -> int:
        return self.issued - self.returned


def turnout(ballot_round: BallotRound) -> Turnout:
    """One query over the codes; never the ballots' contents."""
    live = BallotToken.handed_out()
    issued, returned, voided, phone, paper, written_off = db.session.execute(
        select(
            func.count(case((live, 1))),
            func.count(case((live & BallotToken.used, 1))),
            func.count(case((~live, 1))),
            func.count(case((BallotToken.channel == "phone", 1))),
            func.count(case((BallotToken.channel == "paper", 1))),
            func.count(case((BallotToken.written_off, 1))),
        ).where(BallotToken.round_id == ballot_round.id)
    ).one()
    return Turnout(ballot_round.eligible, issued, returned, voided, phone, paper, written_off)


def receipts_of(round_ids: Sequence[int]) -> dict[int, list[str]]:
    """Round id → its counted ballots' receipts, sorted (so the list tells nothing of who
    voted when); one query for all the rounds."""
    found: dict[int, list[str]] = {round_id: [] for round_id in round_ids}
    if round_ids:
        rows = db.session.execute(
            select(BallotReceipt.round_id, BallotReceipt.receipt).where(
                BallotReceipt.round_id.in_(round_ids)
            )
        )
        for round_id, receipt in rows:
            found[round_id].append(receipt)
    for receipts in found.values():
        receipts.sort()  # in Python: the same order whatever the database's collation
    return found


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
            .where(BallotToken.round_id.in_(ids), BallotToken.handed_out())
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


def _first_counting(
    candidates: Sequence[BallotRound],
    key: Callable[[BallotRound], int],
    tallies: dict[int, RoundTally[int]],
) -> dict[int, BallotRound]:
    chosen: dict[int, BallotRound] = {}
    for ballot_round in candidates:
        if key(ballot_round) not in chosen and tallies[ballot_round.id].counts:
            chosen[key(ballot_round)] = ballot_round
    return chosen


def deciding_member_rounds(year_ids: Collection[int]) -> dict[int, BallotRound]:
    """Year id → the member round whose count decides the mass stars (the one
    member_ballot_counts reads); a year without one is left out."""
    if not year_ids:
        return {}
    candidates = _certified(BallotRound.assessment_year_id.in_(year_ids), BallotRound.has_members)
    ids = [r.id for r in candidates]  # newest first; whether one counts needs no tally
    cast = select(CastBallot.round_id, func.count()).where(CastBallot.round_id.in_(ids))
    returned = dict(db.session.execute(cast.group_by(CastBallot.round_id)).all())
    met = [
        r for r in candidates if quorum_met(returned.get(r.id, 0), r.eligible, r.electorate.quorum)
    ]
    return {r.assessment_year_id or 0: r for r in reversed(met)}  # the newest that met quorum


@dataclass(frozen=True)
class NeededSections:
    members: bool
    cadres: bool


def sections_needing_a_round(
    *, village_id: int, year: int, year_id: int | None, cadres: int
) -> NeededSections:
    """What a new round of the village's year should still ask about: the members while the
    year is opened (year_id) and no certified member round decides its mass stars yet; the
    cadres while the village has cadres and no certified cadre round counts for the year."""
    members = year_id is not None and not member_ballot_counts_many([year_id])
    cadre_round = bool(cadre_ballot_counts_many([village_id], year))
    return NeededSections(members=members, cadres=bool(cadres) and not cadre_round)


def _counting_rounds(
    candidates: Sequence[BallotRound], key: Callable[[BallotRound], int], column: str
) -> dict[int, dict[int, ChoiceCounts]]:
    """Of certified rounds ordered newest first, the first per key that met its quorum: key →
    (subject owner → counts). A round that missed quorum is re-run, never counted."""
    tallies = tally_rounds(candidates)
    chosen = _first_counting(candidates, key, tallies)
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


class SheetState(StrEnum):
    """Where one paper sheet stands, from its keyings and its code."""

    COUNTED = "counted"  # two people keyed the same marks: its ballot is in
    WAITING = "waiting"  # keyed once: the second keying is missing
    DISAGREEING = "disagreeing"  # keyed twice, differently: the two check the paper
    SUPERSEDED = "superseded"  # its code voted by phone first: the sheet does not count
    VOIDED = "voided"  # voided by two people (lost sheet, unreadable, code void)


# states that stand before certification
PENDING = frozenset({SheetState.WAITING, SheetState.DISAGREEING})


@dataclass(frozen=True)
class PaperSheet:
    """One paper sheet as keyed: its entries (one or two) and its state."""

    serial: int
    code_hash: str
    entries: tuple[PaperEntry, ...]
    state: SheetState

    @property
    def void_proposal(self) -> PaperEntry | None:
        """The entry carrying a proposal to void the sheet, waiting for a second person."""
        return next(
            (e for e in self.entries if e.voided_by_id is not None and e.voided_at is None), None
        )


def _sheet_state(entries: Sequence[PaperEntry], channel: str | None) -> SheetState:
    if any(e.matched_at is not None for e in entries):
        return SheetState.COUNTED
    if all(e.voided_at is not None for e in entries):
        return SheetState.VOIDED
    if channel == "phone":
        return SheetState.SUPERSEDED
    return SheetState.WAITING if len(entries) == 1 else SheetState.DISAGREEING


def paper_sheets(round_id: int) -> list[PaperSheet]:
    """Every keyed sheet of the round with its state, by sheet number; one query."""
    rows = db.session.execute(
        select(PaperEntry, BallotToken.channel)
        .outerjoin(BallotToken, BallotToken.code_hash == PaperEntry.code_hash)
        .options(joinedload(PaperEntry.keyed_by), joinedload(PaperEntry.voided_by))
        .where(PaperEntry.round_id == round_id)
        .order_by(PaperEntry.serial, PaperEntry.id)
    ).all()
    by_sheet: dict[str, list[PaperEntry]] = defaultdict(list)
    channels: dict[str, str | None] = {}
    for entry, channel in rows:
        by_sheet[entry.code_hash].append(entry)
        channels[entry.code_hash] = channel
    return [
        PaperSheet(entries[0].serial, code, tuple(entries), _sheet_state(entries, channels[code]))
        for code, entries in by_sheet.items()
    ]


@dataclass(frozen=True)
class Disagreement:
    """One sheet keyed twice with different marks: both entries, and the subjects they differ on."""

    serial: int
    entries: tuple[PaperEntry, PaperEntry]
    differing: frozenset[int]


def paper_disagreements(round_id: int) -> list[Disagreement]:
    """Sheets whose two entries disagree, by sheet number."""
    found = []
    for sheet in paper_sheets(round_id):
        if sheet.state is not SheetState.DISAGREEING:
            continue
        first, second = sheet.entries[:2]
        one, other = first.marks or {}, second.marks or {}
        differing = {int(s) for s in set(one) | set(other) if one.get(s) != other.get(s)}
        found.append(Disagreement(sheet.serial, (first, second), frozenset(differing)))
    return found


@dataclass(frozen=True)
class PaperProgress:
    """How many sheets stand in each state; waiting and disagreeing ones block certification."""

    waiting: int
    disagreeing: int
    counted: int
    superseded: int = 0
    voided: int = 0

    @property
    def pending(self) -> int:
        return self.waiting + self.disagreeing


def paper_progress(round_id: int) -> PaperProgress:
    states = [sheet.state for sheet in paper_sheets(round_id)]
    return PaperProgress(
        waiting=states.count(SheetState.WAITING),
        disagreeing=states.count(SheetState.DISAGREEING),
        counted=states.count(SheetState.COUNTED),
        superseded=states.count(SheetState.SUPERSEDED),
        voided=states.count(SheetState.VOIDED),
    )


def certifications(round_id: int) -> list[Certification]:
    return list(
        db.session.scalars(
            select(Certification)
            .options(joinedload(Certification.user))
            .where(Certification.round_id == round_id)
            .order_by(Certification.certified_at)
        )
    )
