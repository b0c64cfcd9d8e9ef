"""Print runs that can be used: codes for an address no phone may open only after the secretary
confirms; a cover page whose test QR shows the printed address reaches the server, touching no
ballot code; a failed run voided by range or list and reprinted at once, as one audit event."""

import json
import re

import pytest
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import AuditEvent, BallotToken, PrintRun
from starrating.queries.ballots import subjects
from starrating.rules.ballots import Choice
from starrating.rules.vocabulary import Role
from starrating.services.ballots import cast_ballot
from starrating.services.casting import CodeRefused
from starrating.services.paper import key_paper_ballot
from tests.blueprints.test_rounds import _codes, _open, _print, _round, secretary
from tests.factories import create_user, create_village, login

__all__ = ["secretary"]  # the logged-in secretary fixture of test_rounds
CONFIRM = "我已知道手机扫码可能打不开，仍然生成"
PROBE = re.compile(r'(http://[^"<\s]+/scan-test/[0-9a-f]{32})')


def _tokens(ballot_round) -> list[tuple[int, bool, bool]]:
    """(serial, used, voided) of every code of the round."""
    rows = db.session.execute(
        select(BallotToken.serial, BallotToken.used, BallotToken.voided_at.is_not(None))
        .where(BallotToken.round_id == ballot_round.id)
        .order_by(BallotToken.serial)
    )
    return [tuple(row) for row in rows]


def _events(ballot_round, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == ballot_round.id, AuditEvent.action == action
            )
        )
    )


def _void(client, ballot_round, serials: str, *, confirmed=True, reason="打印失败"):
    data = {"serials": serials, "void_reason": reason, "layout": "sheet"}
    if confirmed:
        data["address_confirmed"] = "y"
    return client.post(f"/branch/rounds/{ballot_round.id}/void", data=data, follow_redirects=True)


# --- the printed address -------------------------------------------------------------------------


def test_a_loopback_address_needs_the_secretarys_confirmation(client, secretary):
    ballot_round = _round(secretary, eligible=10)
    page = client.get(f"/branch/rounds/{ballot_round.id}").get_data(as_text=True)
    assert "这个地址村民手机打不开" in page and "http://localhost" in page
    assert "STARRATING_PUBLIC_URL=" in page and CONFIRM in page
    refused = client.post(
        f"/branch/rounds/{ballot_round.id}/codes",
        data={"count": 3, "issued": 0, "layout": "sheet"},
        follow_redirects=True,
    )
    html = refused.get_data(as_text=True)
    assert "没有生成票码" in html and "一定打不开" in html and "STARRATING_PUBLIC_URL" in html
    assert (
        html.index('id="codes-error"')
        < html.index("这个地址村民手机打不开")
        < html.index('id="codes-address-confirmed"')
    )
    assert _tokens(ballot_round) == []
    printed = _print(client, ballot_round, 3)  # ticked
    assert printed.status_code == 200 and len(_codes(printed.get_data(as_text=True))) == 3
    assert "这批选票的二维码地址手机可能打不开" in printed.get_data(as_text=True)


@pytest.mark.app_config(PUBLIC_HOSTS=("192.168.1.10",))
def test_a_lan_address_the_browser_used_needs_confirmation_too(client, secretary):
    ballot_round = _round(secretary, eligible=10)
    session = client.get_cookie("session")
    client.set_cookie("session", session.value, domain="192.168.1.10")
    page = client.get(
        f"/branch/rounds/{ballot_round.id}", headers={"Host": "192.168.1.10:5000"}
    ).get_data(as_text=True)
    assert "http://192.168.1.10:5000" in page and "同一个 WiFi" in page and CONFIRM in page
    refused = client.post(
        f"/branch/rounds/{ballot_round.id}/codes",
        data={"count": 2, "issued": 0, "layout": "sheet"},
        headers={"Host": "192.168.1.10:5000"},
        follow_redirects=True,
    )
    assert "没有生成票码" in refused.get_data(as_text=True) and _tokens(ballot_round) == []


