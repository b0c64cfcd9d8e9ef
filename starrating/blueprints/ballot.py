"""The villager's ballot on a phone (DESIGN.md §6 "Phone"): enter or scan a code, vote, receipt.

No accounts: the one-time code is swapped for the session on the first request and the villager
is redirected at once to an address without it (§11). The session keeps only the code's keyed
hash (never the code itself), and once the ballot is in, only its receipt. The receipt is
derived from the code, so a villager whose answer was lost can enter the code again and is
shown the same receipt.

CSRF: the ballot's POSTs are exempt from the app-wide check and validate their own form instead
(`validate_on_submit`), because the app-wide check runs before the view with the global one-hour
limit and raises CSRFError before any blueprint could answer it with the ballot page. The forms
carry a six-hour limit; a failed check re-renders the page with the villager's choices kept.

A valid code is never refused for a rate reason: the code is checked first, and only
well-formed codes that do not exist here count (a typing slip that cannot be a code, or a real
code, never does). A typed wrong code slows its address (services/guessing.py), a wrong code in
a link is only a signal for the secretary's alert, and no village is ever blocked.
"""

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from starrating.blueprints.changes import form_page, refused
from starrating.database import write_phase
from starrating.extensions import csrf, db
from starrating.forms.ballot import (
    CSRF_EXPIRED,
    BadBallot,
    BallotForm,
    CodeForm,
    ballot_csrf_valid,
    mark_name,
    read_marks,
)
from starrating.models import BallotRound, Village
from starrating.permissions import get_public_village_or_404, guard_blueprint, public
from starrating.queries.ballots import subjects
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Section
from starrating.rules.guessing import wait_words
from starrating.rules.tokens import code_problem, normalised
from starrating.services import ServiceError, guessing, printing
from starrating.services.casting import (
    REFUSALS,
    CodeRefused,
    find_token,
    hash_code,
    receipt_of,
    use_code,
)

bp = Blueprint("ballot", __name__)
guard_blueprint(bp, roles=None)

# Refusals that mean "no such code here": the only ones a guesser gets, so the only ones counted.
GUESSES = frozenset({"unknown", "other_village"})
# session key: {"village": code, "name": name, "hash": the code's keyed hash, "round": id} while
# voting; {"village", "receipt"} once the ballot is in ("again": entered after it was cast)
HELD = "ballot"

REFUSAL_TITLES = {
    "unknown": "票码不对",
    "other_village": "不是本村的票码",
    "used": "已投票",
    "void": "这张选票已作废",
    "closed": "投票已经结束",
    "not_open": "投票还没有开始",
}
SECTION_HEADINGS = {Section.MEMBERS: "党员", Section.CADRES: "村干部"}
WAIT = (
    "刚才输入的票码不对。这台手机（或同一个网络里的手机）已经输错好几次了，请等 {wait}再试。"
    "请对照选票上的票码一个一个字核对，或者直接扫描选票上的二维码，不用输入。"
    "如果一直不行，请找村里的工作人员帮忙。"
)


def message_page(title: str, text: str, *, status: int = 200, **links: Any) -> Any:
    return render_template("ballot/message.html", title=title, text=text, **links), status


def village_of(village_code: str) -> Village:
    return get_public_village_or_404(village_code)


def _held(village: Village) -> dict[str, str]:
    held = session.get(HELD)
    if isinstance(held, dict) and held.get("village") == village.code:
        return held
    return {}


def _hold(village: Village, **what: str) -> None:
    session[HELD] = {"village": village.code, **what}


# --- wrong codes (services/guessing.py) -----------------------------------------------------


def _count_guess(village: Village, *, soft: bool) -> None:
    """Count a wrong code and commit it, though the request otherwise writes nothing; a typed
    one from an address that must still wait is answered with the time left (429)."""
    with write_phase():  # on a GET too: the hit is this transaction's first write (§11)
        wait = guessing.record_wrong_code(
            village_id=village.id, address=request.remote_addr, soft=soft
        )
        db.session.commit()
    if wait:
        abort(429, description=WAIT.format(wait=wait_words(wait)))


