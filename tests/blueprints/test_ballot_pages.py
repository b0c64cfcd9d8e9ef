"""The villager's ballot pages through the test client: scan or type a code, vote, receipt."""

import json
import re
import time
from dataclasses import dataclass
from decimal import Decimal

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.forms.ballot import CSRF_EXPIRED
from starrating.models import BallotReceipt, BallotRound, Cadre, CastBallot, User, Village
from starrating.queries.ballots import subjects, turnout
from starrating.rules.electorate import Electorate
from starrating.rules.tokens import code_hash, shown
from starrating.rules.vocabulary import Role
from starrating.services.ballots import (
    close_round,
    create_round,
    generate_codes,
    open_round,
    void_code,
)
from starrating.services.casting import REFUSALS
from tests.factories import create_member, create_user, create_village, open_assessment


def create_cadre(*, village, name="村干部甲", post="村委会主任"):
    """A cadre on the village's cadre list (the ballot's cadre section lists these)."""
    cadre = Cadre(village=village, name=name, post=post, base_pay=Decimal("24000.00"))
    db.session.add(cadre)
    db.session.commit()
    return cadre


@dataclass
class Branch:
    village: Village
    ballot_round: BallotRound
    codes: list[str]
    secretary: User

    @property
    def subject_ids(self) -> list[int]:
        return [s.id for s in subjects(self.ballot_round.id)]

    def scan_path(self, code: str) -> str:
        return f"/v/{self.village.code}/t/{shown(code)}"

    @property
    def base(self) -> str:
        return f"/v/{self.village.code}"


def make_branch(*, members: int = 3, cadres: int = 1, codes: int = 5, state: str = "open"):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    for i in range(members):
        create_member(village=village, name=f"党员{i + 1:02d}")
    for _ in range(cadres):
        create_cadre(village=village)
    open_assessment(village=village, secretary=secretary, raters=[secretary])
    ballot_round = create_round(
        actor=secretary,
        village=village,
        year=2026,
        title="2026 年度党员和村干部民主测评",
        members=members > 0,
        cadres=cadres > 0,
        electorate=Electorate.VILLAGERS,
        eligible=100,
    )
    printed = generate_codes(actor=secretary, ballot_round=ballot_round, count=codes)
    if state in ("open", "closed"):
        open_round(actor=secretary, ballot_round=ballot_round)
    if state == "closed":
        close_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()
    return Branch(village, ballot_round, [c.code for c in printed], secretary)


@pytest.fixture
def branch(app):
    return make_branch()


def page_text(response) -> str:
    return response.get_data(as_text=True)


def ballots_stored(ballot_round: BallotRound) -> int:
    return db.session.scalar(
        select(func.count()).select_from(CastBallot).where(CastBallot.round_id == ballot_round.id)
    )


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found, "the page has no hidden csrf_token input"
    return found.group(1)


# --- the whole flow -------------------------------------------------------------------------


