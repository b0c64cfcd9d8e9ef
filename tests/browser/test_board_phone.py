"""Anyone opens a village's notice board on a phone (390×844): reads the published results,
files an objection and notes down its reference; the QR poster fits one A4 page."""

import re

import pytest
from playwright.sync_api import Page, expect

from starrating.extensions import db
from starrating.services.review import publish_results
from starrating.web import china_today
from tests.blueprints.publicity import NAMES, ready_year

pytestmark = pytest.mark.browser


def seed_published_board(live_server) -> str:
    """A village whose ten-star results are published today; returns its code."""

    def make() -> str:
        village, secretary, year = ready_year()
        publish_results(actor=secretary, year=year, today=china_today())
        db.session.commit()
        return village.code

    return live_server.seed(make)


def test_a_villager_reads_the_board_and_files_an_objection(live_server, page: Page, screenshot):
    code = seed_published_board(live_server)
    page.goto(f"{live_server.url}/{code}/board")
    expect(page.locator("#tenstar")).to_contain_text("公示中，至")
    for name in NAMES:
        expect(page.locator(".stars-table")).to_contain_text(name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the board scrolls sideways on a phone ({width} px)"
    screenshot("board-phone")

    page.get_by_role("link", name="提出异议").click()
    page.select_option("#topic", label="十星级评定结果")
    page.fill("#content", "张秀英的群众满意星请再核实一下。")
    page.get_by_role("button", name="提交异议").click()

    reference = page.locator("#reference")
    expect(reference).to_have_text(re.compile(r"^[2-9A-Z]{8}$"))
    expect(page.get_by_text("请记下编号，凭编号查看答复")).to_be_visible()
    expect(page.locator("#answer")).to_contain_text("尚未答复")
    screenshot("board-objection-filed")

    typed = reference.inner_text().lower()
    page.goto(f"{live_server.url}/{code}/board#lookup")
    page.fill("#ref", typed)
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#reference")).to_have_text(typed.upper())


def test_the_poster_prints_on_one_a4_page(live_server, page: Page, screenshot):
    code = seed_published_board(live_server)
    page.goto(f"{live_server.url}/{code}/board/poster")
    expect(page.locator(".poster-qr svg")).to_be_visible()
    expect(page.locator(".poster-address")).to_have_text(f"{live_server.url}/{code}/board")
    screenshot("board-poster")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the poster prints on {pages} pages"


def test_the_brand_link_on_a_public_page_leads_to_the_board_not_the_login(
    live_server, page: Page, screenshot
):
    code = seed_published_board(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/{code}/board/objections/ZZZZZZZZ")
    expect(page.get_by_text("没有找到这个编号")).to_be_visible()
    page.locator("a.brand").click()
    expect(page).to_have_url(f"{live_server.url}/{code}/board")
    expect(page.locator("#tenstar")).to_contain_text("公示中，至")
    screenshot("board-from-brand-360")
