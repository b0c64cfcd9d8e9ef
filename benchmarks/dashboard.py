"""Benchmark: the township's pages for a real electorate, against the township's village list.

    .venv/bin/python benchmarks/dashboard.py [--villages 40] [--members 60] [--raters 5]
        [--cadres 7] [--ballots 400] [--runs 5] [--flat] [--tuned-gc]
        [--database sqlite|postgresql] [--database-url URL]

Builds one township of --villages villages (tests/townships.py's build_township, by bulk
inserts): each with --members members marked by --raters raters on every organisational star,
--cadres cadres with public, verified pledges, a certified member round and a certified cadre
round of --ballots cast ballots each (out of ballots × 5/4 codes), and the year carried through
the services to a mix of stages (per ten villages: 1 marking, 2 in publicity, 3 submitted,
4 approved). Then times, through the Flask test client (the whole request: routing, queries,
rules, template or workbook), interleaved run by run so that each page meets the same noise:

    baseline: the township's village list (/township/), a page that reads no results
    the township dashboard, the township's review page of one approved village, the township
    workbook download, and that village's own results page (as its secretary)

and prints medians, × baseline and each page's number of SQL statements. For the dashboard and
the workbook it measures, in a fresh process (spawned, one warm-up request first), the peak RSS
of one request (and how far it rose above the process's RSS before it) and the peak of Python's
allocations under tracemalloc. The workbook's cells, read back from the downloaded file, are
written again with bare openpyxl (benchmarks/export_workbooks.py's bare: values only, no styles)
in the same run: the download and the workbook's own writing (township_workbook on
township_export's rows) ÷ that.

--flat builds two more townships in the same database, one with 100 ballots per round and one
with half the villages, measures them the same way and prints the ratios: flat in the number of
ballots (target: ~1), and linear in the number of villages (~2 for twice as many).

SQLite in a temporary folder by default; --database postgresql creates a database on
127.0.0.1:5432 and drops it at the end; --database-url uses an empty database. Not part of the
test suite; figures go to docs/PERFORMANCE.md.
"""

import argparse
import gc
import multiprocessing
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.*, when run as a script
sys.path.insert(0, str(ROOT / "benchmarks"))

from ballot_load import create_postgres_database, drop_postgres_database  # noqa: E402
from export_workbooks import bare, cells, grid  # noqa: E402
from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from starrating import create_app  # noqa: E402
from starrating.extensions import db  # noqa: E402
from starrating.gunicorn_conf import tune_garbage_collector  # noqa: E402
from starrating.models import (  # noqa: E402
    AssessmentYear,
    BallotRound,
    CastBallot,
    StarMark,
    Township,
    User,
    Village,
)
from starrating.queries.exports import township_export  # noqa: E402
from starrating.rules.assessment_state import YearState  # noqa: E402
from starrating.rules.vocabulary import Role  # noqa: E402
from starrating.spreadsheets.exports.township import township_workbook  # noqa: E402
from starrating.web import china_today  # noqa: E402
from tests.factories import counting_queries, create_township, login  # noqa: E402
from tests.townships import STAGE_CYCLE, YEAR, build_township, mixed_stages  # noqa: E402

PAGES = {
    "baseline: village list": ("reviewer", "/township/"),
    "dashboard": ("reviewer", f"/township/dashboard?year={YEAR}"),
    "review page, one village": ("reviewer", "/township/villages/{village}/years/{year}/review"),
    "township workbook download": ("reviewer", f"/township/exports/years/{YEAR}/township.xlsx"),
    "results page, one village": ("secretary", f"/branch/years/{YEAR}/results"),
}
BASELINE, WORKBOOK = "baseline: village list", "township workbook download"
MEMORY = ("dashboard", WORKBOOK)


def config(url: str) -> dict[str, Any]:
    return {
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_PROFILE": "fast",
    }


@dataclass
class Built:
    """One township in the database: its shape, who logs in, the focus village."""

    label: str
    villages: int
    ballots: int
    township_id: int
    reviewer: str
    secretary: str
    village_id: int
    seconds: float


@dataclass
class Figures:
    """One township's: page → median wall and CPU ms, slowest wall ms, SQL statements, memory
    (peak RSS, its rise, traced peak; MiB); the workbook's parts."""

    wall_ms: dict[str, float] = field(default_factory=dict)
    cpu_ms: dict[str, float] = field(default_factory=dict)
    max_ms: dict[str, float] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)
    memory: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    workbook: dict[str, tuple[float, float]] = field(default_factory=dict)