@pytest.mark.app_config(PUBLIC_BASE_URL="http://192.168.1.10:5000")
def test_a_configured_address_prints_without_a_question(client, secretary):
    ballot_round = _round(secretary, eligible=10)
    page = client.get(f"/branch/rounds/{ballot_round.id}").get_data(as_text=True)
    assert CONFIRM not in page and "手机可能打不开" not in page
    printed = client.post(
        f"/branch/rounds/{ballot_round.id}/codes",
        data={"count": 2, "issued": 0, "layout": "sheet"},
    )
    html = printed.get_data(as_text=True)
    assert printed.status_code == 200 and len(_codes(html)) == 2
    assert "手机可能打不开" not in html
    assert "http://192.168.1.10:5000/v/" in html


# --- the scan test -------------------------------------------------------------------------------


def test_the_cover_pages_test_qr_records_a_scan_and_touches_no_code(client, secretary, app):
    ballot_round = _round(secretary, eligible=10)
    html = _print(client, ballot_round, 4).get_data(as_text=True)
    codes = _codes(html)
    _open(client, ballot_round)
    (probe,) = set(PROBE.findall(html))
    assert not any(code.replace("-", "") in probe.upper() for code in codes.values())
    run = db.session.scalar(select(PrintRun).where(PrintRun.round_id == ballot_round.id))
    status_url = f"/branch/rounds/{ballot_round.id}/print-runs/{run.id}/scan-test"
    assert json.loads(client.get(status_url).data)["scanned"] is False
    before = _tokens(ballot_round)

    phone = app.test_client()  # a phone: no login, no session
    scanned = phone.get(probe.removeprefix("http://localhost"))
    assert scanned.status_code == 200
    assert "扫码测试成功" in scanned.get_data(as_text=True)
    assert "不是选票" in scanned.get_data(as_text=True)
    assert phone.get_cookie("session") is None  # no ballot held
    phone.get(probe.removeprefix("http://localhost"))

    answer = json.loads(client.get(status_url).data)
    assert answer["scanned"] is True and answer["count"] == 2
    assert _tokens(ballot_round) == before == [(n, False, False) for n in range(1, 5)]
    for code in codes.values():  # every code still votes
        assert cast_ballot(village=secretary.village, code=code, marks={})
    db.session.commit()
    page = client.get(f"/branch/rounds/{ballot_round.id}").get_data(as_text=True)
    assert "已收到手机扫码" in page and "第 1–4 号（4 张）" in page


def test_a_wrong_or_another_villages_test_address_records_nothing(client, secretary, app):
    ballot_round = _round(secretary, eligible=10)
    (probe,) = set(PROBE.findall(_print(client, ballot_round, 1).get_data(as_text=True)))
    other = create_village(name="别村")
    phone = app.test_client()
    path = probe.removeprefix("http://localhost")
    assert (
        phone.get(path.replace(f"/v/{secretary.village.code}/", f"/v/{other.code}/")).status_code
        == 404
    )
    assert phone.get(path[:-1] + "0" if path[-1] != "0" else path[:-1] + "1").status_code == 404
    assert phone.get(f"/v/{secretary.village.code}/scan-test/not-a-probe").status_code == 404
    run = db.session.scalar(select(PrintRun).where(PrintRun.round_id == ballot_round.id))
    db.session.refresh(run)
    assert run.scan_count == 0 and run.scanned_at is None
    their_secretary = create_user(role=Role.SECRETARY, village=other)
    theirs = app.test_client()
    login(theirs, their_secretary)
    status = theirs.get(f"/branch/rounds/{ballot_round.id}/print-runs/{run.id}/scan-test")
    assert status.status_code == 404


# --- voiding a failed print run ------------------------------------------------------------------


