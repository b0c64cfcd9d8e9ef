"""The public receipts list of closed rounds and the secretary's big screen (DESIGN.md §6, §8)."""

import re
from datetime import date

import pytest

from starrating.extensions import db
from starrating.models import Certification
from starrating.models.types import utcnow
from starrating.queries.ballots import subjects
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate
from starrating.rules.vocabulary import Role
from starrating.services.ballots import (
    cast_ballot,
    close_round,
    create_round,
    generate_codes,
    open_round,
)
from tests.factories import (
    counting_queries,
    create_member,
    create_member_round,
    create_user,
    create_village,
    login,
    open_assessment,
)

S, B, D = Choice.SATISFIED, Choice.BASIC, Choice.DISSATISFIED
PHONE = "13812345678"
BIRTH = date(1958, 3, 17)
NAMES = ["王建国", "李桂兰", "张秀英", "刘志强", "陈海燕", "杨国庆", "黄丽华", "赵德明"]
RECEIPT = re.compile(r"<li[^>]*>([2-9A-Z]{8})</li>")


@pytest.fixture
def branch(app):
    """A village with a roster carrying phones and birth dates, its 2026 year open."""
    village = create_village(name="翁家埠村")
    secretary = create_user(role=Role.SECRETARY, village=village)
    for name in NAMES[:2]:
        create_member(village=village, name=name, phone=PHONE, birth_date=BIRTH)
    open_assessment(village=village, secretary=secretary, raters=[secretary])
    return village, secretary


def make_round(village, secretary, *, ballots=0, eligible=10, close=False, title="测评"):
    """A member round with codes printed, opened, ballots cast on phones (all 满意 for the
    first subject, 基本满意 for the others); closed if asked. Returns (round, receipts)."""
    ballot_round = create_round(
        actor=secretary,
        village=village,
        year=2026,
        title=title,
        members=True,
        cadres=False,
        electorate=Electorate.VILLAGERS,
        eligible=eligible,
    )
    codes = generate_codes(actor=secretary, ballot_round=ballot_round, count=eligible)
    open_round(actor=secretary, ballot_round=ballot_round)
    rows = subjects(ballot_round.id)
    receipts = [
        cast_ballot(
            village=village,
            code=code.code,
            marks={row.id: S if i == 0 else B for i, row in enumerate(rows)},
        )
        for code in codes[:ballots]
    ]
    if close:
        close_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()
    return ballot_round, receipts


def certify(ballot_round, village):
    teller = create_user(role=Role.TELLER, village=village)
    scrutineer = create_user(role=Role.COMMITTEE, village=village)
    teller.display_name, scrutineer.display_name = "周计票", "吴监票"
    for user in (scrutineer, teller):
        db.session.add(Certification(round_id=ballot_round.id, user_id=user.id))
    ballot_round.certified_at = utcnow()
    db.session.commit()


def listed(html: str) -> list[str]:
    return RECEIPT.findall(html)


# --- the receipts list ------------------------------------------------------------------------


def test_receipts_list_exactly_the_counted_ballots_of_closed_rounds(client, branch):
    village, secretary = branch
    done, counted = make_round(village, secretary, ballots=3, close=True, title="上半年测评")
    _, pending = make_round(village, secretary, ballots=2, title="下半年测评")
    html = client.get(f"/v/{village.code}/receipts").get_data(as_text=True)
    assert sorted(listed(html)) == sorted(counted)
    assert not set(pending) & set(listed(html))
    assert "上半年测评" in html
    assert "共 <strong>3</strong> 张有效回收" in html
    assert "「下半年测评」投票进行中，结束后公布回执码" in html


def test_no_receipts_while_the_round_is_open(client, branch):
    village, secretary = branch
    make_round(village, secretary, ballots=2)
    html = client.get(f"/v/{village.code}/receipts").get_data(as_text=True)
    assert listed(html) == []
    assert "投票进行中，结束后公布回执码" in html