# --- building ---------------------------------------------------------------------------------


def build(app: Flask, args: argparse.Namespace, villages: int, ballots: int, label: str) -> Built:
    started = time.perf_counter()
    with app.app_context():
        township = create_township(name=label)
        reviewer = build_township(
            villages=villages,
            members=args.members,
            raters=args.raters,
            cadres=args.cadres,
            ballots=ballots,
            stage=mixed_stages,
            township=township,
        )
        approved = (n for n in range(villages) if mixed_stages(n) is YearState.APPROVED)
        focus = next(approved, villages - 1)  # the village whose review and results are timed
        village = db.session.scalar(
            select(Village).where(
                Village.township_id == township.id, Village.name == f"第{focus + 1:02d}村"
            )
        )
        secretary = db.session.scalar(
            select(User).where(User.village_id == village.id, User.role == Role.SECRETARY)
        )
        built = Built(
            label,
            villages,
            ballots,
            township.id,
            reviewer.username,
            secretary.username,
            village.id,
            time.perf_counter() - started,
        )
        db.session.remove()
    return built


def contents(app: Flask, built: Built) -> str:
    """What the township holds, counted in the database."""
    with app.app_context():
        village = Village.township_id == built.township_id
        years = select(AssessmentYear.id).join(Village).where(village)
        rounds = select(BallotRound.id).join(Village).where(village)
        marks = db.session.scalar(
            select(func.count()).select_from(StarMark).where(StarMark.year_id.in_(years))
        )
        cast = db.session.scalar(
            select(func.count()).select_from(CastBallot).where(CastBallot.round_id.in_(rounds))
        )
        certified = db.session.scalar(
            select(func.count())
            .select_from(BallotRound)
            .join(Village)
            .where(village, BallotRound.certified_at.is_not(None))
        )
        states = dict(
            db.session.execute(
                select(AssessmentYear.state, func.count())
                .join(Village)
                .where(village)
                .group_by(AssessmentYear.state)
            ).all()
        )
        db.session.remove()
    stages = ", ".join(f"{states[s]} {s.label}" for s in dict.fromkeys(STAGE_CYCLE) if s in states)
    return f"{marks:,} marks, {cast:,} ballots in {certified} certified rounds; years {stages}"


# --- measuring --------------------------------------------------------------------------------


