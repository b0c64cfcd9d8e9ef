"""The printed ballots as Chromium prints them: a cover page (the run's count and its scan
test), then one A4 page per voter's sheet (58 subjects included), or ten slips a page; PDFs and
PNGs of the first sheet go to the screenshot folder to look at."""

import re
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from starrating.extensions import db
from starrating.models import Cadre
from starrating.rules.electorate import Electorate
from starrating.rules.vocabulary import Role
from starrating.services.ballots import create_round
from tests.browser.conftest import BACKEND, SCREENSHOTS
from tests.factories import PASSWORD, create_member, create_user, create_village, open_assessment

pytestmark = pytest.mark.browser
PAY = Decimal("18000.00")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "秀英", "建国", "桂兰", "志强", "玉梅", "德明", "海燕", "春生", "丽娟"]


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    """A secretary's desktop browser (printing is done from a computer)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _village_with_round(live_server, *, members: int, cadres: int, eligible: int) -> tuple:
    """A secretary (username), and a round id of a new village with that many subjects."""

    def make() -> tuple[str, int]:
        village = create_village(name="翁家埠村")
        secretary = create_user(role=Role.SECRETARY, village=village)
        for i in range(members):
            # unique: a surname's next round moves the given name by one
            name = SURNAMES[i % 20] + GIVEN[(i + i // 20) % 10] if i else "阿依古丽·买买提"
            create_member(village=village, name=name)
        for i in range(cadres):
            db.session.add(
                Cadre(village=village, name=f"村干部{i + 1}", post="村委会委员", base_pay=PAY)
            )
        if members:
            open_assessment(village=village, secretary=secretary, raters=[secretary])
        ballot_round = create_round(
            actor=secretary,
            village=village,
            year=2026,
            title="2026 年度民主测评",
            members=members > 0,
            cadres=cadres > 0,
            electorate=Electorate.VILLAGERS,
            eligible=eligible,
        )
        db.session.commit()
        return secretary.username, ballot_round.id

    return live_server.seed(make)


def _print_codes(page: Page, live_server, username: str, round_id: int, count: int, layout: str):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/branch/rounds/{round_id}")
    page.get_by_label("生成张数").fill(str(count))
    page.locator(f'input[name="layout"][value="{layout}"]').check()
    # the live server is 127.0.0.1: its QR codes are printed only once this is ticked
    page.locator("#codes").get_by_label("我已知道手机扫码可能打不开，仍然生成").check()
    page.get_by_role("button", name="生成票码并打开打印页").click()
    expect(page.locator("#once-only")).to_contain_text("票码只显示这一次")
    expect(page.locator("#print-button")).to_be_visible()  # print.js ran under the CSP


def _pdf(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{BACKEND}-{name}.pdf"
    page.pdf(path=str(path), format="A4", prefer_css_page_size=True)
    return path


def _page_count(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def _first_sheet_png(pdf: Path) -> Path | None:
    """Page 2, the first after the cover, at 80 dpi (pdftoppm from poppler-utils), to look at."""
    if not shutil.which("pdftoppm"):
        return None
    prefix = pdf.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "2",
            "-l",
            "2",
            "-singlefile",
            str(pdf),
            str(prefix),
        ],
        check=True,
    )
    return prefix.with_suffix(".png")


def test_three_sheets_print_on_three_a4_pages(live_server, desk):
    username, round_id = _village_with_round(live_server, members=6, cadres=2, eligible=40)
    _print_codes(desk, live_server, username, round_id, 3, "sheet")
    expect(desk.locator("article.sheet")).to_have_count(3)
    desk.screenshot(
        path=str(SCREENSHOTS / f"{BACKEND}-round-print-sheets-screen.png"), full_page=True
    )
    pdf = _pdf(desk, "round-print-sheets")
    assert _page_count(pdf) == 1 + 3  # the cover, then a page per sheet
    _first_sheet_png(pdf)
    desk.get_by_role("link", name="打印完成，返回测评").click()
    expect(desk.locator("#turnout-issued")).to_have_text("3")
    desk.screenshot(path=str(SCREENSHOTS / f"{BACKEND}-round-page.png"), full_page=True)
    desk.goto(f"{live_server.url}/branch/rounds")
    expect(desk.locator("#rounds")).to_contain_text("3 / 0")
    desk.screenshot(path=str(SCREENSHOTS / f"{BACKEND}-rounds-page.png"), full_page=True)


def test_a_58_subject_sheet_fits_one_a4_page(live_server, desk):
    username, round_id = _village_with_round(live_server, members=58, cadres=0, eligible=60)
    _print_codes(desk, live_server, username, round_id, 1, "sheet")
    expect(desk.locator("article.sheet .box")).to_have_count(58 * 4)
    pdf = _pdf(desk, "round-print-58")
    assert _page_count(pdf) == 1 + 1
    _first_sheet_png(pdf)


def test_slips_print_ten_to_an_a4_page(live_server, desk):
    username, round_id = _village_with_round(live_server, members=0, cadres=3, eligible=30)
    _print_codes(desk, live_server, username, round_id, 12, "slips")
    expect(desk.locator("article.slip")).to_have_count(12)
    desk.screenshot(
        path=str(SCREENSHOTS / f"{BACKEND}-round-print-slips-screen.png"), full_page=True
    )
    pdf = _pdf(desk, "round-print-slips")
    assert _page_count(pdf) == 1 + 2
    _first_sheet_png(pdf)
