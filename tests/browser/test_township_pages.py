"""The township reviewer's pages on an office PC (1366×768): every 乡镇评价 input of the 干部考核
page is on the screen, and villages are listed waiting-for-review first, then by pinyin."""

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from starrating.extensions import db
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import Role
from starrating.services.appraisal import record_township_score
from starrating.services.review import publish_cadre_results, publish_results, submit_year
from starrating.web import china_today
from tests.blueprints.publicity import YEAR, add_cadre, ready_year
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import BACKEND
from tests.factories import PASSWORD, create_user, create_village, signed_off

pytestmark = pytest.mark.browser

OFFICE = {"width": 1366, "height": 768}
OTHERS = ["翁家埠村", "东沙村", "前洋村", "北塘村", "南黄庄村"]  # in the order they were created


def seed_township(live_server) -> dict[str, object]:
    """西岙村 submitted for review (publicity over), with one cadre scored by the township; five
    other villages not opened, 北塘村 with a cadre waiting for results; the reviewer."""

    def make() -> dict[str, object]:
        village, secretary, year = ready_year()
        village.name = "西岙村"
        cadre = add_cadre(village, verified=True)
        published = china_today() - timedelta(days=12)
        signed_off(year, Part.TENSTAR)
        publish_results(actor=secretary, year=year, today=published)
        signed_off(year, Part.CADRES)
        publish_cadre_results(actor=secretary, year=year, today=published)
        submit_year(actor=secretary, year=year, today=china_today())
        reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
        record_township_score(actor=reviewer, cadre=cadre, year=YEAR, score=Decimal(85))
        db.session.commit()
        for name in OTHERS:
            other = create_village(township=village.township, name=name)
            if name == "北塘村":
                add_cadre(other, verified=False)
        return {"reviewer": reviewer.username}

    return live_server.seed(make)


@pytest.fixture
def office(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=OFFICE, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{BACKEND}-{name}.png"), full_page=True)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".topbar")).to_contain_text("退出")


def test_every_township_score_input_is_on_a_1366_screen(live_server, office: Page):
    seeded = seed_township(live_server)
    log_in(office, live_server.url, seeded["reviewer"])
    office.goto(f"{live_server.url}/township/appraisal/{YEAR}")
    inputs = office.locator("#cadres input[inputmode=decimal]")
    expect(inputs).to_have_count(2)
    for box in (inputs.nth(i).bounding_box() for i in range(inputs.count())):
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= OFFICE["width"], box
    buttons = office.locator("#cadres button[type=submit]")
    for box in (buttons.nth(i).bounding_box() for i in range(buttons.count())):
        assert box is not None and box["x"] + box["width"] <= OFFICE["width"], box
    width = office.evaluate("document.documentElement.scrollWidth")
    assert width <= OFFICE["width"], f"the page scrolls sideways ({width} px)"
    villages = office.locator("#cadres tbody tr td:first-child")
    expect(villages).to_have_text(["西岙村", "北塘村"])  # waiting for review first
    expect(office.locator("#cadres thead")).to_contain_text("综合满意率")
    shot(office, "township-appraisal-1366")

    inputs.nth(0).fill("88.5")
    office.locator("#cadres button[type=submit]").nth(0).click()
    expect(office.locator(".flash-success")).to_contain_text("已保存张三的乡镇评价")
    expect(office.locator("#cadres input[inputmode=decimal]").nth(0)).to_have_value("88.5")


def test_villages_are_listed_waiting_for_review_first_then_by_pinyin(live_server, office: Page):
    seeded = seed_township(live_server)
    log_in(office, live_server.url, seeded["reviewer"])
    in_order = ["西岙村", "北塘村", "东沙村", "南黄庄村", "前洋村", "翁家埠村"]
    office.goto(f"{live_server.url}/township/")
    names = office.locator("table tbody tr td:first-child")
    expect(names).to_have_text(in_order)
    shot(office, "township-villages-order")
    office.goto(f"{live_server.url}/township/dashboard?year={YEAR}")
    expect(office.locator("#villages tbody tr td:first-child")).to_have_text(in_order)
    shot(office, "township-dashboard-order")
