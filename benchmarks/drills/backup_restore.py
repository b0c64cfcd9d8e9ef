"""Drill backup-restore: `flask backup` while phones cast, then the restore of
docs/OPERATIONS.md into a fresh instance folder (the key put back from the backup's .key file
with `flask restore-key`), served by a new gunicorn. The backup must not disturb the casting;
the restored copy must be sound (integrity_check, ballots = used codes = receipts) and hold
every ballot cast before the backup began; an unused code from before the backup must still
vote, and a code used before it must still answer 已投票 with its receipt."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.drills.checks import fresh_phone_votes
from benchmarks.drills.phones import Assembly, Voter, kinds, receipt_in
from benchmarks.drills.places import Databases, DrillError
from benchmarks.drills.report import Report
from benchmarks.drills.scenario import CODES, sqlite_integrity, under_load
from benchmarks.drills.village import DRILL_APP, Stage, live_env, served_village, stored
from tests.live_server_process import ROOT, LiveServer, Phone
from tests.live_setup import vote

FLASK = Path(sys.executable).parent / "flask"
PRODUCTION_APP = "starrating:create_app()"  # as gunicorn serves it in production
OPEN_ROUND_WARNING = "轮测评正在投票"  # 注意：备份时有 N 轮测评正在投票


@dataclass(frozen=True)
class Backup:
    data: Path
    key: Path | None
    seconds: float
    output: str


@dataclass(frozen=True)
class Restored:
    url: str
    app: str  # what gunicorn serves
    env: dict[str, str]


def run_command(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603
        command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=180
    )
    if done.returncode != 0:
        raise DrillError(f"{' '.join(command[:4])} failed: {(done.stderr or done.stdout)[-600:]}")
    return done


def take_backup(stage: Stage, folder: Path, instance: Path) -> Backup:
    """flask backup --to folder, of the app the drill serves (its database and key)."""
    started = time.monotonic()
    env = live_env(stage.url, STARRATING_INSTANCE=str(instance))
    done = run_command([str(FLASK), "--app", DRILL_APP, "backup", "--to", str(folder)], env)
    files = [Path(line.strip()) for line in done.stdout.splitlines() if line.strip()]
    data = next((f for f in files if f.suffix in (".sqlite", ".dump") and f.exists()), None)
    if data is None:
        raise DrillError(f"flask backup printed no backup file: {done.stdout!r}")
    key = next((f for f in files if f.suffix == ".key" and f.exists()), None)
    return Backup(data, key, time.monotonic() - started, (done.stdout + done.stderr).strip())


def restore(report: Report, backup: Backup, databases: Databases, fresh: Path) -> Restored:
    """docs/OPERATIONS.md "Restore", step by step, into the fresh instance folder."""
    fresh.mkdir(mode=0o700)
    if backup.data.suffix == ".sqlite":
        target = fresh / "starrating.sqlite"
        run_command(["install", "-m", "600", str(backup.data), str(target)], {})
        integrity = sqlite_integrity(f"sqlite:///{target}")
        report.check(
            "PRAGMA integrity_check of the restored copy is ok", integrity == "ok", integrity
        )
        url, database_env = f"sqlite:///{target}", {}
    else:
        url = _restore_postgresql(backup, databases)
        database_env = {"STARRATING_DATABASE_URL": url}
    return _restore_key_and_upgrade(report, backup, fresh, url, database_env)


def _restore_postgresql(backup: Backup, databases: Databases) -> str:
    postgres = databases.postgres
    name = f"restored_{os.getpid()}_{int(time.time())}"
    server = ["-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres"]
    run_command(["createdb", *server, name], {})
    plain = f"postgresql://postgres@127.0.0.1:{postgres.port}/{name}"
    run_command(["pg_restore", "--no-owner", f"--dbname={plain}", str(backup.data)], {})
    return f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/{name}"


def _restore_key_and_upgrade(
    report: Report, backup: Backup, fresh: Path, url: str, database_env: dict[str, str]
) -> Restored:
    """Steps 5 and 6: flask restore-key, flask init-db; the app as production starts it."""
    if not report.check(
        "flask backup wrote the SECRET_KEY's .key file beside the data", backup.key is not None
    ):
        raise DrillError("no .key file: the restore cannot put the SECRET_KEY back")
    env = {"STARRATING_INSTANCE": str(fresh), **database_env}
    run_command([str(FLASK), "--app", "starrating", "restore-key", str(backup.key)], env)
    run_command([str(FLASK), "--app", "starrating", "init-db"], env)
    return Restored(url, PRODUCTION_APP, env)


def run(report: Report, databases: Databases, backend: str) -> None:
    work = databases.folder / f"backup-restore-{backend}"
    instance = work / "instance"
    instance.mkdir(parents=True, mode=0o700)
    found: dict[str, object] = {}
    with served_village(databases.new(backend), codes=CODES) as stage:

        def disrupt(assembly: Assembly) -> None:
            found["before"] = [Voter(v.code, v.receipt) for v in assembly.voters if v.receipt]
            started = time.monotonic()
            report.note(f"flask backup at {assembly.receipts_shown} receipts")
            found["backup"] = backup = take_backup(stage, work / "backups", instance)
            during = assembly.requests.between(started, time.monotonic())
            report.figure("flask backup took", f"{backup.seconds:.1f} s; said: {backup.output!r}")
            report.figure("answers while the backup ran", kinds(during))
            report.check(
                "flask backup warned that a round was open (its codes reopen on a restore)",
                OPEN_ROUND_WARNING in backup.output,
            )
            time.sleep(1.0)

        assembly = under_load(report, stage, disrupt)
    backup = found["backup"]
    assert isinstance(backup, Backup)
    restored = restore(report, backup, databases, work / "instance-restored")
    _check_restored(report, stage, assembly, restored, found["before"])  # type: ignore[arg-type]


def _check_restored(
    report: Report, stage: Stage, assembly: Assembly, restored: Restored, before: list[Voter]
) -> None:
    held = stored(restored.url, stage.live.round_id)
    live = stored(stage.url, stage.live.round_id)
    report.check(
        "in the restored copy ballots = used codes = receipts",
        held.ballots == held.used_codes == len(held.receipts),
        f"{held.ballots} = {held.used_codes} = {len(held.receipts)}",
    )
    missing = [v for v in before if v.receipt not in set(held.receipts)]
    report.check(
        "the restored copy holds every ballot receipted before the backup began",
        not missing,
        f"{len(before)} before the backup, {held.ballots} restored, {live.ballots} at the end",
    )
    report.summary.append(f"backup {len(before)}≤{held.ballots}≤{live.ballots} ballots")
    report.figure(
        "codes used after the backup, unused again in the restored copy",
        live.used_codes - held.used_codes,
    )
    with LiveServer(restored.app, restored.env, workers=2) as server:
        restored_stage = Stage(restored.url, stage.live, server)
        fresh_phone_votes(
            report,
            restored_stage,
            stage.live.codes[-2],
            what="after the restore, an unused code from before the backup votes",
        )
        _used_code_still_used(report, restored_stage, before[0])


def _used_code_still_used(report: Report, stage: Stage, voter: Voter) -> None:
    answer = vote(Phone(stage.server.port, timeout=30), stage.live, voter.code)
    report.check(
        "after the restore, a code used before the backup answers 已投票 with its receipt",
        "已投票" in answer.body and receipt_in(answer.body) == voter.receipt,
        f"{answer.statuses} {receipt_in(answer.body) or answer.body[:120]!r}",
    )
