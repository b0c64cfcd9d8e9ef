"""The whole review of a village's year in a real browser (issue 7): a villager objects on the
public board from a phone; the secretary cannot submit until the objection is answered; the
township approves; afterwards the year is locked and a change is refused with a clear message."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from starrating.extensions import db
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import Role
from starrating.services.review import publish_cadre_results, publish_results
from starrating.web import china_today
from tests.blueprints.publicity import add_cadre, ready_year
from tests.factories import PASSWORD, create_user, signed_off

pytestmark = pytest.mark.browser

PC = {"width": 1280, "height": 800}


def _seed(live_server) -> dict[str, object]:
    """A year published twelve days ago (publicity over) with one cadre, and the township's
    reviewer."""

    def make() -> dict[str, object]:
        village, secretary, year = ready_year()
        cadre = add_cadre(village, verified=True)
        published = china_today() - timedelta(days=12)
        signed_off(year, Part.TENSTAR)
        publish_results(actor=secretary, year=year, today=published)
        signed_off(year, Part.CADRES)
        publish_cadre_results(actor=secretary, year=year, today=published)
        reviewer = create_user(role=Role.TOWNSHIP, township=village.township)
        db.session.commit()
        return {
            "code": village.code,
            "village": village.id,
            "secretary": secretary.username,
            "reviewer": reviewer.username,
            "cadre": cadre.id,
        }

    return live_server.seed(make)


@pytest.fixture
def pc(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PC, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # 确定 on "确定报送乡镇吗？"
        yield page
    finally:
        context.close()


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".topbar")).to_contain_text("退出")


def test_objection_answer_submission_approval_and_lock(
    live_server, page: Page, pc: Page, screenshot
):
    seeded = _seed(live_server)
    base, year = live_server.url, 2026

    # a villager on a phone objects on the public board
    page.goto(f"{base}/{seeded['code']}/board")
    page.get_by_role("link", name="提出异议").click()
    page.fill("#content", "刘志强的等次请支部再核实。")
    page.fill("#phone", "13900001111")
    page.get_by_role("button", name="提交异议").click()
    reference = page.locator("#reference").inner_text()
    expect(page.locator("#answer")).to_contain_text("尚未答复")

    # the secretary may not submit while it is unanswered
    _login(pc, base, str(seeded["secretary"]))
    pc.goto(f"{base}/branch/years/{year}/review")
    expect(pc.locator("#submit-blockers")).to_contain_text("尚有 1 条群众异议未答复")
    expect(pc.get_by_role("button", name="报送乡镇审核")).to_be_disabled()

    # ... answers it (and sees who filed it) ...
    pc.goto(f"{base}/branch/years/{year}/objections")
    expect(pc.locator(".objection")).to_contain_text("13900001111")
    pc.locator(".objection textarea[name=answer]").fill(
        "经支委会复核，刘志强受党纪处分属实，等次无误。"
    )
    pc.get_by_role("button", name="答复").click()
    expect(pc.locator(".flash-success")).to_be_visible()

    # ... leaves a cadre's page open in another tab (its forms are live until submission) ...
    stale = pc.context.new_page()
    stale.goto(f"{base}/branch/appraisal/{year}/{seeded['cadre']}")
    expect(stale.locator("[data-field=verified]").first).to_have_text("100%")

    # ... and submits
    pc.goto(f"{base}/branch/years/{year}/review")
    expect(pc.locator("#submit-blockers")).to_have_count(0)
    pc.get_by_role("button", name="报送乡镇审核").click()
    expect(pc.locator("#year-state")).to_have_text("已报乡镇，待审核")

    # the villager finds the answer with the reference, never the filer's phone
    page.goto(f"{base}/{seeded['code']}/board#lookup")
    page.fill("#ref", reference)
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#answer")).to_contain_text("等次无误")
    assert "13900001111" not in page.content()
    screenshot("review-flow-answer")

    # the township, on its own computer, approves, ticking the 不合格 member
    township = pc.context.browser.new_context(viewport=PC, locale="zh-CN").new_page()
    _login(township, base, str(seeded["reviewer"]))
    township.goto(f"{base}/township/villages/{seeded['village']}/years/{year}/review")
    for box in township.locator("#needing input[type=checkbox]").all():
        box.check()
    township.click("text=审核通过并锁定")
    expect(township.locator("#state")).to_have_text("已审核通过")
    township.context.close()

    # the year is locked: the secretary's save from the tab left open is refused, nothing
    # changes, and the page now says why instead of offering the form
    completion = stale.locator("form.inline input[inputmode=decimal]").first
    completion.fill("10")
    completion.locator("xpath=ancestor::form").get_by_role("button", name="保存").click()
    lock = "2026 年度评定已经乡镇审核通过并锁定，不能再修改"
    expect(stale.locator(".flash-error")).to_contain_text(lock)
    stale.goto(f"{base}/branch/appraisal/{year}/{seeded['cadre']}")
    expect(stale.locator("[data-field=verified]").first).to_have_text("100%")
    expect(stale.locator("#locked")).to_contain_text(lock)
    expect(stale.locator("form.inline input[inputmode=decimal]")).to_have_count(0)
