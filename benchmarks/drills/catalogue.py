"""The drills by name, what each does in one line, and the databases it runs on."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from benchmarks.drills import backup_restore, disk_full, postgres_restart, redis_down, worker_kill
from benchmarks.drills.places import Databases
from benchmarks.drills.report import Report

Run = Callable[[Report, Databases, str], None]


@dataclass(frozen=True)
class Drill:
    name: str
    what: str
    run: Run
    databases: tuple[str, ...]  # all it can run on
    default: tuple[str, ...] = ()  # what it runs on unless a database is named (default: all)
    variant: str = ""  # drills of one name run one after the other, e.g. Redis killed, frozen

    @property
    def runs_on(self) -> tuple[str, ...]:
        return self.default or self.databases

    @property
    def label(self) -> str:
        return f"{self.name} {self.variant}".strip()


DRILLS = (
    Drill(
        "worker-kill",
        "kill -9 a gunicorn worker three times while phones cast; gunicorn respawns it",
        worker_kill.run,
        ("sqlite", "postgresql"),
    ),
    Drill(
        "postgres-restart",
        "restart PostgreSQL (pg_ctl restart -m fast) three times while phones cast",
        postgres_restart.run,
        ("postgresql",),
    ),
    Drill(
        "redis-down",
        "kill the rate limits' Redis while phones cast and staff log in; start it again",
        partial(redis_down.run, freeze=False),
        ("postgresql", "sqlite"),
        ("postgresql",),  # Redis serves several app servers over one PostgreSQL
        "killed",
    ),
    Drill(
        "redis-down",
        "freeze the rate limits' Redis (SIGSTOP, as if hung) likewise; thaw it",
        partial(redis_down.run, freeze=True),
        ("postgresql", "sqlite"),
        ("postgresql",),
        "frozen",
    ),
    Drill(
        "disk-full",
        "fill the SQLite database's filesystem while phones cast; free it again",
        disk_full.run,
        ("sqlite",),
    ),
    Drill(
        "backup-restore",
        "flask backup while phones cast, then restore it into a fresh instance folder",
        backup_restore.run,
        ("sqlite", "postgresql"),
    ),
)


def find(name: str) -> list[Drill]:
    """The drills of that name (two for redis-down: killed, frozen)."""
    return [d for d in DRILLS if d.name == name]
