"""The shape every drill shares: phones cast until the load is up, the drill's disruption,
recovery, more ballots, the phones stop; then the common checks (checks.py). Every wait is
bounded."""

import sqlite3
from collections.abc import Callable, Sequence

from sqlalchemy.engine import make_url

from benchmarks.drills.checks import all_common
from benchmarks.drills.phones import Assembly, big_screen, secretary_watching
from benchmarks.drills.report import Report
from benchmarks.drills.village import Stage

CODES = 5000  # more than the phones can use in a drill: the pile never runs out
SPARE = 5  # codes kept from the phones: the fresh phone's, and the drills' own
WARM = 150  # receipts before the disruption
AFTER = 150  # receipts after recovery
PHONES = 16


def under_load(
    report: Report,
    stage: Stage,
    disrupt: Callable[[Assembly], None],
    *,
    warm: int = WARM,
    after: int = AFTER,
    staff: Sequence[Callable[[Assembly], None]] = (secretary_watching, big_screen),
) -> Assembly:
    """Phones cast; disrupt(assembly) returns once the server has recovered (or gave up);
    the phones cast `after` more ballots, stop, and the common checks run."""
    codes = stage.live.codes[:-SPARE]
    assembly = Assembly(stage.server.port, stage.live, codes, phones=PHONES, staff=staff)
    assembly.start()
    try:
        report.check(
            f"the phones were casting before the disruption ({warm} receipts)",
            assembly.wait_for(warm, timeout=60),
        )
        disrupt(assembly)
        mark = assembly.receipts_shown
        report.check(
            f"voting went on after recovery ({after} more receipts within 90 s)",
            assembly.wait_for(mark + after, timeout=90),
        )
    except BaseException:
        assembly.abort()
        raise
    stopped = assembly.stop()
    all_common(report, stage, assembly, stopped=stopped)
    return assembly


def sqlite_integrity(url: str) -> str:
    """PRAGMA integrity_check of a SQLite database ("ok" when sound)."""
    path = make_url(url).database
    assert path is not None
    connection = sqlite3.connect(path, timeout=30)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def check_integrity(report: Report, stage: Stage) -> None:
    if stage.url.startswith("sqlite"):
        result = sqlite_integrity(stage.url)
        report.check("PRAGMA integrity_check is ok", result == "ok", result)