def test_receipts_are_in_alphabetical_order(client, branch):
    village, secretary = branch
    _, counted = make_round(village, secretary, ballots=8, close=True)
    html = client.get(f"/v/{village.code}/receipts").get_data(as_text=True)
    assert listed(html) == sorted(counted)


def test_the_find_box_finds_a_receipt_typed_loosely(client, branch):
    village, secretary = branch
    _, counted = make_round(village, secretary, ballots=3, close=True)
    loose = " " + counted[1][:4].lower() + " " + counted[1][4:] + " "
    html = client.get(f"/v/{village.code}/receipts", query_string={"q": loose}).get_data(
        as_text=True
    )
    assert f'您的回执码 <strong class="mono">{counted[1]}</strong> 在列，您的选票已计入' in html
    assert f'<li class="hit" id="hit">{counted[1]}</li>' in html


def test_the_find_box_says_when_a_receipt_is_not_there(client, branch):
    village, secretary = branch
    _, counted = make_round(village, secretary, ballots=3, close=True)
    absent = next(r for r in ("22222222", "33333333", "44444444") if r not in counted)
    for typed in (absent, "ABC"):
        response = client.get(f"/v/{village.code}/receipts", query_string={"q": typed})
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "没有找到" in html and "请核对" in html
        assert "在列" not in html
        assert 'class="hit"' not in html


def test_an_uncertified_round_says_its_tally_awaits_certification(client, branch):
    village, secretary = branch
    ballot_round, _ = make_round(village, secretary, ballots=1, close=True)
    url = f"/v/{village.code}/receipts"
    assert "计票结果待计票人、监票人确认" in client.get(url).get_data(as_text=True)
    certify(ballot_round, village)
    assert "计票结果待计票人、监票人确认" not in client.get(url).get_data(as_text=True)


def test_the_receipts_page_shows_no_personal_data(client, branch):
    village, secretary = branch
    ballot_round, _ = make_round(village, secretary, ballots=3, close=True)
    certify(ballot_round, village)
    html = client.get(f"/v/{village.code}/receipts").get_data(as_text=True)
    for secret in (PHONE, "1958-03-17", "1958年", "19580317", "1958/3/17", *NAMES):
        assert secret not in html
    for choice in Choice:
        assert choice.label not in html


def test_the_receipts_of_an_unknown_village_are_not_found(client, branch):
    assert client.get("/v/no-such-village/receipts").status_code == 404


# --- the big screen ---------------------------------------------------------------------------


def screen(client, secretary, ballot_round):
    login(client, secretary)
    response = client.get(f"/branch/rounds/{ballot_round.id}/screen")
    return response.status_code, response.get_data(as_text=True)


def test_while_open_the_screen_shows_the_turnout_and_no_results(client, branch):
    village, secretary = branch
    ballot_round, _ = make_round(village, secretary, ballots=3)
    required = Electorate.VILLAGERS.quorum.required(10)
    status, html = screen(client, secretary, ballot_round)
    assert status == 200
    assert "已投 <strong>3</strong> / 应到 <strong>10</strong>" in html
    assert "30.0%" in html and "w-30" in html
    assert f"需 {required} 票，还差 <strong>{required - 3}</strong> 票" in html
    assert "手机投票 <strong>3</strong>" in html and "纸质选票 <strong>0</strong>" in html
    assert '<meta http-equiv="refresh" content="5">' in html
    assert "北京时间" in html
    for hidden in (*NAMES[:2], "认可率", "满意率", "测评得分"):
        assert hidden not in html
    assert 'class="navbar' not in html and "app.css" not in html  # no top bar


def test_the_screen_says_when_the_quorum_is_reached(client, branch):
    village, secretary = branch
    ballot_round, _ = make_round(village, secretary, ballots=6)
    _, html = screen(client, secretary, ballot_round)
    assert "已达到法定人数" in html


def test_a_draft_round_has_not_started(client, branch):
    village, secretary = branch
    ballot_round = create_member_round(village=village, secretary=secretary, eligible=10)
    db.session.commit()
    status, html = screen(client, secretary, ballot_round)
    assert status == 200
    assert "尚未开始投票" in html
    assert "http-equiv" not in html


