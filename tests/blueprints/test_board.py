"""The public notice board (DESIGN.md §8): what anyone sees before and after publishing, filing
an objection and reading its answer, the QR poster, and what a public page never shows."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from starrating import ratelimit
from starrating.blueprints import board as board_view
from starrating.extensions import db
from starrating.models import Cadre, Objection, ObjectionTopic
from starrating.rules.board_scheme import OFF_BOARD, BoardScheme
from starrating.rules.pledges import PledgeState
from starrating.rules.result_versions import Part
from starrating.rules.wording import yuan
from starrating.services.objections import answer_objection, file_objection
from starrating.services.review import publish_cadre_results, publish_results
from tests.blueprints.publicity import (
    BIRTH,
    ELDER,
    NAMES,
    PHONES,
    VETO_REASON,
    VETOED,
    YEAR,
    add_cadre,
    quota_year,
    ready_year,
)
from tests.factories import counting_queries, create_village, login, signed_off

PUBLISHED = date(YEAR, 11, 26)  # 5 days of publicity: to 11-30


def today_is(monkeypatch, day: date) -> None:
    monkeypatch.setattr(board_view, "china_today", lambda: day)


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    return response.get_data(as_text=True)


def text(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def star_row(html: str, name: str) -> str:
    """A member's rows as read: the star count, the grade, then each star with its label."""
    found = re.search(
        rf"<tr>\s*<td[^>]*>\d+</td>\s*<td class=\"name\">{name}</td>(.*?)</tbody>", html, re.S
    )
    assert found, name
    return text(found.group(1))


def objections() -> list[Objection]:
    return list(db.session.scalars(select(Objection).order_by(Objection.id)))


@pytest.fixture
def published(monkeypatch):
    village, secretary, year = ready_year()
    signed_off(year, Part.TENSTAR)
    publish_results(actor=secretary, year=year, today=PUBLISHED)
    db.session.commit()
    today_is(monkeypatch, date(YEAR, 11, 28))
    return village, secretary, year


# --- what the board shows -------------------------------------------------------------------------


def test_results_stay_off_the_board_until_published(client, monkeypatch):
    village, _, _ = ready_year()
    today_is(monkeypatch, date(YEAR, 11, 28))
    html = page(client, f"/{village.code}/board")
    assert "翁家埠村党务村务公示栏" in html
    assert "本年度评定结果尚未公示" in html
    assert not any(name in html for name in NAMES)


def test_published_results_show_stars_and_grades_until_the_last_day(client, published, monkeypatch):
    village, _, _ = published
    html = page(client, f"/{village.code}/board")
    assert "公示中，至 11月30日" in html
    assert star_row(html, "王建国") == (
        "6 合格 ★理想 ★组织 ★品行 ★带头 ☆履职 ☆义务 ☆攻坚 ☆致富 ★认可 ★满意"
    )
    assert star_row(html, VETOED) == (
        "0 不合格 ☆理想 ☆组织 ☆品行 ☆带头 ☆履职 ☆义务 ☆攻坚 ☆致富 ☆认可 ☆满意"
    )
    assert "认可：群众认可星" in text(html)  # the legend spells out each label
    today_is(monkeypatch, date(YEAR, 12, 1))
    html = page(client, f"/{village.code}/board")
    assert "公示期已结束" in html and "公示中" not in html
    assert star_row(html, "李桂兰").startswith("6 合格")


def test_an_exempt_elder_shows_as_exempt_without_stars_and_the_quota_is_explained(
    client, monkeypatch
):
    village, secretary, year = quota_year()
    signed_off(year, Part.TENSTAR)
    publish_results(actor=secretary, year=year, today=PUBLISHED)
    db.session.commit()
    today_is(monkeypatch, date(YEAR, 11, 28))
    html = page(client, f"/{village.code}/board")
    assert star_row(html, ELDER) == "免评"  # no stars, no 0
    every = "★理想 ★组织 ★品行 ★带头 ★履职 ★义务 ★攻坚 ★致富 ★认可 ★满意"
    assert star_row(html, "王建国") == f"10 优秀 ※ {every}"
    assert star_row(html, "李桂兰") == f"10 合格 ※ {every}"
    assert star_row(html, "张秀英").startswith("6 合格 ★理想")  # not chosen among the eligible
    assert "※ 优秀名额 1 人，经支委会确定" in text(html)


