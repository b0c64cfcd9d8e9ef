"""bin/drill [--list] [name[:database] …]: run the failure drills, print what each found and a
closing table; exit 1 if any failed."""

import argparse
import os
import signal
import sys
import time
import traceback
from types import FrameType

from benchmarks.drills.catalogue import DRILLS, Drill, find
from benchmarks.drills.places import Databases, DrillError
from benchmarks.drills.report import Report, print_table

DRILL_LIMIT = 420  # seconds: a drill still running then is stopped and fails


class DrillTimeout(Exception):
    pass


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise DrillTimeout(f"the drill took longer than {DRILL_LIMIT} s")


def selected(names: list[str], parser: argparse.ArgumentParser) -> list[tuple[Drill, str]]:
    """(drill, database) pairs: every drill on each of its databases, or those named."""
    if not names:
        return [(d, database) for d in DRILLS for database in d.runs_on]
    chosen = []
    for name in names:
        drill_name, _, database = name.partition(":")
        drills = find(drill_name)
        if not drills:
            parser.error(f"no drill {drill_name!r} (bin/drill --list)")
        for drill in drills:
            if database and database not in drill.databases:
                parser.error(f"{drill_name} runs on {', '.join(drill.databases)}, not {database}")
            chosen += [(drill, db) for db in ([database] if database else drill.runs_on)]
    return chosen


def run_one(drill: Drill, database: str, databases: Databases) -> Report:
    report = Report(drill.label, database)
    print(f"\n== {drill.label} on {database}: {drill.what} ==", flush=True)
    signal.alarm(DRILL_LIMIT)
    try:
        drill.run(report, databases, database)
    except DrillError as error:
        report.fail(str(error))
    except Exception as error:  # noqa: BLE001  (reported as the drill's failure, never hidden)
        traceback.print_exc()
        report.fail(f"{type(error).__name__}: {error}")
    finally:
        signal.alarm(0)
        report.finish()
    print(f"  -> {report.result} in {report.seconds:.0f} s", flush=True)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="bin/drill",
        description="Run the failure drills (docs/OPERATIONS.md, Drills): each prints what it"
        " found, then a summary table; the exit status is 1 if any failed.",
    )
    parser.add_argument("names", nargs="*", help="drills to run, name[:database] (default: all)")
    parser.add_argument("--list", action="store_true", help="list the drills and exit")
    args = parser.parse_args()
    if args.list:
        for drill in DRILLS:
            also = [db for db in drill.databases if db not in drill.runs_on]
            where = ", ".join(drill.runs_on) + (f"; also {', '.join(also)}" if also else "")
            print(f"{drill.label:<18} {drill.what} [{where}]")
        return 0
    chosen = selected(args.names, parser)
    for name in [n for n in os.environ if n.startswith("STARRATING_")]:
        del os.environ[name]  # the drills' servers and commands get only the settings they set
    # Hand the GIL over sooner: a phone whose answer has arrived closes its socket at once, as
    # a sync worker waits for that close (benchmarks/ballot_load.py).
    sys.setswitchinterval(0.0005)
    signal.signal(signal.SIGALRM, _on_alarm)
    databases = Databases()
    started = time.monotonic()
    try:
        reports = [run_one(drill, database, databases) for drill, database in chosen]
    finally:
        databases.close()
    print_table(reports)
    print(f"all drills: {time.monotonic() - started:.0f} s")
    return 1 if any(r.result == "FAIL" for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
