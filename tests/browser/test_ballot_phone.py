"""A villager votes on a cheap phone (360×740) from a printed ballot's QR address.

翁家埠村's 58 members are on the ballot; the villager taps a few rows, watches the count of
untouched rows go down, submits and sees the receipt; the same code again is refused politely.
Also: the ballot works with JavaScript off.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select

from starrating.extensions import db
from starrating.models import CastBallot
from starrating.rules.electorate import Electorate
from starrating.rules.vocabulary import Role
from starrating.services.ballots import create_round, generate_codes, open_round
from starrating.web import ballot_address
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import BACKEND
from tests.factories import create_member, create_user, create_village, open_assessment

pytestmark = pytest.mark.browser

CHEAP_PHONE = {"width": 360, "height": 740}
MIN_TARGET_PX = 48
MIN_BODY_PX = 18
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "桂兰", "秀英", "志强", "海燕", "国庆", "丽华", "德明", "金凤", "永福"]


def member_names() -> list[str]:
    names = [SURNAMES[i % 20] + GIVEN[(i + i // 20) % 10] for i in range(56)]
    return [*names, "阿依古丽·买买提·艾尔肯", "欧阳𠀾"]  # a long name and Extension B


@dataclass(frozen=True)
class Seeded:
    addresses: list[str]  # what the printed QR codes lead to
    round_id: int


def _seed(live_server, codes: int = 3) -> Seeded:
    """翁家埠村: 58 members, the 2026 year open, a round of them opened with printed codes."""

    def make() -> Seeded:
        village = create_village(name="翁家埠村")
        secretary = create_user(role=Role.SECRETARY, village=village)
        for name in member_names():
            create_member(village=village, name=name)
        open_assessment(village=village, secretary=secretary, raters=[secretary])
        ballot_round = create_round(
            actor=secretary,
            village=village,
            year=2026,
            title="2026 年度党员群众满意度测评",
            members=True,
            cadres=False,
            electorate=Electorate.VILLAGERS,
            eligible=1024,
        )
        printed = generate_codes(actor=secretary, ballot_round=ballot_round, count=codes)
        open_round(actor=secretary, ballot_round=ballot_round)
        db.session.commit()
        with live_server.app.test_request_context(base_url=live_server.url):
            addresses = [ballot_address(village.code, c.code) for c in printed]
        return Seeded(addresses, ballot_round.id)

    return live_server.seed(make)


def _ballots(live_server, seeded: Seeded) -> int:
    return live_server.seed(
        lambda: db.session.scalar(
            select(func.count()).where(CastBallot.round_id == seeded.round_id)
        )
    )


def _phone(browser: Browser, *, javascript: bool = True) -> BrowserContext:
    context = browser.new_context(
        viewport=CHEAP_PHONE,
        locale="zh-CN",
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=javascript,
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A cheap phone: 360×740 CSS pixels, touch, Simplified Chinese."""
    context = _phone(browser)
    try:
        yield context.new_page()
    finally:
        context.close()


def snap(page: Page, name: str, *, full: bool = False) -> Path:
    """What the villager sees on the screen (or the whole page), kept for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{BACKEND}-phone-ballot-{name}.png"
    page.screenshot(path=str(path), full_page=full)
    return path


def rows(page: Page):
    return page.locator("fieldset[data-row]")


def tap(page: Page, row: int, label: str) -> None:
    rows(page).nth(row).locator("label.choice", has_text=label).first.tap()


def assert_fits_a_cheap_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= CHEAP_PHONE["width"], f"the page scrolls sideways: {width}px"
    body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body >= MIN_BODY_PX
    for target in (
        rows(page).first.locator("label.choice span"),
        page.locator("button[type=submit]"),
    ):
        for i in range(target.count()):
            box = target.nth(i).bounding_box()
            assert box is not None
            assert box["height"] >= MIN_TARGET_PX and box["width"] >= MIN_TARGET_PX, box


def test_a_villager_votes_from_the_printed_qr_and_gets_a_receipt(live_server, page):
    seeded = _seed(live_server)
    page.goto(seeded.addresses[0])
    assert page.url.endswith("/ballot")  # the code left the address bar and the history
    assert "-" not in page.url.rsplit("/v/", 1)[1].split("/", 1)[1]
    expect(page.get_by_role("heading", name="2026 年度党员群众满意度测评")).to_be_visible()
    expect(rows(page)).to_have_count(58)
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)
    progress = page.locator("[data-left]")
    expect(progress).to_contain_text("还有 58 行未选择")
    assert_fits_a_cheap_phone(page)
    snap(page, "form-top")

    tap(page, 0, "满意")
    tap(page, 1, "基本满意")
    tap(page, 2, "不满意")
    tap(page, 3, "不了解")
    tap(page, 3, "满意")  # changed her mind: still one mark in the row
    expect(progress).to_contain_text("还有 54 行未选择")
    rows(page).nth(30).scroll_into_view_if_needed()
    tap(page, 30, "基本满意")
    tap(page, 57, "满意")
    expect(progress).to_contain_text("还有 52 行未选择")
    rows(page).nth(30).evaluate("row => row.scrollIntoView({block: 'center'})")
    snap(page, "form-midway")

    page.once("dialog", lambda dialog: dialog.accept())  # "还有 52 行没有选择…确定吗？"
    page.get_by_role("button", name="提交").tap()
    expect(page.get_by_role("heading", name="✓ 投票成功")).to_be_visible()
    receipt = page.locator("[data-receipt]").inner_text().strip()
    assert len(receipt) == 8
    assert_fits_receipt(page)
    snap(page, "receipt", full=True)
    assert _ballots(live_server, seeded) == 1

    page.goto(seeded.addresses[0])  # the same slip scanned again
    expect(page.get_by_role("heading", name="已投票")).to_be_visible()
    expect(page.get_by_text("这张选票已经投过了")).to_be_visible()
    snap(page, "refused", full=True)
    assert _ballots(live_server, seeded) == 1


def assert_fits_receipt(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= CHEAP_PHONE["width"]
    box = page.locator("[data-receipt] strong").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= CHEAP_PHONE["width"]


def test_a_villager_can_type_the_code_from_the_slip(live_server, page):
    seeded = _seed(live_server, codes=1)
    code = seeded.addresses[0].rsplit("/", 1)[1]
    village_page = seeded.addresses[0].rsplit("/t/", 1)[0] + "/"
    page.goto(village_page)
    expect(page.get_by_role("heading", name="翁家埠村")).to_be_visible()
    field = page.get_by_label("票码")
    field.fill(code.lower().replace("-", " "))
    snap(page, "enter")
    page.get_by_role("button", name="进入投票").tap()
    expect(rows(page)).to_have_count(58)


def test_the_ballot_works_without_javascript(live_server, browser):
    seeded = _seed(live_server, codes=1)
    context = _phone(browser, javascript=False)
    try:
        page = context.new_page()
        page.goto(seeded.addresses[0])
        expect(rows(page)).to_have_count(58)
        expect(page.get_by_text("未选择的行按空白计。")).to_be_visible()
        tap(page, 0, "不满意")
        tap(page, 1, "满意")
        assert page.locator("input[type=radio]:checked").count() == 2
        assert_fits_a_cheap_phone(page)
        page.get_by_role("button", name="提交").tap()
        expect(page.get_by_role("heading", name="✓ 投票成功")).to_be_visible()
        snap(page, "receipt-no-js", full=True)
        page.go_back()  # back to the form and submit again: already in, nothing counted twice
        expect(page.get_by_role("heading", name="已投票")).to_be_visible()
    finally:
        context.close()
    assert _ballots(live_server, seeded) == 1
