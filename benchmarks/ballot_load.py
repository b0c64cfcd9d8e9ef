"""Benchmark: a whole assembly casting ballots from phones against gunicorn (DESIGN.md §6, §11).

    .venv/bin/python benchmarks/ballot_load.py [--database sqlite|postgresql] [--database-url URL]
        [--clients 50] [--ballots 1500] [--rounds 3] [--flows 300] [--processes 2] [--workers 2]

Sets up a fresh database (SQLite in a temporary folder; PostgreSQL: a database it creates on
127.0.0.1:5432 and drops at the end, unless --database-url names an empty one to use) with one
village, a 58-member round and enough codes; starts gunicorn (sync workers) on 127.0.0.1 and:

1. prepares one session per code, not timed: scan (GET /v/<village>/t/<code> → 302) and the
   ballot page (GET /v/<village>/ballot: csrf_token and the 58 radio groups);
2. times the casts: --clients phones (threads spread over --processes client processes, so the
   client is not held up by one GIL) POST random marks, each POST (and the 303's receipt page,
   if any) one sample, back to back, every code once;
3. baseline, right after each batch of casts: gunicorn serving benchmarks/baseline_app.py
   (running beside the app's), whose one route inserts one row into a table of the same
   database, driven by the same client with a body of the same size;
4. repeats 2–3 --rounds times and reports the medians, and the median of each round's ratio
   (rate, and gunicorn's CPU per request: the figure that holds on a noisy machine);
5. times --flows whole flows (scan + page + cast) the same way, as a further figure;
6. checks that exactly one ballot was stored per successful cast and that every used code has
   exactly one ballot and one receipt, and that gunicorn logged no traceback.

Every request goes to 127.0.0.1 only, and every loop is bounded by the counts given. Not part of
the test suite; figures go to docs/PERFORMANCE.md.
"""

import argparse
import multiprocessing
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.live_server_process, when run as a script

from tests.live_server_process import (  # noqa: E402
    LIVE_APP,
    LiveServer,
    Phone,
    parse_ballot_form,
)

SECRET_KEY = "bench-" + "k" * 40  # noqa: S105  (a throwaway database's key)
ALREADY = "已投票"
CHOICES = ("satisfied", "basic", "dissatisfied", "unknown")
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# --- the database -----------------------------------------------------------------------------


SURNAMES, GIVEN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "建国桂兰秀英志强海燕"