def test_without_a_quota_choice_the_board_has_no_quota_note(client, published):
    village, _, _ = published
    assert "优秀名额" not in page(client, f"/{village.code}/board")


def test_the_board_ends_with_the_branch_its_day_and_its_telephone(client, monkeypatch):
    village, secretary, year = quota_year(phone="0571-88001234")
    signed_off(year, Part.TENSTAR)
    publish_results(actor=secretary, year=year, today=PUBLISHED)
    db.session.commit()
    today_is(monkeypatch, date(YEAR, 11, 28))
    html = page(client, f"/{village.code}/board")
    sign = text(html[html.index('<footer class="card board-sign"') :])
    assert sign.startswith("翁家埠村党支部 （盖章） 2026年11月28日 联系电话： 0571-88001234")


def test_a_village_without_a_year_shows_this_year_and_nothing_published(client, monkeypatch):
    village = create_village(name="南黄庄村")
    today_is(monkeypatch, date(YEAR, 5, 1))
    html = page(client, f"/{village.code}/board")
    assert "2026 年度" in html and "本年度评定结果尚未公示" in html
    assert "还没有结束的测评" in html


def test_public_pledges_are_shown_drafts_are_not(client, published):
    village, _, _ = published
    add_cadre(village, verified=False)
    html = page(client, f"/{village.code}/board")
    pledges = text(html.split('id="pledges"')[1].split("</section>")[0])
    assert "张三 村委会主任" in pledges
    assert (
        "修通村东道路 指标：修通村东道路的指标 目标：按期完成 完成时限：2026年12月31日 权重 40"
        in pledges
    )


def test_a_draft_pledge_is_not_on_the_board(client, published):
    village, _, _ = published
    add_cadre(village, verified=False, state=PledgeState.CONFIRMED)
    html = page(client, f"/{village.code}/board")
    assert "修通村东道路" not in html
    assert "本年度还没有公开的承诺" in html


def test_cadre_results_appear_once_published_with_pay_and_without_flags(client, published):
    village, secretary, year = published
    add_cadre(village, verified=True)
    assert "本年度村干部考核结果尚未公示" in page(client, f"/{village.code}/board")
    signed_off(year, Part.CADRES)
    publish_cadre_results(actor=secretary, year=year, today=date(YEAR, 11, 27))
    db.session.commit()
    html = page(client, f"/{village.code}/board")
    cadres = text(html.split('id="cadres"')[1].split("</section>")[0])
    assert "公示中，至 12月1日" in cadres
    # 79.0% completion, no ballot, no township score: completion alone, renormalised
    assert "张三 村委会主任 基本称职" in cadres
    assert "目标完成率 79.0%" in cadres and "综合得分 79.0" in cadres
    assert "缺少" in cadres
    # 村务公开: each cadre's pay standard and pay result, by default; never the flags
    cadre = db.session.scalar(select(Cadre).where(Cadre.village_id == village.id))
    assert f"基本报酬（元） {yuan(cadre.base_pay)}" in cadres
    assert "应发报酬（元）" in cadres
    for hidden in ("扣减", "奖励", "诫勉", "建议调整", "职务终止"):
        assert hidden not in cadres, hidden


def test_a_township_may_keep_pay_and_results_off_the_board(client, published):
    village, secretary, year = published
    add_cadre(village, verified=True)
    signed_off(year, Part.CADRES)
    publish_cadre_results(actor=secretary, year=year, today=date(YEAR, 11, 27))
    year.scheme.rules = {
        **year.scheme.rules,
        "board": {**BoardScheme().to_dict(), "pay_standards": False, "pay_results": False},
    }
    db.session.commit()
    cadres = text(page(client, f"/{village.code}/board").split('id="cadres"')[1])
    assert "张三 村委会主任 基本称职" in cadres and "报酬" not in cadres.split("</section>")[0]
    year.scheme.rules = {**year.scheme.rules, "board": {"tenstar": False}}
    db.session.commit()
    tenstar = text(page(client, f"/{village.code}/board").split('id="tenstar"')[1])
    assert OFF_BOARD in tenstar and "王建国" not in tenstar.split("</section>")[0]


