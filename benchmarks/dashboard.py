"""Benchmark: the township's dashboard for 40 villages, against the township's village list.

    .venv/bin/python benchmarks/dashboard.py [--villages 40] [--members 60] [--raters 5]
        [--cadres 7] [--runs 30]

Builds a fresh SQLite database in a temporary folder with one township of N villages, each with
M members marked by R raters on every organisational star, a certified member round that met its
quorum and C cadres with public, verified pledges (tests/blueprints/test_dashboard.py's
build_township); then, when STARRATING_BENCH_POSTGRES_URL names a PostgreSQL server (an admin
URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres), the same in a database it
creates there and drops at the end. Each page is timed through the Flask test client (the whole
request: routing, queries, rules, template) with tenstar_pages.timed; the village list page
(/township/), which existed before the dashboard, is the baseline of the same run. Also prints
each page's number of SQL statements. Not part of the test suite; figures go to
docs/PERFORMANCE.md.
"""

import argparse
import gc
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.*, when run as a script

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from tenstar_pages import timed  # noqa: E402

from starrating import create_app  # noqa: E402
from starrating.extensions import db  # noqa: E402
from starrating.gunicorn_conf import tune_garbage_collector  # noqa: E402
from tests.blueprints.test_dashboard import build_township  # noqa: E402
from tests.blueprints.test_township_review import YEAR  # noqa: E402
from tests.factories import counting_queries, login  # noqa: E402

DEFAULT_GC_THRESHOLDS = gc.get_threshold()
PAGES = [
    ("baseline: village list (/township/)", "/township/"),
    ("dashboard (/township/dashboard)", f"/township/dashboard?year={YEAR}"),
]


def run(url: str, args: argparse.Namespace) -> None:
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_PROFILE": "fast",
        }
    )
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        reviewer = build_township(
            villages=args.villages, members=args.members, raters=args.raters, cadres=args.cadres
        )
        username = reviewer.username
    built = time.perf_counter() - started
    client = app.test_client()
    login(client, SimpleNamespace(username=username))
    print(
        f"{args.villages} villages × {args.members} members × {args.raters} raters, "
        f"{args.cadres} cadres each, {args.runs} runs each, {url.split(':')[0]} "
        f"(built in {built:.0f} s)"
    )
    baseline = None
    measured = [(label, path) for label, path in PAGES]
    measured.append(("dashboard, GC tuned as gunicorn_conf", PAGES[-1][1]))
    for label, path in measured:
        if label.endswith("gunicorn_conf"):
            tune_garbage_collector()  # what starrating.gunicorn_conf does in each worker
        samples = timed(client, path, args.runs)
        with app.app_context(), counting_queries() as statements:
            client.get(path)
        median = statistics.median(samples)
        baseline = baseline or median
        p90 = statistics.quantiles(samples, n=10)[-1]
        print(
            f"  {label:<38} median {median:7.1f} ms   p90 {p90:7.1f} ms   "
            f"× baseline {median / baseline:4.1f}   {len(statements)} queries"
        )
    gc.set_threshold(*DEFAULT_GC_THRESHOLDS)
    gc.unfreeze()
    with app.app_context():
        db.engine.dispose()


def postgres_database(admin_url: str, drop: str | None = None) -> str:
    """Create a fresh database on the server of admin_url and return its URL (or drop one)."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = drop or f"starrating_bench_{secrets.token_hex(4)}"
    with engine.connect() as connection:
        if drop:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=40)
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--raters", type=int, default=5)
    parser.add_argument("--cadres", type=int, default=7)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="starrating-bench-"))
    run(f"sqlite:///{folder / 'bench.sqlite'}", args)
    admin_url = os.environ.get("STARRATING_BENCH_POSTGRES_URL")
    if admin_url:
        url = postgres_database(admin_url)
        try:
            run(url, args)
        finally:
            postgres_database(admin_url, drop=make_url(url).database)


if __name__ == "__main__":
    main()
