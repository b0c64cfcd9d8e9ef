"""Anyone opens a village's notice board on a phone (390×844): reads the published results,
files an objection and notes down its reference; the QR poster fits one A4 page."""

import re
import subprocess

import pytest
from playwright.sync_api import Page, expect

from starrating.extensions import db
from starrating.rules.result_versions import Part
from starrating.services.review import publish_results
from starrating.web import china_today
from tests.blueprints.publicity import ELDER, NAMES, quota_year, ready_year
from tests.factories import signed_off

pytestmark = pytest.mark.browser


def seed_published_board(live_server) -> str:
    """A village whose ten-star results are published today; returns its code."""

    def make() -> str:
        village, secretary, year = ready_year()
        signed_off(year, Part.TENSTAR)
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


def seed_quota_board(live_server) -> str:
    """A board published today: two ten-star members of whom the 支委会 chose one for the one
    优秀 place, a 合格 member and an exempt elder; the branch's phone is set."""

    def make() -> str:
        village, secretary, year = quota_year()
        signed_off(year, Part.TENSTAR)
        publish_results(actor=secretary, year=year, today=china_today())
        db.session.commit()
        return village.code

    return live_server.seed(make)


def member_rows(page: Page, name: str):
    return page.locator("tbody.member").filter(has=page.locator("td.name", has_text=name))


def test_on_a_small_phone_each_star_has_its_label_the_elder_shows_exempt_and_the_quota_is_explained(
    live_server, page: Page, screenshot
):
    code = seed_quota_board(live_server)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/{code}/board#tenstar")
    elder = member_rows(page, ELDER)
    expect(elder).to_contain_text("免评")
    expect(elder.locator(".stars li")).to_have_count(0)
    assert "0" not in elder.inner_text()
    first = member_rows(page, "王建国")
    labels = first.locator(".stars li")
    expect(labels).to_have_text(
        ["★理想", "★组织", "★品行", "★带头", "★履职", "★义务", "★攻坚", "★致富", "★认可", "★满意"]
    )
    for label in labels.all():
        assert label.is_visible()
    expect(first.locator(".grade")).to_have_text("优秀※")
    expect(member_rows(page, "李桂兰").locator(".grade")).to_have_text("合格※")
    expect(member_rows(page, "张秀英").locator(".stars li.off").first).to_have_text("☆履职")
    note = page.locator("#quota-note")
    expect(note).to_contain_text("优秀名额 1 人，经支委会确定")
    assert note.is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the board scrolls sideways at 360 px ({width} px)"
    whole = screenshot("board-quota-360")
    page.locator("#tenstar").screenshot(path=str(whole.with_name(f"{whole.stem}-table.png")))


def test_the_printed_board_ends_with_the_branch_the_day_a_seal_line_and_the_phone(
    live_server, page: Page, screenshot, tmp_path
):
    code = seed_quota_board(live_server)
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.goto(f"{live_server.url}/{code}/board")
    expect(page.locator(".sign-seal")).to_be_hidden()  # the seal line is for paper only
    page.emulate_media(media="print")
    sign = page.locator("#sign")
    today = live_server.seed(china_today)
    expect(sign.locator(".sign-branch")).to_have_text("翁家埠村党支部")
    expect(sign.locator(".sign-seal")).to_be_visible()
    expect(sign.locator(".sign-seal")).to_have_text("（盖章）")
    expect(sign.locator(".sign-date")).to_have_text(f"{today.year}年{today.month}月{today.day}日")
    expect(sign.locator(".sign-phone")).to_have_text("联系电话：0571-88001234")
    expect(page.locator("#objection")).to_be_hidden()
    sign.scroll_into_view_if_needed()
    screenshot("board-print-sign")
    pdf = tmp_path / "board.pdf"
    page.pdf(path=str(pdf), format="A4")
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    last = next(text for text in reversed(pages) if text.strip())
    for words in ("翁家埠村党支部", "（盖章）", "联系电话：0571-88001234"):
        assert words in last, f"{words} is not at the end of the printed board"