def test_a_scanned_code_votes_once_and_shows_its_receipt(client, branch):
    first, second, third, cadre = branch.subject_ids
    scanned = client.get(branch.scan_path(branch.codes[0]))
    assert scanned.status_code == 302
    assert scanned.location == f"{branch.base}/ballot"
    assert shown(branch.codes[0]) not in scanned.location

    form = client.get(scanned.location)
    html = page_text(form)
    assert form.status_code == 200
    assert "2026 年度党员和村干部民主测评" in html
    assert "1. 党员（3 人）" in html and "2. 村干部（1 人）" in html
    for subject_id in branch.subject_ids:
        for value in ("satisfied", "basic", "dissatisfied", "unknown"):
            assert f'name="s-{subject_id}" value="{value}"' in html
    assert "checked" not in html  # nothing is preselected
    assert "未选择的行按空白计" in html
    assert "还有 <strong>4</strong> 行未选择" in html
    assert "提交" in html and "投出后不能修改" in html

    cast = client.post(
        f"{branch.base}/ballot",
        data={f"s-{first}": "satisfied", f"s-{second}": "basic", f"s-{cadre}": "unknown"},
    )
    assert cast.status_code == 200  # the receipt itself, no second request
    receipt_page = cast
    receipt = db.session.scalar(select(BallotReceipt.receipt))
    assert receipt in page_text(receipt_page)
    assert "回执码" in page_text(receipt_page) and "公示栏" in page_text(receipt_page)
    assert "已投票" not in page_text(receipt_page)

    stored = db.session.scalars(select(CastBallot)).one()
    assert stored.marks == {str(first): "satisfied", str(second): "basic", str(cadre): "unknown"}

    again = client.post(f"{branch.base}/ballot", data={f"s-{first}": "dissatisfied"})
    assert again.status_code == 200
    assert "已投票" in page_text(again) and receipt in page_text(again)
    back = client.get(f"{branch.base}/ballot")  # the browser's back button
    assert back.status_code == 200 and "已投票" in page_text(back)
    assert ballots_stored(branch.ballot_round) == 1
    assert turnout(branch.ballot_round).returned == 1
    assert turnout(branch.ballot_round).phone == 1


def test_a_double_tap_carrying_the_old_session_is_already_in_and_not_counted(app, branch):
    first_tap, second_tap = app.test_client(), app.test_client()
    first_tap.get(branch.scan_path(branch.codes[0]))
    # the second tap leaves before the first answer's cookie arrives: same session as before it
    second_tap.set_cookie("session", first_tap.get_cookie("session").value)
    first, *_ = branch.subject_ids
    assert first_tap.post(f"{branch.base}/ballot", data={f"s-{first}": "basic"}).status_code == 200
    repeated = second_tap.post(f"{branch.base}/ballot", data={f"s-{first}": "satisfied"})
    assert repeated.status_code == 200
    assert "已投票" in page_text(repeated)
    assert ballots_stored(branch.ballot_round) == 1


def test_a_ballot_with_every_row_blank_is_returned(client, branch):
    client.get(branch.scan_path(branch.codes[0]))
    assert client.post(f"{branch.base}/ballot", data={}).status_code == 200
    assert db.session.scalars(select(CastBallot.marks)).one() == {}


def test_a_row_cleared_with_its_clear_box_is_stored_blank(client, branch):
    first, second, *_ = branch.subject_ids
    client.get(branch.scan_path(branch.codes[0]))
    data = {f"s-{first}": "", f"s-{second}": "basic"}
    assert client.post(f"{branch.base}/ballot", data=data).status_code == 200
    assert db.session.scalars(select(CastBallot.marks)).one() == {str(second): "basic"}


def test_the_ballot_needs_a_code_first(client, branch):
    response = client.get(f"{branch.base}/ballot")
    assert response.status_code == 303
    assert response.location == f"{branch.base}/"
    assert "请先输入选票上的票码" in page_text(client.get(response.location))
    assert client.post(f"{branch.base}/ballot", data={}).status_code == 303
    assert client.get(f"{branch.base}/receipt").status_code == 303
    assert ballots_stored(branch.ballot_round) == 0


def test_an_unknown_village_is_a_chinese_404(client, branch):
    for path in ("/v/no-such-village/", f"/v/no-such-village/t/{shown(branch.codes[0])}"):
        response = client.get(path)
        assert response.status_code == 404
        assert "找不到投票页面" in page_text(response)


# --- typing a code --------------------------------------------------------------------------


def spellings(code: str) -> list[str]:
    return [
        shown(code),
        code,
        code.lower(),
        shown(code).lower(),
        f" {code[:5]} {code[5:]} ",
        f"{code[:3]}-{code[3:6]}-{code[6:]}",
        f"{code[:5]}－{code[5:]}",  # a full-width dash from a Chinese keyboard
    ]


