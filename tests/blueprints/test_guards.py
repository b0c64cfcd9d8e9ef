"""Every route is guarded, and each role reaches exactly its pages (DESIGN.md §3)."""

import re
from decimal import Decimal

import pytest

from starrating.extensions import db
from starrating.models import Cadre
from starrating.permissions import is_guarded
from starrating.queries.assessment import assessed_members
from starrating.rules.electorate import Electorate
from starrating.rules.vocabulary import Role
from starrating.services.ballots import create_round
from tests.factories import create_member, create_user, create_village, login, open_assessment

# Open to anyone: logging in, and the villagers' ballot (a one-time code is its key).
PUBLIC_BLUEPRINTS = {"ballot", "board"}


def _is_public(app, endpoint: str) -> bool:
    return endpoint == "static" or getattr(app.view_functions[endpoint], "is_public", False)


def test_only_login_and_the_villagers_pages_are_public(app):
    public = {rule.endpoint for rule in app.url_map.iter_rules() if _is_public(app, rule.endpoint)}
    unexpected = {
        e
        for e in public
        if e not in ("static", "auth.login") and e.partition(".")[0] not in PUBLIC_BLUEPRINTS
    }
    assert unexpected == set()
    assert "auth.login" in public


def _sample_url(rule) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)


def test_every_route_belongs_to_a_guarded_blueprint(app):
    unguarded = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not is_guarded(app, rule.endpoint)
    ]
    assert unguarded == []


def test_every_route_but_login_sends_a_stranger_to_the_login_page(app, client):
    for rule in app.url_map.iter_rules():
        if _is_public(app, rule.endpoint):
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_sample_url(rule), method=method)
        assert response.status_code == 302, rule.rule
        assert response.location.startswith("/login"), rule.rule


# path → expected status per role; {village}, {member}, {year}, {assessed} are the user's own.
def only(*roles: Role) -> dict[Role, int]:
    """200 for these roles, 403 for every other."""
    return {role: 200 if role in roles else 403 for role in Role}


