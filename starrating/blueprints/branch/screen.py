"""The big screen (大屏) the secretary projects at the assembly: the turnout filling up while a
round is open, nothing of the results; the certified result after close (DESIGN.md §6).

It refreshes itself every few seconds with a meta refresh (no JavaScript), and draws its bars
with width classes from screen.css, since the CSP forbids inline styles.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from starrating.blueprints.branch import bp
from starrating.extensions import db
from starrating.models import BallotRound, BallotSubject, Certification
from starrating.models.types import utcnow
from starrating.permissions import allow, get_round_or_404
from starrating.queries import ballots as reads
from starrating.rules.ballots import RoundTally, SubjectTally
from starrating.rules.electorate import RoundState, Section
from starrating.rules.numbers import percent, round_half_up
from starrating.rules.vocabulary import Role

REFRESH_SECONDS = 5


def bar_width(value: Decimal | None) -> int:
    """A percentage (or a 0–100 score) as the nearest whole width class, w-0 … w-100."""
    if value is None:
        return 0
    return max(0, min(100, int(round_half_up(value, Decimal(1)))))


@dataclass(frozen=True)
class Signature:
    """Who certified the tally, as the screen names them."""

    label: str
    name: str


def signatures(round_id: int) -> list[Signature]:
    """The tally's signatures in the order given; the one with the teller's role is the 计票人,
    the other the 监票人 (when both or neither are tellers, the first to sign counts)."""
    rows = db.session.scalars(
        select(Certification)
        .where(Certification.round_id == round_id)
        .options(joinedload(Certification.user))
        .order_by(Certification.certified_at)
    ).all()
    users = sorted((row.user for row in rows), key=lambda user: user.role is not Role.TELLER)
    labels = ["计票人", "监票人"]
    return [
        Signature(labels[index] if index < len(labels) else "确认人", user.display_name)
        for index, user in enumerate(users)
    ]


@dataclass(frozen=True)
class SubjectBar:
    subject: BallotSubject
    tally: SubjectTally


def _result(ballot_round: BallotRound) -> dict[str, Any]:
    tally: RoundTally[int] = reads.round_tally(ballot_round)
    by_id = {subject.id: subject for subject in reads.subjects(ballot_round.id)}
    rows = [SubjectBar(by_id[sid], subject_tally) for sid, subject_tally in tally.subjects]
    return {
        "tally": tally,
        "sections": [
            (section, [row for row in rows if row.subject.section is section])
            for section in Section
            if any(row.subject.section is section for row in rows)
        ],
        "signatures": signatures(ballot_round.id),
        "counts": reads.turnout(ballot_round),
    }


def _turnout(ballot_round: BallotRound) -> dict[str, Any]:
    counts = reads.turnout(ballot_round)
    share = percent(counts.returned, counts.eligible)
    required = ballot_round.electorate.quorum.required(ballot_round.eligible)
    return {
        "counts": counts,
        "share": round_half_up(share),
        "required": required,
        "missing": max(0, required - counts.returned),
        "quorum_at": bar_width(percent(required, counts.eligible)),
    }


@bp.route("/rounds/<int:round_id>/screen")
@allow(Role.SECRETARY)
def round_screen(round_id: int) -> Any:
    found = get_round_or_404(round_id, for_user=current_user)
    certified = found.state is RoundState.CLOSED and found.certified_at is not None
    return render_template(
        "branch/screen.html",
        ballot_round=found,
        refresh=REFRESH_SECONDS if found.state is RoundState.OPEN else None,
        updated_at=utcnow(),
        certified=certified,
        bar_width=bar_width,
        **(_result(found) if certified else _turnout(found)),
    )
