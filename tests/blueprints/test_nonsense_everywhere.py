"""Every POST route of every role, in a state where its own form writes, sent that form with one
field at a time replaced by each kind of nonsense (issue 14). Each answer:

- is refused with a 4xx (400 a malformed request, 409 a stale save, 422 input that cannot be
  saved), or, for the small forms and buttons of a page, 303 back to the page (Post/Redirect/Get,
  docs/DECISIONS.md "Refused submissions") where an error flash says why;
- says why in Chinese, with no English sentence;
- changes not one row of any table (but those of UNGUARDED).

A kind that is a valid value for a field would be saved: VALID says, per field, which kinds are
valid there and why, and those are not sent.
"""

import re
from collections.abc import Callable
from dataclasses import replace
from html.parser import HTMLParser
from io import BytesIO
from typing import Any

import pytest
from flask import current_app
from sqlalchemy import delete

from starrating.extensions import db
from starrating.models import RateLimitHit
from starrating.queries.assessment import assessed_members
from starrating.rules.vocabulary import MemberStatus, Role
from starrating.services.ballots import open_round
from starrating.services.members import mark_member_left
from starrating.services.schemes import create_scheme
from starrating.web import china_today
from tests.blueprints.locked_world import (
    TODAY,
    World,
    build,
    fresh_objection,
    to_approved,
    to_submitted,
)
from tests.blueprints.publicity import YEAR
from tests.blueprints.test_cadres import _sheet as cadre_workbook
from tests.blueprints.test_locked_year import CASES, Case, _client, snapshot
from tests.blueprints.test_roster import _xlsx as roster_workbook
from tests.blueprints.test_schemes import form_values
from tests.factories import PASSWORD, create_user, login

KINDS = {
    "blank": "",
    "spaces": "   ",
    "5000 characters": "x" * 5000,
    "1e308": "1e308",
    "Infinity": "Infinity",
    "-1": "-1",
    "24 digits": "9" * 24,
    "full-width": "ＡＢＣ－１２３",
    "emoji": "😀",
    "NUL": "a\x00b",  # refused before any view (web._no_control_characters); PostgreSQL has none
}
ENGLISH_SENTENCE = re.compile(r"[A-Z][a-z]+(?: [a-z]+){2,}")  # "Not a valid choice", ...
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Tables a refused request may still write, and why.
UNGUARDED = {
    "rate_limit_hit": "a refused login or a wrong code is counted on purpose (emptied before each "
    "try here, so that no limit is reached: the limits have tests of their own)",
}


# --- the routes that are not a village-year's (test_locked_year.ROUTES leaves them out) ------


def _page_form(user: str, url: str) -> Callable[[World], dict[str, Any]]:
    """The page's own form as it shows it (what a browser would send back unchanged); forms
    that post elsewhere left out."""

    def read(w: World) -> dict[str, Any]:
        browser = current_app.test_client()
        login(browser, w.users[user])
        page = browser.get(url).get_data(as_text=True)
        values = form_values(re.sub(r'<form[^>]* action="[^"]+".*?</form>', "", page, flags=re.S))
        values.pop("csrf_token", None)
        return values

    return read


def _member_form(w: World) -> dict[str, Any]:
    return {
        "name": "周新",
        "village_group": "三组",
        "gender": "male",
        "birth_date": "1970-05-01",
        "joined_on": "2000-07-01",
        "membership": "full",
        "category": "ordinary",
        "phone": "13812345678",
        "exempt_meeting_date": "",
        "exempt_reason": "",
        "note": "",
    }


def _cadre_form(w: World) -> dict[str, Any]:
    return {
        "name": "王五",
        "post": "村委会委员",
        "post_kind": "village_committee",
        "base_pay": "24000",
        "performance_pay": "6000",
        "reward_amount": "3000",
        "previous_grade": "",
        "member_id": "",
        "user_id": "",
    }


def _left(w: World) -> None:
    mark_member_left(
        actor=w.users["secretary"],
        member=w.newcomer,
        status=MemberStatus.TRANSFERRED,
        on=TODAY,
        expected_version=w.newcomer.version,
        today=TODAY,
    )
    db.session.commit()


def _next_scheme(w: World) -> None:
    """Next year's scheme, not frozen (this year's is: the village opened the year)."""
    create_scheme(actor=w.users["reviewer"], township=w.village.township, year=YEAR + 1)
    db.session.commit()


