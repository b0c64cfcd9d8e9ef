"""A teller keys a 58-subject paper sheet on the office PC (1366×768) with the keyboard alone, well
under 20 s; the flash says which sheet went in, and the echo of what is typed stays on screen."""

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from starrating.extensions import db
from starrating.queries.ballots import subjects, turnout
from starrating.rules.ballots import Choice
from starrating.rules.electorate import Electorate
from starrating.rules.tokens import shown
from starrating.rules.vocabulary import Role
from starrating.services.ballots import create_round, generate_codes, open_round
from starrating.services.paper import key_paper_ballot
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import BACKEND
from tests.factories import PASSWORD, create_member, create_user, create_village, open_assessment

pytestmark = pytest.mark.browser

SUBJECTS = 58
LIMIT_SECONDS = 20
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "桂兰", "秀英", "志强", "海燕", "国庆", "丽华", "德明", "春燕", "玉梅"]
CHOICES = {"1": Choice.SATISFIED, "2": Choice.BASIC, "3": Choice.DISSATISFIED, "4": Choice.UNKNOWN}
# one sheet as a villager might tick it: mostly 满意, some 基本满意, a few others and blanks
DIGITS = "1112111211113112111021114111211112113111121110211111211111"


@dataclass(frozen=True)
class Seeded:
    round_id: int
    teller: str
    code: str
    counted_before: int
    names: list[str]


@pytest.fixture
def pc(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _seed(live_server) -> Seeded:
    """A village of 58 members on an open member round; a committee member has already keyed
    the sheet, so the teller's keying is the second and counts it."""

    def make() -> Seeded:
        village = create_village(name="翁家埠村")
        secretary = create_user(role=Role.SECRETARY, village=village)
        teller = create_user(role=Role.TELLER, village=village)
        committee = create_user(role=Role.COMMITTEE, village=village)
        for i in range(SUBJECTS):
            create_member(village=village, name=SURNAMES[i % 20] + GIVEN[i // 20 * 3 % 10])
        open_assessment(village=village, secretary=secretary, raters=[secretary])
        ballot_round = create_round(
            actor=secretary,
            village=village,
            year=2026,
            title="2026 年度党员群众满意度测评",
            members=True,
            cadres=False,
            electorate=Electorate.VILLAGERS,
            eligible=100,
        )
        (code,) = generate_codes(actor=secretary, ballot_round=ballot_round, count=1)
        open_round(actor=secretary, ballot_round=ballot_round)
        rows = subjects(ballot_round.id)
        assert len(rows) == SUBJECTS == len(DIGITS)
        marks = {s.id: CHOICES[d] for s, d in zip(rows, DIGITS, strict=True) if d != "0"}
        key_paper_ballot(user=committee, ballot_round=ballot_round, code=code.code, marks=marks)
        db.session.commit()
        return Seeded(
            ballot_round.id,
            teller.username,
            code.code,
            turnout(ballot_round).paper,
            [s.name for s in rows],
        )

    return live_server.seed(make)


def test_a_teller_keys_a_58_subject_sheet_from_the_keyboard_in_under_20_seconds(live_server, pc):
    seeded = _seed(live_server)
    pc.goto(f"{live_server.url}/login")
    pc.get_by_label("用户名", exact=True).fill(seeded.teller)
    pc.get_by_label("密码", exact=True).fill(PASSWORD)
    pc.keyboard.press("Enter")
    expect(pc.get_by_role("navigation")).to_be_visible()
    pc.goto(f"{live_server.url}/branch/rounds/{seeded.round_id}/paper")
    code = pc.get_by_label("票码", exact=True)
    expect(code).to_be_focused()  # the page opens ready to type

    code.focus()
    started = time.perf_counter()
    pc.keyboard.type(shown(seeded.code))  # as printed on the sheet, ABCDE-FGHJK
    pc.keyboard.type(DIGITS)  # the code's 10th character moved the focus to the digits
    pc.keyboard.press("Enter")
    expect(pc.get_by_role("status")).to_contain_text("第 1 号选票两人录入一致，已计入")
    seconds = time.perf_counter() - started
    print(f"\nkeyed one {SUBJECTS}-subject paper sheet in {seconds:.2f} s ({BACKEND})")

    expect(pc.get_by_label("票码", exact=True)).to_be_focused()  # ready for the next sheet
    expect(pc.get_by_label("票码", exact=True)).to_have_value("")
    expect(pc.locator("#paper-counted")).to_have_text(str(seeded.counted_before + 1))
    assert seconds < LIMIT_SECONDS

    # the echo under each name while typing (for the screenshot: the next sheet half typed)
    pc.keyboard.type("ABCDE-FGHJK")
    pc.keyboard.type(DIGITS[:25])
    expect(pc.locator("#paper-typed")).to_have_text(
        f"已输入 25 / {SUBJECTS} 位 · 下一位：第 26 位 {seeded.names[25]}"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pc.screenshot(path=str(SCREENSHOTS / f"{BACKEND}-paper-keying-first-screen.png"))
    # The echo of the digit being typed and the next cell are on the first screen (768 px).
    for cell in ('[data-echo="24"]', '[data-echo="25"]', f'[data-echo="{SUBJECTS - 1}"]'):
        box = pc.locator(cell).bounding_box()
        assert box is not None and box["y"] + box["height"] <= pc.viewport_size["height"], cell
    expect(pc.locator("td.current")).to_have_count(1)
    expect(pc.locator("td.current")).to_contain_text(seeded.names[25])
    expect(pc.locator('[data-echo="2"]')).to_have_text("满意")
    expect(pc.locator('[data-echo="3"]')).to_have_text("基本满意")
    expect(pc.locator('[data-echo="30"]')).to_have_text("—")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{BACKEND}-paper-keying.png"
    pc.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
