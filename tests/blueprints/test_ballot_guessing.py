"""Wrong ballot codes (services/guessing.py): a valid code always votes, a typed wrong code slows
its own address a little more each time, a wrong link is only a signal, no village is ever
stopped, and the secretary's round page raises the alert."""

import pytest

from starrating.rules.tokens import ALPHABET
from tests.blueprints.test_ballot_pages import ballots_stored, make_branch, page_text
from tests.factories import login

NOT_A_CODE = "票码不对"


@pytest.fixture
def branch(app):
    return make_branch()


def client_at(app, address: str):
    """A phone of its own, at its own address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def wrong_codes(count: int, start: int = 0) -> list[str]:
    """Well-formed codes that no round printed."""
    base = len(ALPHABET)
    return [
        "WRQNG" + "".join(ALPHABET[(n // base**i) % base] for i in range(5))
        for n in range(start, start + count)
    ]


def type_code(client, branch, code: str):
    return client.post(f"{branch.base}/", data={"code": code})


def votes(client, branch) -> bool:
    """The phone, holding a code, casts a blank ballot and gets its receipt."""
    return "投票成功" in page_text(client.post(f"{branch.base}/ballot", data={}))


def test_typed_wrong_codes_make_the_address_wait_a_little_longer_each_time(app, branch, clock):
    phone = client_at(app, "10.0.0.5")
    for code in wrong_codes(5):  # typing slips: no wait at all
        answer = type_code(phone, branch, code)
        assert answer.status_code == 422 and NOT_A_CODE in page_text(answer)
    too_soon = type_code(phone, branch, wrong_codes(1, 5)[0])
    assert too_soon.status_code == 429
    text = page_text(too_soon)
    assert "请等 2 秒再试" in text and "工作人员" in text and "重新输入票码" in text
    assert too_soon.headers["Cache-Control"] == "no-store"
    clock.forward(2)
    assert type_code(phone, branch, wrong_codes(1, 6)[0]).status_code == 422
    assert "请等 4 秒再试" in page_text(type_code(phone, branch, wrong_codes(1, 7)[0]))
    clock.forward(3)
    assert "请等 1 秒再试" in page_text(type_code(phone, branch, wrong_codes(1, 8)[0]))


def test_a_valid_code_is_never_refused_however_many_wrong_ones_came_first(app, branch, clock):
    guesser = client_at(app, "10.0.0.66")
    for code in wrong_codes(100):  # waiting out each short wait, until the long one
        answer = type_code(guesser, branch, code)
        if answer.status_code == 429 and "请等 5 分钟再试" in page_text(answer):
            break
        if answer.status_code == 429:
            clock.forward(30)
    else:
        pytest.fail("twenty wrong codes within ten minutes start the five-minute wait")
    typed = type_code(guesser, branch, branch.codes[0])
    assert typed.status_code == 302 and typed.location.endswith("/ballot")
    assert votes(guesser, branch)
    assert guesser.get(branch.scan_path(branch.codes[1])).location.endswith("/ballot")
    assert votes(guesser, branch)
    assert ballots_stored(branch.ballot_round) == 2


def test_wrong_codes_in_links_never_make_a_phone_wait(app, branch, clock):
    # An <img src=".../t/anything"> on any page a villager opens makes the phone "scan".
    phone = client_at(app, "10.0.0.8")
    for code in wrong_codes(50):
        scanned = phone.get(branch.scan_path(code))
        assert scanned.status_code == 302 and scanned.location.endswith(f"{branch.base}/")
    answer = type_code(phone, branch, wrong_codes(1, 50)[0])
    assert answer.status_code == 422 and NOT_A_CODE in page_text(answer)


def test_no_number_of_wrong_codes_stops_a_village(app, branch, clock):
    for n, code in enumerate(wrong_codes(320)):  # 20 addresses, typed and scanned
        guesser = client_at(app, f"10.0.1.{n % 20}")
        if n % 2:
            guesser.get(branch.scan_path(code))
        else:
            type_code(guesser, branch, code)
    newcomer = client_at(app, "10.0.2.1")
    answer = type_code(newcomer, branch, wrong_codes(1, 400)[0])
    assert answer.status_code == 422 and NOT_A_CODE in page_text(answer)
    assert newcomer.get(branch.scan_path(branch.codes[0])).location.endswith("/ballot")
    assert votes(newcomer, branch)


def test_valid_codes_and_typing_slips_never_count(app, branch, clock):
    client = client_at(app, "10.0.0.9")
    for _ in range(25):
        assert client.get(branch.scan_path(branch.codes[0])).status_code == 302
        assert type_code(client, branch, "ABC").status_code == 422
    client.post(f"{branch.base}/ballot", data={})
    for _ in range(25):  # a used code is a real one
        assert client.get(branch.scan_path(branch.codes[0])).status_code == 302
    for code in wrong_codes(5):
        assert type_code(client, branch, code).status_code == 422
    assert client.get(branch.scan_path(branch.codes[1])).location.endswith("/ballot")


# --- the secretary's alert ------------------------------------------------------------------


def round_page(app, branch) -> str:
    secretary = app.test_client()
    login(secretary, branch.secretary)
    return page_text(secretary.get(f"/branch/rounds/{branch.ballot_round.id}"))


def guess(app, branch, count: int, *, addresses: int, links: int = 0) -> None:
    for n, code in enumerate(wrong_codes(count)):
        phone = client_at(app, f"10.0.3.{n % addresses}")
        if n < links:
            phone.get(branch.scan_path(code))
        else:
            type_code(phone, branch, code)


@pytest.mark.parametrize("count", [29, 30])
def test_the_round_page_alerts_the_secretary_past_thirty_wrong_codes_an_hour(
    app, branch, clock, count
):
    guess(app, branch, count, addresses=3, links=10)
    html = round_page(app, branch)
    if count < 30:
        assert "有人可能在猜票码" not in html
        return
    assert "有人可能在猜票码" in html
    assert "最近一小时有 30 次输入了不存在的票码" in html
    assert "来自 3 个网络地址" in html and "其中 10 次是打开了带错误票码的链接" in html
    assert "正确的票码照常可以投票" in html


def test_the_alert_is_per_village_and_ends_after_an_hour(app, branch, clock):
    guess(app, branch, 30, addresses=2)
    other = make_branch(members=1, cadres=0)
    assert "有人可能在猜票码" not in round_page(app, other)
    clock.forward(3600)
    assert "有人可能在猜票码" not in round_page(app, branch)
