"""A committee member marks members from a phone; the secretary sees the stars appear.

Also: a rater on a PC marks with the keyboard alone, and the form works without JavaScript.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from starrating.extensions import db
from starrating.models import StarMark
from starrating.queries.assessment import assessed_members, year_of, year_results
from starrating.rules.tenstar_scheme import StarGroup, default_tenstar_scheme
from starrating.rules.vocabulary import Role
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.conftest import BACKEND
from tests.factories import (
    PASSWORD,
    create_member,
    create_user,
    create_village,
    open_assessment,
)

pytestmark = pytest.mark.browser

YEAR = 2026
ORGANISATIONAL = [s for s in default_tenstar_scheme().stars if s.group is not StarGroup.MASS]
NAMES = ["陈建国", "刘桂兰", "阿依古丽·买买提·艾尔肯", "王𠀾", "李秀英"]
TOLERANCE_PX = 2
MIN_TARGET_PX = 48


@dataclass(frozen=True)
class Seeded:
    village_id: int
    secretary: str
    rater: str
    members: list[int]  # assessed member ids, roster order


def _seed(live_server) -> Seeded:
    """翁家埠村 with five members; the year is open and one committee member is its rater."""

    def make() -> Seeded:
        village = create_village(name="翁家埠村")
        secretary = create_user(role=Role.SECRETARY, village=village)
        rater = create_user(role=Role.COMMITTEE, village=village)
        for name in NAMES:
            create_member(village=village, name=name)
        year = open_assessment(village=village, secretary=secretary, raters=[rater], year=YEAR)
        members = [a.id for a in assessed_members(year.id)]
        return Seeded(village.id, secretary.username, rater.username, members)

    return live_server.seed(make)


def _stored_marks(live_server, assessed_id: int) -> dict[str, bool | None]:
    def read() -> dict[str, bool | None]:
        marks = db.session.scalars(
            select(StarMark).where(StarMark.assessed_member_id == assessed_id)
        )
        return {mark.star_code: mark.passed for mark in marks}

    return live_server.seed(read)


def _grade_label(live_server, village_id: int, assessed_id: int) -> str:
    def read() -> str:
        results = year_results(year_of(village_id, YEAR))
        return next(r.grade.label for r in results.members if r.assessed.id == assessed_id)

    return live_server.seed(read)


def _log_in(page: Page, live_server, username: str, *, touch: bool = True) -> None:
    page.goto(f"{live_server.url}/login")
    for label, text in (("用户名", username), ("密码", PASSWORD)):
        field = page.get_by_label(label, exact=True)
        field.tap() if touch else field.click()
        field.press_sequentially(text)
    button = page.get_by_role("button", name="登录")
    button.tap() if touch else button.click()
    expect(page.get_by_role("navigation")).to_be_visible()


def _star(page: Page, name: str):
    return page.get_by_role("group", name=name, exact=True)


def _choice(page: Page, star: str, choice: str):
    return _star(page, star).get_by_role("radio", name=choice, exact=True)


def _assert_fits(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width + TOLERANCE_PX, f"{page.url} is {scroll_width}px on {width}px"


def _assert_big_enough(page: Page, selector: str) -> None:
    boxes = [
        element.bounding_box() for element in page.locator(selector).all() if element.is_visible()
    ]
    assert boxes, selector
    for box in boxes:
        assert box is not None
        assert box["height"] >= MIN_TARGET_PX, f"{selector}: {box['height']}px high"
        assert box["width"] >= MIN_TARGET_PX, f"{selector}: {box['width']}px wide"


def _results_row(page: Page, live_server, assessed_id: int):
    page.goto(f"{live_server.url}/branch/years/{YEAR}/results")
    row = page.locator(f'#results tr[data-member-id="{assessed_id}"]')
    expect(row).to_have_count(1)
    return row


def _stars_in(row) -> int:
    return sum(1 for text in row.locator("td").all_inner_texts() if text.strip() == "★")


@pytest.fixture
def secretary_phone(browser: Browser) -> Iterator[Page]:
    """A second phone, for the secretary, beside the committee member's."""
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", device_scale_factor=1, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    """A PC in the village office: a wide window, a mouse and a keyboard."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone_without_javascript(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_committee_member_marks_from_a_phone_and_the_secretary_sees_the_stars(
    page: Page,
    secretary_phone: Page,
    live_server,
    screenshot: Callable[[str], Path],
) -> None:
    seeded = _seed(live_server)
    first = seeded.members[0]
    _log_in(secretary_phone, live_server, seeded.secretary)
    before = _results_row(secretary_phone, live_server, first)
    assert _stars_in(before) == 0

    _log_in(page, live_server, seeded.rater)
    page.goto(f"{live_server.url}/branch/marking")
    expect(page.get_by_role("heading", level=1)).to_have_text("评分")
    expect(page.get_by_text("您已评完 0 / 5 名党员")).to_be_visible()
    screenshot("marking-list-before")
    _assert_fits(page, PHONE["width"])
    _assert_big_enough(page, ".mark-list a")

    page.get_by_role("link", name="开始评分：陈建国").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("陈建国")
    expect(page.get_by_text("第 1 / 5 名")).to_be_visible()
    for star in ORGANISATIONAL:
        expect(_star(page, star.name)).to_contain_text(star.criteria)
        expect(_choice(page, star.name, "达标")).not_to_be_checked()
        expect(_choice(page, star.name, "不达标")).not_to_be_checked()
    expect(page.get_by_text("还有 8 颗星未选")).to_be_visible()
    expect(page.get_by_text("键盘：按 1 或 Y 评达标")).to_be_hidden()  # no keyboard on a phone
    _assert_big_enough(page, ".choice")
    _assert_big_enough(page, ".mark-actions .button")

    for star in ORGANISATIONAL:
        _choice(page, star.name, "达标").tap()
    for star in ORGANISATIONAL:
        expect(_choice(page, star.name, "达标")).to_be_checked()
    expect(page.get_by_text("8 颗星都已选好，可以保存。")).to_be_visible()
    screenshot("marking-member-choices")
    _assert_fits(page, PHONE["width"])
    page.set_viewport_size({"width": 360, "height": 740})
    _assert_fits(page, 360)
    page.set_viewport_size(PHONE)

    page.get_by_role("button", name="保存并评下一位").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("刘桂兰")
    expect(page.get_by_role("status")).to_have_text("已保存「陈建国」的评分（已评 8 / 8 颗星）")
    expect(page.get_by_text("第 2 / 5 名")).to_be_visible()
    assert _stored_marks(live_server, first) == {star.code: True for star in ORGANISATIONAL}

    page.get_by_role("link", name="← 评分名单").tap()
    expect(page.get_by_text("您已评完 1 / 5 名党员")).to_be_visible()
    done = page.locator(f'.mark-list li[data-assessed-id="{first}"]')
    expect(done).to_contain_text("8/8")
    expect(done).to_contain_text("已评完")
    expect(page.get_by_role("link", name="评下一位：刘桂兰")).to_be_visible()
    screenshot("marking-list-after")
    _assert_fits(page, PHONE["width"])

    after = _results_row(secretary_phone, live_server, first)
    assert _stars_in(after) == 8
    cells = [text.strip() for text in after.locator("td").all_inner_texts()]
    assert "8" in cells  # 星数
    expect(after).to_contain_text(_grade_label(live_server, seeded.village_id, first))
    _save(secretary_phone, "marking-results-after")
    after.get_by_role("link", name="陈建国").tap()
    expect(secretary_phone.get_by_text("理想信念星：1 名评委中 1 名评为达标")).to_be_visible()