def test_a_typed_code_is_accepted_in_any_spelling(app, branch):
    for typed in spellings(branch.codes[0]):
        client = app.test_client()
        entered = client.get(f"{branch.base}/")
        html = page_text(entered)
        assert 'autocapitalize="characters"' in html and 'autocomplete="off"' in html
        assert "进入投票" in html and branch.village.name in html
        response = client.post(f"{branch.base}/", data={"code": typed})
        assert response.status_code == 302, typed
        assert response.location == f"{branch.base}/ballot"
        assert client.get(response.location).status_code == 200


def test_a_code_that_cannot_be_one_says_how_a_code_looks(client, branch):
    response = client.post(f"{branch.base}/", data={"code": "ABC-123"})
    assert response.status_code == 422
    assert "10 位字母和数字" in page_text(response)
    assert 'value="ABC-123"' in page_text(response)  # kept, to correct rather than retype
    empty = client.post(f"{branch.base}/", data={"code": ""})
    assert "请输入选票上的票码" in page_text(empty)


# --- refusals -------------------------------------------------------------------------------


def refusal_after_scan(client, branch, code: str) -> str:
    response = client.get(branch.scan_path(code))
    assert response.status_code == 302
    assert response.location == f"{branch.base}/"
    page = client.get(response.location)
    assert page.status_code == 422  # the code box again, saying why the code was refused
    return page_text(page)


def test_a_wrong_code_says_to_check_it(client, branch):
    wrong = "23456789AB" if branch.codes[0] != "23456789AB" else "23456789AC"
    html = refusal_after_scan(client, branch, wrong)
    assert "票码不对" in html and REFUSALS["unknown"] in html
    typed = client.post(f"{branch.base}/", data={"code": wrong})
    assert REFUSALS["unknown"] in page_text(typed)


def test_a_used_code_says_the_ballot_is_in_and_shows_its_receipt_again(client, app, branch):
    client.get(branch.scan_path(branch.codes[0]))
    client.post(f"{branch.base}/ballot", data={})
    receipt = db.session.scalar(select(BallotReceipt.receipt))
    # scanned again, on another phone: the receipt page, not the ballot
    again = app.test_client()
    scanned = again.get(branch.scan_path(branch.codes[0]))
    assert scanned.status_code == 302 and scanned.location == f"{branch.base}/receipt"
    html = page_text(again.get(scanned.location))
    assert "已投票" in html and "不会重复计算" in html and receipt in html
    # typed again: the same, on the code page
    typed = app.test_client().post(f"{branch.base}/", data={"code": shown(branch.codes[0])})
    assert REFUSALS["used"] in page_text(typed) and receipt in page_text(typed)


def test_a_voided_code_says_to_ask_the_staff(client, branch):
    void_code(actor=branch.secretary, ballot_round=branch.ballot_round, serial=2, reason="遗失")
    db.session.commit()
    html = refusal_after_scan(client, branch, branch.codes[1])
    assert "作废" in html and REFUSALS["void"] in html


def test_a_code_of_another_village_says_so(client, branch):
    other = make_branch(members=1, cadres=0)
    html = refusal_after_scan(client, branch, other.codes[0])
    assert "不是本村的票码" in html and REFUSALS["other_village"] in html


def test_a_closed_round_says_voting_is_over(client, app):
    closed = make_branch(state="closed")
    html = refusal_after_scan(client, closed, closed.codes[0])
    assert "投票已经结束" in html and REFUSALS["closed"] in html


def test_a_code_scanned_before_the_round_opens_votes_after_a_refresh(client, app):
    early = make_branch(state="draft")
    scanned = client.get(early.scan_path(early.codes[0]))
    assert scanned.location == f"{early.base}/ballot"
    waiting = client.get(scanned.location)
    assert waiting.status_code == 200
    assert REFUSALS["not_open"] in page_text(waiting) and "刷新" in page_text(waiting)
    assert client.post(f"{early.base}/ballot", data={}).status_code == 200
    assert ballots_stored(early.ballot_round) == 0
    open_round(actor=early.secretary, ballot_round=early.ballot_round)
    db.session.commit()
    assert 'name="s-' in page_text(client.get(f"{early.base}/ballot"))
    assert client.post(f"{early.base}/ballot", data={}).status_code == 200


