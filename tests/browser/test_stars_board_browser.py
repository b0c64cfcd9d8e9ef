"""A villager reads the 党员星级榜 on a phone (390×844, issue 19): each member's current stars
after the approved year, 摘星 / 升星 with the public reasons, 免评 as 免评, nothing private, and
no sideways scrolling."""

import re
import subprocess
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from starrating.blueprints.branch import stars as star_views
from starrating.extensions import db
from starrating.rules.star_changes import DEFAULT_AWARD_REASONS, DEFAULT_REMOVAL_REASONS, ChangeKind
from starrating.services.stars import ChangeFacts, record_star_change
from tests.blueprints.stars_world import NEXT, TODAY, approved_world
from tests.browser.conftest import SCREENSHOTS
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
NOTE = "本人在支委会上作了检讨"


def seed(live_server) -> str:
    def make() -> str:
        world = approved_world()
        song, li = world.members["宋明远"], world.members["李桂兰"]
        for member, kind, star, reason, day in (
            (
                song,
                ChangeKind.REMOVE,
                "organisation",
                DEFAULT_REMOVAL_REASONS[1],
                date(NEXT, 3, 10),
            ),
            (song, ChangeKind.REMOVE, "exemplary", DEFAULT_REMOVAL_REASONS[4], date(NEXT, 5, 2)),
            (li, ChangeKind.AWARD, "volunteering", DEFAULT_AWARD_REASONS[1], date(NEXT, 4, 1)),
        ):
            facts = ChangeFacts(kind, star, day, day, reason, NOTE)
            record_star_change(actor=world.secretary, member=member, facts=facts, today=TODAY)
        db.session.commit()
        return world.village.code

    return live_server.seed(make)


def test_a_villager_reads_the_star_standing_on_a_phone(live_server, page: Page, screenshot):
    code = seed(live_server)
    page.goto(f"{live_server.url}/{code}/board")
    page.get_by_role("link", name="党员星级榜").click()
    section = page.locator("#star-standing")
    expect(section).to_be_in_viewport()
    expect(section).to_contain_text("摘星 2 次 / 升星 0 次")
    expect(section).to_contain_text("摘星 0 次 / 升星 1 次")
    expect(section).to_contain_text(DEFAULT_REMOVAL_REASONS[1])
    expect(section.locator("tbody.exempt")).to_contain_text("免评")
    song = section.locator("tbody.member", has_text="宋明远")
    expect(song.locator(".stars .on")).to_have_count(8)
    assert NOTE not in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the board scrolls sideways on a phone ({width} px)"
    screenshot("board-star-standing")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENSHOTS / "board-star-standing-section.png"))


def test_the_secretary_records_an_award_on_a_phone_and_reads_the_history(
    live_server, page: Page, screenshot, monkeypatch
):
    monkeypatch.setattr(star_views, "china_today", lambda: TODAY)  # the server runs in-process

    def make() -> str:
        return approved_world().secretary.username

    username = live_server.seed(make)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/branch/members")
    page.get_by_role("link", name="党员星级榜").click()
    page.get_by_role("link", name="李桂兰").click()
    expect(page.locator("#current")).to_contain_text("6 星")

    form = page.locator("#change")
    form.get_by_label("摘星还是升星").select_option(label="摘星")
    form.get_by_label("哪一颗星").select_option(label="履职尽责星")
    form.get_by_label("理由（在公示栏公开）").select_option(label=DEFAULT_REMOVAL_REASONS[0])
    form.get_by_label("摘星或升星的日期").fill(f"{NEXT}-04-01")
    form.get_by_label("支委会研究决定的日期").fill(f"{NEXT}-04-01")
    form.get_by_role("button", name="登记").click()
    expect(page.get_by_text("该党员目前没有「履职尽责星」，不能摘星")).to_be_visible()

    form.get_by_label("摘星还是升星").select_option(label="升星")
    form.get_by_label("哪一颗星").select_option(label="义务奉献星")
    form.get_by_label("理由（在公示栏公开）").select_option(label=DEFAULT_AWARD_REASONS[1])
    form.get_by_label("摘星或升星的日期").fill(f"{NEXT}-04-01")
    form.get_by_label("支委会研究决定的日期").fill(f"{NEXT}-04-01")
    form.get_by_label("备注（不公开，只有本村党支部和乡镇能看到）").fill(NOTE)
    form.get_by_role("button", name="登记").click()
    expect(page.get_by_text("已登记：李桂兰升星「义务奉献星」")).to_be_visible()
    expect(page.locator("#current")).to_contain_text("7 星")
    expect(page.locator("#history")).to_contain_text("6 星 · 合格")
    expect(page.locator("#history")).to_contain_text(NOTE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the member's stars page scrolls sideways ({width} px)"
    screenshot("member-stars")


def test_the_door_cards_print_four_to_an_a4_sheet_and_read_in_grey(
    live_server, page: Page, screenshot, tmp_path
):
    def make() -> tuple[str, int]:
        world = approved_world()
        facts = ChangeFacts(
            ChangeKind.REMOVE, "organisation", date(NEXT, 3, 10), date(NEXT, 3, 8),
            DEFAULT_REMOVAL_REASONS[1], NOTE,
        )  # fmt: skip
        song = world.members["宋明远"]
        record_star_change(actor=world.secretary, member=song, facts=facts, today=TODAY)
        db.session.commit()
        return world.secretary.username, song.id

    username, song = live_server.seed(make)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/branch/stars")
    page.get_by_role("link", name="打印党员户星级牌（全支部）").click()
    cards = page.locator(".door-card")
    expect(cards).to_have_count(7)  # six members and the 免评 one, on two sheets
    card = page.locator(f".door-card[data-member='{song}']")
    expect(card).to_contain_text("现有 9 星")
    expect(card.locator(".door-stars .on")).to_have_count(9)
    expect(card.locator(".door-stars .off")).to_contain_text("组织观念星")
    expect(page.locator(".door-card", has_text="老党员")).to_contain_text("免评")
    assert NOTE not in page.content()
    screenshot("star-cards-screen")

    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 2, f"seven cards print on {pages} A4 pages, not 2"
    path = tmp_path / "cards.pdf"
    path.write_bytes(pdf)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # the first sheet in grey, as a photocopy would be
        ["pdftoppm", "-gray", "-r", "110", "-f", "1", "-l", "1", "-png", str(path),
         str(SCREENSHOTS / "star-cards-grey")],
        check=True,
    )  # fmt: skip

    page.goto(f"{live_server.url}/branch/stars/cards?member={song}")
    expect(page.locator(".door-card")).to_have_count(1)
