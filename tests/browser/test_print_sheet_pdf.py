"""The printed A4 ballot as Chromium prints it (page.pdf, A4): a whole assembly's ballot (58
members and 7 cadres) and one of 80 subjects fit one page each, front only; more subjects take
two pages, each with the code. The print page's promise ("N 张…共 M 页") is what prints: the
PDF's pages are counted (pdfinfo) and read (pdftotext), and page 2 is rendered to look at."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import BACKEND, SCREENSHOTS
from tests.browser.test_ballot_print import _pdf, _print_codes, _village_with_round, desk

pytestmark = pytest.mark.browser
__all__ = ["desk"]  # the secretary's desktop browser fixture

CODE = re.compile(r"[A-Z0-9]{5}-[A-Z0-9]{5}")


def _tools() -> None:
    missing = [tool for tool in ("pdfinfo", "pdftotext", "pdftoppm") if not shutil.which(tool)]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: apt-get install -y poppler-utils")


def _pages_text(pdf: Path) -> list[str]:
    """The text of every page of the PDF, whitespace removed (letter-spaced codes read whole)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    count = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    texts = []
    for number in range(1, count + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        texts.append(re.sub(r"\s+", "", text))
    return texts


def _png(pdf: Path, page: int) -> Path:
    prefix = pdf.with_name(f"{pdf.stem}-p{page}")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile"]
        + [str(pdf), str(prefix)],
        check=True,
    )
    return prefix.with_suffix(".png")


def _printed(desk: Page, live_server, *, members: int, cadres: int, sheets: int, name: str):
    """Print `sheets` A4 ballots of a new round with that many subjects; the PDF, the codes
    shown on the page by serial, and the page's promise."""
    username, round_id = _village_with_round(
        live_server, members=members, cadres=cadres, eligible=sheets + 5
    )
    _print_codes(desk, live_server, username, round_id, sheets, "sheet")
    codes = {
        int(article.get_attribute("data-serial")): article.locator(".code").first.inner_text()
        for article in desk.locator("article.sheet").all()
    }
    promise = desk.locator("#page-promise").inner_text()
    return _pdf(desk, name), codes, promise


def _assert_every_ballot_page_has_its_code(texts: list[str], codes: dict[int, str], sides: int):
    assert "本页不是选票" in texts[0] and not CODE.search(texts[0])  # the cover
    ballots = texts[1:]
    assert len(ballots) == len(codes) * sides
    for index, (serial, code) in enumerate(sorted(codes.items())):
        for side in range(sides):
            text = ballots[index * sides + side]
            assert code in text, (serial, side)
            assert f"第{serial}号" in text
            assert set(CODE.findall(text)) == {code}  # no other sheet's code on its page


@pytest.mark.parametrize(("members", "cadres"), [(58, 7), (73, 7)])
def test_a_whole_assembly_ballot_fits_one_a4_page_front_only(live_server, desk, members, cadres):
    _tools()
    subjects = members + cadres
    pdf, codes, promise = _printed(
        desk, live_server, members=members, cadres=cadres, sheets=2, name=f"print-{subjects}"
    )
    expect(desk.locator("article.sheet").first.locator(".box")).to_have_count(subjects * 4)
    assert promise == "2 张，另有封面 1 页，共 3 页 A4"
    texts = _pages_text(pdf)
    assert len(texts) == 3
    _assert_every_ballot_page_has_its_code(texts, codes, sides=1)
    # every subject's row is on the page: the last cadre too
    assert f"村干部{cadres}" in texts[1] and "阿依古丽·买买提" in texts[1]
    _png(pdf, 1)
    _png(pdf, 2)


def test_more_than_80_subjects_print_two_pages_each_with_the_code(live_server, desk):
    _tools()
    pdf, codes, promise = _printed(
        desk, live_server, members=120, cadres=7, sheets=2, name="print-127"
    )
    assert promise == "2 张，每张 2 页，另有封面 1 页，共 5 页 A4"
    expect(desk.locator("#once-only")).to_contain_text("双面打印")
    texts = _pages_text(pdf)
    assert len(texts) == 5
    _assert_every_ballot_page_has_its_code(texts, codes, sides=2)
    front, back = texts[1], texts[2]
    assert "第1/2页" in front and "第2/2页" in back
    assert "村干部7" in back and "村干部7" not in front
    _png(pdf, 3)
    (SCREENSHOTS / f"{BACKEND}-print-127-notice.png").parent.mkdir(parents=True, exist_ok=True)
    desk.locator("#print-notice").screenshot(
        path=str(SCREENSHOTS / f"{BACKEND}-print-127-notice.png")
    )