def _try_code(village: Village, code: str) -> str | None:
    """Swap a valid code's hash into the session; the refusal's reason otherwise. A code already
    used leaves its receipt in the session instead, to be shown again. Only a code that is no
    code of this village counts as a guess, and only after the lookup said so: a valid code is
    never refused for a rate reason."""
    hashed = hash_code(code)
    try:
        token = find_token(village_id=village.id, hashed=hashed)
    except CodeRefused as refused:
        if refused.reason in GUESSES:
            _count_guess(village, soft=request.method == "GET")  # a link: only a signal
        else:
            db.session.rollback()
        if refused.reason == "used":
            _hold(village, receipt=receipt_of(hashed), again="1")
            return refused.reason
        if refused.reason != "not_open" or refused.round_id is None:
            return refused.reason
        _hold_code(village, hashed, refused.round_id)  # scanned early: the form says "wait"
        return None
    _hold_code(village, hashed, token.round_id)
    return None


def _hold_code(village: Village, hashed: str, round_id: int) -> None:
    session[HELD] = {
        "village": village.code,
        "name": village.name,
        "hash": hashed,
        "round": round_id,
    }


def _held_code(village_code: str) -> tuple[str, int] | None:
    """The code hash and round the session holds for this village, read without the database."""
    held = session.get(HELD)
    if isinstance(held, dict) and held.get("village") == village_code:
        hashed, round_id = held.get("hash"), held.get("round")
        if isinstance(hashed, str) and isinstance(round_id, int):
            return hashed, round_id
    return None


# --- entering a code ------------------------------------------------------------------------


@bp.route("/<village_code>/", methods=["GET", "POST"])
@public
@csrf.exempt
def enter(village_code: str) -> Any:
    village = village_of(village_code)
    form = CodeForm()
    refusal, problem, expired = None, None, False
    if request.method == "POST":
        if not form.validate_on_submit():
            if expired := "csrf_token" in form.errors:  # a request to send again, as app-wide
                problem = "页面打开的时间太长了，请再点一次「进入投票」。"
        elif (code := normalised(form.code.data)) is None:
            problem = code_problem(form.code.data)
        elif (refusal := _try_code(village, code)) is None:
            return redirect(url_for(".form", village_code=village.code))
    else:
        refusal = next(iter(get_flashed_messages(category_filter=["refusal"])), None)
    page = render_template(
        "ballot/enter.html",
        village=village,
        form=form,
        problem=problem,
        refusal=refusal,
        refusal_title=REFUSAL_TITLES.get(refusal or ""),
        refusal_text=REFUSALS.get(refusal or ""),
        receipt=_held(village).get("receipt") if refusal == "used" else None,
        holding="hash" in _held(village),
    )
    if expired:
        return page, 400
    if refusal and request.method == "GET":  # a scanned code refused: the page says why
        return refused(page)
    return form_page(page)


@bp.route("/<village_code>/t/<code>")
@public
def scan(village_code: str, code: str) -> Any:
    """The printed QR's address: swap the code for the session, then leave this URL at once."""
    village = village_of(village_code)
    clean = normalised(code)
    refusal = "unknown" if clean is None else _try_code(village, clean)
    if refusal is None:
        return redirect(url_for(".form", village_code=village.code))
    if refusal == "used":  # scanned again after voting: show the receipt again
        return redirect(url_for(".receipt", village_code=village.code))
    flash(refusal, "refusal")
    return redirect(url_for(".enter", village_code=village.code))


# --- the ballot -----------------------------------------------------------------------------


def _sections(round_id: int) -> list[tuple[str, list[Any]]]:
    rows = subjects(round_id)
    return [
        (SECTION_HEADINGS[section], list(group))
        for section, group in groupby(rows, key=lambda row: row.section)
    ]


