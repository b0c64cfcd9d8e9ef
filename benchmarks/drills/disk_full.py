"""Drill disk-full (SQLite): the database lives on a small tmpfs of the drill's own; mid-load a
filler file takes every free byte. Casts must then fail with the Chinese error page and store
nothing half-way (a used code always has its ballot and receipt); once the filler is removed
voting resumes by itself and PRAGMA integrity_check says ok."""

import errno
import os
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.drills.phones import Assembly, kinds
from benchmarks.drills.places import Databases, DrillError, small_filesystem
from benchmarks.drills.report import Report
from benchmarks.drills.scenario import CODES, check_integrity, under_load
from benchmarks.drills.village import served_village

SIZE_MB = 32
FAILURES = 20  # failed casts to see before the filler is removed…
FULL_AT_LEAST, FULL_AT_MOST = 3.0, 20.0  # …but the disk stays full this long


@dataclass
class FullDisk:
    failed: int = 0  # casts that failed while the disk was full
    chinese: int = 0  # of them answered with the Chinese error page


def fill(path: Path) -> int:
    """Write zeros into path until the filesystem has no byte left; the bytes written."""
    written = 0
    with path.open("wb", buffering=0) as filler:
        for chunk in (1 << 20, 1 << 12, 1):
            block = bytes(chunk)
            while True:
                try:
                    written += filler.write(block) or 0
                except OSError as full:
                    if full.errno != errno.ENOSPC:
                        raise
                    break
    return written


def free_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize


def run(report: Report, databases: Databases, backend: str) -> None:
    if backend != "sqlite":
        raise DrillError("disk-full runs on SQLite only")
    with small_filesystem(SIZE_MB) as disk:
        url = databases.new("sqlite", folder=disk)
        with served_village(url, codes=CODES) as stage:
            full = FullDisk()

            def disrupt(assembly: Assembly) -> None:
                _fill_then_free(report, disk, assembly, full)

            under_load(report, stage, disrupt)
        _findings(report, full)
        check_integrity(report, stage)


def _fill_then_free(report: Report, disk: Path, assembly: Assembly, full: FullDisk) -> None:
    report.note(
        f"filling {disk} ({free_bytes(disk) >> 10} KiB free) at {assembly.receipts_shown} receipts"
    )
    started = time.monotonic()
    filler = disk / "filler"
    written = fill(filler)
    report.figure("filler written", f"{written >> 10} KiB; {free_bytes(disk)} bytes left")
    time.sleep(FULL_AT_LEAST)
    while time.monotonic() < started + FULL_AT_MOST:
        casts = assembly.requests.between(started, time.monotonic(), ["cast"])
        if sum(r.kind not in ("receipt", "already") for r in casts) >= FAILURES:
            break
        time.sleep(0.1)
    freed = time.monotonic()
    filler.unlink()
    report.note(f"filler removed after {freed - started:.1f} s")
    casts = assembly.requests.between(started, freed, ["cast"])
    others = assembly.requests.between(started, freed, ["scan", "turnout", "login"])
    report.figure("casts while the disk was full", kinds(casts))
    report.figure("other pages while the disk was full", kinds(others))
    failed = [r for r in casts if r.kind not in ("receipt", "already")]
    full.failed = len(failed)
    full.chinese = sum(r.kind == "chinese_error" for r in failed)


def _findings(report: Report, full: FullDisk) -> None:
    failed, chinese = full.failed, full.chinese
    report.check(
        "casts failed while the disk was full (the drill bit)", failed > 0, f"{failed} failed"
    )
    report.check(
        "each failed cast got the Chinese error page", failed == chinese, f"{chinese} of {failed}"
    )
    report.summary.append(f"{failed} casts failed while full")
