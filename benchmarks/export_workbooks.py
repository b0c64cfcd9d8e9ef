"""Benchmark: the township workbook (乡镇年度汇总) for a township and a county-sized summary.

    .venv/bin/python benchmarks/export_workbooks.py [--villages 40] [--members 60] [--raters 3]
        [--cadres 7] [--ballots 0] [--county 500] [--runs 3]

1. Builds a fresh SQLite database in a temporary folder: one township of N villages, each with M
   members marked by R raters, a certified member round and C cadres with public, verified
   pledges (tests/townships.py's build_township): a token round of 6 voters, or with
   --ballots B a real electorate (member and cadre rounds of B ballots each; the years then in
   the dashboard benchmark's mix of stages).
2. Reads: queries/exports.township_export (township_year's fixed reads, approvals) — timed
   and its SQL statements counted.
3. Writes: spreadsheets/exports/township.township_workbook on those rows — timed, and its
   peak Python memory measured in a separate run under tracemalloc (which slows it down).
4. Baseline in the same command: the same cells (values read back from the workbook just
   written, not timed) written with bare openpyxl — ws.append, no styles, no merges, no print
   settings — and saved the same way.
5. A county-sized summary: --county villages built the same way in their own database, read
   the same way, the summary sheet and its chart only (village_sheets=False), against the same
   bare baseline (at most 3 runs: reading 500 villages grades 30,000 members).

Prints medians of --runs runs and the process's peak RSS. Not part of the test suite; figures
go to docs/PERFORMANCE.md. Targets (issue): the township workbook under 5 s and 400 MB, within
2× of the bare baseline.
"""

import argparse
import io
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.*, when run as a script

from flask_migrate import upgrade  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from starrating import create_app  # noqa: E402
from starrating.extensions import db  # noqa: E402
from starrating.gunicorn_conf import tune_garbage_collector  # noqa: E402
from starrating.models import Township  # noqa: E402
from starrating.queries.exports import township_export  # noqa: E402
from starrating.spreadsheets.exports.township import (  # noqa: E402
    TownshipBook,
    township_workbook,
)
from tests.blueprints.test_township_review import YEAR  # noqa: E402
from tests.factories import counting_queries  # noqa: E402
from tests.townships import build_township, mixed_stages  # noqa: E402

TODAY = date(2026, 12, 1)


def median_time(work: Callable[[], Any], runs: int) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def peak_mib(work: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def grid(data: bytes) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every sheet's cell values, as written (read back, not timed)."""
    book = load_workbook(io.BytesIO(data))
    return [(ws.title, list(ws.iter_rows(values_only=True))) for ws in book.worksheets]


def bare(sheets: list[tuple[str, list[tuple[Any, ...]]]]) -> bytes:
    """The same cells with bare openpyxl: values only."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cells(sheets: list[tuple[str, list[tuple[Any, ...]]]]) -> int:
    return sum(1 for _, rows in sheets for row in rows for value in row if value is not None)


def report(label: str, write: Callable[[], bytes], runs: int) -> float:
    seconds, data = median_time(write, runs)
    sheets = grid(data)
    baseline, _ = median_time(lambda: bare(sheets), runs)
    peak = peak_mib(write)
    print(
        f"  {label}: write {seconds:.2f} s (peak {peak:.0f} MiB traced), "
        f"bare openpyxl {baseline:.2f} s → × {seconds / baseline:.2f}; "
        f"{len(sheets)} sheets, {cells(sheets):,} cells, {len(data) / 1024:.0f} KiB"
    )
    return seconds


def _database(args: argparse.Namespace, villages: int) -> tuple[Any, Any, float]:
    """A fresh SQLite database of one township of that many villages; (app, township, seconds
    to build)."""
    folder = Path(tempfile.mkdtemp(prefix="starrating-bench-"))
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
            "PASSWORD_HASH_PROFILE": "fast",
        }
    )
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        reviewer = build_township(
            villages=villages,
            members=args.members,
            raters=args.raters,
            cadres=args.cadres,
            ballots=args.ballots or None,
            stage=mixed_stages if args.ballots else None,
        )
        built = time.perf_counter() - started
        township_id = reviewer.township_id
    return app, township_id, built


def _read(township_id: int, runs: int) -> tuple[float, TownshipBook, int]:
    def read() -> TownshipBook:
        db.session.expire_all()  # each run reads from the database, not the identity map
        return township_export(db.session.get(Township, township_id), YEAR, today=TODAY)

    seconds, rows = median_time(read, runs)
    with counting_queries() as statements:
        read()
    return seconds, rows, len(statements)


def township(args: argparse.Namespace) -> None:
    app, township_id, built = _database(args, args.villages)
    with app.app_context():
        print(
            f"township: {args.villages} villages × {args.members} members × {args.raters} "
            f"raters, {args.cadres} cadres each, SQLite (built in {built:.0f} s), "
            f"median of {args.runs}"
        )
        reading, rows, queries = _read(township_id, args.runs)
        print(f"  reads (township_export): {reading:.2f} s, {queries} queries")
        writing = report("township workbook", lambda: township_workbook(rows), args.runs)
        print(f"  reads + write: {reading + writing:.2f} s")
        db.engine.dispose()


def county(args: argparse.Namespace) -> None:
    """--county villages in one database (as a county's reviewer would read them), the summary
    sheet and its chart only."""
    app, township_id, built = _database(args, args.county)
    runs = min(args.runs, 3)
    with app.app_context():
        print(
            f"county: {args.county} villages × {args.members} members, the summary sheet and "
            f"chart only, SQLite (built in {built:.0f} s), median of {runs}"
        )
        reading, rows, queries = _read(township_id, runs)
        print(f"  reads (township_export): {reading:.2f} s, {queries} queries")
        writing = report(
            "county summary", lambda: township_workbook(rows, village_sheets=False), runs
        )
        print(f"  reads + write: {reading + writing:.2f} s")
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=40)
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--raters", type=int, default=3)
    parser.add_argument("--cadres", type=int, default=7)
    parser.add_argument("--ballots", type=int, default=0, help="per round; 0: 6 voters")
    parser.add_argument("--county", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--tuned-gc",
        action="store_true",
        help="tune the garbage collector first, as starrating.gunicorn_conf does in a worker",
    )
    args = parser.parse_args()
    if args.tuned_gc:
        tune_garbage_collector()
    township(args)
    county(args)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the whole run: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