def _ballot_page(
    village: Village,
    hashed: str,
    *,
    marks: dict[int, Choice] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> Any:
    """The ballot of the code's round; or why this code cannot vote (any more)."""
    try:
        token = find_token(village_id=village.id, hashed=hashed)
    except CodeRefused as refused:
        db.session.rollback()
        return _refused(village, refused.reason, hashed)
    ballot_round = db.session.get(BallotRound, token.round_id)
    assert ballot_round is not None
    sections = _sections(ballot_round.id)
    marks = marks or {}
    total = sum(len(rows) for _, rows in sections)
    return render_template(
        "ballot/form.html",
        village=village,
        ballot_round=ballot_round,
        form=BallotForm(),
        sections=sections,
        marks={subject: choice.value for subject, choice in marks.items()},
        choices=list(Choice),
        mark_name=mark_name,
        total=total,
        left=total - len(marks),
        unmarked=[s for _, rows in sections for s in rows if s.id not in marks],
        problem=problem,
    ), status


def _refused(village: Village, reason: str, hashed: str) -> Any:
    if reason == "used":  # a double tap, a retry after a lost answer, a code entered again
        receipt = receipt_of(hashed)
        _hold(village, receipt=receipt, again="1")
        return render_template("ballot/voted.html", village=village, receipt=receipt)
    if reason == "not_open":  # keep the code: once the staff open the round, a refresh votes
        return message_page(
            REFUSAL_TITLES[reason],
            REFUSALS[reason],
            refresh=url_for(".form", village_code=village.code),
        )
    session.pop(HELD, None)
    return message_page(
        REFUSAL_TITLES[reason],
        REFUSALS[reason],
        again=url_for(".enter", village_code=village.code),
    )


def _no_code(village: Village) -> Any:
    if receipt := _held(village).get("receipt"):
        return render_template("ballot/voted.html", village=village, receipt=receipt)
    flash("请先输入选票上的票码，或扫描选票上的二维码。", "info")
    return redirect(url_for(".enter", village_code=village.code), 303)


@bp.route("/<village_code>/scan-test/<probe>")
@public
def scan_test(village_code: str, probe: str) -> Any:
    """The test QR on a print run's cover page: a phone that opens it proves the printed address
    reaches this server. It holds no ballot code and touches no ballot or session."""
    village = village_of(village_code)
    with write_phase():  # a GET that writes: the hit is this transaction's first write
        run = printing.record_scan(village_code=village.code, probe=probe)
        db.session.commit()
    if run is None:
        abort(404)
    return message_page(
        "扫码测试成功",
        f"这台手机能打开{village.name}的投票网址（{request.host}）。"
        "这是打印封面上的测试码，不是选票：不能投票，也没有用掉任何票码。"
        "请回到电脑上的打印页，那里会显示「已收到手机扫码」。",
    )


@bp.route("/<village_code>/ballot")
@public
def form(village_code: str) -> Any:
    village = village_of(village_code)
    held = _held_code(village.code)
    if held is None:
        return _no_code(village)
    return _ballot_page(village, held[0])


@dataclass(frozen=True)
class HeldVillage:
    """What the receipt page needs of the village, from the session: casting reads nothing."""

    code: str
    name: str


@bp.route("/<village_code>/ballot", methods=["POST"])
@public
@csrf.exempt
def cast(village_code: str) -> Any:
    # Everything that needs no database first; then the one statement that uses the code and
    # stores the ballot (services/casting.py). The page is read again only when refused.
    held = _held_code(village_code)
    problem = None
    try:
        marks = read_marks(request.form)
    except BadBallot as bad:
        marks, problem = {}, str(bad)
    if problem is None and held and not ballot_csrf_valid(request.form):
        problem = CSRF_EXPIRED
    if held is None or problem is not None:
        village = village_of(village_code)
        if held is None:
            return _no_code(village)
        return _ballot_page(village, held[0], marks=marks, problem=problem, status=400)
    hashed, round_id = held
    try:
        receipt = use_code(village_code=village_code, round_id=round_id, hashed=hashed, marks=marks)
    except CodeRefused as refused:
        db.session.rollback()
        return _refused(village_of(village_code), refused.reason, hashed)
    except ServiceError as error:  # marks of subjects not the round's: no ballot page sends them
        db.session.rollback()
        village = village_of(village_code)
        return _ballot_page(village, hashed, marks=marks, problem=error.message, status=400)
    db.session.commit()
    # Answer with the receipt itself: no second request and nothing read after the commit.
    # A refresh re-posts and gets the "已投票" page with the same receipt.
    name = str(session[HELD].get("name", ""))
    _hold_receipt(village_code, receipt)
    return render_template(
        "ballot/receipt.html", village=HeldVillage(village_code, name), receipt=receipt
    )


def _hold_receipt(village_code: str, receipt: str) -> None:
    session[HELD] = {"village": village_code, "receipt": receipt}


@bp.route("/<village_code>/receipt")
@public
def receipt(village_code: str) -> Any:
    village = village_of(village_code)
    held = _held(village)
    if held.get("hash"):  # not voted yet
        return redirect(url_for(".form", village_code=village.code), 303)
    if not held.get("receipt"):
        return _no_code(village)
    page = "ballot/voted.html" if held.get("again") else "ballot/receipt.html"
    return render_template(page, village=village, receipt=held["receipt"])


from starrating.blueprints import ballot_errors, receipts  # noqa: E402, F401  (on bp)
