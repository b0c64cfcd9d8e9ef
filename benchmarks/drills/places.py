"""Where a drill's data lives, all of it its own: a SQLite file in a temporary folder (or on a
small tmpfs to fill up), and a throwaway PostgreSQL server (initdb into a temporary folder, as
bin/test starts one) that a drill may restart. The shared servers on 5432 and 6379 are never
touched."""

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psycopg

from tests.live_server_process import free_port


class DrillError(RuntimeError):
    """The drill could not set up or perform its disruption (not a finding about the app)."""


class ThrowawayPostgres:
    """A PostgreSQL server of the drill run's own on a free loopback port; stopped and deleted
    at the end. Each drill gets a fresh database on it."""

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not found:
            raise DrillError("no PostgreSQL server binaries (apt-get install postgresql)")
        self.bin = found[-1].parent
        self.folder = Path(tempfile.mkdtemp(prefix="starrating-drill-pg-"))
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:  # initdb and postgres refuse to run as root
            shutil.chown(self.folder, "postgres", "postgres")
        self._serial = 0

    def _pg(self, *args: str, timeout: float = 120) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        completed = subprocess.run(  # noqa: S603
            [*prefix, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if completed.returncode != 0:
            raise DrillError(f"{Path(args[0]).name} failed: {completed.stderr.strip()[-500:]}")

    def start(self) -> "ThrowawayPostgres":
        data = self.folder / "data"
        self._pg(
            str(self.bin / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-locale",
        )
        self._ctl("start")
        return self

    def _ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c max_connections=100"
        )
        self._pg(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            *extra,
            action,
        )

    def restart(self) -> None:
        """pg_ctl restart -m fast: every connection is cut, the server is back when it returns."""
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with suppress(DrillError, subprocess.TimeoutExpired):
            self._pg(
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "fast",
                "-w",
                "-t",
                "30",
                "stop",
            )
        shutil.rmtree(self.folder, ignore_errors=True)

    def admin(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """A fresh, empty database; its SQLAlchemy URL."""
        self._serial += 1
        name = f"drill_{os.getpid()}_{self._serial}"
        with psycopg.connect(self.admin(), autocommit=True, connect_timeout=10) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


class Databases:
    """Fresh databases for the drills of one run; the PostgreSQL server starts when a drill
    first needs it."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="starrating-drill-"))
        self._postgres: ThrowawayPostgres | None = None
        self._serial = 0

    @property
    def postgres(self) -> ThrowawayPostgres:
        if self._postgres is None:
            self._postgres = ThrowawayPostgres().start()
        return self._postgres

    def new(self, backend: str, folder: Path | None = None) -> str:
        if backend == "postgresql":
            return self.postgres.new_database()
        self._serial += 1
        return f"sqlite:///{(folder or self.folder) / f'drill-{self._serial}.sqlite'}"

    def close(self) -> None:
        if self._postgres is not None:
            self._postgres.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def small_filesystem(megabytes: int) -> Iterator[Path]:
    """A tmpfs of the given size mounted on a new temporary folder (needs root), unmounted and
    removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="starrating-drill-disk-"))
    mounted = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0700", "tmpfs", str(folder)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        folder.rmdir()
        raise DrillError(f"cannot mount a tmpfs (root needed): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        for _ in range(20):  # a process that just exited may still hold a file for a moment
            if subprocess.run(["umount", str(folder)], check=False).returncode == 0:  # noqa: S603,S607
                break
            time.sleep(0.25)
        with suppress(OSError):
            folder.rmdir()