# --- marks that no ballot page sends ---------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        {"s-999999": "satisfied"},  # a subject of no round
        {"s-abc": "satisfied"},
        {"s-{first}": "very"},
        {"s-{first}": ["satisfied", "basic"]},
    ],
)
def test_marks_no_ballot_page_sends_are_refused_and_nothing_is_stored(client, branch, field):
    first, *_ = branch.subject_ids
    client.get(branch.scan_path(branch.codes[0]))
    data = {name.format(first=first): value for name, value in field.items()}
    response = client.post(f"{branch.base}/ballot", data=data)
    assert response.status_code == 400
    assert "没有保存" in page_text(response) or "有误" in page_text(response)
    assert 'name="s-' in page_text(response)  # the ballot again, to vote properly
    assert ballots_stored(branch.ballot_round) == 0
    assert turnout(branch.ballot_round).returned == 0
    assert client.post(f"{branch.base}/ballot", data={}).status_code == 200


def test_a_subject_of_another_round_is_refused(client, branch):
    other = make_branch(members=1, cadres=0)
    client.get(branch.scan_path(branch.codes[0]))
    response = client.post(f"{branch.base}/ballot", data={f"s-{other.subject_ids[0]}": "satisfied"})
    assert response.status_code == 400
    assert ballots_stored(branch.ballot_round) == 0


# --- CSRF and caching -----------------------------------------------------------------------


def aged_csrf_token(app, client, seconds: int) -> str:
    """A token the page would have carried `seconds` ago."""
    with client.session_transaction() as session:
        raw = session["csrf_token"]

    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds

    serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token", signer=Then)
    return serializer.dumps(raw)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_page_left_open_for_two_hours_still_submits(app, client, branch):
    client.get(branch.scan_path(branch.codes[0]))
    html = page_text(client.get(f"{branch.base}/ballot"))
    assert csrf_token(html)
    token = aged_csrf_token(app, client, 2 * 3600)
    response = client.post(f"{branch.base}/ballot", data={"csrf_token": token})
    assert response.status_code == 200


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_an_expired_page_comes_back_with_the_choices_and_the_code_kept(app, client, branch):
    first, second, *_ = branch.subject_ids
    client.get(branch.scan_path(branch.codes[0]))
    client.get(f"{branch.base}/ballot")
    token = aged_csrf_token(app, client, 7 * 3600)
    marks = {f"s-{first}": "satisfied", f"s-{second}": "dissatisfied"}
    expired = client.post(f"{branch.base}/ballot", data={"csrf_token": token, **marks})
    html = page_text(expired)
    assert expired.status_code == 400
    assert CSRF_EXPIRED in html
    assert f'name="s-{first}" value="satisfied" checked' in html
    assert f'name="s-{second}" value="dissatisfied" checked' in html
    assert "还有 <strong>2</strong> 行未选择" in html
    # The two rows still to choose are listed as jumps, and the next-row link leads to the first.
    third, fourth = branch.subject_ids[2:4]
    jumps = re.findall(r'<a href="#row-(\d+)">', html)
    assert jumps == [str(third), str(fourth)]
    assert f'href="#row-{third}" class="next"' in html
    assert ballots_stored(branch.ballot_round) == 0
    again = client.post(f"{branch.base}/ballot", data={"csrf_token": csrf_token(html), **marks})
    assert again.status_code == 200
    assert ballots_stored(branch.ballot_round) == 1


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_post_without_the_token_is_refused(client, branch):
    client.get(branch.scan_path(branch.codes[0]))
    assert client.post(f"{branch.base}/ballot", data={}).status_code == 400
    assert client.post(f"{branch.base}/", data={"code": branch.codes[1]}).status_code == 400
    assert ballots_stored(branch.ballot_round) == 0


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_typing_a_code_with_the_form_token(client, branch):
    html = page_text(client.get(f"{branch.base}/"))
    response = client.post(
        f"{branch.base}/", data={"csrf_token": csrf_token(html), "code": branch.codes[0]}
    )
    assert response.status_code == 302