def test_closed_but_not_certified_the_screen_shows_no_results(client, branch):
    village, secretary = branch
    ballot_round, _ = make_round(village, secretary, ballots=6, close=True)
    _, html = screen(client, secretary, ballot_round)
    assert "投票已结束，等待计票人、监票人确认结果" in html
    assert "已投 <strong>6</strong> / 应到 <strong>10</strong>" in html
    assert "http-equiv" not in html
    for hidden in (*NAMES[:2], "认可率", "满意率"):
        assert hidden not in html


def test_certified_the_screen_shows_the_result(client, branch):
    village, secretary = branch
    ballot_round, _ = make_round(village, secretary, ballots=6, close=True)
    certify(ballot_round, village)
    _, html = screen(client, secretary, ballot_round)
    assert "http-equiv" not in html
    assert "<strong>60.0%</strong><span>参与率</span>" in html
    assert "<strong>6</strong><span>有效票</span>" in html
    assert "测评有效" in html
    assert "已由计票人 周计票、监票人 吴监票于" in html
    assert all(name in html for name in NAMES[:2])
    # 王建国: all 满意 → 100 %, 100 %; 李桂兰: all 基本满意 → 认可 100 %, 满意 0 %
    assert html.count("w-100") == 3 and "satisfaction w-0" in html
    assert "100.0%" in html and "0.0%" in html


def test_a_certified_round_that_missed_its_quorum_shows_no_one_s_results(client, branch):
    village, secretary = branch
    ballot_round, _ = make_round(village, secretary, ballots=2, close=True)
    certify(ballot_round, village)
    _, html = screen(client, secretary, ballot_round)
    assert "未达法定人数" in html and "需补测" in html
    assert NAMES[0] not in html


def test_another_villages_round_is_not_found(client, branch):
    village, secretary = branch
    other = create_village()
    their_secretary = create_user(role=Role.SECRETARY, village=other)
    create_member(village=other)
    open_assessment(village=other, secretary=their_secretary, raters=[their_secretary])
    theirs, _ = make_round(other, their_secretary, ballots=1)
    status, _ = screen(client, secretary, theirs)
    assert status == 404


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_only_the_secretary_opens_the_screen(client, branch, role):
    village, secretary = branch
    ballot_round, _ = make_round(village, secretary, ballots=1)
    user = (
        secretary
        if role is Role.SECRETARY
        else create_user(
            role=role, village=village if role.is_village_role else None, township=village.township
        )
    )
    status, _ = screen(client, user, ballot_round)
    assert status == (200 if role is Role.SECRETARY else 403)


# --- query counts -----------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    assert client.get(url).status_code == 200
    with counting_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def _village_with(members: int, ballots: int, *, rounds: int = 1, certified: bool = False):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    for i in range(members):
        create_member(village=village, name=f"党员{i:02d}")
    open_assessment(village=village, secretary=secretary, raters=[secretary])
    made = [
        make_round(village, secretary, ballots=ballots, eligible=ballots + 2, close=certified)[0]
        for _ in range(rounds)
    ]
    if certified:
        certify(made[-1], village)
    return village, secretary, made[-1]


@pytest.mark.parametrize("certified", [False, True], ids=["open", "certified"])
def test_the_screens_queries_do_not_grow_with_ballots_or_subjects(client, app, certified):
    counts = []
    for members, ballots in ((2, 2), (6, 9)):
        _, secretary, ballot_round = _village_with(members, ballots, certified=certified)
        login(client, secretary)
        counts.append(_queries(client, f"/branch/rounds/{ballot_round.id}/screen"))
        client.post("/logout")
    assert counts[0] == counts[1]


def test_the_receipts_pages_queries_do_not_grow_with_ballots_or_rounds(client, app):
    counts = []
    for ballots, rounds in ((1, 1), (7, 3)):
        village, _, _ = _village_with(2, ballots, rounds=rounds, certified=True)
        counts.append(_queries(client, f"/v/{village.code}/receipts?q=ABCDEFGH"))
    assert counts[0] == counts[1]
    assert counts[0] <= 4
