"""Two 孙学军 as real users meet them: a villager on a phone (390×844), anyone reading the board
on a small phone (360×740), the secretary at the office PC (1366×768) printing the sheet,
marking and picking the 优秀 members. Each list tells them apart; a unique name shows alone.
The village is tests/blueprints/test_namesakes.py's.
"""

import pytest
from playwright.sync_api import Page, expect

from starrating.rules.tokens import shown
from tests.blueprints.test_namesakes import LABELS, assembly, published
from tests.browser.conftest import BACKEND, SCREENSHOTS
from tests.browser.test_ballot_print import _first_sheet_png, _pdf, _print_codes
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

PC = {"width": 1366, "height": 768}
SMALL_PHONE = {"width": 360, "height": 740}
CADRE_LABELS = ["孙学军（1984年生）", "李永利"]  # the cadre 孙学军 is the member of 四组


def _log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("navigation")).to_be_visible()


def _fits(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways ({scroll_width} px > {width})"


def test_the_villager_tells_the_two_孙学军_apart_on_the_ballot(live_server, page: Page, screenshot):
    world = live_server.seed(assembly)
    page.goto(f"{live_server.url}/v/{world.village_code}/t/{shown(world.codes[0])}")
    names = page.locator("fieldset legend .name")
    expect(names).to_have_text([*LABELS, *CADRE_LABELS])
    expect(names.nth(1)).to_have_text("王建国")  # a name of his own: shown alone
    _fits(page, 390)
    page.locator("fieldset").nth(2).scroll_into_view_if_needed()
    screenshot("namesakes-ballot")


def test_the_printed_sheet_tells_them_apart(live_server, page: Page, screenshot):
    world = live_server.seed(lambda: assembly(codes=0))
    page.set_viewport_size(PC)
    _print_codes(page, live_server, world.secretary, world.round_id, 1, "sheet")
    cells = page.locator("article.sheet td.subject-name")
    expect(cells).to_have_text([*LABELS, *CADRE_LABELS])
    screenshot("namesakes-print-screen")
    _first_sheet_png(_pdf(page, "namesakes-print"))


def test_the_rater_tells_them_apart_on_the_marking_list_and_page(
    live_server, page: Page, screenshot
):
    world = live_server.seed(assembly)
    page.set_viewport_size(PC)
    _log_in(page, live_server, world.secretary)
    page.goto(f"{live_server.url}/branch/marking")
    expect(page.locator(".mark-list .name")).to_have_text(LABELS)
    expect(page.locator(".next-button")).to_contain_text("开始评分：孙学军（1984年生）")
    screenshot("namesakes-marking-list")
    page.get_by_role("link", name="孙学军（1949年生）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("孙学军（1949年生）")
    screenshot("namesakes-mark-member")


def test_the_board_on_a_small_phone_tells_them_apart(live_server, page: Page, screenshot):
    world = live_server.seed(published)
    page.set_viewport_size(SMALL_PHONE)
    page.goto(f"{live_server.url}/{world.village_code}/board")
    expect(page.locator(".stars-table td.name")).to_have_text(LABELS)
    table = page.locator(".stars-table")
    table.screenshot(path=str(SCREENSHOTS / f"{BACKEND}-namesakes-board-360-table.png"))
    screenshot("namesakes-board-360")
    _fits(page, 360)


def test_the_secretary_tells_them_apart_on_the_excellence_quota_list(
    live_server, page: Page, screenshot
):
    world = live_server.seed(published)
    page.set_viewport_size(PC)
    _log_in(page, live_server, world.secretary)
    page.goto(f"{live_server.url}/branch/years/2026/results")
    candidates = page.locator("#candidates td.name")
    expect(candidates).to_have_count(len(LABELS))
    assert sorted(candidates.all_inner_texts()) == sorted(LABELS)
    for label in ("孙学军（1984年生）", "张伟（三组）"):  # the 支委会's choice, kept ticked
        expect(page.get_by_role("checkbox", name=label, exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="孙学军（1949年生）", exact=True)).not_to_be_checked()
    expect(page.locator("#results td.name")).to_have_text(LABELS)
    page.locator("#excellence").scroll_into_view_if_needed()
    screenshot("namesakes-quota-list")