def member_name(i: int) -> str:
    """A village's names: 20 surnames, 5 given names (so some namesakes), as a roster has."""
    start = (i // 20 * 2) % 10
    return SURNAMES[i % 20] + GIVEN[start : start + 2]


def build(url: str, members: int, codes: int, cadres: int = 0) -> tuple[str, int, list[str]]:
    """A village with `members` members (and `cadres` cadres) in an opened 2026 year, an open
    round of them all and `codes` codes; returns the village code, the round id and the codes
    (as stored: shown() prints them as on the sheet). benchmarks/ballot_slow_3g.py builds with
    it too."""
    from decimal import Decimal

    from flask_migrate import upgrade
    from sqlalchemy import insert

    from starrating import create_app
    from starrating.extensions import db
    from starrating.models import Cadre, Member
    from starrating.rules.electorate import Electorate
    from starrating.rules.vocabulary import Gender, MemberCategory, Membership, Role
    from starrating.services.assessment import open_year
    from starrating.services.ballots import create_round, generate_codes, open_round
    from starrating.services.org import create_township, create_user, create_village
    from starrating.services.schemes import create_scheme

    app = create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        township = create_township(name="基准镇")
        village = create_village(township=township, name="基准村", code="bench", actor=None)
        secretary, _ = create_user(
            actor=None,
            username="bench-shuji",
            display_name="书记",
            role=Role.SECRETARY,
            village=village,
            password="bench-pass-1",  # noqa: S106
        )
        db.session.execute(
            insert(Member),
            [
                {
                    "village_id": village.id,
                    "name": member_name(i),
                    "gender": Gender.MALE,
                    "birth_date": date(1950 + i % 40, 1 + i % 12, 1 + i % 28),
                    "joined_on": None,
                    "membership": Membership.FULL,
                    "category": MemberCategory.ORDINARY,
                }
                for i in range(members)
            ],
        )
        if cadres:
            db.session.execute(
                insert(Cadre),
                [
                    {
                        "village_id": village.id,
                        "name": f"干部{i + 1}",
                        "post": "村委会委员",
                        "base_pay": Decimal(1),
                    }
                    for i in range(cadres)
                ],
            )
        create_scheme(actor=secretary, township=township, year=2026)
        open_year(actor=secretary, village=village, year=2026, rater_ids=[secretary.id])
        ballot_round = create_round(
            actor=secretary,
            village=village,
            year=2026,
            title="2026 年度党员和村干部满意度测评" if cadres else "",
            members=True,
            cadres=cadres > 0,
            electorate=Electorate.VILLAGERS,
            eligible=codes,
        )
        printed = generate_codes(actor=secretary, ballot_round=ballot_round, count=codes)
        open_round(actor=secretary, ballot_round=ballot_round)
        db.session.commit()
        result = village.code, ballot_round.id, [c.code for c in printed]
        db.session.remove()
        db.engine.dispose()
    return result


def stored_counts(url: str, round_id: int) -> tuple[int, int, int]:
    """(cast ballots, used codes, stored receipts) of the round."""
    from sqlalchemy import create_engine, func, select

    from starrating.models import BallotReceipt, BallotToken, CastBallot

    engine = create_engine(url)
    with engine.connect() as connection:
        ballots = connection.scalar(
            select(func.count()).select_from(CastBallot).where(CastBallot.round_id == round_id)
        )
        used = connection.scalar(
            select(func.count())
            .select_from(BallotToken)
            .where(BallotToken.round_id == round_id, BallotToken.used.is_(True))
        )
        receipts = connection.scalar(
            select(func.count())
            .select_from(BallotReceipt)
            .where(BallotReceipt.round_id == round_id)
        )
    engine.dispose()
    return int(ballots or 0), int(used or 0), int(receipts or 0)


def create_postgres_database() -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"starrating_bench_{secrets.token_hex(4)}"
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


# --- the client: processes of threads, each thread one phone at a time ---------------------------


@dataclass
class Job:
    mode: str  # "cast" (prepared sessions), "flow" (scan + page + cast) or "baseline"
    port: int
    threads: int
    village_code: str = ""
    codes: list[str] = field(default_factory=list)
    requests: int = 0  # baseline
    fields: int = 58  # baseline: body of the same size as a ballot
    seed: int = 0


# A sample, sent back as a plain tuple: (seconds, "ok" | "already" | "error: …").
Sample = tuple[float, str]


def _marks_from(html: str, rng: random.Random) -> dict[str, str] | None:
    form = parse_ballot_form(html)
    if form is None:
        return None
    return {"csrf_token": form.csrf_token} | {
        f"s-{subject}": rng.choice(offered) for subject, offered in form.choices.items()
    }


def _open_session(job: Job, code: str, rng: random.Random) -> tuple[Phone, dict[str, str]]:
    phone = Phone(job.port)
    answer = phone.get(f"/v/{job.village_code}/t/{code[:5]}-{code[5:]}")
    fields = _marks_from(answer.body, rng) if answer.statuses == [302, 200] else None
    if fields is None:
        raise RuntimeError(f"no ballot form: {answer.statuses} {answer.body[:300]!r}")
    return phone, fields


def _cast(job: Job, phone: Phone, fields: dict[str, str]) -> str:
    answer = phone.post(f"/v/{job.village_code}/ballot", fields)
    if answer.statuses not in ([200], [303, 200]):
        return f"error: {answer.statuses}"
    return "already" if ALREADY in answer.body else "ok"


def client_main(job: Job, pipe: Connection) -> None:
    """One client process: prepare (not timed), say so, wait for go, run the timed phase."""
    # Hand the GIL over sooner (default 5 ms): a thread whose answer has arrived should close its
    # socket at once, as a phone would, since a sync worker waits for that close.
    sys.setswitchinterval(0.0005)
    rng = random.Random(job.seed)  # noqa: S311  (random marks, not secrets)
    prepared: list[tuple[Phone, dict[str, str]]] = []
    started = time.monotonic()
    if job.mode == "cast":
        with ThreadPoolExecutor(job.threads) as pool:
            prepared = list(pool.map(lambda code: _open_session(job, code, rng), job.codes))
    pipe.send(("ready", time.monotonic() - started))
    pipe.recv()  # go

    def one(index: int) -> Sample:
        start = time.perf_counter()
        try:
            if job.mode == "cast":
                outcome = _cast(job, *prepared[index])
            elif job.mode == "flow":
                outcome = _cast(job, *_open_session(job, job.codes[index], rng))
            else:
                phone = Phone(job.port)
                body = {"csrf_token": "x" * 91} | {f"s-{i}": "satisfied" for i in range(job.fields)}
                answer = phone.post("/hit", body)
                outcome = "ok" if answer.statuses == [200] else f"error: {answer.statuses}"
        except Exception as error:  # noqa: BLE001  (counted and reported, never hidden)
            outcome = f"error: {error!r}"
        return (time.perf_counter() - start, outcome)

    count = job.requests if job.mode == "baseline" else len(job.codes)
    cpu, begin = time.process_time(), time.monotonic()
    with ThreadPoolExecutor(job.threads) as pool:
        samples = list(pool.map(one, range(count)))
    end = time.monotonic()
    pipe.send(("done", begin, end, time.process_time() - cpu, samples))
    pipe.close()


@dataclass
class Figures:
    label: str
    count: int
    seconds: float
    latencies: list[float]
    outcomes: dict[str, int]
    client_cpu: float
    server_cpu: float
    prepare_seconds: float = 0.0
    system_share: float = 0.0  # of the server's CPU, the kernel's part (writes, fsync)

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def cpu_per_request(self) -> float:
        """gunicorn's CPU (master and workers, user + system) per request, in ms: the figure
        that holds on a noisy machine, where rates and latencies move with the neighbours."""
        return self.server_cpu * self.seconds / self.count * 1000

    def line(self) -> str:
        return (
            f"{self.label:<34} {self.rate:7.1f}/s  median {self.median:6.1f} ms  "
            f"p95 {self.percentile(95):6.1f} ms  p99 {self.percentile(99):6.1f} ms  "
            f"(n={self.count}; client CPU {self.client_cpu:.2f} cores, "
            f"server CPU {self.server_cpu:.2f} cores, {self.cpu_per_request:.2f} ms per request, "
            f"{self.system_share:.0%} of it system)"
        )


def drive(label: str, server: LiveServer, jobs: list[Job]) -> Figures:
    """Run one client process per job, start their timed phases together, gather figures."""
    context = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for job in jobs:
        parent, child = context.Pipe()
        process = context.Process(target=client_main, args=(job, child), daemon=True)
        process.start()
        child.close()
        pipes.append(parent)
        processes.append(process)
    try:
        prepare = max(pipe.recv()[1] for pipe in pipes)
        server_user, server_system = server.cpu_split()
        print(f"  {label}…", flush=True)
        for pipe in pipes:
            pipe.send("go")
        done = [pipe.recv() for pipe in pipes]
        user, system = server.cpu_split()
        server_user, server_system = user - server_user, system - server_system
    finally:
        for pipe in pipes:
            pipe.close()
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
                process.join()
    begin, end = min(d[1] for d in done), max(d[2] for d in done)
    samples = [s for d in done for s in d[4]]
    outcomes: dict[str, int] = {}
    for _, outcome in samples:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return Figures(
        label,
        len(samples),
        end - begin,
        [latency for latency, _ in samples],
        outcomes,
        sum(d[3] for d in done) / (end - begin),
        (server_user + server_system) / (end - begin),
        prepare,
        server_system / max(server_user + server_system, 1e-9),
    )


def split(items: list[Any], parts: int) -> list[list[Any]]:
    return [items[i::parts] for i in range(parts)]


def spread(clients: int, processes: int) -> list[int]:
    return [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]


# --- the command --------------------------------------------------------------------------------


def _jobs(mode: str, port: int, threads: list[int], village: str, codes: list[str], seed: int,
          processes: int) -> list[Job]:  # fmt: skip
    return [
        Job(mode, port, t, village, part, seed=seed + i)
        for i, (t, part) in enumerate(zip(threads, split(codes, processes), strict=True))
    ]


def _median_line(label: str, runs: list[Figures]) -> str:
    rates = [f.rate for f in runs]
    cpu = [f.cpu_per_request for f in runs]
    p99 = [f.percentile(99) for f in runs]
    return (
        f"  {label:<34} median of {len(runs)}: {statistics.median(rates):7.1f}/s, "
        f"p99 {statistics.median(p99):6.1f} ms, {statistics.median(cpu):.2f} ms CPU per request"
    )


def run(args: argparse.Namespace, url: str) -> None:
    """--rounds times: a batch of casts, then a batch of baseline requests, the two servers side
    by side, so each cast batch has a baseline measured in the same minute; the figures are the
    medians over the rounds, and the ratios the medians of each round's ratio."""
    codes_needed = args.warmup + args.ballots * args.rounds + args.flows
    started = time.monotonic()
    village_code, round_id, codes = build(url, args.members, codes_needed)
    print(
        f"{url.split(':')[0]}: {args.members}-member round, {codes_needed} codes "
        f"(setup {time.monotonic() - started:.1f} s); gunicorn {args.workers} sync workers; "
        f"{args.clients} clients in {args.processes} processes; {args.rounds} rounds"
    )
    threads = spread(args.clients, args.processes)
    env = {"STARRATING_LIVE_DATABASE_URL": url, "STARRATING_LIVE_SECRET_KEY": SECRET_KEY}
    from baseline_app import create_table

    create_table(url)
    casts: list[Figures] = []
    baselines: list[Figures] = []
    flow = None
    baseline_server = LiveServer(
        "baseline_app:create_baseline_app()",
        {"BASELINE_DATABASE_URL": url},
        workers=args.workers,
        cwd=ROOT / "benchmarks",
    )
    warmup, codes = codes[: args.warmup], codes[args.warmup :]
    with LiveServer(LIVE_APP, env, workers=args.workers) as server, baseline_server:
        warm = None
        if warmup:  # not timed: the workers' first requests fill caches and pools
            warm = drive("warm-up", server, _jobs("cast", server.port, threads, village_code,
                                                  warmup, 1000, args.processes))  # fmt: skip
            drive(
                "warm-up (baseline)",
                baseline_server,
                [
                    Job("baseline", baseline_server.port, t, requests=len(part))
                    for t, part in zip(threads, split(warmup, args.processes), strict=True)
                ],
            )
        for n in range(args.rounds):
            batch = codes[n * args.ballots : (n + 1) * args.ballots]
            casts.append(
                drive(
                    f"round {n + 1}: cast (POST, prepared sessions)",
                    server,
                    _jobs(
                        "cast", server.port, threads, village_code, batch, 10 * n, args.processes
                    ),
                )
            )
            requests = split(list(range(args.baseline_requests or args.ballots)), args.processes)
            baselines.append(
                drive(
                    f"round {n + 1}: baseline (one-row insert POST)",
                    baseline_server,
                    [
                        Job("baseline", baseline_server.port, t, requests=len(part))
                        for t, part in zip(threads, requests, strict=True)
                    ],
                )
            )
        if args.flows:
            flow = drive(
                "full flow (scan + page + POST)",
                server,
                _jobs(
                    "flow", server.port, threads, village_code,
                    codes[args.ballots * args.rounds :], 100, args.processes,
                ),
            )  # fmt: skip
    log = server.log_text() + baseline_server.log_text()
    ballots, used, receipts = stored_counts(url, round_id)

    for figures in [f for pair in zip(casts, baselines, strict=True) for f in pair] + [flow]:
        if figures is not None:
            print("  " + figures.line())
            if set(figures.outcomes) != {"ok"}:
                print(f"    outcomes: {figures.outcomes}")
    print(_median_line("cast", casts))
    print(_median_line("baseline", baselines))
    ok = sum(f.outcomes.get("ok", 0) for f in casts) + (flow.outcomes.get("ok", 0) if flow else 0)
    ok += warm.outcomes.get("ok", 0) if warm else 0  # stored too: counted and checked
    print(f"  stored: {ballots} ballots, {used} used codes, {receipts} receipts; {ok} shown")
    ratios = [c.rate / b.rate for c, b in zip(casts, baselines, strict=True)]
    cpu_ratios = [
        c.cpu_per_request / b.cpu_per_request for c, b in zip(casts, baselines, strict=True)
    ]
    ratio, cpu_ratio = statistics.median(ratios), statistics.median(cpu_ratios)
    p99 = statistics.median(f.percentile(99) for f in casts)
    print(f"  ballots/s ÷ baseline requests/s: {ratio:.2f} (rounds: {_list(ratios)})")
    print(
        f"  server CPU per cast ÷ per baseline request: {cpu_ratio:.2f} "
        f"(rounds: {_list(cpu_ratios)})"
    )
    everything = [*casts, *baselines, *([flow] if flow else []), *([warm] if warm else [])]
    checks = {
        "exactly one ballot per used code, one receipt per ballot, one shown per receipt": (
            ballots == used == receipts == ok
        ),
        "every request answered 200 (or 303 → 200), no refusal": all(
            set(f.outcomes) == {"ok"} for f in everything
        ),
        "no traceback in gunicorn's log": "Traceback" not in log,
        "≥ 200 ballots/s": statistics.median(f.rate for f in casts) >= 200,
        "p99 < 300 ms": p99 < 300,
        "≥ half the baseline's rate": ratio >= 0.5,
        "server CPU per cast ≤ 2.5 × the baseline's per request": cpu_ratio <= 2.5,
    }
    for name, passed in checks.items():
        print(f"  {'PASS' if passed else 'MISS'}  {name}")
    if "Traceback" in log:
        print(log[-4000:])


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", default=None, help="an empty database to use")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--ballots", type=int, default=1500, help="casts per round")
    parser.add_argument("--rounds", type=int, default=3, help="cast + baseline batches")
    parser.add_argument("--warmup", type=int, default=200, help="casts before round 1, untimed")
    parser.add_argument("--flows", type=int, default=300, help="whole flows timed; 0: none")
    parser.add_argument("--baseline-requests", type=int, default=0, help="default: --ballots")
    parser.add_argument("--members", type=int, default=58)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    args = parser.parse_args()
    if args.clients < args.processes or min(args.ballots, args.clients) < 1:
        parser.error("need at least one ballot and one client per client process")
    sys.path.insert(0, str(ROOT / "benchmarks"))  # baseline_app
    folder = None
    if args.database_url:
        url, drop = args.database_url, False
    elif args.database == "postgresql":
        url, drop = create_postgres_database(), True
    else:
        folder = Path(tempfile.mkdtemp(prefix="starrating-ballot-bench-"))
        url, drop = f"sqlite:///{folder / 'bench.sqlite'}", False
    try:
        run(args, url)
    finally:
        if drop:
            drop_postgres_database(url)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
