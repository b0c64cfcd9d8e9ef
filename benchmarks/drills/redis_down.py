"""Drill redis-down, killed and frozen: the app keeps its rate limits in a throwaway Redis of the
drill's own; mid-load it is killed (or frozen with SIGSTOP, as a hung server or a dead network
is) for longer than the breaker's pause, then brought back. Logins and casts must go on from the
database counters without being held (a request waits at most the 0.2 s Redis timeout), the
limits must still hold (the 11th wrong password is refused), each worker must log the outage
and its end, and the figures show the request times before, during and after."""

import json
import re
import time
from dataclasses import dataclass

from benchmarks.drills.phones import (
    Assembly,
    Request,
    big_screen,
    committee_logging_in,
    kinds,
    secretary_watching,
    timings,
)
from benchmarks.drills.places import Databases
from benchmarks.drills.report import Report
from benchmarks.drills.scenario import CODES, under_load
from benchmarks.drills.village import Stage, served_village
from starrating.ratelimit import LOGIN_PER_USERNAME
from tests.live_server_process import Phone
from tests.live_setup import WRONG_PASSWORD, log_in
from tests.redis_process import RedisServer

RETRY = 5  # the breaker's pause here (30 s in production), so an outage sees it tried again
OUTAGE = 2 * RETRY + 1.0  # seconds Redis stays away
HELD = 3.0  # no request during the outage may take longer (a hung Redis would hold it 60 s)
TOO_MANY = "登录失败次数太多"


@dataclass
class Outage:
    """When Redis went away and came back (time.monotonic()), and the limit's check meanwhile."""

    away: float = 0.0
    back: float = 0.0
    end: float = 0.0  # the workers had their chance to find Redis again
    limited: bool = False
    statuses: str = ""


def _wrong_passwords_still_limited(stage: Stage) -> tuple[bool, str]:
    """During the outage: the reviewer's 10 wrong passwords are checked, the 11th refused."""
    phone = Phone(stage.server.port, timeout=30)
    tries = [
        log_in(phone, stage.live.reviewer, WRONG_PASSWORD)
        for _ in range(LOGIN_PER_USERNAME.hits + 1)
    ]
    *checked, refused = tries
    limited = all(a.status == 200 for a in checked) and refused.status == 429
    return limited and TOO_MANY in refused.body, f"statuses {[a.status for a in tries]}"


def _per_worker(log: str, line: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for match in re.finditer(rf"{re.escape(line)} \(worker (\d+)\)", log):
        found[match.group(1)] = found.get(match.group(1), 0) + 1
    return found


def _times(report: Report, label: str, requests: list[Request]) -> None:
    for steps in (("login",), ("scan", "cast")):
        chosen = [r for r in requests if r.step in steps]
        report.figure(f"{label}: {'/'.join(steps)}", f"{timings(chosen)} ({kinds(chosen)})")


def run(report: Report, databases: Databases, backend: str, *, freeze: bool) -> None:
    with RedisServer() as store:
        config = json.dumps({"RATELIMIT_REDIS_RETRY_SECONDS": RETRY})
        url = databases.new(backend)
        env = {"STARRATING_LIVE_REDIS_URL": store.url, "STARRATING_LIVE_CONFIG": config}
        with served_village(url, codes=CODES, **env) as stage:
            outage = Outage()

            def disrupt(assembly: Assembly) -> None:
                _take_redis_away(report, store, stage, assembly, outage, freeze=freeze)

            staff = (secretary_watching, big_screen, committee_logging_in)
            assembly = under_load(report, stage, disrupt, staff=staff)
            log = stage.server.log_text()
        _findings(report, assembly, outage, log)


def _take_redis_away(
    report: Report,
    store: RedisServer,
    stage: Stage,
    assembly: Assembly,
    outage: Outage,
    *,
    freeze: bool,
) -> None:
    outage.away = time.monotonic()
    if freeze:
        store.freeze()
    else:
        store.kill()
    how = "frozen (SIGSTOP)" if freeze else "killed"
    report.note(f"Redis {how} at {assembly.receipts_shown} receipts")
    time.sleep(OUTAGE / 2)
    outage.limited, outage.statuses = _wrong_passwords_still_limited(stage)
    time.sleep(OUTAGE / 2)
    outage.back = time.monotonic()
    if freeze:
        store.thaw()
    else:
        store.start()
    report.note(f"Redis back after {outage.back - outage.away:.1f} s")
    time.sleep(RETRY + 2.0)  # the workers try Redis again after their pause
    outage.end = time.monotonic()


def _findings(report: Report, assembly: Assembly, outage: Outage, log: str) -> None:
    requests = assembly.requests
    before = requests.between(0, outage.away)
    during = requests.between(outage.away, outage.back)
    after = requests.between(outage.back, outage.end)
    for label, chosen in (("before", before), ("Redis away", during), ("Redis back", after)):
        _times(report, label, chosen)
    logins = [r for r in during if r.step == "login"]
    report.check(
        "every login while Redis was away succeeded",
        bool(logins) and all(r.kind == "page" for r in logins),
        kinds(logins),
    )
    slowest = max((r.seconds for r in during), default=0.0)
    report.check(
        f"no request while Redis was away took {HELD:.0f} s or more",
        slowest < HELD,
        f"slowest {slowest * 1000:.0f} ms",
    )
    report.summary.append(f"slowest while away {slowest * 1000:.0f} ms")
    report.check("the login limit held from the database counters", outage.limited, outage.statuses)
    warned, back = (
        _per_worker(log, "rate-limit store unreachable"),
        _per_worker(log, "rate-limit store reachable again"),
    )
    report.check("the workers logged the outage", bool(warned), f"{warned}")
    report.check("and that Redis was reachable again", bool(back), f"{back}")