def test_no_ballot_page_is_kept_in_a_cache(client, branch):
    responses = [client.get(f"{branch.base}/"), client.get(branch.scan_path(branch.codes[0]))]
    responses.append(client.get(f"{branch.base}/ballot"))
    responses.append(client.post(f"{branch.base}/ballot", data={}))
    responses.append(client.get(f"{branch.base}/receipt"))
    responses.append(client.post(f"{branch.base}/ballot", data={}))
    for response in responses:
        assert response.headers["Cache-Control"] == "no-store", response.request.path
        assert response.headers["Referrer-Policy"] == "no-referrer"


# --- a whole branch -------------------------------------------------------------------------


def test_a_ballot_of_58_members_renders_in_order(client, app):
    big = make_branch(members=58, cadres=0)
    client.get(big.scan_path(big.codes[0]))
    html = page_text(client.get(f"{big.base}/ballot"))
    assert html.count("data-row") == 58
    assert html.count('type="radio"') == 58 * 5  # four choices and 「清除」 per row
    names = re.findall(r'<span class="name">([^<]+)</span>', html)
    assert names == [f"党员{i:02d}" for i in range(1, 59)]
    assert "还有 <strong>58</strong> 行未选择" in html and "共 58 行" in html
    assert "checked" not in html


def session_of(app, client) -> dict:
    """The phone's session as the server would read it from the (signed, readable) cookie."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def test_the_session_keeps_the_codes_keyed_hash_never_the_code(app, client, branch):
    code = branch.codes[0]
    client.get(branch.scan_path(code))
    held = session_of(app, client)["ballot"]
    raw = json.dumps(held)
    assert code not in raw and shown(code) not in raw and code.lower() not in raw
    assert held["hash"] == code_hash(code, app.config["SECRET_KEY"].encode())
    client.post(f"{branch.base}/ballot", data={})
    after = session_of(app, client)["ballot"]
    assert set(after) == {"village", "receipt"}, "once the ballot is in, only its receipt"


def test_a_retry_after_a_lost_answer_shows_the_same_receipt(app, client, branch):
    client.get(branch.scan_path(branch.codes[0]))
    cookies_before = session_of(app, client)
    first = client.post(f"{branch.base}/ballot", data={})
    receipt = db.session.scalar(select(BallotReceipt.receipt))
    assert receipt in page_text(first)
    # the answer never reached the phone: it still has the old cookie and sends the form again
    lost = app.test_client()
    serializer = app.session_interface.get_signing_serializer(app)
    lost.set_cookie("session", serializer.dumps(cookies_before))
    again = lost.post(f"{branch.base}/ballot", data={})
    assert again.status_code == 200
    assert "已投票" in page_text(again) and receipt in page_text(again)
    assert db.session.scalar(select(func.count()).select_from(BallotReceipt)) == 1
    # and the receipt link of the 已投票 page leads to the receipt, not round in circles
    shown_again = lost.get(f"{branch.base}/receipt")
    assert shown_again.status_code == 200 and receipt in page_text(shown_again)


def test_a_code_typed_with_a_chinese_input_method_opens_the_ballot(client, branch):
    code = branch.codes[0]
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in code[:5]) + "－"
    wide += "".join(chr(ord(ch) + 0xFEE0) for ch in code[5:])
    response = client.post(f"{branch.base}/", data={"code": wide})
    assert response.status_code == 302 and response.location.endswith("/ballot")


def test_a_typed_look_alike_is_explained(client, branch):
    response = client.post(f"{branch.base}/", data={"code": "ABCDE-FGH0O"})
    assert "票码不用 0、O、1、I、L" in page_text(response)
