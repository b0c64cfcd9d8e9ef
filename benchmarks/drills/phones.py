"""The assembly: phones (threads) casting ballots back to back while a drill disrupts the
server, each phone tapping again after a failed request, as a villager would, until it is shown
its receipt or its deadline passes; every answer is classified and timed.

A phone scans its code's QR (GET, redirect, the ballot page), ticks every row and submits. An
answer that died (connection reset, refused, timed out) or an error page makes it wait a moment
and send the same POST again (the session holds the code); a ballot page instead of a receipt
(the form's CSRF check, say) makes it fill the fresh form in again. Any other page — a refusal
of the code — stops that phone: a finding.
"""

import http.client
import queue
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

from tests.factories import PASSWORD
from tests.live_server_process import Answer, BallotForm, Phone, csrf_token_of, parse_ballot_form
from tests.live_setup import LiveVillage

CHINESE = '<html lang="zh-CN">'
ENGLISH = "Internal Server Error"  # gunicorn's own page when an error escapes the app
RECEIPT = re.compile(r'class="receipt"[^>]*>\s*<strong>([^<]+)</strong>')
VOTED, ALREADY = "投票成功", "已投票"
VOTER_DEADLINE = 90.0  # seconds a phone keeps trying one code
PAUSES = (0.2, 0.3, 0.5, 0.8, 1.0)  # between taps after a failure, then 1 s


# --- what came back -------------------------------------------------------------------------

# kinds of answer; the first four are failures of the request, "english" and "bare" are bugs
FAILED = ("dropped", "chinese_error", "english", "bare")


def classify(answer: Answer) -> str:
    """receipt / already (a receipt on the 已投票 page) / page (any other Chinese page) /
    refused (429) / chinese_error (the Chinese 5xx page) / english (gunicorn's bare Internal
    Server Error) / bare (any other answer that is not one of the app's Chinese pages)."""
    body = answer.body
    if CHINESE not in body:
        return "english" if ENGLISH in body else "bare"
    if answer.status >= 500:
        return "chinese_error"
    if answer.status == 429:
        return "refused"
    if RECEIPT.search(body):
        return "receipt" if VOTED in body else "already" if ALREADY in body else "page"
    return "page"


def receipt_in(body: str) -> str:
    found = RECEIPT.search(body)
    return found.group(1).strip() if found else ""


@dataclass(frozen=True)
class Request:
    step: str  # scan, cast, login, …
    started: float  # time.monotonic()
    seconds: float
    kind: str  # classify(), or "dropped" when no answer came


@dataclass
class Requests:
    """Every request the phones sent, thread-safe (list.append is atomic)."""

    items: list[Request] = field(default_factory=list)

    def timed(
        self,
        step: str,
        send: Callable[[], Answer],
        judge: Callable[[str, Answer], str] | None = None,
    ) -> tuple[str, Answer | None]:
        """Send, classify (judge may refine a kind: "page" of a login that failed, say), note."""
        started = time.monotonic()
        try:
            answer: Answer | None = send()
        except (OSError, http.client.HTTPException):
            answer = None
        kind = classify(answer) if answer is not None else "dropped"
        if judge is not None and answer is not None:
            kind = judge(kind, answer)
        self.items.append(Request(step, started, time.monotonic() - started, kind))
        return kind, answer

    def between(self, since: float, until: float, steps: Iterable[str] = ()) -> list[Request]:
        wanted = set(steps)
        return [
            r for r in self.items if since <= r.started < until and (not wanted or r.step in wanted)
        ]


def kinds(requests: list[Request]) -> str:
    """e.g. "412 receipt, 3 dropped, 2 chinese_error"."""
    counted = Counter(r.kind for r in requests)
    return ", ".join(f"{n} {kind}" for kind, n in counted.most_common()) or "none"


def timings(requests: list[Request]) -> str:
    """median / p95 / max of the requests' times, in ms."""
    if not requests:
        return "no requests"
    seconds = sorted(r.seconds for r in requests)
    p95 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.95))]
    return (
        f"n={len(seconds)} median {statistics.median(seconds) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms"
    )


# --- one phone, one code ---------------------------------------------------------------------


@dataclass
class Voter:
    code: str
    receipt: str = ""  # the receipt its phone was finally shown
    posts: int = 0  # how often it submitted (1 unless a request failed)
    again: bool = False  # shown 已投票: its ballot was in before an earlier answer was lost
    stopped: str = ""  # why it stopped without a receipt


def ticked(form: BallotForm) -> dict[str, str]:
    return {"csrf_token": form.csrf_token} | {
        f"s-{subject}": offered[subject % len(offered)] for subject, offered in form.choices.items()
    }


def vote_until_receipt(
    phone: Phone, live: LiveVillage, voter: Voter, log: Requests, aborted: threading.Event
) -> None:
    """Scan, tick, submit; after a failed request wait and tap again, until a receipt shows."""
    deadline = time.monotonic() + VOTER_DEADLINE
    form: BallotForm | None = None
    failures = 0
    while time.monotonic() < deadline and not aborted.is_set():
        if form is None:
            kind, answer = log.timed("scan", lambda: phone.get(live.scan_path(voter.code)))
        else:
            path, fields = f"/v/{live.village_code}/ballot", ticked(form)
            kind, answer = log.timed("cast", partial(phone.post, path, fields))
            voter.posts += 1
        body = answer.body if answer is not None else ""
        if kind in ("receipt", "already"):
            voter.receipt, voter.again = receipt_in(body), kind == "already"
            return
        if kind == "page":  # the ballot page: (again) its form, e.g. after a CSRF check
            form = parse_ballot_form(body)
            if form is None:  # a refusal of the code, or some other page: a finding
                voter.stopped = _text(body)
                return
            continue
        # the request failed (or was refused): the villager waits a moment and taps again
        aborted.wait(PAUSES[min(failures, len(PAUSES) - 1)])
        failures += 1
    voter.stopped = "the drill was stopped" if aborted.is_set() else "no receipt in time"


