"""The township reviewer changes the cadre appraisal rules on a phone (390 px), with CSRF on:
a mistake is listed and nothing saved, the corrected form saves and the scheme page shows it."""

import pytest
from playwright.sync_api import Page, expect

from starrating.rules.vocabulary import Role
from tests.factories import PASSWORD, create_scheme, create_township, create_user

pytestmark = pytest.mark.browser


def _reviewer(live_server) -> str:
    def make() -> str:
        township = create_township()
        create_scheme(township=township, year=2026)
        return create_user(role=Role.TOWNSHIP, township=township).username

    return live_server.seed(make)


def _log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").tap()
    expect(page).not_to_have_url(f"{live_server.url}/login")


def test_reviewer_changes_the_cadre_rules_on_a_phone(page: Page, live_server, screenshot) -> None:
    _log_in(page, live_server, _reviewer(live_server))
    page.goto(f"{live_server.url}/township/schemes/2026")
    page.get_by_role("link", name="修改村干部考核规则").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026 年度村干部考核规则")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    screenshot("appraisal-scheme-form")

    page.get_by_label("目标完成权重（%）").fill("60")
    page.get_by_role("button", name="保存村干部考核规则").tap()
    expect(page.get_by_role("alert")).to_contain_text("权重应合计 100，现为 110")
    screenshot("appraisal-scheme-refused")

    page.get_by_label("群众测评权重（%）").fill("20")
    page.get_by_label("工资规则").select_option(label="按等次发放绩效工资")
    page.get_by_label("优秀等次绩效工资比例（%）").fill("130")
    page.get_by_role("button", name="保存村干部考核规则").tap()
    expect(page.locator(".flash")).to_contain_text("已保存 2026 年度村干部考核规则")

    page.get_by_role("link", name="2026 年度评定方案").tap()
    rules = page.locator("#appraisal-rules")
    expect(rules).to_contain_text("目标完成 60% + 群众测评 20% + 乡镇评价 20%")
    expect(rules).to_contain_text("优秀 130%、称职 100%、基本称职 85%、不称职 75%")
    rules.scroll_into_view_if_needed()
    screenshot("appraisal-scheme-summary")
