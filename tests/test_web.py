"""Web hygiene shared by every page (starrating/web.py): numbers in URLs and query strings."""

import re

import pytest

from starrating.rules.vocabulary import Role
from tests.factories import (
    create_member,
    create_member_round,
    create_user,
    create_village,
    login,
    open_assessment,
)

HUGE = "99999999999999999999999"  # beyond SQLite's 64 bits: OverflowError in the driver
JUST_OVER = str(2**31)  # beyond PostgreSQL's integer


@pytest.fixture
def village_users():
    village = create_village(name="翁家埠村")
    secretary = create_user(role=Role.SECRETARY, village=village)
    reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
    create_member(village=village, name="王建国")
    open_assessment(village=village, secretary=secretary, raters=[secretary])
    return secretary, reviewer


def _with_ints(rule, number: str) -> str:
    """The rule's URL with number for every <int:…> and a plain word for the other parts."""
    path = re.sub(r"<int:\w+>", number, rule.rule)
    return re.sub(r"<(?:\w+:)?\w+>", "wengjiabu", path)


@pytest.mark.parametrize("number", [HUGE, JUST_OVER])
def test_a_number_too_big_for_the_database_in_any_url_is_not_found(client, village_users, number):
    secretary, reviewer = village_users
    rules = [r for r in client.application.url_map.iter_rules() if "<int:" in r.rule]
    assert len(rules) > 40
    answers = {}
    for user in (secretary, reviewer):
        login(client, user)
        for rule in rules:
            method = "GET" if "GET" in rule.methods else "POST"
            url = _with_ints(rule, number)
            answers[(user.role, url)] = client.open(url, method=method).status_code
        client.post("/logout")
    assert {key: code for key, code in answers.items() if code >= 500} == {}
    for url, role in [
        (f"/branch/years/{number}", Role.SECRETARY),
        (f"/branch/years/{number}/review", Role.SECRETARY),
        (f"/branch/members/{number}/edit", Role.SECRETARY),
        (f"/branch/rounds/{number}", Role.SECRETARY),
        (f"/branch/years/{number}/members/{number}", Role.SECRETARY),
        (f"/township/villages/{number}", Role.TOWNSHIP),
        (f"/township/schemes/{number}", Role.TOWNSHIP),
    ]:
        assert answers[(role, url)] == 404, url


@pytest.mark.parametrize("number", [HUGE, JUST_OVER, "-3", "abc"])
def test_a_query_number_out_of_range_is_ignored_or_not_found(client, village_users, number):
    secretary, reviewer = village_users
    login(client, secretary)
    for url in (f"/branch/audit?page={number}", f"/branch/reports?year={number}"):
        response = client.get(url)
        assert response.status_code == 200, url
    client.post("/logout")
    login(client, reviewer)
    for url in (
        f"/township/audit?page={number}",
        f"/township/audit?village={number}&page={number}",
        f"/township/dashboard?year={number}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_a_number_too_big_for_the_database_in_a_form_is_refused_in_chinese(client, village_users):
    secretary, _ = village_users
    login(client, secretary)
    ballot_round = create_member_round(village=secretary.village, secretary=secretary)
    void = {"serial": HUGE, "void_reason": "遗失", "layout": "sheet"}
    for url, data in [
        ("/branch/years/2026/members", {"member": HUGE}),
        ("/branch/years/2026/raters", {"raters": HUGE}),
        ("/branch/years/2026/excellence", {"members": HUGE, "opinion": "支委会讨论"}),
        (f"/branch/rounds/{ballot_round.id}/void", void),
        ("/branch/years", {"year": HUGE}),
    ]:
        response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code in (200, 400, 404, 422), url
        assert "系统出错了" not in response.get_data(as_text=True), url