def _text(body: str) -> str:
    plain = re.sub(r"<[^>]+>", " ", body.split("<main", 1)[-1])
    return " ".join(plain.split())[:160]


# --- the staff: logged in, so their pages read the user from the database -----------------


def login_outcome(kind: str, answer: Answer) -> str:
    """A login that ended on the login page again was refused ("not_logged_in")."""
    if kind == "page" and answer.path.startswith("/login"):
        return "not_logged_in"
    return kind


def log_in(phone: Phone, username: str) -> Answer:
    """The login page, then its form sent; the login page's own answer if it has no form."""
    page = phone.get("/login")
    token = csrf_token_of(page.body)
    if token is None:
        return page
    return phone.post("/login", {"csrf_token": token, "username": username, "password": PASSWORD})


def log_in_now(assembly: "Assembly", phone: Phone, username: str) -> bool:
    kind, _ = assembly.requests.timed("login", partial(log_in, phone, username), login_outcome)
    return kind == "page"


def _watch(assembly: "Assembly", step: str, path: str, every: float) -> None:
    """Logged in as the secretary, load path again and again (each page loads her login from
    the database, error pages too); log in again whenever she has to."""
    phone = Phone(assembly.port, timeout=30)
    signed_in = False
    while not assembly.stopping.is_set():
        if not signed_in:
            signed_in = log_in_now(assembly, phone, assembly.live.secretary)
        else:
            kind, _ = assembly.requests.timed(step, partial(phone.get, path), login_outcome)
            signed_in = kind != "not_logged_in"
        assembly.stopping.wait(every)


def secretary_watching(assembly: "Assembly") -> None:
    """The secretary watches turnout on the round page."""
    _watch(assembly, "turnout", f"/branch/rounds/{assembly.live.round_id}", every=0.25)


def big_screen(assembly: "Assembly") -> None:
    """The big screen the assembly looks at, logged in as the secretary, refreshing."""
    _watch(assembly, "screen", f"/branch/rounds/{assembly.live.round_id}/screen", every=0.25)


def committee_logging_in(assembly: "Assembly", every: float = 0.3) -> None:
    """Someone logs in afresh (a new browser) again and again, as the committee does at the
    start of a meeting: every login passes the rate limits' store."""
    while not assembly.stopping.is_set():
        log_in_now(assembly, Phone(assembly.port, timeout=30), assembly.live.secretary)
        assembly.stopping.wait(every)


# --- the assembly ----------------------------------------------------------------------------


class Assembly:
    """`phones` threads taking codes from the round's pile, one voter after another, until
    stopped or the pile is empty."""

    def __init__(
        self,
        port: int,
        live: LiveVillage,
        codes: list[str],
        *,
        phones: int = 20,
        staff: Sequence[Callable[["Assembly"], None]] = (secretary_watching, big_screen),
    ) -> None:
        self.port, self.live, self.phones, self.staff = port, live, phones, staff
        self.pile: queue.SimpleQueue[str] = queue.SimpleQueue()
        for code in codes:
            self.pile.put(code)
        self.voters: list[Voter] = []
        self.requests = Requests()
        self.stopping = threading.Event()  # no new codes; each phone finishes its own
        self.aborted = threading.Event()  # the drill failed: every phone stops at once
        self._threads: list[threading.Thread] = []  # the phones', then the staff's
        self.crashes: list[str] = []  # a phone's or staff member's unexpected exception

    def start(self) -> "Assembly":
        targets = [self._phone] * self.phones + [partial(member, self) for member in self.staff]
        for i, target in enumerate(targets):
            thread = threading.Thread(target=self._guarded, args=(target,), name=f"client-{i}")
            thread.daemon = True
            thread.start()
            self._threads.append(thread)
        return self

    def _guarded(self, target: Callable[[], None]) -> None:
        try:
            target()
        except Exception as error:  # noqa: BLE001  (reported by the checks, never hidden)
            self.crashes.append(f"{threading.current_thread().name}: {error!r}"[:300])

    def _phone(self) -> None:
        while not self.stopping.is_set():
            try:
                voter = Voter(self.pile.get_nowait())
            except queue.Empty:
                return
            self.voters.append(voter)
            phone = Phone(self.port, timeout=30)
            vote_until_receipt(phone, self.live, voter, self.requests, self.aborted)

    @property
    def receipts_shown(self) -> int:
        return sum(1 for v in self.voters if v.receipt)

    def wait_for(self, receipts: int, timeout: float) -> bool:
        """Wait until this many phones have been shown a receipt (True), or timeout (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.receipts_shown >= receipts:
                return True
            if not any(t.is_alive() for t in self._threads[: self.phones]):
                return False  # the pile of codes is used up
            time.sleep(0.05)
        return False

    def abort(self) -> None:
        self.aborted.set()
        self.stop(timeout=40)  # a request under way ends within the phone's 30 s timeout

    def stop(self, timeout: float = VOTER_DEADLINE + 30) -> bool:
        """No phone takes a new code; each finishes the one in hand. False if one hangs."""
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)
