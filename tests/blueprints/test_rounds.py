"""The secretary's ballot rounds: set up, print the codes once, open, void and replace, close and
read the tally (DESIGN.md §6)."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import AuditEvent, BallotRound, BallotToken, Cadre
from starrating.queries.ballots import subjects
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate, Section
from starrating.rules.tokens import code_hash, normalised
from starrating.rules.vocabulary import Role
from starrating.services.ballots import (
    cast_ballot,
    close_round,
    create_round,
    generate_codes,
)
from starrating.services.ballots import open_round as open_round_service
from starrating.services.casting import CodeRefused
from starrating.web import china_today, qr_svg
from tests.factories import (
    certify,
    counting_queries,
    create_member,
    create_user,
    create_village,
    login,
    open_assessment,
)

YEAR = 2026
S, B, D, U = Choice.SATISFIED, Choice.BASIC, Choice.DISSATISFIED, Choice.UNKNOWN
CODE = re.compile(r'<code class="code">([A-Z0-9]{5}-[A-Z0-9]{5})</code>')


def create_cadre(*, village, name="村干部甲", post="村委会主任"):
    """A cadre on the village's cadre list (the ballot's cadre section lists these)."""
    cadre = Cadre(village=village, name=name, post=post, base_pay=Decimal("24000.00"))
    db.session.add(cadre)
    db.session.commit()
    return cadre


@pytest.fixture
def secretary(client):
    """A logged-in secretary whose village has members 甲 乙 in an opened year and one cadre."""
    village = create_village()
    user = create_user(role=Role.SECRETARY, village=village)
    for name in ("甲", "乙"):
        create_member(village=village, name=name)
    open_assessment(village=village, secretary=user, raters=[user], year=YEAR)
    create_cadre(village=village)
    login(client, user)
    return user


def _round(secretary, *, eligible=100, members=True, cadres=False, **facts) -> BallotRound:
    created = create_round(
        actor=secretary,
        village=secretary.village,
        year=YEAR,
        title=facts.pop("title", "2026 年度民主测评"),
        members=members,
        cadres=cadres,
        electorate=facts.pop("electorate", Electorate.VILLAGERS),
        eligible=eligible,
    )
    db.session.commit()
    return created


def _print(client, ballot_round, count, *, issued=0, layout="sheet"):
    return client.post(
        f"/branch/rounds/{ballot_round.id}/codes",
        data={"count": count, "issued": issued, "layout": layout, "address_confirmed": "y"},
    )


def _sheets(page: str) -> dict[int, str]:
    """Serial → the sheet's (or slip's) HTML, from the print page."""
    parts = re.split(r'<article class="(?:sheet|slip)" data-serial="(\d+)">', page)[1:]
    return {int(serial): html for serial, html in zip(parts[::2], parts[1::2], strict=True)}


def _codes(page: str) -> dict[int, str]:
    """Serial → the code printed on that sheet, as the villager would type it."""
    found = {}
    for serial, html in _sheets(page).items():
        (shown,) = CODE.findall(html)
        found[serial] = normalised(shown)
    return found


def _open(client, ballot_round):
    return client.post(f"/branch/rounds/{ballot_round.id}/open", follow_redirects=True)


def _cast(village, code, marks):
    cast_ballot(village=village, code=code, marks=marks)
    db.session.commit()


# --- creating a round ---------------------------------------------------------------------------


def test_secretary_creates_a_round_with_both_sections(client, secretary):
    day = (datetime.now(UTC) + timedelta(days=30)).date()  # the assembly, planned ahead
    response = client.post(
        "/branch/rounds",
        data={
            "title": "2026 年度党员和村干部测评",
            "year": YEAR,
            "members": "y",
            "cadres": "y",
            "electorate": "households",
            "eligible": 80,
            "starts_at": f"{day}T09:00",
            "ends_at": f"{day}T11:30",
        },
    )
    created = db.session.scalar(
        select(BallotRound).where(BallotRound.village_id == secretary.village_id)
    )
    assert response.status_code == 302
    assert response.location == f"/branch/rounds/{created.id}"
    assert (created.has_members, created.has_cadres, created.eligible) == (True, True, 80)
    assert created.electorate is Electorate.HOUSEHOLDS
    # typed as China time, kept as UTC
    assert created.starts_at == datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
    assert created.ends_at == datetime(day.year, day.month, day.day, 3, 30, tzinfo=UTC)
    assert [(s.section, s.name) for s in subjects(created.id)] == [
        (Section.MEMBERS, "甲"),
        (Section.MEMBERS, "乙"),
        (Section.CADRES, "村干部甲"),
    ]
    listing = client.get("/branch/rounds").get_data(as_text=True)
    assert "2026 年度党员和村干部测评" in listing
    assert "户代表" in listing


def test_the_member_section_needs_the_years_assessment_opened(client):
    secretary = create_user(role=Role.SECRETARY)
    login(client, secretary)
    response = client.post(
        "/branch/rounds",
        data={"year": YEAR, "members": "y", "electorate": "villagers", "eligible": 50},
    )
    assert response.status_code == 422
    assert "2026 年度党员星级评定尚未开启，不能测评党员" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(BallotRound.id))) == 0


def test_a_round_needs_a_section_and_a_sensible_eligible_count(client, secretary):
    none_ticked = client.post(
        "/branch/rounds", data={"year": YEAR, "electorate": "villagers", "eligible": 50}
    )
    assert "请至少选择一项测评内容" in none_ticked.get_data(as_text=True)
    no_count = client.post(
        "/branch/rounds", data={"year": YEAR, "members": "y", "electorate": "villagers"}
    )
    assert "应参加人数：此项必填" in no_count.get_data(as_text=True)
    backwards = client.post(
        "/branch/rounds",
        data={
            "year": YEAR,
            "cadres": "y",
            "electorate": "villagers",
            "eligible": 5,
            "starts_at": "2026-03-02T09:00",
            "ends_at": "2026-03-02T08:00",
        },
    )
    assert "结束时间须晚于开始时间" in backwards.get_data(as_text=True)
    past = client.post(
        "/branch/rounds",
        data={
            "year": YEAR,
            "cadres": "y",
            "electorate": "villagers",
            "eligible": 5,
            "ends_at": "2020-03-02T08:00",
        },
    )
    assert "计划结束时间已经过去了" in past.get_data(as_text=True)
    assert db.session.scalar(select(func.count(BallotRound.id))) == 0


def test_the_form_offers_this_year_in_china(client, secretary):
    page = client.get("/branch/rounds").get_data(as_text=True)
    assert f'value="{china_today().year}"' in page
    for electorate in Electorate:
        assert electorate.label in page


# --- codes and the print page -------------------------------------------------------------------


def test_a_hundred_codes_print_a_hundred_sheets_and_no_more(client, secretary):
    ballot_round = _round(secretary, eligible=100)
    response = _print(client, ballot_round, 100)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "票码只显示这一次" in page
    codes = _codes(page)
    assert sorted(codes) == list(range(1, 101))
    assert len(set(codes.values())) == 100
    for code in codes.values():
        assert page.count(f"{code[:5]}-{code[5:]}") == 2  # the code and the address, one sheet
    stored = set(db.session.scalars(select(BallotToken.code_hash)))
    assert stored == {code_hash(code, b"test-secret-key") for code in codes.values()}
    # nothing but counts in the audit trail
    summaries = " ".join(db.session.scalars(select(AuditEvent.summary)))
    assert not any(code[:5] in summaries for code in codes.values())

    refused = _print(client, ballot_round, 1, issued=100)
    assert refused.status_code == 303
    again = client.get(refused.location).get_data(as_text=True)
    assert "已发出 100 张，应参加 100 人，最多还能生成 0 张" in again


def test_each_qr_is_the_sheets_own_voting_address(client, secretary):
    ballot_round = _round(secretary, eligible=3)
    sheets = _sheets(_print(client, ballot_round, 3).get_data(as_text=True))
    for serial, html in sheets.items():
        (shown,) = CODE.findall(html)
        address = f"http://localhost/v/{secretary.village.code}/t/{shown}"
        assert html.count(str(qr_svg(address))) == 1, serial
        assert f"手机投票网址：{address}" in html
        assert f"第 {serial} 号" in html
        assert "<style" not in html and "style=" not in html  # the CSP forbids inline styles


def test_the_sheet_lists_the_subjects_with_four_boxes_under_section_headings(client, secretary):
    ballot_round = _round(secretary, eligible=5, cadres=True)
    (html,) = _sheets(_print(client, ballot_round, 1).get_data(as_text=True)).values()
    assert html.index("党员群众满意度测评") < html.index("甲") < html.index("乙")
    assert html.index("乙") < html.index("村干部民主测评") < html.index("村干部甲")
    assert html.count('<span class="box"></span>') == 3 * 4
    for label in ("满意", "基本<wbr>满意", "不满意", "不了解"):
        assert f'<th class="tick">{label}</th>' in html
    assert "扫码用手机投票，或在下面勾选后交回" in html
    assert "每张选票只能投一次" in html


def test_many_subjects_are_printed_in_two_columns(client, secretary):
    for i in range(28):
        create_member(village=secretary.village, name=f"党员{i:02d}")
    # the year was opened before these joined the roster: a fresh year holds all thirty
    open_assessment(village=secretary.village, secretary=secretary, raters=[secretary], year=2027)
    ballot_round = create_round(
        actor=secretary,
        village=secretary.village,
        year=2027,
        title="",
        members=True,
        cadres=False,
        electorate=Electorate.PARTY_MEMBERS,
        eligible=30,
    )
    db.session.commit()
    (html,) = _sheets(_print(client, ballot_round, 1).get_data(as_text=True)).values()
    assert 'class="ballot-columns cols-2"' in html
    assert html.count('<table class="ballot">') == 2
    assert html.count('<span class="box"></span>') == 30 * 4


def test_slips_put_ten_on_a_page(client, secretary):
    ballot_round = _round(secretary, eligible=30)
    page = _print(client, ballot_round, 25, layout="slips").get_data(as_text=True)
    assert page.count('<div class="slip-page">') == 3
    assert len(_codes(page)) == 25
    assert '<article class="sheet"' not in page


def test_a_resent_print_form_generates_nothing(client, secretary):
    ballot_round = _round(secretary, eligible=20)
    assert _print(client, ballot_round, 5).status_code == 200
    again = _print(client, ballot_round, 5, issued=0)  # the same form, reloaded
    assert again.status_code == 303
    assert "没有再生成" in client.get(again.location).get_data(as_text=True)
    assert db.session.scalar(select(func.count(BallotToken.id))) == 5


# --- open, turnout, void, close, tally ----------------------------------------------------------


def test_while_open_the_round_shows_turnout_and_never_results(client, secretary):
    village = secretary.village
    ballot_round = _round(secretary, eligible=100)
    codes = _codes(_print(client, ballot_round, 100).get_data(as_text=True))
    opened = _open(client, ballot_round).get_data(as_text=True)
    assert "已开始投票" in opened
    assert "0 / 100" in opened
    assert "还需收回 50 张" in opened
    first, _ = subjects(ballot_round.id)
    for serial in (1, 2, 3):
        _cast(village, codes[serial], {first.id: S})
    page = client.get(f"/branch/rounds/{ballot_round.id}").get_data(as_text=True)
    assert '<strong id="turnout-returned">3 / 100</strong>' in page
    assert '<strong id="turnout-phone">3</strong>' in page
    for result_word in ("认可率", "满意率", "测评得分"):
        assert result_word not in page
    tally = client.get(f"/branch/rounds/{ballot_round.id}/tally")
    assert tally.status_code == 409
    assert "投票结束后才能查看结果" in tally.get_data(as_text=True)
    assert "认可率" not in tally.get_data(as_text=True)


def test_a_voided_ballot_is_replaced_and_its_code_refused(client, secretary):
    village = secretary.village
    ballot_round = _round(secretary, eligible=10)
    codes = _codes(_print(client, ballot_round, 9).get_data(as_text=True))
    _open(client, ballot_round)
    response = client.post(
        f"/branch/rounds/{ballot_round.id}/void",
        data={"serials": "5", "void_reason": "遗失", "layout": "sheet", "address_confirmed": "y"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "第 5 号选票已作废" in page
    (replacement,) = _codes(page).items()
    assert replacement[0] == 10
    with pytest.raises(CodeRefused) as refused:
        cast_ballot(village=village, code=codes[5], marks={})
    assert refused.value.reason == "void"
    db.session.rollback()
    assert cast_ballot(village=village, code=replacement[1], marks={})
    db.session.commit()
    twice = client.post(
        f"/branch/rounds/{ballot_round.id}/void",
        data={"serials": "5", "void_reason": "遗失", "layout": "sheet", "address_confirmed": "y"},
        follow_redirects=True,
    )
    assert "第 5 号选票已作废" in twice.get_data(as_text=True)
    assert '<strong id="turnout-voided">1</strong>' in twice.get_data(as_text=True)


def _row(page: str, subject_id: int) -> list[str]:
    match = re.search(rf'<tr data-subject-id="{subject_id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for subject {subject_id}"
    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


def test_after_close_the_tally_gives_counts_rates_and_score(client, secretary):
    village = secretary.village
    ballot_round = _round(secretary, eligible=10, cadres=True)
    codes = _codes(_print(client, ballot_round, 10).get_data(as_text=True))
    _open(client, ballot_round)
    jia, yi, cadre = subjects(ballot_round.id)
    n = None
    ballots = [
        (S, S, S),
        (S, S, B),
        (S, B, D),
        (S, B, D),
        (B, D, n),
        (U, n, n),
        (n, n, n),  # a blank ballot: returned, not valid
    ]
    for serial, marks in enumerate(ballots, start=1):
        chosen = {s.id: m for s, m in zip((jia, yi, cadre), marks, strict=True) if m}
        _cast(village, codes[serial], chosen)
    closed = client.post(f"/branch/rounds/{ballot_round.id}/close", follow_redirects=True)
    assert "投票已结束" in closed.get_data(as_text=True)

    page = client.get(f"/branch/rounds/{ballot_round.id}/tally").get_data(as_text=True)
    assert "应参加 10 人，发出 10 张，收回 7 张，有效 6 张（空白票 1 张）" in page
    assert "参与率 = 收回 / 应参加 = 7 / 10 = 70.0%" in page
    assert "已达法定人数，测评有效" in page
    # 满意 基本满意 不满意 不了解 空白 | 有效 认可率 满意率 不满意率 (| 得分)
    assert _row(page, jia.id)[2:] == ["4", "1", "0", "1", "1", "5", "100.0%", "80.0%", "0.0%"]
    assert _row(page, yi.id)[2:] == ["2", "2", "1", "0", "2", "5", "80.0%", "40.0%", "20.0%"]
    # 村干部甲: (1×100 + 1×70 + 2×30) / 4 = 57.5
    assert _row(page, cadre.id)[2:] == [
        "1",
        "1",
        "2",
        "0",
        "3",
        "4",
        "50.0%",
        "25.0%",
        "50.0%",
        "57.5",
    ]


def test_a_round_that_missed_quorum_says_it_must_be_rerun(client, secretary):
    ballot_round = _round(secretary, eligible=10, electorate=Electorate.HOUSEHOLDS)
    codes = _codes(_print(client, ballot_round, 10).get_data(as_text=True))
    _open(client, ballot_round)
    first, _ = subjects(ballot_round.id)
    for serial in range(1, 7):  # 6 of 10 < two thirds (7)
        _cast(secretary.village, codes[serial], {first.id: S})
    client.post(f"/branch/rounds/{ballot_round.id}/close")
    page = client.get(f"/branch/rounds/{ballot_round.id}/tally").get_data(as_text=True)
    assert "未达法定人数，需补测" in page
    assert "不计入评定" in page
    assert "需收回至少 7 张，实收 6 &lt; 7" in page


def test_the_tallys_queries_do_not_grow_with_ballots(client, secretary):
    def queries_for(count: int) -> int:
        ballot_round = _round(secretary, eligible=count, cadres=True)
        codes = _codes(_print(client, ballot_round, count).get_data(as_text=True))
        _open(client, ballot_round)
        ids = [s.id for s in subjects(ballot_round.id)]
        for code in codes.values():
            _cast(secretary.village, code, dict.fromkeys(ids, S))
        client.post(f"/branch/rounds/{ballot_round.id}/close")
        with counting_queries() as statements:
            assert client.get(f"/branch/rounds/{ballot_round.id}/tally").status_code == 200
        return len(statements)

    assert queries_for(2) == queries_for(12)


# --- who may see what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/branch/rounds/{id}"),
        ("GET", "/branch/rounds/{id}/tally"),
        ("POST", "/branch/rounds/{id}/codes"),
        ("POST", "/branch/rounds/{id}/open"),
        ("POST", "/branch/rounds/{id}/close"),
        ("POST", "/branch/rounds/{id}/void"),
    ],
)
def test_another_villages_round_is_not_found(client, secretary, method, path):
    other = create_village()
    their_secretary = create_user(role=Role.SECRETARY, village=other)
    create_cadre(village=other)
    theirs = create_round(
        actor=their_secretary,
        village=other,
        year=YEAR,
        title="",
        members=False,
        cadres=True,
        electorate=Electorate.VILLAGERS,
        eligible=5,
    )
    db.session.commit()
    data = {"count": 1, "issued": 0, "layout": "sheet", "serial": 1, "void_reason": "遗失"}
    response = client.open(path.format(id=theirs.id), method=method, data=data)
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(BallotToken.id))) == 0


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(
    "path", ["/branch/rounds", "/branch/rounds/{id}", "/branch/rounds/{id}/tally"]
)
def test_only_the_secretary_reaches_the_round_pages(app, role, path):
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    create_cadre(village=village)
    ballot_round = _closed_round_for(secretary)
    user = (
        secretary
        if role is Role.SECRETARY
        else create_user(
            role=role, village=village if role.is_village_role else None, township=village.township
        )
    )
    client = app.test_client()
    login(client, user)
    expected = 200 if role is Role.SECRETARY else 403
    assert client.get(path.format(id=ballot_round.id)).status_code == expected


def _closed_round_for(secretary) -> BallotRound:
    ballot_round = create_round(
        actor=secretary,
        village=secretary.village,
        year=YEAR,
        title="",
        members=False,
        cadres=True,
        electorate=Electorate.VILLAGERS,
        eligible=5,
    )
    db.session.commit()
    generate_codes(actor=secretary, ballot_round=ballot_round, count=1)
    open_round_service(actor=secretary, ballot_round=ballot_round)
    close_round(actor=secretary, ballot_round=ballot_round)
    db.session.commit()
    return ballot_round


def test_a_new_round_form_sent_twice_creates_one_round(client, secretary):
    data = {"year": YEAR, "members": "y", "electorate": "villagers", "eligible": 50}
    data["once"] = "r" * 24
    first = client.post("/branch/rounds", data=data)
    again = client.post("/branch/rounds", data=data)
    assert first.status_code == again.status_code == 302
    assert again.location == first.location
    rounds = db.session.scalars(
        select(BallotRound).where(BallotRound.village_id == secretary.village_id)
    ).all()
    assert len(rounds) == 1


def _ticked(page: str, name: str) -> bool:
    box = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert box, name
    return "checked" in box.group(0)


def test_the_new_round_form_ticks_only_the_sections_still_needing_a_round(client):
    """Once this year's member round is certified (quorum met), 党员 is no longer pre-ticked;
    the cadres, who still need their round, are."""
    year = china_today().year
    village = create_village()
    user = create_user(role=Role.SECRETARY, village=village)
    for name in ("甲", "乙"):
        create_member(village=village, name=name)
    open_assessment(village=village, secretary=user, raters=[user], year=year)
    create_cadre(village=village)
    login(client, user)
    page = client.get("/branch/rounds").get_data(as_text=True)
    assert _ticked(page, "members") and _ticked(page, "cadres")

    members_round = create_round(
        actor=user,
        village=village,
        year=year,
        title="党员测评",
        members=True,
        cadres=False,
        electorate=Electorate.VILLAGERS,
        eligible=10,
    )
    codes = generate_codes(actor=user, ballot_round=members_round, count=6)
    open_round_service(actor=user, ballot_round=members_round)
    rows = subjects(members_round.id)
    for code in codes:
        cast_ballot(village=village, code=code.code, marks={row.id: S for row in rows})
    close_round(actor=user, ballot_round=members_round)
    db.session.commit()
    page = client.get("/branch/rounds").get_data(as_text=True)
    assert _ticked(page, "members"), "closed but not certified: it does not count yet"

    certify(members_round)
    page = client.get("/branch/rounds").get_data(as_text=True)
    assert not _ticked(page, "members")
    assert _ticked(page, "cadres")
