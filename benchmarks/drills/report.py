"""What one drill found: its checks (PASS/FAIL with the figures behind them), its figures, and
the one-line summary the closing table prints."""

import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class Report:
    """Filled in by a drill as it goes; every line is printed at once, so a run that is cut
    short still shows what it had found."""

    drill: str
    database: str
    checks: list[Check] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)  # the figures the closing table shows
    error: str = ""
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0

    def check(self, name: str, passed: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, passed, detail))
        print(f"  {'PASS' if passed else 'FAIL'}  {name}" + (f": {detail}" if detail else ""))
        return passed

    def figure(self, name: str, value: object, *, in_summary: bool = False) -> None:
        self.figures[name] = str(value)
        print(f"        {name}: {value}")
        if in_summary:
            self.summary.append(f"{name} {value}")

    def note(self, text: str) -> None:
        print(f"        {text}")

    def fail(self, error: str) -> None:
        self.error = error
        print(f"  FAIL  the drill stopped: {error}")

    def finish(self) -> None:
        self.seconds = time.monotonic() - self.started

    @property
    def result(self) -> str:
        if self.error or not self.checks or not all(c.passed for c in self.checks):
            return "FAIL"
        return "PASS"

    @property
    def failed_checks(self) -> list[str]:
        return [c.name for c in self.checks if not c.passed] + (
            [f"stopped: {self.error}"] if self.error else []
        )


def print_table(reports: list[Report]) -> None:
    """The closing table: drill, database, result, time, the figures that matter."""
    print("\n== drills ==")
    print(f"{'drill':<19} {'database':<11} {'result':<6} {'time':>6}  figures")
    for report in reports:
        figures = "; ".join(report.summary)
        print(
            f"{report.drill:<19} {report.database:<11} {report.result:<6} "
            f"{report.seconds:5.0f}s  {figures}"
        )
        for name in report.failed_checks:
            print(f"{'':<39}  FAILED: {name}")
    failed = sum(r.result == "FAIL" for r in reports)
    print(f"{len(reports) - failed} passed, {failed} failed")