def test_a_range_and_a_list_are_voided_and_reprinted_as_one_audit_event(client, secretary):
    village = secretary.village
    ballot_round = _round(secretary, eligible=30)
    codes = _codes(_print(client, ballot_round, 20).get_data(as_text=True))
    _open(client, ballot_round)
    response = _void(client, ballot_round, "12-15, 3，7")
    html = response.get_data(as_text=True)
    assert "第 3、7、12–15 号选票已作废（6 张）" in html
    replacements = _codes(html)
    assert sorted(replacements) == list(range(21, 27))
    assert "第 21–26 号，共 6 张" in html  # the cover
    for serial in (3, 7, 12, 13, 14, 15):
        with pytest.raises(CodeRefused) as refused:
            cast_ballot(village=village, code=codes[serial], marks={})
        assert refused.value.reason == "void"
        db.session.rollback()
    for code in replacements.values():
        assert cast_ballot(village=village, code=code, marks={})
    db.session.commit()
    (event,) = _events(ballot_round, "ballot.void")
    assert event.summary == "作废第 3、7、12–15 号选票（6 张）：打印失败；补发第 21–26 号"
    assert event.after["voided"] == [3, 7, 12, 13, 14, 15]
    assert event.after["replacements"] == [21, 22, 23, 24, 25, 26]
    assert len(_events(ballot_round, "ballot.codes")) == 1  # the first print only
    run = db.session.scalars(select(PrintRun).order_by(PrintRun.id.desc())).first()
    assert (run.first_serial, run.last_serial, run.replaces) == (21, 26, [3, 7, 12, 13, 14, 15])


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("3, 99", "没有第 99 号选票（本次测评印到第 11 号）"),  # 11: the replacement of 2
        ("5-13", "没有第 12、13 号选票"),
        ("2, 4", "第 2 号选票已作废"),
        ("1, 3", "第 1 号选票已投出，不能作废"),
        ("6-", "看不懂「6-」"),
        ("9-6", "起止写反了"),
        ("", "请填写要作废的选票编号"),
    ],
)
def test_bad_numbers_are_refused_in_chinese_and_nothing_changes(client, secretary, typed, said):
    village = secretary.village
    ballot_round = _round(secretary, eligible=30)
    codes = _codes(_print(client, ballot_round, 10).get_data(as_text=True))
    _open(client, ballot_round)
    _void(client, ballot_round, "2")
    cast_ballot(village=village, code=codes[1], marks={})
    db.session.commit()
    before = (_tokens(ballot_round), db.session.scalar(select(func.count(AuditEvent.id))))
    page = _void(client, ballot_round, typed).get_data(as_text=True)
    assert said in page and "没有作废任何选票" in page
    assert (_tokens(ballot_round), db.session.scalar(select(func.count(AuditEvent.id)))) == before


def test_a_sheet_keyed_on_paper_is_left_to_the_two_person_void(client, secretary):
    village = secretary.village
    ballot_round = _round(secretary, eligible=30)
    codes = _codes(_print(client, ballot_round, 5).get_data(as_text=True))
    _open(client, ballot_round)
    teller = create_user(role=Role.TELLER, village=village)
    subject = subjects(ballot_round.id)[0]
    key_paper_ballot(
        user=teller, ballot_round=ballot_round, code=codes[4], marks={subject.id: Choice.BASIC}
    )
    db.session.commit()
    page = _void(client, ballot_round, "3-5").get_data(as_text=True)
    assert "第 4 号纸质选票已交回并录入，不能在这里作废" in page
    assert "须由两人" in page and "没有作废任何选票" in page
    assert [voided for _, _, voided in _tokens(ballot_round)] == [False] * 5


def test_codes_for_a_loopback_address_are_not_voided_and_reprinted_unconfirmed(client, secretary):
    ballot_round = _round(secretary, eligible=30)
    _print(client, ballot_round, 5)
    page = _void(client, ballot_round, "1-5", confirmed=False).get_data(as_text=True)
    assert "没有作废任何选票：二维码将指向 http://localhost" in page
    assert [voided for _, _, voided in _tokens(ballot_round)] == [False] * 5
