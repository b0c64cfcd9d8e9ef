"""Print runs in Chromium, on the secretary's office PC (1366×768): codes for 127.0.0.1 only
after an unmissable warning is confirmed; the cover's scan test seen on the print page as a
phone opens it; a failed run voided as a range and a list and reprinted in one go."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from starrating.extensions import db
from starrating.models import BallotToken
from tests.browser.conftest import BACKEND, PHONE, SCREENSHOTS
from tests.browser.test_ballot_print import _village_with_round
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
OFFICE = {"width": 1366, "height": 768}
CONFIRM = "我已知道手机扫码可能打不开，仍然生成"


@pytest.fixture
def office(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=OFFICE, locale="zh-CN")
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _shot(page: Page, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{BACKEND}-{name}.png"), full_page=full_page)


def _in_view(page: Page, selector: str) -> None:
    """The element is on screen at 1366×768, not below the fold."""
    box = page.locator(selector).bounding_box()
    assert (
        box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 60) <= OFFICE["height"]
    )


def _log_in_to_round(page: Page, live_server, username: str, round_id: int) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/branch/rounds/{round_id}")


def test_codes_for_this_computers_address_need_a_confirmation_then_a_scan_test(
    live_server, office, phone
):
    username, round_id = _village_with_round(live_server, members=6, cadres=2, eligible=40)
    _log_in_to_round(office, live_server, username, round_id)
    codes = office.locator("#codes")
    warning = codes.locator(".address-warning")
    expect(warning).to_contain_text("这个地址村民手机打不开")
    expect(warning).to_contain_text("127.0.0.1")
    expect(warning).to_contain_text("STARRATING_PUBLIC_URL=")
    codes.get_by_label("生成张数").fill("3")
    codes.get_by_role("button", name="生成票码并打开打印页").click()
    expect(office.locator("#codes-error")).to_contain_text("没有生成票码")
    _in_view(office, "#codes-error")  # the refusal is where the secretary is looking
    expect(office.locator("#turnout-issued")).to_have_text("0")
    _shot(office, "print-address-refused")

    office.locator("#codes").get_by_label(CONFIRM).check()
    office.locator("#codes").get_by_role("button", name="生成票码并打开打印页").click()
    expect(office.locator("#address-warning")).to_contain_text("手机可能打不开")
    expect(office.locator("#scan-status")).to_contain_text("还没有收到手机扫码")
    expect(office.locator("article.sheet")).to_have_count(3)
    _shot(office, "print-page-before-scan")

    probe = office.locator(".cover-probe").inner_text().split("：", 1)[1].strip()
    phone.goto(probe)
    expect(phone.locator("h1")).to_have_text("扫码测试成功")
    expect(phone.locator("main")).to_contain_text("不是选票")
    _shot(phone, "print-scan-test-phone")

    expect(office.locator("#scan-status")).to_contain_text("已收到手机扫码", timeout=15_000)
    _in_view(office, "#scan-status")
    _shot(office, "print-page-scanned")
    tokens = live_server.seed(
        lambda: [(t.used, t.voided_at) for t in db.session.query(BallotToken).all()]
    )
    assert tokens == [(False, None)] * 3  # the scan touched no code

    office.get_by_role("link", name="打印完成，返回测评").click()
    expect(office.locator("#print-runs")).to_contain_text("已收到手机扫码")
    expect(office.locator("#print-runs")).to_contain_text("第 1–3 号（3 张）")


def test_a_failed_run_is_voided_by_range_and_list_and_reprinted_at_once(live_server, office):
    username, round_id = _village_with_round(live_server, members=6, cadres=2, eligible=40)
    _log_in_to_round(office, live_server, username, round_id)
    codes = office.locator("#codes")
    codes.get_by_label("生成张数").fill("20")
    codes.get_by_label(CONFIRM).check()
    codes.get_by_role("button", name="生成票码并打开打印页").click()
    expect(office.locator("article.sheet")).to_have_count(20)
    office.get_by_role("link", name="打印完成，返回测评").click()
    office.on("dialog", lambda dialog: dialog.accept())

    void = office.locator("#void")
    void.get_by_label("作废哪些编号").fill("7, 99")
    void.get_by_label("作废原因").fill("打印机卡纸")
    void.get_by_label(CONFIRM).check()
    void.get_by_role("button", name="作废并补发").click()
    expect(office.locator("#void-error")).to_contain_text(
        "没有第 99 号选票（本次测评印到第 20 号）"
    )
    expect(office.locator("#void-error")).to_contain_text("没有作废任何选票")
    _in_view(office, "#void-error")
    expect(office.locator("#turnout-voided")).to_have_text("0")
    expect(office.locator("#void").get_by_label("作废哪些编号")).to_have_value("7, 99")
    _shot(office, "print-void-refused")

    void = office.locator("#void")
    void.get_by_label("作废哪些编号").fill("12-15, 3")
    void.get_by_label(CONFIRM).check()
    void.get_by_role("button", name="作废并补发").click()
    expect(office.locator("#voided")).to_contain_text("第 3、12–15 号选票已作废（5 张）")
    sheets = office.locator("article.sheet")
    expect(sheets).to_have_count(5)
    assert [s.get_attribute("data-serial") for s in sheets.all()] == ["21", "22", "23", "24", "25"]
    expect(office.locator("#page-promise")).to_have_text("5 张，另有封面 1 页，共 6 页 A4")
    expect(office.locator("#cover")).to_contain_text("替换已作废的第 3、12–15 号")
    _shot(office, "print-void-reprinted")

    office.get_by_role("link", name="打印完成，返回测评").click()
    expect(office.locator("#turnout-voided")).to_have_text("5")
    expect(office.locator("#turnout-issued")).to_have_text("20")
    office.goto(f"{live_server.url}/branch/audit")
    audit = office.locator("main")
    expect(audit).to_contain_text("作废第 3、12–15 号选票（5 张）：打印机卡纸；补发第 21–25 号")
