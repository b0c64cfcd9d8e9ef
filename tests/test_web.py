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
    void = {"serials": HUGE, "void_reason": "遗失", "layout": "sheet"}
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


# --- the address printed in QR codes (ballots, the board's poster) -------------------------------

FORGED = "evil.example"


def _issued(ballot_round) -> int:
    from sqlalchemy import func, select

    from starrating.extensions import db
    from starrating.models import BallotToken

    return db.session.scalar(
        select(func.count(BallotToken.id)).where(BallotToken.round_id == ballot_round.id)
    )


def _logged_in_at(client, host: str) -> None:
    """The secretary's browser, logged in, sends its session to that host too (the test
    client keeps cookies per host name)."""
    session = client.get_cookie("session")
    client.set_cookie("session", session.value, domain=host.partition(":")[0])


def _print_codes(client, ballot_round, host: str):
    _logged_in_at(client, host)
    return client.post(
        f"/branch/rounds/{ballot_round.id}/codes",
        data={"count": 2, "issued": _issued(ballot_round), "layout": "sheet"},
        headers={"Host": host},
        follow_redirects=True,
    )


@pytest.fixture
def open_round_page(client, village_users):
    secretary, _ = village_users
    login(client, secretary)
    return secretary.village, create_member_round(village=secretary.village, secretary=secretary)


def test_a_forged_host_gets_no_qr_on_ballots_or_the_poster(client, open_round_page):
    village, ballot_round = open_round_page
    html = _print_codes(client, ballot_round, FORGED).get_data(as_text=True)
    assert "不能打印二维码" in html and "STARRATING_PUBLIC_URL" in html
    assert FORGED not in html and "<svg" not in html
    assert _issued(ballot_round) == 0  # no code was made that could not be printed with its QR
    _logged_in_at(client, FORGED)
    round_page = client.get(f"/branch/rounds/{ballot_round.id}", headers={"Host": FORGED})
    page = round_page.get_data(as_text=True)
    assert "不能打印二维码" in page and "生成票码并打开打印页" not in page
    poster = client.get(f"/{village.code}/board/poster", headers={"Host": FORGED})
    assert poster.status_code == 200
    html = poster.get_data(as_text=True)
    assert "不能打印二维码" in html and "STARRATING_PUBLIC_URL" in html
    assert FORGED not in html and "<svg" not in html


@pytest.mark.app_config(PUBLIC_BASE_URL="http://192.168.1.10:5000/")
def test_the_configured_public_address_is_printed_whatever_the_host(client, open_round_page):
    village, ballot_round = open_round_page
    html = _print_codes(client, ballot_round, FORGED).get_data(as_text=True)
    assert _issued(ballot_round) == 2 and FORGED not in html
    assert html.count("手机投票网址：http://192.168.1.10:5000/v/") == 2
    poster = client.get(f"/{village.code}/board/poster", headers={"Host": FORGED})
    html = poster.get_data(as_text=True)
    assert f"http://192.168.1.10:5000/{village.code}/board" in html and FORGED not in html


@pytest.mark.app_config(PUBLIC_HOSTS=("Dangjian.example.cn", "192.168.1.10:5000"))
def test_a_host_in_the_allow_list_is_printed_as_the_browser_used_it(client, open_round_page):
    village, ballot_round = open_round_page
    html = _print_codes(client, ballot_round, "dangjian.example.cn:8080").get_data(as_text=True)
    assert html.count("手机投票网址：http://dangjian.example.cn:8080/v/") == 2
    for host, printed in [("192.168.1.10:5000", True), ("192.168.1.10:6000", False)]:
        poster = client.get(f"/{village.code}/board/poster", headers={"Host": host})
        assert (f"http://{host}/{village.code}/board" in poster.get_data(as_text=True)) is printed


def test_the_allow_list_is_read_from_the_environment(monkeypatch):
    from starrating.config import from_environment

    monkeypatch.setenv("STARRATING_HOSTS", "192.168.1.10:5000, dangjian.example.cn")
    assert from_environment()["PUBLIC_HOSTS"] == ("192.168.1.10:5000", "dangjian.example.cn")
