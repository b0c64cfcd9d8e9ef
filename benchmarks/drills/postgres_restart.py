"""Drill postgres-restart: the drill's own PostgreSQL restarted (pg_ctl restart -m fast) three
times while phones cast and the secretary watches turnout. Every connection is cut and for a
moment none is accepted: a request caught then must get the Chinese error page (never
gunicorn's English one), the phone taps again, and voting resumes by itself once the server is
back (pool_pre_ping replaces dead connections)."""

import time

from benchmarks.drills.phones import Assembly, kinds
from benchmarks.drills.places import Databases, DrillError
from benchmarks.drills.report import Report
from benchmarks.drills.scenario import CODES, under_load
from benchmarks.drills.village import served_village

RESTARTS = 3
SETTLE = 3.0  # seconds of load after each restart before the next


def run(report: Report, databases: Databases, backend: str) -> None:
    if backend != "postgresql":
        raise DrillError("postgres-restart runs on PostgreSQL only")
    postgres = databases.postgres
    with served_village(databases.new(backend), codes=CODES) as stage:

        def disrupt(assembly: Assembly) -> None:
            for i in range(RESTARTS):
                started = time.monotonic()
                report.note(f"pg_ctl restart -m fast at {assembly.receipts_shown} receipts")
                postgres.restart()  # -w: returns once the server accepts connections again
                back = time.monotonic()
                time.sleep(SETTLE)
                during = assembly.requests.between(started, back)
                report.figure(f"restart {i + 1}: down for", f"{back - started:.1f} s")
                report.figure(f"restart {i + 1}: answers meanwhile", kinds(during))
                after = assembly.requests.between(back, time.monotonic())
                report.figure(f"restart {i + 1}: answers in the {SETTLE:.0f} s after", kinds(after))

        under_load(report, stage, disrupt)
        report.summary.append(f"{RESTARTS} restarts")
