"""A result version on its way to the board, on a phone (390×844): a committee member opens the
公示稿 from the home page and signs it off; after a correction during publicity, the board says
更正于 and what changed (DESIGN.md §16)."""

import pytest
from playwright.sync_api import Page, expect

from starrating.extensions import db
from starrating.queries.assessment import assessed_members
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import Role
from starrating.services.assessment import close_marking, reopen_marking
from starrating.services.marking import record_marks
from starrating.services.review import publish_correction, publish_results
from starrating.services.versions import prepare_version
from starrating.web import china_today
from tests.blueprints.publicity import ORGANISATIONAL, ready_year
from tests.browser.test_township_pages import log_in
from tests.factories import create_user, signed_off

pytestmark = pytest.mark.browser


def test_a_committee_member_signs_the_draft_on_a_phone(live_server, page: Page, screenshot):
    def make() -> dict[str, str]:
        village, secretary, year = ready_year()
        member = create_user(role=Role.COMMITTEE, village=village)
        prepare_version(actor=secretary, year=year, part=Part.TENSTAR)
        db.session.commit()
        return {"member": member.username}

    seeded = live_server.seed(make)
    log_in(page, live_server.url, seeded["member"])
    page.get_by_role("link", name="2026 年度十星级评定结果公示稿第 1 版").click()
    expect(page.locator("#version-members")).to_contain_text("王建国")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the 公示稿 scrolls sideways on a phone ({width} px)"
    screenshot("version-to-sign")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="我已核对，审核签字").click()
    expect(page.locator("div.flash-success")).to_contain_text("已审核签字")
    expect(page.locator("[data-field=signed]")).not_to_contain_text("尚未签字")
    screenshot("version-signed")


def test_the_board_shows_a_correction_with_its_date_and_what_changed(
    live_server, page: Page, screenshot
):
    def make() -> str:
        village, secretary, year = ready_year()
        today = china_today()
        signed_off(year, Part.TENSTAR)
        publish_results(actor=secretary, year=year, today=today)
        reopen_marking(actor=secretary, year=year, reason="群众异议：王建国漏评")
        wang = next(a for a in assessed_members(year.id) if a.member.name == "王建国")
        record_marks(rater=secretary, assessed=wang, marks=dict.fromkeys(ORGANISATIONAL, True))
        close_marking(actor=secretary, year=year)
        signed_off(year, Part.TENSTAR)
        publish_correction(actor=secretary, year=year, part=Part.TENSTAR, today=today)
        db.session.commit()
        return village.code

    code = live_server.seed(make)
    page.goto(f"{live_server.url}/{code}/board")
    note = page.locator("#tenstar-correction")
    expect(note).to_contain_text("更正于")
    expect(note).to_contain_text("王建国：6 星，合格 → 10 星，优秀")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the board scrolls sideways on a phone ({width} px)"
    note.scroll_into_view_if_needed()
    screenshot("board-correction")
