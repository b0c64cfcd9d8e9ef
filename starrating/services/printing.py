"""Print runs of a round's codes and their scan test. Each run's cover page carries a test QR of
its own (a random probe, no ballot code): a phone that opens it shows that the printed address
reaches this server, and the print page says so. Nothing of the phone is kept but the time."""

import re
from collections.abc import Sequence

from sqlalchemy import func, select, update

from starrating.extensions import db
from starrating.models import BallotRound, PrintRun, User, Village
from starrating.models.types import utcnow
from starrating.services.ballots import PrintedCode

PROBE = re.compile(r"^[0-9a-f]{32}$")


def record_print_run(
    *,
    actor: User,
    ballot_round: BallotRound,
    codes: Sequence[PrintedCode],
    base_url: str,
    replaces: Sequence[int] | None = None,
) -> PrintRun:
    """The run just generated (or reprinted in place of the serials `replaces`), audited with
    the codes' own event: its serials, its printed address, and a fresh scan-test probe."""
    run = PrintRun(
        round_id=ballot_round.id,
        first_serial=min(c.serial for c in codes),
        last_serial=max(c.serial for c in codes),
        replaces=sorted(replaces) if replaces else None,
        base_url=base_url[:200],
        printed_by_id=actor.id,
    )
    db.session.add(run)
    db.session.flush()
    return run


def record_scan(*, village_code: str, probe: str) -> PrintRun | None:
    """A phone opened a cover page's test address: counted, with the first and the last time.
    None when there is no such test (a mistyped or another village's address)."""
    if not PROBE.match(probe):
        return None
    rounds = (
        select(BallotRound.id)
        .join(Village, Village.id == BallotRound.village_id)
        .where(Village.code == village_code)
    )
    now = utcnow()
    db.session.execute(
        update(PrintRun)
        .where(PrintRun.probe == probe, PrintRun.round_id.in_(rounds))
        .values(
            scan_count=PrintRun.scan_count + 1,
            scanned_at=func.coalesce(PrintRun.scanned_at, now),
            last_scanned_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return db.session.scalar(
        select(PrintRun)
        .where(PrintRun.probe == probe, PrintRun.round_id.in_(rounds))
        .execution_options(populate_existing=True)
    )
