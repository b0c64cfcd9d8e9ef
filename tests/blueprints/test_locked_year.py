"""Every write route of the app against a village's year under review and approved (DESIGN.md
§5.6): each POST route of the URL map is in ROUTES, with what it does to a submitted and an
approved year, and a control state where the same request does write (so a refusal is the
lock's, not a malformed request's). A new POST route fails test_every_post_route_is_in_the_table
until it is listed here.

Refused means: the Chinese lock message on the page the user lands on, and not one row of any
table changed. Objections are the exception by design: filed villagers' objections go to the
township once the year is submitted, and the township answers them (rules/assessment_state.py
objection_answerer).
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pytest
from sqlalchemy import select

from starrating.blueprints.branch import assessment as assessment_views
from starrating.blueprints.branch import reports as report_views
from starrating.blueprints.branch import review as review_views
from starrating.blueprints.branch import year_members as year_member_views
from starrating.extensions import db
from starrating.models import Objection
from starrating.queries.ballots import subjects
from starrating.queries.board import rows_digest, tenstar_preview
from starrating.rules.assessment_state import YearState, lock_message
from starrating.rules.result_versions import Part
from starrating.services import review as review_service
from tests.blueprints.locked_world import (
    PUBLISH_DAY,
    TODAY,
    World,
    build,
    closed_marking,
    closed_paper,
    confirmed_li,
    finish_paper,
    fresh_objection,
    latest_version,
    ready_to_submit,
    signed_cadres,
    signed_correction,
    signed_tenstar,
    tenstar_draft,
    to_approved,
    to_returned,
    to_submitted,
    void_proposed,
    without_cadre_draft,
    written_off_paper,
)
from tests.blueprints.publicity import ORGANISATIONAL, YEAR
from tests.factories import login, signed_off


class Expect(Enum):
    LOCKED = "refused with the lock message, nothing changed"
    ROUND = "refused by the round's state, nothing changed (submission needs every round done)"
    REFUSED = "refused for another reason, nothing changed"
    WRITES = "allowed: it writes"


# --- the table -------------------------------------------------------------------------------

Url = Callable[[World], str]
Data = Callable[[World], dict[str, Any]]
NO_DATA: Data = lambda w: {}  # noqa: E731
ITEM = {"content": "修桥", "indicator": "按期", "target": "完成", "deadline": "2026-12-31"}


@dataclass(frozen=True)
class Case:
    """One POST route: who sends it, where, with what; what a submitted and an approved year
    answer; and the control (a state, reached by `control`, where it writes)."""

    user: str
    url: Url
    data: Data = NO_DATA
    submitted: Expect = Expect.LOCKED
    approved: Expect = Expect.LOCKED
    control: Callable[[World], None] | None = None
    control_elsewhere: str = ""  # where the route is shown to write, if not here


def _confirmed(w: World) -> dict[str, Any]:
    """Publishing's confirmation: the digest of the rows as the confirmation page shows them."""
    return {"shown": rows_digest(tenstar_preview(w.year)), "confirmed": "y"}


def _year(path: str) -> Url:
    return lambda w: f"/branch/years/{YEAR}/{path}"


def _member(path: str, who: str) -> Url:
    return lambda w: f"/branch/years/{YEAR}/members/{getattr(w, who).id}/{path}"


def _pledge_url(path: str = "") -> Url:
    return lambda w: f"/branch/cadres/{w.li.id}/pledges/{YEAR}{path}"


def _li_item(path: str) -> Url:
    return lambda w: f"/branch/cadres/{w.li.id}/pledges/{YEAR}/items/{w.item(w.li).id}/{path}"


def _version_of_li(w: World) -> dict[str, Any]:
    return {"version": w.pledge(w.li).version}


def _round(path: str, which: str) -> Url:
    return lambda w: f"/branch/rounds/{getattr(w, which).id}/{path}"


def _township(path: str) -> Url:
    return lambda w: f"/township/villages/{w.village.id}/years/{YEAR}/{path}"


def _objection_id(w: World) -> int:
    return w.notes.get("objection", w.objection).id


def _marks_form(w: World) -> dict[str, Any]:
    return {f"star_{code}": "fail" for code in ORGANISATIONAL} | {"save": "保存"}


def _digits(w: World) -> str:
    return "1" * len(subjects(w.paper_round.id))