T, S, C, V = Role.TOWNSHIP, Role.SECRETARY, Role.COMMITTEE, Role.SUPERVISOR
ROLE_PAGES = [
    ("/", dict.fromkeys(Role, 302)),
    ("/password", dict.fromkeys(Role, 200)),
    ("/township/", only(T)),
    ("/township/villages/{village}", only(T)),
    ("/township/audit", only(T)),
    ("/township/schemes", only(T)),
    ("/township/schemes/{year}", only(T)),
    ("/township/schemes/{year}/appraisal", only(T)),
    ("/branch/", only(S, C, Role.TELLER, Role.CADRE, V)),
    ("/branch/supervisors", only(S)),
    ("/branch/years/{year}/versions", only(S, C, V)),
    ("/branch/years/{year}/archive", only(S, C, V)),
    ("/branch/exports/years/{year}/archive.xlsx", only(S, C, V)),
    ("/branch/members", only(S, C)),
    ("/branch/members/new", only(S)),
    ("/branch/members/{member}/edit", only(S)),
    ("/branch/members/import", only(S)),
    ("/branch/members/template.xlsx", only(S)),
    ("/branch/stars", only(S, C)),
    ("/branch/members/{member}/stars", only(S, C)),
    ("/branch/stars/cards", {**only(S), S: 404}),  # no approved year: no cards to print
    ("/branch/audit", only(S)),
    ("/branch/contact", only(S)),
    ("/branch/years", only(S)),
    ("/branch/years/{year}", only(S)),
    ("/branch/years/{year}/results", only(S)),
    ("/branch/years/{year}/members/{assessed}", only(S)),
    ("/branch/marking", only(S, C)),
    ("/branch/marking/{year}/{assessed}", only(S, C)),
    ("/branch/rounds", only(S)),
    ("/branch/rounds/{round}", only(S)),
    ("/branch/rounds/{round}/tally", {**only(S), S: 409}),  # a round not closed: no results yet
    ("/branch/rounds/{round}/screen", only(S)),
    ("/branch/paper", only(S, C, Role.TELLER)),
    ("/branch/rounds/{round}/paper", only(S, C, Role.TELLER)),
    ("/branch/rounds/{round}/paper/disagreements", only(S, C, Role.TELLER)),
    ("/branch/rounds/{round}/certification", only(S, C, Role.TELLER)),
    ("/branch/cadres", only(S)),
    ("/branch/cadres/new", only(S)),
    ("/branch/cadres/{cadre}/edit", only(S)),
    ("/branch/cadres/import", only(S)),
    ("/branch/cadres/template.xlsx", only(S)),
    ("/branch/cadres/{cadre}/pledges/{year}", only(S)),
    ("/branch/my-pledges", only(S, Role.CADRE)),
    ("/branch/reports", only(S)),
    ("/branch/reports/999999/1", {**only(S, Role.CADRE), S: 404, Role.CADRE: 404}),  # no item
    ("/branch/appraisal/{year}", only(S)),
    ("/township/appraisal/{year}", only(T)),
    ("/branch/years/{year}/review", only(S)),
    ("/branch/years/{year}/objections", only(S)),
    ("/township/dashboard", only(T)),
    ("/township/villages/{village}/years/{year}/review", only(T)),
    ("/branch/exports/years/{year}/tenstar.xlsx", only(S)),
    ("/branch/exports/rounds/{round}/tally.xlsx", {**only(S), S: 409}),  # a round not closed
    ("/branch/exports/appraisal/{year}/cadres.xlsx", only(S)),
    ("/township/exports/villages/{village}/years/{year}/tenstar.xlsx", only(T)),
    ("/township/exports/rounds/{round}/tally.xlsx", {**only(T), T: 409}),  # a round not closed
    ("/township/exports/villages/{village}/appraisal/{year}/cadres.xlsx", only(T)),
    ("/township/exports/years/{year}/township.xlsx", only(T)),
]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(("path", "expected"), ROLE_PAGES, ids=[p for p, _ in ROLE_PAGES])
def test_role_reaches_page_with_status(client, role, path, expected):
    village = create_village()
    user = create_user(
        role=role, village=village if role.is_village_role else None, township=village.township
    )
    member = create_member(village=village)
    # the year's raters: the user when they may rate, so their marking pages open
    secretary = user if role is S else create_user(role=S, village=village)
    raters = [user] if role in (S, C) else [secretary]
    year = open_assessment(village=village, secretary=secretary, raters=raters)
    assessed = assessed_members(year.id)[0]
    ballot_round = create_round(
        actor=secretary,
        village=village,
        year=year.year,
        title="",
        members=True,
        cadres=False,
        electorate=Electorate.VILLAGERS,
        eligible=10,
    )
    cadre = Cadre(village_id=village.id, name="张三", post="村委会主任", base_pay=Decimal("24000"))
    db.session.add(cadre)
    db.session.commit()
    login(client, user)
    url = path.format(
        cadre=cadre.id,
        village=village.id,
        member=member.id,
        year=year.year,
        assessed=assessed.id,
        round=ballot_round.id,
    )
    assert client.get(url).status_code == expected[role]


def test_the_table_covers_every_page_a_user_can_open(app):
    listed = {path.split("{")[0].rstrip("/") for path, _ in ROLE_PAGES}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or _is_public(app, rule.endpoint):
            continue
        assert rule.rule.split("<")[0].rstrip("/") in listed, rule.rule


OTHER_VILLAGE_URLS = [
    ("GET", "/branch/members/{member}/edit"),
    ("POST", "/branch/members/{member}/edit"),
    ("POST", "/branch/members/{member}/leave"),
    ("POST", "/branch/members/{member}/restore"),
    ("GET", "/branch/members/{member}/stars"),
    ("POST", "/branch/members/{member}/stars"),
]


@pytest.mark.parametrize(("method", "path"), OTHER_VILLAGE_URLS)
def test_another_villages_member_is_not_found(client, method, path):
    mine, theirs = create_village(), create_village()
    secretary = create_user(role=Role.SECRETARY, village=mine)
    stranger = create_member(village=theirs, name="别村党员")
    login(client, secretary)
    response = client.open(path.format(member=stranger.id), method=method, data={"version": 1})
    assert response.status_code == 404
    assert "找不到页面" in response.get_data(as_text=True)


def test_another_townships_village_and_accounts_are_not_found(client):
    mine, theirs = create_village(), create_village()
    reviewer = create_user(role=Role.TOWNSHIP, township=mine.township)
    their_secretary = create_user(role=Role.SECRETARY, village=theirs)
    login(client, reviewer)
    assert client.get(f"/township/villages/{theirs.id}").status_code == 404
    assert client.post(f"/township/villages/{theirs.id}/users", data={}).status_code == 404
    assert client.post(f"/township/users/{their_secretary.id}/reset-password").status_code == 404
    assert client.get(f"/township/audit?village={theirs.id}").status_code == 404
