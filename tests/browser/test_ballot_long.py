"""A long ballot on a phone (390×844): the whole assembly, 58 members and 7 cadres = 65 rows.

The villager jumps to the next row she has not chosen yet (with and without JavaScript), the
sticky count at the bottom never hides the buttons she has to tap, and a choice tapped by
mistake can be cleared back to blank, which is how the ballot is stored.
"""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from starrating.extensions import db
from starrating.models import CastBallot
from starrating.rules.electorate import Electorate
from starrating.rules.vocabulary import Role
from starrating.services.ballots import create_round, generate_codes, open_round
from starrating.web import ballot_address
from tests.blueprints.test_ballot_pages import create_cadre
from tests.browser.test_ballot_phone import member_names
from tests.factories import create_member, create_user, create_village, open_assessment

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Assembly:
    address: str
    round_id: int


def _seed(live_server) -> Assembly:
    def make() -> Assembly:
        village = create_village(name="翁家埠村")
        secretary = create_user(role=Role.SECRETARY, village=village)
        for name in member_names():
            create_member(village=village, name=name)
        for i in range(7):
            create_cadre(village=village, name=f"干部{'一二三四五六七'[i]}号")
        open_assessment(village=village, secretary=secretary, raters=[secretary])
        ballot_round = create_round(
            actor=secretary,
            village=village,
            year=2026,
            title="2026 年度党员和村干部满意度测评",
            members=True,
            cadres=True,
            electorate=Electorate.VILLAGERS,
            eligible=300,
        )
        (printed,) = generate_codes(actor=secretary, ballot_round=ballot_round, count=1)
        open_round(actor=secretary, ballot_round=ballot_round)
        db.session.commit()
        with live_server.app.test_request_context(base_url=live_server.url):
            return Assembly(ballot_address(village.code, printed.code), ballot_round.id)

    return live_server.seed(make)


def rows(page: Page):
    return page.locator("fieldset[data-row]")


def tap(page: Page, row: int, label: str) -> None:
    rows(page).nth(row).locator("label.choice", has_text=label).first.tap()


def bar_top(page: Page) -> float:
    box = page.locator("[data-left]").bounding_box()
    assert box is not None
    return box["y"]


def assert_row_usable(page: Page, row: int) -> None:
    """Every button of the row is on the screen and above the sticky count."""
    top = bar_top(page)
    buttons = rows(page).nth(row).locator("label.choice span")
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box is not None
        assert box["y"] >= 0, f"row {row} button {i} is above the screen"
        assert box["y"] + box["height"] <= top, f"row {row} button {i} is under the count bar"


def in_view(page: Page, row: int) -> bool:
    return (
        rows(page)
        .nth(row)
        .evaluate(
            "r => { const b = r.getBoundingClientRect(); "
            "return b.top >= 0 && b.top < innerHeight; }"
        )
    )


def stored_marks(live_server, assembly: Assembly) -> dict[str, str]:
    (ballot,) = live_server.seed(
        lambda: list(
            db.session.scalars(select(CastBallot).where(CastBallot.round_id == assembly.round_id))
        )
    )
    return ballot.marks


def subject_id(page: Page, row: int) -> str:
    return rows(page).nth(row).get_attribute("id").removeprefix("row-")


def test_the_next_untouched_row_is_one_tap_away_and_never_under_the_count(live_server, browser):
    assembly = _seed(live_server)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(assembly.address)
        expect(rows(page)).to_have_count(65)
        jump = page.get_by_role("link", name="跳到下一个未选")
        expect(jump).to_be_visible()
        for row in range(3):
            tap(page, row, "满意")
        jump.tap()
        page.wait_for_function("location.hash.startsWith('#row-')")
        assert in_view(page, 3)
        assert_row_usable(page, 3)

        # Everything but row 40 chosen, read from the top: the link leads to row 40.
        for row in range(3, 65):
            if row != 40:
                tap(page, row, "基本满意")
        expect(page.locator("[data-count]")).to_contain_text("还有 1 行未选择")
        expect(page.locator("[data-unmarked] a")).to_have_count(1)
        page.evaluate("window.scrollTo(0, 0)")
        jump.tap()
        page.wait_for_timeout(300)
        assert in_view(page, 40)
        assert_row_usable(page, 40)
        page.screenshot(path=str(_shot(live_server, "long-ballot-jump")))

        # The last row, with the page scrolled to the bottom of the rows.
        rows(page).nth(64).scroll_into_view_if_needed()
        assert_row_usable(page, 64)
        tap(page, 40, "不了解")
        expect(page.locator("[data-count]")).to_contain_text("65 行都已选择")
        expect(jump).to_be_hidden()
    finally:
        context.close()


def test_a_choice_tapped_by_mistake_is_cleared_back_to_blank(live_server, browser):
    assembly = _seed(live_server)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(assembly.address)
        clear = rows(page).nth(0).locator("label.clear", has_text="清除这一行的选择")
        expect(clear).to_be_hidden()  # nothing to clear yet
        tap(page, 0, "不满意")
        tap(page, 1, "满意")
        expect(page.locator("[data-count]")).to_contain_text("还有 63 行未选择")
        expect(clear).to_be_visible()
        page.screenshot(path=str(_shot(live_server, "long-ballot-clear")))
        clear.tap()
        expect(page.locator("[data-count]")).to_contain_text("还有 64 行未选择")
        expect(rows(page).nth(0).locator(".choice input:checked")).to_have_count(0)
        first, second = subject_id(page, 0), subject_id(page, 1)
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="提交").tap()
        expect(page.get_by_role("heading", name="✓ 投票成功")).to_be_visible()
    finally:
        context.close()
    marks = stored_marks(live_server, assembly)
    assert first not in marks  # cleared: blank, not 不满意
    assert marks[second] == "satisfied"
    assert len(marks) == 1


def test_without_javascript_the_jump_and_the_clear_still_work(live_server, browser: Browser):
    assembly = _seed(live_server)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(assembly.address)
        first = subject_id(page, 0)
        jump = page.get_by_role("link", name="跳到下一个未选")
        assert jump.get_attribute("href") == f"#row-{first}"
        jump.click()
        assert in_view(page, 0)
        assert_row_usable(page, 0)
        rows(page).nth(0).locator("label.choice", has_text="不满意").click()
        rows(page).nth(2).locator("label.choice", has_text="满意").first.click()
        # 「清除」 is shown by CSS alone (:has), no JavaScript needed
        rows(page).nth(0).locator("label.clear", has_text="清除这一行的选择").click()
        page.get_by_role("button", name="提交").click()
        expect(page.get_by_role("heading", name="✓ 投票成功")).to_be_visible()
    finally:
        context.close()
    marks = stored_marks(live_server, assembly)
    assert list(marks.values()) == ["satisfied"]


def _shot(live_server, name: str):
    from tests.browser.conftest import SCREENSHOTS
    from tests.conftest import BACKEND

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{BACKEND}-{name}.png"