ROUTES: dict[str, Case | str] = {
    # the ten-star year
    "branch.mark_member": Case(
        "secretary", lambda w: f"/branch/marking/{YEAR}/{w.wang.id}", _marks_form
    ),
    "branch.close_marking": Case("secretary", _year("close")),
    "branch.reopen_marking": Case(
        "secretary", _year("reopen"), lambda w: {"reopen_reason": "更正"}, control=closed_marking
    ),
    "branch.set_raters": Case(
        "secretary",
        _year("raters"),
        lambda w: {"raters": [w.users["secretary"].id, w.users["committee"].id]},
    ),
    "branch.add_year_member": Case(
        "secretary", _year("members"), lambda w: {"member": w.newcomer.id}
    ),
    "branch.remove_year_member": Case(
        "secretary", _member("remove", "zhang_xiuying"), lambda w: {"removed_reason": "已转出"}
    ),
    "branch.record_veto": Case(
        "secretary",
        _member("veto", "wang"),
        lambda w: {"veto_reason": "违法犯罪", "veto_on": "2026-03-01", "version": w.wang.version},
    ),
    "branch.clear_veto": Case(
        "secretary", _member("veto/clear", "liu"), lambda w: {"version": w.liu.version}
    ),
    "branch.record_exemption": Case(
        "secretary",
        _member("exemption", "elderly"),
        lambda w: {"meeting_date": "2026-04-01", "version": w.elderly.version},
    ),
    "branch.clear_exemption": Case(
        "secretary", _member("exemption/clear", "elderly"), lambda w: {"version": w.elderly.version}
    ),
    "branch.confirm_excellence": Case(
        "secretary", _year("excellence"), lambda w: {"opinion": "支委会讨论决定"}
    ),
    "branch.open_year": Case(
        "secretary",
        lambda w: "/branch/years",
        lambda w: {"year": YEAR, "raters": [w.users["secretary"].id]},
        submitted=Expect.REFUSED,  # the year exists: "已经开启"
        approved=Expect.REFUSED,
        control_elsewhere="tests/blueprints/test_assessment_year.py (opening another year)",
    ),
    # publicity and submission
    "branch.publish_results": Case(
        "secretary", _year("review/publish"), lambda w: _confirmed(w), control=signed_tenstar
    ),
    "branch.publish_cadre_results": Case(
        "secretary", _year("review/publish-cadres"), control=signed_cadres
    ),
    # result versions: the 公示稿, its sign-off, a correction
    "branch.prepare_version": Case(
        "secretary", _year("versions/tenstar/prepare"), control=closed_marking
    ),
    "branch.sign_version": Case(
        "committee",
        lambda w: f"/branch/years/{YEAR}/versions/{latest_version(w).id}/sign",
        control=tenstar_draft,
    ),
    "branch.publish_correction": Case(
        "secretary", _year("versions/tenstar/correct"), control=signed_correction
    ),
    "branch.submit_year": Case("secretary", _year("review/submit"), control=ready_to_submit),
    "branch.resume_year": Case("secretary", _year("review/resume"), control=to_returned),
    "branch.answer": Case(
        "secretary",
        lambda w: f"/branch/years/{YEAR}/objections/{_objection_id(w)}/answer",
        lambda w: {"answer": "改写的答复"},
    ),
    # cadres: pledges, reports, verified completions
    "branch.pledge": Case("secretary", _pledge_url(), lambda w: {**ITEM, "weight": "10"}),
    "branch.edit_pledge_item": Case(
        "secretary",
        _li_item("edit"),
        lambda w: {**ITEM, "content": "修两座桥", "weight": "60", "version": w.item(w.li).version},
    ),
    "branch.remove_pledge_item": Case("secretary", _li_item("remove")),
    "branch.confirm_pledge": Case("secretary", _pledge_url("/confirm"), _version_of_li),
    "branch.publish_pledge": Case(
        "secretary", _pledge_url("/publish"), _version_of_li, control=confirmed_li
    ),
    "branch.reopen_pledge": Case(
        "secretary", _pledge_url("/reopen"), _version_of_li, control=confirmed_li
    ),
    "branch.file_report": Case(
        "secretary",
        lambda w: f"/branch/reports/{w.item(w.zhang).id}/1",
        lambda w: {"progress": "50", "done": "完成一半", "next_step": "继续"},
    ),
    "branch.verify_item": Case(
        "secretary",
        lambda w: f"/branch/appraisal/{YEAR}/{w.zhang.id}/items/{w.item(w.zhang).id}",
        lambda w: {f"item-{w.item(w.zhang).id}-completion": "90"},
    ),
    # ballot rounds: new ones and codes are locked; an opened round is done before submission
    "branch.rounds": Case(
        "secretary",
        lambda w: "/branch/rounds",
        lambda w: {
            "title": "补测",
            "year": YEAR,
            "members": "y",
            "electorate": "villagers",
            "eligible": 10,
        },
    ),
    "branch.generate_codes": Case(
        "secretary",
        _round("codes", "draft_round"),
        lambda w: {"count": 1, "issued": 2, "layout": "sheet", "address_confirmed": "y"},
    ),
    "branch.void_code": Case(
        "secretary",
        _round("void", "draft_round"),
        lambda w: {
            "serials": "1",
            "void_reason": "遗失",
            "layout": "sheet",
            "address_confirmed": "y",
        },
    ),
    "branch.open_round": Case("secretary", _round("open", "draft_round")),
    "branch.close_round": Case(
        "secretary", _round("close", "paper_round"), submitted=Expect.ROUND, approved=Expect.ROUND
    ),
    "branch.paper": Case(
        "teller",
        _round("paper", "paper_round"),
        lambda w: {"code": w.paper_codes[1], "digits": _digits(w)},
        submitted=Expect.ROUND,
        approved=Expect.ROUND,
    ),
    "branch.correct_paper_entry": Case(
        "teller",
        lambda w: f"/branch/rounds/{w.paper_round.id}/paper/entries/{w.entry.id}",
        lambda w: {"digits": "2" * len(subjects(w.paper_round.id))},
        submitted=Expect.ROUND,
        approved=Expect.ROUND,
    ),
    "branch.certify_round": Case(
        "teller",
        _round("certify", "paper_round"),
        submitted=Expect.ROUND,
        approved=Expect.ROUND,
        control=written_off_paper,
    ),
    "branch.write_off": Case(
        "committee",
        _round("write-off", "paper_round"),
        submitted=Expect.ROUND,
        approved=Expect.ROUND,
        control=closed_paper,
    ),
    "branch.propose_void": Case(
        "teller",
        lambda w: f"/branch/rounds/{w.paper_round.id}/paper/entries/{w.entry.id}/void",
        lambda w: {"reason": "纸质选票遗失"},
        submitted=Expect.ROUND,
        approved=Expect.ROUND,
    ),
    "branch.confirm_void": Case(
        "committee",
        lambda w: f"/branch/rounds/{w.paper_round.id}/paper/entries/{w.entry.id}/void/confirm",
        submitted=Expect.ROUND,
        approved=Expect.ROUND,
        control=void_proposed,
    ),
    # the villagers: a ballot needs an open round, and none is open once the year is submitted
    "ballot.enter": Case(
        "villager",
        lambda w: f"/v/{w.village.code}/",
        lambda w: {"code": w.draft_codes[0]},
        submitted=Expect.ROUND,
        approved=Expect.ROUND,
        control_elsewhere="tests/blueprints/test_ballot_pages.py",
    ),
    "ballot.cast": Case(
        "villager",
        lambda w: f"/v/{w.village.code}/ballot",
        lambda w: {f"s-{s.id}": "satisfied" for s in subjects(w.draft_round.id)},
        submitted=Expect.ROUND,
        approved=Expect.ROUND,
        control_elsewhere="tests/blueprints/test_ballot_end_to_end.py",
    ),
    # objections: the public files them in every state; the township answers once submitted
    "board.file": Case(
        "villager",
        lambda w: f"/{w.village.code}/board/objections",
        lambda w: {"topic": "tenstar", "content": "报送后才看到，有异议"},
        submitted=Expect.WRITES,
        approved=Expect.WRITES,
    ),
    "township.answer": Case(
        "reviewer",
        lambda w: (
            f"/township/villages/{w.village.id}/years/{YEAR}/objections/{_objection_id(w)}/answer"
        ),
        lambda w: {"answer": "乡镇答复"},
        submitted=Expect.WRITES,  # a new objection: the township's to answer
        approved=Expect.WRITES,
        control=fresh_objection,  # while the village may edit, the township may not answer
    ),
    # the township's own entries and decisions
    "township.score_cadre": Case(
        "reviewer",
        lambda w: f"/township/appraisal/{YEAR}/{w.zhang.id}/score",
        lambda w: {f"cadre-{w.zhang.id}-score": "88"},
        submitted=Expect.WRITES,  # its score stays open while it reviews
    ),
    "township.approve_year": Case(
        "reviewer",
        _township("approve"),
        lambda w: {"members": review_service.members_needing_approval(w.year)},
        submitted=Expect.WRITES,
        approved=Expect.REFUSED,
        control=to_submitted,
    ),
    "township.return_year": Case(
        "reviewer",
        _township("return"),
        lambda w: {"opinion": "请复核"},
        submitted=Expect.WRITES,
        approved=Expect.REFUSED,
        control=to_submitted,
    ),
    "township.reopen_year": Case(
        "reviewer",
        _township("reopen"),
        lambda w: {"reason": "发现错误"},
        submitted=Expect.REFUSED,
        approved=Expect.WRITES,
        control=to_approved,
    ),
    # not a village-year's: the village's registers and the township's administration
    "branch.new_member": "the roster: the year keeps its own list and membership (AssessedMember)",
    "branch.edit_member": "the roster (see branch.new_member)",
    "branch.leave_member": "the roster (see branch.new_member)",
    "branch.restore": "the roster (see branch.new_member)",
    "branch.import_roster": "the roster (see branch.new_member)",
    "branch.new_cadre": "the cadre list, kept across years",
    "branch.edit_cadre": "the cadre list, kept across years",
    "branch.deactivate": "the cadre list, kept across years",
    "branch.import_cadre_list": "the cadre list, kept across years",
    "branch.add_cadre_relative": "the cadre list, kept across years",
    "branch.remove_cadre_relative": "the cadre list, kept across years",
    "branch.add_supervisor": "the village's 村务监督委员会, kept across years",
    "branch.remove_supervisor": "the village's 村务监督委员会, kept across years",
    "branch.make_supervisor_chair": "the village's 村务监督委员会, kept across years",
    "branch.establish_supervisors": "the village's 村务监督委员会, kept across years",
    "branch.set_contact": "the branch's telephone on the board, kept across years",
    "township.index": "the township's villages",
    "township.add_user": "accounts",
    "township.reset_user_password": "accounts",
    "township.schemes": "the township's schemes (frozen once a village opens the year)",
    "township.scheme": "the township's schemes (frozen once a village opens the year)",
    "township.appraisal_scheme": "the township's schemes (frozen once a village opens the year)",
    "township.board_scheme": "the township's schemes (frozen once a village opens the year)",
    "branch.member_stars": "a member's current stars after the year's approval (摘星 / 升星, "
    "tests/blueprints/test_stars.py): they change between assessments, never the year's results",
    "auth.login": "logging in",
    "auth.logout": "logging out",
    "auth.change_password": "one's own password",
}