def test_the_board_links_the_receipts_of_closed_rounds(client, published):
    village, _, _ = published
    html = page(client, f"/{village.code}/board")
    assert "2026 年度党员民主测评" in html
    assert f'href="/v/{village.code}/receipts' in html


@pytest.mark.parametrize(
    "path", ["/nowhere/board", "/nowhere/board/poster", "/nowhere/board/objections/ABCD2345"]
)
def test_an_unknown_village_is_not_found(client, path):
    assert "找不到这个公示栏" in page(client, path, 404)


def test_filing_for_an_unknown_village_is_not_found(client):
    response = client.post(
        "/nowhere/board/objections", data={"topic": "other", "content": "有意见"}
    )
    assert response.status_code == 404
    assert objections() == []


# --- objections ---------------------------------------------------------------------------------


def file(client, village, **data):
    form = {"topic": "tenstar", "content": "第三组评分有误", "name": "", "phone": "", **data}
    return client.post(f"/{village.code}/board/objections", data=form)


def test_filing_with_name_and_phone_gives_a_reference_to_note_down(client, published):
    village, _, _ = published
    response = file(
        client, village, name=" 王举报 ", phone="13900001111", content="李桂兰不该得群众星"
    )
    (objection,) = objections()
    assert response.status_code == 303
    assert response.location == f"/{village.code}/board/objections/{objection.reference}"
    html = client.get(response.location).get_data(as_text=True)
    assert f'<p class="reference" id="reference">{objection.reference}</p>' in html
    assert "请记下编号，凭编号查看答复" in html
    assert "李桂兰不该得群众星" in html and "尚未答复" in html
    assert "王举报" not in html and "13900001111" not in html
    assert (objection.filer_name, objection.filer_phone) == ("王举报", "13900001111")
    assert (objection.year, objection.topic) == (YEAR, ObjectionTopic.TENSTAR)


def test_filing_without_name_or_phone_is_welcome(client, published):
    village, _, _ = published
    assert file(client, village, topic="pledges").status_code == 303
    (objection,) = objections()
    assert (objection.filer_name, objection.filer_phone, objection.topic) == (
        None,
        None,
        ObjectionTopic.PLEDGES,
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("   ", "请写下异议的内容"),
        ("异" * 1001, "异议内容不能超过 1000 字，现为 1001 字"),
    ],
)
def test_an_empty_or_too_long_objection_is_refused_and_the_text_kept(
    client, published, content, message
):
    village, _, _ = published
    response = file(client, village, content=content, name="王举报")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'value="王举报"' in html  # what was typed is still there
    assert objections() == []


def test_a_thousand_characters_are_accepted(client, published):
    village, _, _ = published
    assert file(client, village, content="异" * 1000).status_code == 303
    assert len(objections()[0].content) == 1000


def test_a_bad_phone_is_refused(client, published):
    village, _, _ = published
    response = file(client, village, phone="打我电话")
    assert response.status_code == 422
    assert "联系电话不对：手机号是 11 位数字" in response.get_data(as_text=True)


def test_a_phone_typed_full_width_is_kept_as_its_digits_and_spaces_are_no_phone(client, published):
    village, _, _ = published
    assert file(client, village, phone="１３８ ０００１ ２３４５").status_code == 303
    assert file(client, village, content="另一条", phone="\u3000\u3000").status_code == 303
    assert [o.filer_phone for o in objections()] == ["13800012345", None]


def test_the_answer_is_shown_to_whoever_has_the_reference(client, published):
    village, secretary, _ = published
    file(client, village)
    (objection,) = objections()
    answer_objection(actor=secretary, objection=objection, answer="经支委会复核，评分无误。")
    db.session.commit()
    html = page(client, f"/{village.code}/board/objections/{objection.reference}")
    assert "经支委会复核，评分无误。" in html and "尚未答复" not in html
    assert secretary.display_name not in html


def test_a_typed_reference_is_found_whatever_its_case_and_spacing(client, published):
    village, _, _ = published
    file(client, village)
    reference = objections()[0].reference
    typed = f" {reference[:4].lower()} - {reference[4:].lower()} "
    response = client.get(f"/{village.code}/board/objections", query_string={"ref": typed})
    assert response.location == f"/{village.code}/board/objections/{reference}"
    response = client.get(f"/{village.code}/board/objections/{reference.lower()}")
    assert response.location == f"/{village.code}/board/objections/{reference}"