def _save(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{BACKEND}-{name}.png"), full_page=True)


def test_a_rater_on_a_pc_marks_with_the_keyboard_alone(desktop: Page, live_server) -> None:
    seeded = _seed(live_server)
    _log_in(desktop, live_server, seeded.rater, touch=False)
    desktop.goto(f"{live_server.url}/branch/marking/{YEAR}/{seeded.members[1]}")
    expect(desktop.get_by_text("键盘：按 1 或 Y 评达标")).to_be_visible()

    # 1 / Y 达标, 2 / N 不达标; each moves on to the next star
    for key in ["1", "y", "2", "1", "n", "1", "Y", "1"]:
        desktop.keyboard.press(key)
    expected = [True, True, False, True, False, True, True, True]
    for star, passed in zip(ORGANISATIONAL, expected, strict=True):
        expect(_choice(desktop, star.name, "达标" if passed else "不达标")).to_be_checked()
    expect(desktop.get_by_role("button", name="保存并评下一位")).to_be_focused()

    # a mistake is corrected by going back to that star and pressing the other key
    _choice(desktop, ORGANISATIONAL[2].name, "不达标").focus()
    desktop.keyboard.press("1")
    expect(_choice(desktop, ORGANISATIONAL[2].name, "达标")).to_be_checked()
    expect(_choice(desktop, ORGANISATIONAL[3].name, "达标")).to_be_focused()

    desktop.keyboard.press("Enter")
    expect(desktop.get_by_role("heading", level=1)).to_have_text(NAMES[2])
    expected[2] = True
    stored = _stored_marks(live_server, seeded.members[1])
    assert stored == {s.code: p for s, p in zip(ORGANISATIONAL, expected, strict=True)}

    # 全部达标 asks first when a star is already 不达标
    _choice(desktop, ORGANISATIONAL[0].name, "不达标").click()
    questions: list[str] = []
    desktop.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    desktop.get_by_role("button", name="全部达标").click()
    assert questions and "理想信念星" in questions[0]
    for star in ORGANISATIONAL:
        expect(_choice(desktop, star.name, "达标")).to_be_checked()
    desktop.get_by_role("button", name="保存", exact=True).click()
    expect(desktop.get_by_role("status")).to_contain_text("已评 8 / 8 颗星")


def test_marking_works_without_javascript(phone_without_javascript: Page, live_server) -> None:
    page = phone_without_javascript
    seeded = _seed(live_server)
    _log_in(page, live_server, seeded.rater)
    page.goto(f"{live_server.url}/branch/marking/{YEAR}/{seeded.members[0]}")

    expect(page.get_by_role("button", name="全部达标")).to_be_hidden()
    _choice(page, ORGANISATIONAL[0].name, "达标").tap()
    _choice(page, ORGANISATIONAL[1].name, "不达标").tap()
    page.get_by_role("button", name="保存", exact=True).tap()

    expect(page.get_by_role("status")).to_have_text("已保存「陈建国」的评分（已评 2 / 8 颗星）")
    assert _stored_marks(live_server, seeded.members[0]) == {
        ORGANISATIONAL[0].code: True,
        ORGANISATIONAL[1].code: False,
    }
