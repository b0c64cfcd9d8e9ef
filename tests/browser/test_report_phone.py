"""A cadre files a quarterly report from a phone; the secretary sees it on the overview."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from starrating.blueprints.branch import reports as report_views
from starrating.extensions import db
from starrating.models import Cadre, Pledge, PledgeItem
from starrating.rules.pledges import PledgeState
from starrating.rules.vocabulary import Role
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD, create_user, create_village

pytestmark = pytest.mark.browser

TODAY = date(2026, 8, 1)  # Q1 and Q2 overdue, Q3 under way
TOLERANCE_PX = 2
MIN_TARGET_PX = 44
ITEMS = (("硬化通组道路 2 公里", 40), ("新建村文化广场一处", 30), ("发展集体经济增收 5 万元", 30))


@dataclass(frozen=True)
class Seeded:
    secretary: str
    cadre: str


def _seed(live_server) -> Seeded:
    def make() -> Seeded:
        village = create_village(name="翁家埠村")
        secretary = create_user(role=Role.SECRETARY, village=village)
        user = create_user(role=Role.CADRE, village=village)
        cadre = Cadre(
            village=village,
            name="王建国",
            post="村委会主任",
            user_id=user.id,
            base_pay=Decimal(24000),
        )
        pledge = Pledge(cadre=cadre, year=2026, state=PledgeState.PUBLIC)
        for position, (content, weight) in enumerate(ITEMS, start=1):
            pledge.items.append(
                PledgeItem(
                    position=position,
                    content=content,
                    indicator="完成量",
                    target="全部完成",
                    deadline=date(2026, 12, 31),
                    weight=weight,
                )
            )
        db.session.add_all([cadre, pledge])
        db.session.commit()
        return Seeded(secretary.username, user.username)

    return live_server.seed(make)


def _log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login")
    for label, text in (("用户名", username), ("密码", PASSWORD)):
        field = page.get_by_label(label, exact=True)
        field.tap()
        field.press_sequentially(text)
    page.get_by_role("button", name="登录").tap()
    expect(page.get_by_role("navigation")).to_be_visible()


def _assert_fits(page: Page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"] + TOLERANCE_PX, f"{page.url} is {scroll_width}px wide"


def test_a_cadre_files_from_a_phone_and_the_secretary_sees_it(
    live_server, page, screenshot, monkeypatch
):
    monkeypatch.setattr(report_views, "china_today", lambda: TODAY)
    seeded = _seed(live_server)

    _log_in(page, live_server, seeded.cadre)
    page.goto(f"{live_server.url}/branch/my-pledges")
    expect(page.get_by_text("现在要汇报 6 项")).to_be_visible()
    _assert_fits(page)
    screenshot("report-my-pledges")

    page.locator("a[data-due]").first.tap()
    expect(page.get_by_role("heading", name="2026 年第 1 季度汇报")).to_be_visible()
    for selector in ("#progress", "#done", "#next_step", "#submit"):
        box = page.locator(selector).bounding_box()
        assert box and box["height"] >= MIN_TARGET_PX, selector
        assert box["width"] >= PHONE["width"] * 0.75, selector  # full width: one thumb
    page.locator("#progress").tap()
    page.locator("#progress").fill("120")
    page.locator("#done").fill("完成路基 1.2 公里")
    page.locator("#next_step").fill("九月底前完成铺面")
    page.locator("#submit").tap()
    expect(page.get_by_text("进度须在 0–100% 之间")).to_be_visible()
    page.locator("#progress").fill("60")
    _assert_fits(page)
    screenshot("report-form")
    page.locator("#submit").tap()
    expect(page.get_by_text("第 1 季度汇报（进度 60%）")).to_be_visible()
    expect(page.get_by_text("现在要汇报 5 项")).to_be_visible()
    screenshot("report-after-filing")

    page.context.clear_cookies()  # the secretary, on the same phone
    _log_in(page, live_server, seeded.secretary)
    page.goto(f"{live_server.url}/branch/reports")
    table = page.locator("#reports-overview")
    filed = table.locator('td[data-quarter="1"][data-status="filed"]')
    expect(filed).to_have_count(1)
    expect(filed).to_contain_text("60%")
    expect(table.locator('td[data-status="overdue"]')).to_have_count(5)
    expect(page.locator("[data-overdue]")).to_contain_text("5")
    _assert_fits(page)
    screenshot("report-overview")