def test_a_wrong_reference_says_so(client, published):
    village, _, _ = published
    html = page(client, f"/{village.code}/board/objections/ABCD2345", 404)
    assert "本村没有编号为「ABCD2345」的异议" in html
    html = page(client, f"/{village.code}/board/objections?ref=AB0", 404)
    assert "异议编号是 8 位字母和数字" in html


def test_another_villages_reference_is_not_found_here(client, published):
    village, _, _ = published
    other = create_village()
    file(client, other)
    reference = objections()[0].reference
    page(client, f"/{village.code}/board/objections/{reference}", 404)
    page(client, f"/{other.code}/board/objections/{reference}")


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_an_objection_needs_the_forms_csrf_token(client, published):
    village, _, _ = published
    response = file(client, village, content="没有令牌")
    assert response.status_code == 400
    assert "安全校验过期了" in response.get_data(as_text=True)
    assert objections() == []
    html = page(client, f"/{village.code}/board")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    assert file(client, village, csrf_token=token).status_code == 303
    assert len(objections()) == 1


def test_filing_is_rate_limited_per_address(client, published, monkeypatch):
    village, _, _ = published
    monkeypatch.setattr(board_view, "FILED_PER_ADDRESS", ratelimit.Limit(hits=3, seconds=3600))
    for _ in range(3):
        assert file(client, village).status_code == 303
    response = file(client, village)
    assert response.status_code == 429
    assert "提交异议的次数太多了，请 60 分钟后再试" in response.get_data(as_text=True)
    assert len(objections()) == 3
    # another address is still served
    other = client.post(
        f"/{village.code}/board/objections",
        data={"topic": "other", "content": "另一台手机"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 303


def test_many_filings_from_many_addresses_never_stop_another_villager(client, published):
    """Before: 60 an hour per village stopped everyone's objections; now the secretary is told."""
    village, secretary, year = published
    for n in range(65):
        assert file_from(client, village, f"10.0.{n // 200}.{n % 200}").status_code == 303
    assert file_from(client, village, "10.0.9.9").status_code == 303
    reader = client.application.test_client()
    login(reader, secretary)
    html = page(reader, f"/branch/years/{year.year}/objections")
    assert "最近一小时收到 66 条异议" in html and "来自 66 个网络地址" in html


def test_a_few_objections_raise_no_alert(client, published):
    village, secretary, year = published
    for n in range(3):
        file_from(client, village, f"10.0.0.{n}")
    reader = client.application.test_client()
    login(reader, secretary)
    assert "条异议</strong>" not in page(reader, f"/branch/years/{year.year}/objections")


def file_from(client, village, address):
    return client.post(
        f"/{village.code}/board/objections",
        data={"topic": "other", "content": "有意见"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_guessing_references_is_rate_limited(client, published, monkeypatch):
    village, _, _ = published
    limit = ratelimit.Limit(hits=3, seconds=600)
    monkeypatch.setattr(board_view, "WRONG_REFERENCE_PER_ADDRESS", limit)
    for guess in ("ABCD2345", "ABCD2346", "ABCD2347"):
        page(client, f"/{village.code}/board/objections/{guess}", 404)
    html = page(client, f"/{village.code}/board/objections/ABCD2348", 429)
    assert "查错编号的次数太多了，请 10 分钟后再试" in html


def test_a_right_reference_is_shown_however_many_wrong_ones_came_first(
    client, published, monkeypatch
):
    village, _, _ = published
    monkeypatch.setattr(board_view, "WRONG_REFERENCE_PER_ADDRESS", ratelimit.Limit(2, 600))
    assert file(client, village).status_code == 303
    (objection,) = objections()
    for guess in ("ABCD2345", "ABCD2346", "ABCD2347", "ABCD2348"):
        page(
            client, f"/{village.code}/board/objections/{guess}", 429 if guess > "ABCD2346" else 404
        )
    html = page(client, f"/{village.code}/board/objections/{objection.reference}")
    assert "第三组评分有误" in html


# --- the poster ---------------------------------------------------------------------------------


@pytest.mark.app_config(PUBLIC_BASE_URL="https://dangjian.example.cn")
def test_the_poster_carries_a_qr_of_the_boards_public_address(client, published):
    village, _, _ = published
    html = page(client, f"/{village.code}/board/poster")
    address = f"https://dangjian.example.cn/{village.code}/board"
    assert f'<p class="poster-address">{address}</p>' in html
    assert '<svg class="qr"' in html or "<svg" in html
    assert "翁家埠村" in html and text(html).count("。") >= 2


# --- privacy (DESIGN.md §8) ---------------------------------------------------------------------


def test_public_pages_show_no_phone_birth_date_veto_reason_or_filer(client, published):
    village, secretary, year = published
    add_cadre(village, verified=True)
    signed_off(year, Part.CADRES)
    publish_cadre_results(actor=secretary, year=year, today=PUBLISHED)
    objection = file_objection(
        village=village,
        year=YEAR,
        topic=ObjectionTopic.TENSTAR,
        content="请核实刘志强的评星",
        name="王举报",
        phone="13900001111",
    )
    answer_objection(actor=secretary, objection=objection, answer="已核实。")
    db.session.commit()
    pages = [
        page(client, f"/{village.code}/board"),
        page(client, f"/{village.code}/board/objections/{objection.reference}"),
        page(client, f"/{village.code}/board/poster"),
        page(client, f"/v/{village.code}/receipts"),
    ]
    assert VETOED in pages[0] and "不合格" in pages[0]  # the pages did render the data
    secrets = [
        *PHONES,
        BIRTH.isoformat(),
        f"{BIRTH.year}年{BIRTH.month}月{BIRTH.day}日",
        BIRTH.strftime("%Y%m%d"),
        BIRTH.strftime("%Y/%m/%d"),
        BIRTH.strftime("%Y.%m.%d"),
        f"{BIRTH.year}-{BIRTH.month}-{BIRTH.day}",
        VETO_REASON,
        "刑初字",
        "一票否决",
        "王举报",
        "13900001111",
    ]  # the cadres' pay is public by default (村务公开): see the cadre results test
    for html in pages:
        for secret in secrets:
            assert secret not in html, secret


def test_the_board_runs_as_many_queries_for_three_cadres_as_for_one(client, published):
    village, _, _ = published
    add_cadre(village, verified=True)
    with counting_queries() as one:
        page(client, f"/{village.code}/board")
    add_cadre(village, verified=True)
    add_cadre(village, verified=False)
    with counting_queries() as three:
        page(client, f"/{village.code}/board")
    assert len(three) == len(one)


def _file_forwarded(client, village, forwarded: str):
    return client.post(
        f"/{village.code}/board/objections",
        data={"topic": "other", "content": "有意见"},
        headers={"X-Forwarded-For": forwarded},
    )


@pytest.mark.app_config(TRUSTED_PROXIES=1)
def test_behind_a_trusted_proxy_each_phone_has_its_own_limit(client, published, monkeypatch):
    village, _, _ = published
    monkeypatch.setattr(board_view, "FILED_PER_ADDRESS", ratelimit.Limit(hits=2, seconds=3600))
    for _ in range(2):
        assert _file_forwarded(client, village, "10.1.1.1").status_code == 303
    assert _file_forwarded(client, village, "10.1.1.1").status_code == 429
    assert _file_forwarded(client, village, "10.1.1.2").status_code == 303


def test_without_a_trusted_proxy_a_forged_forwarded_address_is_ignored(
    client, published, monkeypatch
):
    village, _, _ = published
    monkeypatch.setattr(board_view, "FILED_PER_ADDRESS", ratelimit.Limit(hits=2, seconds=3600))
    for forged in ("10.1.1.1", "10.1.1.2"):
        assert _file_forwarded(client, village, forged).status_code == 303
    assert _file_forwarded(client, village, "10.1.1.3").status_code == 429


def test_an_objection_sent_twice_is_filed_once_and_both_get_its_reference(client, published):
    village, *_ = published
    first = file(client, village, once="o" * 24)
    again = file(client, village, once="o" * 24)
    assert first.status_code == again.status_code == 303
    assert again.location == first.location and "/board/objections/" in first.location
    assert len(objections()) == 1
