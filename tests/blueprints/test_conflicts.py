"""No one keys, scrutinises or certifies a cadre section they are a subject of (DESIGN.md §14):
every keying and certifying route of paper ballots, sent by each kind of conflicted user — the
secretary who is the 书记 cadre (their own account linked to the record), a teller and a
committee member listed as a cadre's close relatives — is refused with why, and changes
nothing; the same request by someone without a stake writes."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from starrating.extensions import db
from starrating.models import BallotRound, Cadre, CadreRelative, PaperEntry, User
from starrating.queries.ballots import subjects
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate
from starrating.rules.tokens import shown
from starrating.rules.vocabulary import PostKind, Role
from starrating.services.ballots import (
    close_round,
    create_round,
    generate_codes,
    open_round,
    write_off_unused_codes,
)
from starrating.services.paper import key_paper_ballot, propose_void
from tests.blueprints.test_locked_year import snapshot
from tests.factories import create_user, create_village, login

CONFLICTED = ("secretary", "relative_teller", "relative_committee")
WHY = {
    "secretary": "您是本次村干部测评的对象「王建国」（村党支部书记）本人",
    "relative_teller": "您是本次村干部测评对象「李永利」（村委会主任）登记的近亲属（儿子）",
    "relative_committee": "您是本次村干部测评对象「李永利」（村委会主任）登记的近亲属（配偶）",
}


@dataclass
class World:
    users: dict[str, User]
    round: BallotRound
    codes: list[str]
    entry: PaperEntry


def _marks(ballot_round: BallotRound) -> dict[int, Choice]:
    return {row.id: Choice.SATISFIED for row in subjects(ballot_round.id)}


def build() -> World:
    """A cadre round, open, of the 书记 (the secretary's account linked to the record) and the
    村委会主任 (his son a teller, his wife a committee member); a clean teller has keyed one
    sheet."""
    village = create_village()
    users = {
        "secretary": create_user(role=Role.SECRETARY, village=village, display_name="王建国"),
        "teller": create_user(role=Role.TELLER, village=village, display_name="姜春燕"),
        "committee": create_user(role=Role.COMMITTEE, village=village, display_name="张海涛"),
        "relative_teller": create_user(role=Role.TELLER, village=village, display_name="李小军"),
        "relative_committee": create_user(
            role=Role.COMMITTEE, village=village, display_name="王秀英"
        ),
    }
    shuji = Cadre(
        village=village,
        name="王建国",
        post="村党支部书记",
        post_kind=PostKind.PARTY,
        user_id=users["secretary"].id,
        base_pay=Decimal(30000),
    )
    zhuren = Cadre(
        village=village,
        name="李永利",
        post="村委会主任",
        post_kind=PostKind.VILLAGE_COMMITTEE,
        base_pay=Decimal(24000),
    )
    zhuren.relatives = [
        CadreRelative(name="李小军", relation="儿子", user_id=users["relative_teller"].id),
        CadreRelative(name="王秀英", relation="配偶", user_id=users["relative_committee"].id),
    ]
    db.session.add_all([shuji, zhuren])
    db.session.flush()
    ballot_round = create_round(
        actor=users["secretary"],
        village=village,
        year=2026,
        title="村干部测评",
        members=False,
        cadres=True,
        electorate=Electorate.VILLAGERS,
        eligible=10,
    )
    codes = [
        c.code for c in generate_codes(actor=users["secretary"], ballot_round=ballot_round, count=3)
    ]
    open_round(actor=users["secretary"], ballot_round=ballot_round)
    key_paper_ballot(
        user=users["teller"], ballot_round=ballot_round, code=codes[0], marks=_marks(ballot_round)
    )
    db.session.commit()
    entry = db.session.scalar(select(PaperEntry).where(PaperEntry.round_id == ballot_round.id))
    assert entry is not None
    return World(users=users, round=ballot_round, codes=codes, entry=entry)


def _closed(w: World) -> None:
    key_paper_ballot(
        user=w.users["committee"], ballot_round=w.round, code=w.codes[0], marks=_marks(w.round)
    )
    close_round(actor=w.users["secretary"], ballot_round=w.round)
    db.session.commit()


def _written_off(w: World) -> None:
    _closed(w)
    write_off_unused_codes(actor=w.users["committee"], ballot_round=w.round)
    db.session.commit()


def _void_proposed(w: World) -> None:
    propose_void(user=w.users["teller"], entry=w.entry, reason="纸质选票遗失")
    db.session.commit()


@dataclass(frozen=True)
class Route:
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    clean: str  # who sends the control, which writes
    state: Callable[[World], None] | None = None
    forbidden: tuple[str, ...] = ()  # conflicted users whose role cannot reach it at all (403)


def _round(path: str) -> Callable[[World], str]:
    return lambda w: f"/branch/rounds/{w.round.id}/{path}"


ROUTES = {
    "branch.paper": Route(
        _round("paper"), lambda w: {"code": shown(w.codes[1]), "digits": "11"}, "teller"
    ),
    "branch.correct_paper_entry": Route(
        lambda w: f"/branch/rounds/{w.round.id}/paper/entries/{w.entry.id}",
        lambda w: {"digits": "22"},
        "teller",
    ),
    "branch.propose_void": Route(
        lambda w: f"/branch/rounds/{w.round.id}/paper/entries/{w.entry.id}/void",
        lambda w: {"reason": "纸质选票遗失"},
        "teller",
    ),
    "branch.confirm_void": Route(
        lambda w: f"/branch/rounds/{w.round.id}/paper/entries/{w.entry.id}/void/confirm",
        lambda w: {},
        "committee",
        state=_void_proposed,
    ),
    "branch.write_off": Route(
        _round("write-off"), lambda w: {}, "committee", state=_closed, forbidden=("secretary",)
    ),
    "branch.certify_round": Route(_round("certify"), lambda w: {}, "teller", state=_written_off),
}


def test_the_table_lists_every_keying_and_certifying_route(app):
    """Every POST route of the paper and certification pages is walked here."""
    paper = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods
        and ("/paper" in rule.rule or rule.rule.endswith(("/certify", "/write-off")))
    }
    assert paper == set(ROUTES)


def _client(app, world: World, who: str) -> Any:
    client = app.test_client()
    login(client, world.users[who])
    return client


def _send(client: Any, world: World, route: Route) -> tuple[int, str]:
    response = client.post(route.url(world), data=route.data(world), follow_redirects=True)
    return response.status_code, " ".join(response.get_data(as_text=True).split())


CASES = [(endpoint, who) for endpoint in ROUTES for who in CONFLICTED]


@pytest.mark.parametrize(("endpoint", "who"), CASES, ids=[f"{e}-{w}" for e, w in CASES])
def test_a_conflicted_user_is_refused_with_why(app, endpoint, who):
    route = ROUTES[endpoint]
    world = build()
    if route.state:
        route.state(world)
    client = _client(app, world, who)
    before = snapshot()
    status, page = _send(client, world, route)
    assert snapshot() == before, f"{endpoint} by {who} changed something"
    if who in route.forbidden:
        assert status == 403
        return
    assert WHY[who] in page, page[-1500:]
    assert "不能录入、监票或确认本次测评" in page


@pytest.mark.parametrize("endpoint", list(ROUTES))
def test_someone_without_a_stake_may(app, endpoint):
    route = ROUTES[endpoint]
    world = build()
    if route.state:
        route.state(world)
    client = _client(app, world, route.clean)
    before = snapshot()
    _, page = _send(client, world, route)
    assert "本次村干部测评" not in page
    assert snapshot() != before, f"{endpoint} wrote nothing: {page[-1500:]}"


def test_a_member_round_has_no_cadre_section_to_be_conflicted_in(app):
    """The secretary-书记 keys a round of members only: nothing of theirs is on it."""
    world = build()
    secretary = world.users["secretary"]
    from tests.factories import create_member, open_assessment

    create_member(village=secretary.village, name="党员甲")
    open_assessment(village=secretary.village, secretary=secretary, raters=[secretary])
    members = create_round(
        actor=secretary,
        village=secretary.village,
        year=2026,
        title="党员测评",
        members=True,
        cadres=False,
        electorate=Electorate.VILLAGERS,
        eligible=10,
    )
    code = generate_codes(actor=secretary, ballot_round=members, count=1)[0].code
    open_round(actor=secretary, ballot_round=members)
    keyed = key_paper_ballot(user=secretary, ballot_round=members, code=code, marks=_marks(members))
    assert keyed.serial == 1


@pytest.mark.parametrize("who", CONFLICTED)
@pytest.mark.parametrize("path", ["paper", "certification"])
def test_the_keying_and_certification_pages_say_why_before_anyone_types(app, who, path):
    world = build()
    client = _client(app, world, who)
    page = " ".join(
        client.get(f"/branch/rounds/{world.round.id}/{path}").get_data(as_text=True).split()
    )
    assert WHY[who] in page
    clean = _client(app, world, "teller")
    assert 'id="conflict"' not in clean.get(f"/branch/rounds/{world.round.id}/{path}").get_data(
        as_text=True
    )
