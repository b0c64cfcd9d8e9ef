"""The receipts of a village's closed rounds (DESIGN.md §6 "Close and tally", §8): every receipt
code of a round, so a villager can check that their ballot was counted — never what it said."""

import unicodedata
from dataclasses import dataclass
from typing import Any

from flask import (
    render_template,
    request,
)

from starrating.blueprints.ballot import bp, village_of
from starrating.models import BallotRound
from starrating.permissions import public
from starrating.queries.ballots import receipts_of, rounds_of
from starrating.rules.electorate import RoundState
from starrating.rules.tokens import RECEIPT_ALPHABET, RECEIPT_LENGTH

#
# Anyone may check that their ballot was counted: every closed round lists the receipts of its
# cast ballots, sorted (so the order tells nothing of who voted when), never their choices.


@dataclass(frozen=True)
class PublishedRound:
    """A closed round as the public receipts page shows it."""

    ballot_round: BallotRound
    receipts: list[str]  # sorted
    found: bool

    @property
    def count(self) -> int:
        return len(self.receipts)


def typed_receipt(typed: str) -> str:
    """What a villager typed in the find box, as a receipt would be printed: full-width
    characters made plain, case, spaces and dashes ignored."""
    plain = unicodedata.normalize("NFKC", typed).upper()
    return "".join(ch for ch in plain if not ch.isspace() and ch not in "-－—_")


def is_receipt_shaped(text: str) -> bool:
    return len(text) == RECEIPT_LENGTH and all(ch in RECEIPT_ALPHABET for ch in text)


def _published(closed: list[BallotRound], wanted: str | None) -> list[PublishedRound]:
    by_round = receipts_of([r.id for r in closed])
    return [
        PublishedRound(
            ballot_round=ballot_round,
            receipts=by_round[ballot_round.id],
            found=wanted is not None and wanted in by_round[ballot_round.id],
        )
        for ballot_round in closed
    ]


@bp.route("/<village_code>/receipts")
@public
def receipts(village_code: str) -> Any:
    village = village_of(village_code)
    rounds = rounds_of(village.id)
    closed = sorted(
        (r for r in rounds if r.state is RoundState.CLOSED),
        key=lambda r: (r.closed_at is not None, r.closed_at, r.id),
        reverse=True,
    )
    typed = typed_receipt(request.args.get("q", ""))[:40]
    wanted = typed if is_receipt_shaped(typed) else None
    published = _published(closed, wanted)
    return render_template(
        "ballot/receipts.html",
        village=village,
        voting=[r for r in rounds if r.state is RoundState.OPEN],
        published=published,
        typed=typed,
        malformed=bool(typed) and wanted is None,
        found_in=[p.ballot_round for p in published if p.found],
        receipt_length=RECEIPT_LENGTH,
    )