def get(client: FlaskClient, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.data


def logged_in(app: Flask, built: Built) -> dict[str, FlaskClient]:
    found = {}
    for role, username in (("reviewer", built.reviewer), ("secretary", built.secretary)):
        client = app.test_client()
        login(client, SimpleNamespace(username=username))
        found[role] = client
    return found


def paths(built: Built) -> dict[str, tuple[str, str]]:
    return {
        label: (role, path.format(village=built.village_id, year=YEAR))
        for label, (role, path) in PAGES.items()
    }


def measure(app: Flask, townships: list[Built], args: argparse.Namespace) -> list[Figures]:
    """Every township's pages, interleaved run by run (each run goes through every township and
    page, so all meet the same noise); their queries; the workbook's parts against bare
    openpyxl, interleaved the same way; the memory of the dashboard and the workbook, each in a
    fresh process."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    measured = [Figures() for _ in townships]
    for built, figures in zip(townships, measured, strict=True):
        figures.memory = {label: peak_memory(url, built, label, args.tuned_gc) for label in MEMORY}
    if args.tuned_gc:
        tune_garbage_collector()  # what starrating.gunicorn_conf does in each worker
    requests = []  # (figures, label, the request)
    for built, figures in zip(townships, measured, strict=True):
        clients = logged_in(app, built)
        for label, (role, path) in paths(built).items():
            requests.append((figures, label, partial(get, clients[role], path)))
    samples: dict[tuple[int, str], list[tuple[float, float]]] = defaultdict(list)
    for _, _, request in requests:
        request()  # not timed: the first request's one-off work
    for _ in range(args.runs):
        for figures, label, request in requests:
            samples[(id(figures), label)].append(clocked(request))
    for figures, label, request in requests:
        pairs = samples[(id(figures), label)]
        figures.wall_ms[label] = statistics.median(wall for wall, _ in pairs) * 1000
        figures.cpu_ms[label] = statistics.median(cpu for _, cpu in pairs) * 1000
        figures.max_ms[label] = max(wall for wall, _ in pairs) * 1000
        # one request per app context: a request reuses the one around it, and with it `g`,
        # where flask-login keeps the user it loaded
        with app.app_context(), counting_queries() as statements:
            request()
        figures.queries[label] = len(statements)
    for figures, parts in zip(measured, workbook_parts(app, townships, args.runs), strict=True):
        figures.workbook = parts
    return measured


def clocked(work: Callable[[], Any]) -> tuple[float, float]:
    """Seconds of work: (wall clock, this process's CPU). The CPU holds better on a machine
    shared with others; it leaves out the PostgreSQL server's (SQLite's is in it)."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def _medians(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _ in pairs), statistics.median(c for _, c in pairs)


def workbook_parts(
    app: Flask, townships: list[Built], runs: int
) -> list[dict[str, tuple[float, float]]]:
    """Per township: the township workbook's reads and its writing apart, and bare openpyxl
    writing its cells (read back from the downloaded file), as (wall, CPU) seconds, the
    townships interleaved run by run; and the workbook's size."""
    # downloaded outside the app context below: a request would reuse it, and its `g`
    downloads = [get(logged_in(app, built)["reviewer"], PAGES[WORKBOOK][1]) for built in townships]
    with app.app_context():
        today = china_today()
        works, sizes = [], []
        for built, data in zip(townships, downloads, strict=True):
            sheets = grid(data)
            township = db.session.get(Township, built.township_id)

            def read(township: Township = township) -> Any:
                db.session.expire_all()  # each run reads from the database, not the identity map
                return township_export(township, YEAR, today=today)

            rows = read()
            works.append(
                {
                    "reads": read,
                    "write": partial(township_workbook, rows),
                    "bare": partial(bare, sheets),
                }
            )
            sizes.append((len(sheets), cells(sheets), len(data) / 1024))
        samples: list[dict[str, list[tuple[float, float]]]] = [defaultdict(list) for _ in works]
        for _ in range(runs):
            for work, found in zip(works, samples, strict=True):
                for part, call in work.items():
                    found[part].append(clocked(call))
        db.session.remove()
    return [
        {part: _medians(pairs) for part, pairs in found.items()} | {"size": size}
        for found, size in zip(samples, sizes, strict=True)
    ]


# --- memory, in a fresh process -----------------------------------------------------------------


def _rss_kib() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() // 1024


def _peak_kib() -> int:
    found = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    assert found
    return int(found.group(1))


def _memory_child(url: str, username: str, path: str, tuned: bool, pipe: Connection) -> None:
    app = create_app(config(url))
    client = app.test_client()
    login(client, SimpleNamespace(username=username))
    get(client, PAGES[BASELINE][1])  # warm-up: the pool, the base templates
    if tuned:
        tune_garbage_collector()
    gc.collect()
    before = _rss_kib()
    Path("/proc/self/clear_refs").write_text("5")  # the peak RSS starts again from here
    get(client, path)
    peak = _peak_kib()
    tracemalloc.start()
    get(client, path)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    pipe.send((peak / 1024, (peak - before) / 1024, traced))
    pipe.close()


def peak_memory(url: str, built: Built, label: str, tuned: bool) -> tuple[float, float, float]:
    """One request of the page in a process spawned for it, after one of the village list:
    (the process's peak RSS during the request, how far that rose above its RSS before, the
    peak of Python's allocations in a second request under tracemalloc), in MiB."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    path = paths(built)[label][1]
    process = context.Process(target=_memory_child, args=(url, built.reviewer, path, tuned, child))
    process.start()
    child.close()
    found = parent.recv()
    process.join()
    return found


# --- the report -------------------------------------------------------------------------------


def report(figures: Figures) -> None:
    wall, cpu = (figures.wall_ms[BASELINE], figures.cpu_ms[BASELINE])
    for label in PAGES:
        line = (
            f"  {label:<27} {figures.wall_ms[label]:7.0f} ms (max {figures.max_ms[label]:5.0f}),"
            f" CPU {figures.cpu_ms[label]:7.0f} ms; × baseline {figures.wall_ms[label] / wall:5.0f}"
            f" (CPU {figures.cpu_ms[label] / cpu:5.0f}); {figures.queries[label]:2d} queries"
        )
        if label in figures.memory:
            peak, rise, traced = figures.memory[label]
            line += f"; peak RSS {peak:.0f} MiB (+{rise:.0f}), traced {traced:.0f} MiB"
        print(line)
    book = figures.workbook
    sheets, count, kib = book["size"]
    download = figures.wall_ms[WORKBOOK] / 1000, figures.cpu_ms[WORKBOOK] / 1000
    print(
        f"  workbook: {sheets:.0f} sheets, {count:,.0f} cells, {kib:.0f} KiB."
        f" Reads (township_export) {_seconds(book['reads'])}, writing (township_workbook)"
        f" {_seconds(book['write'])}; bare openpyxl, the same cells {_seconds(book['bare'])}."
        f" Download ÷ bare {_ratio(download, book['bare'])}, writing ÷ bare"
        f" {_ratio(book['write'], book['bare'])}"
    )


def _seconds(pair: tuple[float, float]) -> str:
    return f"{pair[0]:.2f} s (CPU {pair[1]:.2f})"


def _ratio(more: tuple[float, float], fewer: tuple[float, float]) -> str:
    return f"{more[0] / fewer[0]:.2f} (CPU {more[1] / fewer[1]:.2f})"


def ratios(label: str, more: Figures, fewer: Figures) -> None:
    """Each page's median (and the memory) of one township ÷ another's."""
    print(f"{label}:")
    for page in PAGES:
        print(
            f"    {page:<27} × {more.wall_ms[page] / fewer.wall_ms[page]:.2f}"
            f" (CPU × {more.cpu_ms[page] / fewer.cpu_ms[page]:.2f})"
        )
    for page in MEMORY:
        (_, rise, traced), (_, less, fewer_traced) = more.memory[page], fewer.memory[page]
        print(
            f"    {page.split()[-2 if page == WORKBOOK else 0] + ' memory':<27}"
            f" RSS rise × {rise / max(less, 1):.2f},"
            f" traced × {traced / fewer_traced:.2f}"
        )
    for part in ("reads", "write"):
        (wall, cpu), (fewer_wall, fewer_cpu) = more.workbook[part], fewer.workbook[part]
        print(
            f"    {'workbook ' + part:<27} × {wall / fewer_wall:.2f} (CPU × {cpu / fewer_cpu:.2f})"
        )


def run(url: str, args: argparse.Namespace) -> None:
    """Build the townships in one database, measure them together, report."""
    app = create_app(config(url))
    with app.app_context():
        upgrade()
    shapes = [(args.villages, args.ballots, "本镇")]
    if args.flat:
        shapes += [
            (args.villages, args.few_ballots, "少票镇"),
            (args.villages // 2, args.ballots, "半镇"),
        ]
    townships = [build(app, args, villages, ballots, label) for villages, ballots, label in shapes]
    print(
        f"{url.split(':')[0]}: {args.members} members × {args.raters} raters, {args.cadres} cadres"
        f" per village; {args.runs} runs, interleaved; GC {'tuned' if args.tuned_gc else 'default'}"
    )
    measured = measure(app, townships, args)
    for built, figures in zip(townships, measured, strict=True):
        print(
            f"{built.label}: {built.villages} villages, {built.ballots} ballots per round"
            f" (built in {built.seconds:.0f} s): {contents(app, built)}"
        )
        report(figures)
    if args.flat:
        main, few, half = measured
        ratios(f"flat in ballots: {args.ballots} ÷ {args.few_ballots} ballots per round", main, few)
        ratios(f"linear in villages: {args.villages} ÷ {args.villages // 2} villages", main, half)
    gc.unfreeze()
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=40)
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--raters", type=int, default=5)
    parser.add_argument("--cadres", type=int, default=7)
    parser.add_argument("--ballots", type=int, default=400, help="cast per round")
    parser.add_argument("--few-ballots", type=int, default=100, help="--flat: the fewer ballots")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--flat", action="store_true", help="also 100 ballots, half the villages")
    parser.add_argument(
        "--tuned-gc",
        action="store_true",
        help="tune the garbage collector first, as starrating.gunicorn_conf does in a worker",
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", default=None, help="an empty database to use")
    args = parser.parse_args()
    folder = None
    if args.database_url:
        url, drop = args.database_url, False
    elif args.database == "postgresql":
        url, drop = create_postgres_database(), True
    else:
        folder = Path(tempfile.mkdtemp(prefix="starrating-bench-"))
        url, drop = f"sqlite:///{folder / 'bench.sqlite'}", False
    try:
        run(url, args)
    finally:
        if drop:
            drop_postgres_database(url)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
