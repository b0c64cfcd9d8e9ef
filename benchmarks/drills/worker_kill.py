"""Drill worker-kill: kill -9 a gunicorn worker, three times, while phones cast. The master
respawns each; a phone whose request died with its worker taps again and is shown its receipt
(已投票 with the same receipt if the ballot was in before the worker died); nothing is lost."""

import os
import signal
import time

from benchmarks.drills.phones import Assembly, Request, kinds
from benchmarks.drills.places import Databases
from benchmarks.drills.report import Report
from benchmarks.drills.scenario import CODES, check_integrity, under_load
from benchmarks.drills.village import Stage, served_village
from tests.live_server_process import LiveServer

KILLS = 3
RESPAWN_TIMEOUT = 30.0
SERVING = 30  # receipts after a respawn before the next kill: the new worker serves by then


def wait_for_workers(server: LiveServer, count: int, gone: set[int], timeout: float) -> bool:
    """Until the master has `count` workers again, none of them one that was killed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = set(server.worker_pids())
        if len(pids) == count and not pids & gone:
            return True
        time.sleep(0.05)
    return False


def kill_workers(report: Report, stage: Stage, assembly: Assembly, killed: list[int]) -> bool:
    """kill -9 the older worker (the one surely serving), wait for its replacement and for
    more receipts (the new one loads the app first), again."""
    respawned = True
    for _ in range(KILLS):
        pids = sorted(stage.server.worker_pids())
        if not pids:
            report.note("no worker to kill")
            return False
        os.kill(pids[0], signal.SIGKILL)
        killed.append(pids[0])
        started = time.monotonic()
        report.note(f"kill -9 worker {pids[0]} at {assembly.receipts_shown} receipts")
        back = wait_for_workers(stage.server, 2, set(killed), RESPAWN_TIMEOUT)
        respawned &= back
        serving = assembly.wait_for(assembly.receipts_shown + SERVING, timeout=RESPAWN_TIMEOUT)
        report.note(
            f"  two workers again: {back}; {SERVING} more receipts after "
            f"{time.monotonic() - started:.1f} s: {serving}"
        )
        respawned &= serving
    return respawned


def run(report: Report, databases: Databases, backend: str) -> None:
    with served_village(databases.new(backend), codes=CODES) as stage:
        killed: list[int] = []
        respawned: list[bool] = []
        died: list[Request] = []

        def disrupt(assembly: Assembly) -> None:
            started = time.monotonic()
            respawned.append(kill_workers(report, stage, assembly, killed))
            during = assembly.requests.between(started, time.monotonic())
            report.figure("answers while workers were killed", kinds(during))
            # a request that died with its worker was sent before the kill: count them all
            died.extend(r for r in assembly.requests.items if r.kind == "dropped")

        under_load(report, stage, disrupt)
        report.check(
            f"gunicorn respawned every killed worker within {RESPAWN_TIMEOUT:.0f} s",
            respawned == [True],
            f"{len(killed)} killed, now {sorted(stage.server.worker_pids())}",
        )
        report.check(
            "requests died with the killed workers (the drill bit)", bool(died), f"{len(died)}"
        )
        log = stage.server.log_text()
        report.figure("gunicorn logged SIGKILLed workers", log.count("was sent SIGKILL"))
        report.summary.append(f"{len(killed)} workers killed")
    check_integrity(report, stage)