def test_every_post_route_is_in_the_table(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts - set(ROUTES) == set(), "a new POST route: say what it does to a locked year"
    assert set(ROUTES) - posts == set()


# --- running a case ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    for views in (assessment_views, year_member_views, report_views, review_views):
        monkeypatch.setattr(views, "china_today", lambda: TODAY)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table: what "nothing changed" is checked against."""
    db.session.expire_all()
    return {
        table.name: sorted(map(repr, db.session.execute(select(table)).all()))
        for table in db.metadata.sorted_tables
    }


def _client(app, world: World, case: Case) -> Any:
    """The sender's browser, logged in (or, for a villager, holding a scanned code)."""
    client = app.test_client()
    if case.user != "villager":
        login(client, world.users[case.user])
    elif case.url(world).endswith("/ballot"):
        from starrating.rules.tokens import shown

        client.get(f"/v/{world.village.code}/t/{shown(world.draft_codes[0])}")
    return client


def _send(client: Any, world: World, case: Case) -> str:
    response = client.post(case.url(world), data=case.data(world), follow_redirects=True)
    assert response.status_code < 500, response.status_code
    return " ".join(response.get_data(as_text=True).split())


CASES = [(endpoint, case) for endpoint, case in ROUTES.items() if isinstance(case, Case)]


@pytest.mark.parametrize("state", [YearState.SUBMITTED, YearState.APPROVED], ids=str)
@pytest.mark.parametrize(("endpoint", "case"), CASES, ids=[e for e, _ in CASES])
def test_a_write_to_a_locked_year(app, endpoint, case, state):
    world = build(state)
    expect = case.submitted if state is YearState.SUBMITTED else case.approved
    if expect is Expect.WRITES and endpoint == "township.answer":
        fresh_objection(world)  # filed after submission: the township's to answer
    client = _client(app, world, case)
    before = snapshot()
    page = _send(client, world, case)
    after = snapshot()
    if expect is Expect.WRITES:
        assert after != before, f"{endpoint} should write in a {state} year"
        return
    changed = {name for name in before if before[name] != after[name]}
    assert changed == set(), f"{endpoint} changed {changed} in a {state} year"
    if expect is Expect.LOCKED:
        assert lock_message(YEAR, state) in page, page[-1500:]


@pytest.mark.parametrize(("endpoint", "case"), CASES, ids=[e for e, _ in CASES])
def test_the_same_write_in_a_state_that_allows_it(app, endpoint, case):
    """The control: the request of the locked-year test writes when the year allows it (or,
    for the township's answer, is refused while the village answers)."""
    if case.control_elsewhere:
        pytest.skip(f"this route writes in {case.control_elsewhere}")
    world = build(None)
    if case.control:
        case.control(world)
    client = _client(app, world, case)
    before = snapshot()
    page = _send(client, world, case)
    after = snapshot()
    if endpoint == "township.answer":
        assert after == before and "群众异议由村党支部答复" in page
        return
    assert all(lock_message(YEAR, s) not in page for s in (YearState.SUBMITTED, YearState.APPROVED))
    assert after != before, f"{endpoint} wrote nothing in its control: {page[-1500:]}"


def test_a_new_objection_after_submission_goes_to_the_township(app):
    world = build(YearState.SUBMITTED)
    village = world.village
    board = app.test_client()
    page = board.post(
        f"/{village.code}/board/objections",
        data={"topic": "tenstar", "content": "报送后才看到"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "乡镇会逐条答复" in page and "乡镇答复" in page
    late = db.session.scalar(select(Objection).where(Objection.content == "报送后才看到"))
    secretary = app.test_client()
    login(secretary, world.users["secretary"])
    assert "1 条群众异议待乡镇答复" in secretary.get("/branch/").get_data(as_text=True)
    reviewer = app.test_client()
    login(reviewer, world.users["reviewer"])
    review = reviewer.get(f"/township/villages/{village.id}/years/{YEAR}/review")
    assert f"objections/{late.id}/answer" in review.get_data(as_text=True)
    assert f"objections/{world.objection.id}/answer" not in review.get_data(as_text=True)
    reviewer.post(
        f"/township/villages/{village.id}/years/{YEAR}/objections/{late.id}/answer",
        data={"answer": "乡镇已核实"},
    )
    shown = board.get(f"/{village.code}/board/objections/{late.reference}").get_data(as_text=True)
    assert "乡镇答复" in shown and "乡镇已核实" in shown
    listing = secretary.get(f"/branch/years/{YEAR}/objections").get_data(as_text=True)
    assert "乡镇已核实" in listing and f"objections/{late.id}/answer" not in listing
    # after a return, the township's answer stays the township's; the rest is the village's
    review_service.return_year(actor=world.users["reviewer"], year=world.year, opinion="请复核")
    db.session.commit()
    again = secretary.post(
        f"/branch/years/{YEAR}/objections/{late.id}/answer",
        data={"answer": "村里改写"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "这条异议已由乡镇答复，村里不能改写乡镇的答复" in again
    mine = secretary.post(
        f"/branch/years/{YEAR}/objections/{world.objection.id}/answer",
        data={"answer": "退回后补充答复"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已答复异议" in mine


def test_submission_waits_for_every_opened_round_to_be_certified(app):
    world = build(None)
    without_cadre_draft(world)
    closed_marking(world)
    secretary = world.users["secretary"]
    signed_off(world.year, Part.TENSTAR)
    review_service.publish_results(actor=secretary, year=world.year, today=PUBLISH_DAY)
    signed_off(world.year, Part.CADRES)
    review_service.publish_cadre_results(actor=secretary, year=world.year, today=PUBLISH_DAY)
    db.session.commit()
    blockers = review_service.submission_blockers(world.year, today=TODAY)
    assert blockers == ["尚有 1 轮测评未结束投票或计票结果未经两人确认"]  # the paper round
    finish_paper(world)
    db.session.commit()
    assert review_service.submission_blockers(world.year, today=TODAY) == []  # a draft is fine