def _roster(w: World) -> dict[str, Any]:
    row = ["赵一", "男", "1960-01-02", "1985-07-01", "正式", "普通", "13800000001", None, None]
    return {"file": (BytesIO(roster_workbook([row])), "花名册.xlsx")}


def _cadre_list(w: World) -> dict[str, Any]:
    return {"file": (BytesIO(cadre_workbook(("王五", "村委会委员", 24000))), "村干部.xlsx")}


NEW_PASSWORD = "河边柳树-2026-新密码"


def _supervisor_account(w: World) -> None:
    """A 监委会成员 account the township opened, not yet seated."""
    w.notes["supervisor"] = create_user(role=Role.SUPERVISOR, village=w.village)
    db.session.commit()


REGISTERS: dict[str, Case] = {
    "branch.new_member": Case(
        "secretary", lambda w: "/branch/members/new", lambda w: {**_member_form(w), "name": "吴芳"}
    ),
    "branch.edit_member": Case(
        "secretary",
        lambda w: f"/branch/members/{w.newcomer.id}/edit",
        lambda w: {**_member_form(w), "version": w.newcomer.version},
    ),
    "branch.leave_member": Case(
        "secretary",
        lambda w: f"/branch/members/{w.newcomer.id}/leave",
        lambda w: {"status": "transferred", "on": "2026-05-01", "version": w.newcomer.version},
    ),
    "branch.restore": Case(
        "secretary",
        lambda w: f"/branch/members/{w.newcomer.id}/restore",
        lambda w: {"version": w.newcomer.version},
        control=_left,
    ),
    "branch.import_roster": Case("secretary", lambda w: "/branch/members/import", _roster),
    "branch.new_cadre": Case("secretary", lambda w: "/branch/cadres/new", _cadre_form),
    "branch.edit_cadre": Case(
        "secretary",
        lambda w: f"/branch/cadres/{w.zhang.id}/edit",
        lambda w: {**_cadre_form(w), "version": w.zhang.version},
    ),
    "branch.deactivate": Case(
        "secretary",
        lambda w: f"/branch/cadres/{w.zhang.id}/deactivate",
        lambda w: {"version": w.zhang.version},
    ),
    "branch.import_cadre_list": Case("secretary", lambda w: "/branch/cadres/import", _cadre_list),
    "branch.set_contact": Case(
        "secretary", lambda w: "/branch/contact", lambda w: {"phone": "0571-88001234"}
    ),
    "township.index": Case(
        "reviewer", lambda w: "/township/", lambda w: {"name": "新村", "code": "xincun"}
    ),
    "township.add_user": Case(
        "reviewer",
        lambda w: f"/township/villages/{w.village.id}/users",
        lambda w: {"display_name": "新会计", "username": "kuaiji", "role": "committee"},
    ),
    "township.reset_user_password": Case(
        "reviewer", lambda w: f"/township/users/{w.users['teller'].id}/reset-password"
    ),
    "township.schemes": Case(
        "reviewer", lambda w: "/township/schemes", lambda w: {"year": YEAR + 1}
    ),
    "township.scheme": Case(
        "reviewer",
        lambda w: f"/township/schemes/{YEAR + 1}",
        _page_form("reviewer", f"/township/schemes/{YEAR + 1}"),
        control=_next_scheme,
    ),
    "township.appraisal_scheme": Case(
        "reviewer",
        lambda w: f"/township/schemes/{YEAR + 1}/appraisal",
        _page_form("reviewer", f"/township/schemes/{YEAR + 1}/appraisal"),
        control=_next_scheme,
    ),
    "township.board_scheme": Case(
        "reviewer",
        lambda w: f"/township/schemes/{YEAR + 1}/board",
        _page_form("reviewer", f"/township/schemes/{YEAR + 1}/board"),
        control=_next_scheme,
    ),
    "branch.add_cadre_relative": Case(
        "secretary",
        lambda w: f"/branch/cadres/{w.zhang.id}/relatives",
        lambda w: {"name": "王小红", "relation": "女儿", "user_id": ""},
    ),
    "branch.add_supervisor": Case(
        "secretary",
        lambda w: "/branch/supervisors/add",
        lambda w: {"user_id": str(w.notes["supervisor"].id), "chair": "y"},
        control=_supervisor_account,
    ),
    "branch.member_stars": Case(
        "secretary",
        lambda w: f"/branch/members/{_wang(w).member_id}/stars",
        lambda w: _star_change(w),
        control=to_approved,
    ),
    "auth.login": Case(
        "villager",  # nobody logged in
        lambda w: "/login",
        lambda w: {"username": w.users["teller"].username, "password": PASSWORD},
    ),
    "auth.logout": Case("secretary", lambda w: "/logout"),
    "auth.change_password": Case(
        "teller",
        lambda w: "/password",
        lambda w: {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    ),
}


def _wang(w: World) -> Any:
    return next(a for a in assessed_members(w.year.id) if a.member.name == "王建国")


def _star_change(w: World) -> dict[str, Any]:
    """摘星 of 王建国's first star, decided and recorded today, the scheme's first reason."""
    today = china_today()
    return {
        "kind": "remove",
        "star_code": w.year.scheme.tenstar.stars[0].code,
        "reason": w.year.scheme.tenstar.changes.removal_reasons[0],
        "changed_on": today.isoformat(),
        "decided_on": today.isoformat(),
        "note": "",
    }


def _open_draft_round(w: World) -> None:
    open_round(actor=w.users["secretary"], ballot_round=w.draft_round)
    db.session.commit()


def _late_objection(w: World) -> None:
    """The year under review and an objection filed since: the township's to answer."""
    to_submitted(w)
    fresh_objection(w)


# Where the locked-year table's control is not a state in which the route writes.
WRITES_HERE: dict[str, Case] = {
    "branch.open_year": Case(
        "secretary",
        lambda w: "/branch/years",
        lambda w: {"year": YEAR + 1, "raters": [w.users["secretary"].id]},
        control=_next_scheme,
    ),
    "ballot.cast": replace(dict(CASES)["ballot.cast"], control=_open_draft_round),
    "township.answer": replace(dict(CASES)["township.answer"], control=_late_objection),
}
# Routes whose accepted form writes nothing (checked by the control below instead of a write).
ACCEPTED_UNWRITTEN = {"ballot.enter": "the code is held in the session until the ballot is cast"}

# --- which kinds are valid where -------------------------------------------------------------

BLANK = {"blank", "spaces"}  # nothing typed
TEXT = {"1e308", "Infinity", "-1", "24 digits", "full-width", "emoji"}  # as words, they are words
TICKED = set(KINDS) - {"blank", "NUL"}  # a tick box sent any value at all is ticked
EVERY = set(KINDS) - {"NUL"}  # (a NUL is refused before any view: never valid)

# (endpoints, fields, the kinds valid there, why): those are not sent. Patterns match whole names.
# fmt: off
VALID: list[tuple[str, str, set[str], str]] = [
    (r"branch\.mark_member", r"note_\w+", BLANK | TEXT, "a star's note: optional free text"),
    (r"branch\.mark_member", r"star_\w+", BLANK, "a star left unmarked: saved as far as it goes"),
    (r"branch\.mark_member", "save", EVERY, "a button: its name says it was pressed"),
    (r"branch\.close_marking", "close_reason", BLANK | TEXT,
     "free text, needed only while a rater is unfinished (here all have finished)"),
    (r"branch\.(reopen_marking|remove_year_member|propose_void|void_code|confirm_excellence)"
     r"|township\.(return_year|reopen_year)",
     "reopen_reason|removed_reason|reason|void_reason|opinion", TEXT, "a reason: free text"),
    (r"branch\.record_veto", "veto_note", BLANK | TEXT, "optional free text"),
    (r"branch\.record_exemption|branch\.(new|edit)_member", "exempt_reason|note", BLANK | TEXT,
     "optional free text"),
    (r"township\.approve_year", "opinion", BLANK | TEXT, "optional free text"),
    (r"branch\.answer|township\.answer", "answer", TEXT, "an answer: free text"),
    (r"township\.(answer|score_cadre)", r"shown|cadre-\d+-shown", {"blank"},
     "the fingerprint of no answer or score (there is none yet)"),
    (r"branch\.(pledge|edit_pledge_item)", "content|indicator|target", TEXT, "free text"),
    (r"branch\.file_report", "done|next_step", TEXT, "free text"),
    (r"branch\.file_report", "version", BLANK, "a first report's form has no version to carry"),
    (r"branch\.rounds", "title", BLANK | TEXT, "free text; left blank, the usual title"),
    (r"branch\.rounds", "members", TICKED, "a tick box"),
    (r"branch\.rounds", "starts_at|ends_at", BLANK, "optional"),
    (r"branch\.(generate_codes|void_code)", "address_confirmed", TICKED, "a tick box"),
    (r"branch\.publish_results", "confirmed", TICKED, "a tick box"),
    (r"ballot\.cast", r"s-\d+", {"blank"}, "a row left blank (「清除」): no mark for that row"),
    (r"board\.file", "content", TEXT, "free text"),
    (r"board\.file", "name", BLANK | TEXT, "optional: whatever the villager signs with"),
    (r"board\.file|branch\.(new|edit)_member|branch\.set_contact", "phone", BLANK, "optional"),
    (r"branch\.(new|edit)_member", "village_group", BLANK | TEXT, "optional free text (三组)"),
    (r"branch\.(new|edit)_member", "joined_on|exempt_meeting_date", BLANK, "optional"),
    (r"branch\.(new|edit)_cadre", "post", TEXT, "free text"),
    (r"branch\.(new|edit)_cadre", "performance_pay|reward_amount", BLANK, "optional: none"),
    (r"branch\.(new|edit)_cadre", "previous_grade|member_id|user_id", {"blank"}, "none chosen"),
    (r"township\.index", "name", TEXT, "a village's name: free text"),
    (r"township\.add_user", "display_name", TEXT, "an account's name: free text (翁书记)"),
    (r"township\.scheme", r"stars-\d+-name|stars-\d+-criteria|veto_reasons", TEXT, "free text"),
    (r"township\.scheme", "removal_reasons|award_reasons", TEXT, "free text, a reason per line"),
    (r"township\.scheme", "award_allowed", EVERY, "a tick box: sent or not, both valid"),
    (r"branch\.member_stars", "note", BLANK | TEXT, "optional free text"),
    (r"branch\.add_cadre_relative", "relation", BLANK | TEXT, "optional free text (女儿)"),
    (r"branch\.add_cadre_relative", "user_id", {"blank"}, "no account chosen"),
    (r"branch\.add_supervisor", "chair", EVERY, "a tick box: sent or not, both valid"),
    (r"township\.board_scheme", r"tenstar|pledges|cadre_results|pay_\w+|star_standing", EVERY,
     "a tick box: anything sent is a tick, nothing sent none (both valid)"),
]
# fmt: on


def _valid(endpoint: str, field: str) -> set[str]:
    return {
        kind
        for endpoints, fields, kinds, _ in VALID
        if re.fullmatch(endpoints, endpoint) and re.fullmatch(fields, field)
        for kind in kinds
    }


# Fields of a form beyond its case's valid data (optional or hidden ones). Not sent at all, as
# every kind is valid in them: the one-time token of a create form (one that is no token is not
# deduplicated: the create goes on), set_raters' hidden "confirmed" (anything but 1 shows the
# confirmation first), the buttons pick_top, save_next and save_skip, the login's "remember".
EXTRA_FIELDS: dict[str, Callable[[World], tuple[str, ...]]] = {
    "branch.mark_member": lambda w: ("shown", "note_ideals"),
    "branch.close_marking": lambda w: ("close_reason",),
    "branch.record_veto": lambda w: ("veto_note",),
    "branch.record_exemption": lambda w: ("exempt_reason",),
    "branch.confirm_excellence": lambda w: ("members",),
    "branch.answer": lambda w: ("shown",),
    "township.answer": lambda w: ("shown",),
    "branch.file_report": lambda w: ("version",),
    "branch.verify_item": lambda w: (f"item-{w.item(w.zhang).id}-shown",),
    "township.score_cadre": lambda w: (f"cadre-{w.zhang.id}-shown",),
    "branch.rounds": lambda w: ("starts_at", "ends_at"),
    "board.file": lambda w: ("name", "phone"),
    "township.approve_year": lambda w: ("opinion",),
}

# Fields that repeat another's (the scheme's ten stars are one sub-form ten times): the first
# stands for the rest.
REPEATS = re.compile(r"stars-[1-9]\d*-.*")

# Buttons: a form with no field but the CSRF token (a wrong one is refused app-wide with a
# Chinese 400, tests/blueprints/test_auth.py), so nothing to send nonsense in.
BUTTONS = {
    "branch.publish_cadre_results",
    "branch.submit_year",
    "branch.resume_year",
    "branch.remove_pledge_item",
    "branch.open_round",
    "branch.close_round",
    "branch.certify_round",
    "branch.write_off",
    "branch.confirm_void",
    "township.reset_user_password",
    "auth.logout",
    "branch.remove_supervisor",
    "branch.make_supervisor_chair",
    "branch.establish_supervisors",
    "branch.remove_cadre_relative",
}


ALL = [
    (endpoint, WRITES_HERE.get(endpoint, case))
    for endpoint, case in [*CASES, *REGISTERS.items()]
    if endpoint not in BUTTONS
]


def test_every_post_route_is_sent_nonsense(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert {endpoint for endpoint, _ in ALL} | BUTTONS == posts


# --- what the answer says -----------------------------------------------------------------------


class _Said(HTMLParser):
    """The text of the elements of a page that say something went wrong: those with role="alert"
    (error flashes, the problems beside a form) or one of the classes in marks (field errors)."""

    VOID = ("input", "br", "img", "meta", "link", "hr", "source")

    def __init__(self, marks: tuple[str, ...]) -> None:
        super().__init__()
        self.marks = marks
        self.stack: list[bool] = []  # per open element: does it say something
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            found = dict(attrs)
            classes = set((found.get("class") or "").split())
            self.stack.append(found.get("role") == "alert" or bool(classes & set(self.marks)))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if any(self.stack):
            self.parts.append(data.strip())


def said(html: str, marks: tuple[str, ...] = ("error", "problem", "errors")) -> str:
    reader = _Said(marks)
    reader.feed(html)
    return " ".join(part for part in reader.parts if part)


def _answer(client: Any, url: str, data: dict[str, Any]) -> tuple[int, str]:
    """The status and what the user is told: on the page that answers, on an error page its
    message, after a 303 the error flash of the page it leads to."""
    response = client.post(url, data=data)
    if 300 <= response.status_code < 400:
        landing = client.get(response.location).get_data(as_text=True)
        return response.status_code, said(landing, marks=("flash-error",))
    html = response.get_data(as_text=True)
    if response.status_code in (409, 422):
        return response.status_code, said(html)
    main = re.search(r"<main[^>]*>(.*?)</main>", html, re.S)  # an error page: all of it
    return response.status_code, re.sub(r"<[^>]+>|\s+", " ", main.group(1) if main else html)


def _wrong(status: int, message: str) -> str | None:
    """What is wrong with this answer to a refused submission, or None."""
    if status not in (303, 400, 409, 422):
        return f"status {status}"
    if not CHINESE.search(message):
        return "no Chinese message" + (" (no error flash after the 303)" if status == 303 else "")
    if english := ENGLISH_SENTENCE.findall(message):
        return f"English: {english}"
    return None


def _guarded() -> dict[str, list[str]]:
    return {name: rows for name, rows in snapshot().items() if name not in UNGUARDED}


@pytest.mark.parametrize(("endpoint", "case"), ALL, ids=[e for e, _ in ALL])
def test_nonsense_in_any_field_of_any_form_is_refused_in_chinese_and_changes_nothing(
    app, endpoint, case
):
    world = build(None)
    if case.control:
        case.control(world)
    good = case.data(world)
    client = _client(app, world, case)
    url = case.url(world)
    extra = EXTRA_FIELDS.get(endpoint)
    before = _guarded()
    problems = []
    for field in [*good, *(extra(world) if extra else ())]:
        if REPEATS.fullmatch(field):
            continue
        for kind, value in KINDS.items():
            if kind in _valid(endpoint, field):
                continue
            db.session.execute(delete(RateLimitHit))  # each try as the first: no limit reached
            db.session.commit()
            status, message = _answer(client, url, {**good, field: value})
            after = _guarded()
            changed = [name for name in before if before[name] != after[name]]
            wrong = _wrong(status, message)
            if changed or wrong:
                problems.append(f"{field} = {kind}: {status} {message[:80]!r} {wrong} {changed}")
                before = after
    assert problems == [], "\n".join(problems)
    # the control: the same form unchanged is taken (the refusals were the nonsense's)
    accepted = client.post(url, data=good)
    if endpoint in ACCEPTED_UNWRITTEN:
        assert accepted.status_code == 302
    else:
        assert _guarded() != before, f"the form as it was wrote nothing: {accepted.status_code}"
