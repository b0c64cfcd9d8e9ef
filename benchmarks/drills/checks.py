"""The checks every drill makes after its disruption and recovery: nothing lost (ballots stored
= used codes = receipts stored = receipts shown to phones, each phone its own code's receipt),
every phone got there by tapping again, no answer was gunicorn's bare English error page, and a
fresh phone votes."""

import re
from collections import Counter

from benchmarks.drills.phones import Assembly, kinds, receipt_in
from benchmarks.drills.report import Report
from benchmarks.drills.village import Stage, expected_receipt, stored
from tests.live_server_process import Phone
from tests.live_setup import VOTED, vote


def nothing_lost(report: Report, stage: Stage, assembly: Assembly) -> None:
    held = stored(stage.url, stage.live.round_id)
    shown = [v.receipt for v in assembly.voters if v.receipt]
    counts = f"{held.ballots} = {held.used_codes} = {len(held.receipts)} = {len(shown)}"
    report.check(
        "ballots stored = used codes = receipts stored = receipts shown",
        held.ballots == held.used_codes == len(held.receipts) == len(shown) == len(set(shown)),
        counts,
    )
    report.summary.append(f"ballots {counts}")
    report.check(
        "the receipts shown are the receipts stored",
        set(shown) == set(held.receipts),
        f"{len(set(shown) - set(held.receipts))} shown but not stored, "
        f"{len(set(held.receipts) - set(shown))} stored but never shown",
    )
    wrong = [v.code for v in assembly.voters if v.receipt and v.receipt != expected_receipt(v.code)]
    report.check("each phone was shown its own code's receipt", not wrong, f"{len(wrong)} not")


def every_phone_finished(report: Report, assembly: Assembly, *, stopped: bool) -> None:
    report.check("every phone stopped within its deadline", stopped)
    report.check(
        "no phone or staff member met an unexpected error",
        not assembly.crashes,
        "; ".join(assembly.crashes[:3]),
    )
    unfinished = [v for v in assembly.voters if not v.receipt]
    why = Counter(v.stopped or "still trying" for v in unfinished)
    report.check(
        "every phone was shown its receipt (tapping again after a failed request)",
        not unfinished,
        f"{len(assembly.voters)} phones" + (f"; without: {dict(why)}" if why else ""),
    )
    retried = [v for v in assembly.voters if v.posts > 1]
    report.figure("phones that had to submit again", len(retried), in_summary=True)
    again = [v for v in retried if v.again]
    report.figure("of them shown 已投票 (their ballot was in, the answer lost)", len(again))


def no_english_page(report: Report, assembly: Assembly) -> None:
    answers = Counter(r.kind for r in assembly.requests.items)
    bare = answers["english"] + answers["bare"]
    where = Counter(r.step for r in assembly.requests.items if r.kind in ("english", "bare"))
    report.check(
        "no answer was gunicorn's bare English error page (every error page is Chinese)",
        bare == 0,
        f"{answers['english']} English 'Internal Server Error', {answers['bare']} other bare"
        + (f" (on {dict(where)})" if where else "")
        + f", {answers['chinese_error']} Chinese error pages, {answers['dropped']} dropped,"
        f" of {sum(answers.values())} requests",
    )
    report.summary.append(
        f"errors zh {answers['chinese_error']}/en {bare}/dropped {answers['dropped']}"
    )


def staff_served(report: Report, assembly: Assembly) -> None:
    """The secretary's pages (logged in) were served again to the end."""
    for step in ("turnout", "screen"):
        pages = [r for r in assembly.requests.items if r.step == step]
        if pages:
            report.check(
                f"the secretary's {step} page answered again after recovery",
                pages[-1].kind == "page",
                kinds(pages),
            )


def fresh_phone_votes(report: Report, stage: Stage, code: str, *, what: str = "") -> bool:
    answer = vote(Phone(stage.server.port, timeout=30), stage.live, code)
    receipt = receipt_in(answer.body)
    return report.check(
        what or "after recovery a fresh phone votes and is shown its receipt",
        VOTED in answer.body and receipt == expected_receipt(code),
        f"{answer.statuses} {receipt or answer.body[:120]!r}",
    )


ERROR_LINE = re.compile(r"^([\w.]+(?:Error|Exception|Timeout)): (.{0,90})", re.MULTILINE)


def logged_errors(report: Report, stage: Stage) -> None:
    """The exceptions the app logged (the last line of each traceback), counted."""
    found = Counter(" ".join(m.groups()) for m in ERROR_LINE.finditer(stage.server.log_text()))
    report.figure("errors the app logged", dict(found.most_common(5)) or "none")


def all_common(report: Report, stage: Stage, assembly: Assembly, *, stopped: bool) -> None:
    """The checks of every drill once its phones have stopped; then the round's last code,
    kept aside, votes from a fresh phone."""
    every_phone_finished(report, assembly, stopped=stopped)
    no_english_page(report, assembly)
    staff_served(report, assembly)
    logged_errors(report, stage)
    nothing_lost(report, stage, assembly)
    before = stored(stage.url, stage.live.round_id).ballots
    if fresh_phone_votes(report, stage, stage.live.codes[-1]):
        after = stored(stage.url, stage.live.round_id).ballots
        report.check(
            "the fresh phone's ballot is stored", after == before + 1, f"{before} → {after}"
        )
