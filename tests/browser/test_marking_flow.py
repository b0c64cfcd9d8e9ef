"""The marking year on the office PC (1366×768): the 优秀 quota form that keeps what was ticked,
closing marking while a rater is unfinished, and a rater who saves a half-marked member or
abstains (弃权) on a star.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from starrating.extensions import db
from starrating.models import AssessmentYear, AuditEvent, StarMark
from starrating.queries.assessment import assessed_members
from starrating.rules.tenstar_scheme import StarGroup, default_tenstar_scheme
from starrating.rules.vocabulary import Role
from starrating.services.marking import record_marks
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import BACKEND
from tests.factories import PASSWORD, create_member, create_user, create_village, open_assessment

pytestmark = pytest.mark.browser

YEAR = 2026
PC = {"width": 1366, "height": 768}
ORGANISATIONAL = [s for s in default_tenstar_scheme().stars if s.group is not StarGroup.MASS]
CODES = [s.code for s in ORGANISATIONAL]
NEAR_PX = 120  # "next to the button": the refusal starts within this distance of it


@dataclass(frozen=True)
class Seeded:
    year_id: int
    secretary: str
    rater: str
    members: list[int]  # assessed member ids, roster order


def _seed(live_server, *, names: list[str], full: int = 0, rater_marks: int = 0) -> Seeded:
    """A village whose year is marked by the secretary (all 8 stars 达标 for the first `full`
    members) and by 宋德胜, a committee member who has finished `rater_marks` members."""

    def make() -> Seeded:
        village = create_village(name="翁家埠村")
        secretary = create_user(role=Role.SECRETARY, village=village)
        song = create_user(role=Role.COMMITTEE, village=village)
        song.display_name = "宋德胜"
        for name in names:
            create_member(village=village, name=name)
        year = open_assessment(
            village=village, secretary=secretary, raters=[secretary, song], year=YEAR
        )
        members = assessed_members(year.id)
        for assessed in members[:full]:
            record_marks(rater=secretary, assessed=assessed, marks=dict.fromkeys(CODES, True))
        for assessed in members[:rater_marks]:
            record_marks(rater=song, assessed=assessed, marks=dict.fromkeys(CODES, True))
        db.session.commit()
        return Seeded(year.id, secretary.username, song.username, [a.id for a in members])

    return live_server.seed(make)


def _log_in(page: Page, live_server, username: str) -> None:
    page.set_viewport_size(PC)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("navigation")).to_be_visible()


def _in_view(page: Page, locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= PC["height"], f"off-screen: {box}"
    return box


def _viewport_shot(page: Page, name: str) -> None:
    """What the secretary sees without scrolling (the fixture's screenshots are whole pages)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{BACKEND}-{name}.png"))


def _read(live_server, read: Callable[[], object]) -> object:
    return live_server.seed(read)


# --- the 优秀 quota ------------------------------------------------------------------------------


def test_the_quota_form_keeps_the_ticks_shows_the_count_and_ticks_the_first_of_the_ranking(
    page: Page, live_server, screenshot: Callable[[str], Path]
) -> None:
    names = [f"党员{i}" for i in range(1, 10)]
    seeded = _seed(live_server, names=names, full=4)  # 9 graded: 3 places, 4 eligible
    _log_in(page, live_server, seeded.secretary)
    page.goto(f"{live_server.url}/branch/years/{YEAR}/results#excellence")
    form = page.locator("#excellence-form")
    count = page.locator("#quota-count")
    expect(count).to_have_text("已选 0 / 名额 3")

    boxes = form.get_by_role("checkbox")
    expect(boxes).to_have_count(4)
    for box in boxes.all():
        box.check()
    expect(count).to_have_text("已选 4 / 名额 3，超出 1 人")  # live, before any submit
    opinion = "经支委会 2026 年 12 月 5 日讨论，按星数和群众满意率确定"
    page.get_by_label("支委会意见").fill(opinion)
    button = page.get_by_role("button", name="确认优秀人选")
    button.click()

    error = page.locator("#excellence-error")
    expect(error).to_have_text("没有保存：确认 4 人超过优秀名额 3 人")
    for box in boxes.all():
        expect(box).to_be_checked()  # every tick kept
    expect(page.get_by_label("支委会意见")).to_have_value(opinion)
    expect(count).to_have_text("已选 4 / 名额 3，超出 1 人")
    error_box, button_box = _in_view(page, error), _in_view(page, button)
    assert error_box["y"] - (button_box["y"] + button_box["height"]) < NEAR_PX
    _viewport_shot(page, "quota-refused-viewport")
    screenshot("quota-refused")

    page.get_by_role("button", name="按排序勾选前 3 名").click()
    expect(count).to_have_text("已选 3 / 名额 3")
    checked = [box.is_checked() for box in boxes.all()]
    assert checked == [True, True, True, False]  # the first three of the ranking
    expect(page.get_by_label("支委会意见")).to_have_value(opinion)  # no round trip
    boxes.nth(3).check()
    boxes.nth(2).uncheck()
    expect(count).to_have_text("已选 3 / 名额 3")
    button.click()

    expect(page.get_by_role("status").first).to_have_text("已记录支委会确认的优秀人选")
    expect(page.locator("#confirmed")).to_contain_text(opinion)
    expect(count).to_have_text("已选 3 / 名额 3")
    assert [box.is_checked() for box in boxes.all()] == [True, True, False, True]
    screenshot("quota-confirmed")


# --- closing marking -----------------------------------------------------------------------------


def test_closing_with_a_rater_unfinished_lists_them_and_asks_why(
    page: Page, live_server, screenshot: Callable[[str], Path]
) -> None:
    seeded = _seed(live_server, names=["赵一", "钱二", "孙三", "李四"], full=4, rater_marks=1)
    _log_in(page, live_server, seeded.secretary)
    page.goto(f"{live_server.url}/branch/years/{YEAR}#close-marking")
    section = page.locator("#close-marking")
    expect(section.locator("#unfinished-raters")).to_contain_text("还有 1 名评委没有评完")
    expect(section.locator("#unfinished-raters li")).to_have_text(["宋德胜 已评 1/4 人，还差 3 人"])

    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    button = section.get_by_role("button", name="仍要结束评分")
    button.click()
    error = page.locator("#close-error")
    expect(error).to_contain_text("请填写仍要结束评分的原因")
    assert questions and "宋德胜 已评 1/4 人" in questions[0]
    error_box, button_box = _in_view(page, error), _in_view(page, button)
    assert error_box["y"] - (button_box["y"] + button_box["height"]) < NEAR_PX
    _viewport_shot(page, "close-marking-refused-viewport")

    reason = "宋德胜外出务工，经支委会同意按已评结果评定"
    section.get_by_label("仍要结束评分的原因").fill(reason)
    section.get_by_role("button", name="仍要结束评分").click()
    expect(page.get_by_role("status").first).to_have_text(
        f"{YEAR} 年度评分已结束，评委不能再修改评分"
    )
    expect(page.locator("#closed-reason")).to_contain_text(reason)
    screenshot("close-marking-closed")

    def stored() -> tuple[str | None, dict]:
        year = db.session.get(AssessmentYear, seeded.year_id)
        event = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "year.close_marking", AuditEvent.object_id == year.id
            )
        )
        return year.marking_closed_reason, event.after

    assert _read(live_server, stored) == (
        reason,
        {"reason": reason, "unfinished": ["宋德胜 已评 1/4 人，还差 3 人"]},
    )


# --- a rater's half-marked member and 弃权 --------------------------------------------------------


def _choice(page: Page, star: str, choice: str) -> Locator:
    return page.get_by_role("group", name=star, exact=True).get_by_role(
        "radio", name=choice, exact=True
    )


def test_a_half_marked_member_is_saved_and_kept_on_screen_until_abstained(
    page: Page, live_server, screenshot: Callable[[str], Path]
) -> None:
    seeded = _seed(live_server, names=["陈建国", "刘桂兰"])
    first, second = seeded.members
    _log_in(page, live_server, seeded.rater)
    page.goto(f"{live_server.url}/branch/marking/{YEAR}/{first}")

    _choice(page, ORGANISATIONAL[0].name, "达标").click()
    page.get_by_role("button", name="保存并评下一位").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("陈建国")  # stays
    status = page.get_by_role("status").first
    expect(status).to_contain_text("已保存 1/8，尚有 7 项未评")
    expect(page.locator(".flash-success")).to_have_count(0)
    _in_view(page, status)
    _viewport_shot(page, "marking-half-saved-viewport")

    # the rater leaves the last star for the one that will not be marked: 弃权
    for star in ORGANISATIONAL[1:7]:
        _choice(page, star.name, "不达标" if star.code == "hardship" else "达标").click()
    _choice(page, ORGANISATIONAL[7].name, "弃权").click()
    expect(page.get_by_text("8 颗星都已选好，可以保存。")).to_be_visible()
    screenshot("marking-abstain")
    page.get_by_role("button", name="保存并评下一位").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("刘桂兰")
    expect(page.get_by_role("status").first).to_have_text(
        "已保存「陈建国」的评分（已评 8 / 8 颗星）"
    )

    # 刘桂兰: the same star left out. "保存并评下一位" stays (it used to send the rater back to
    # 陈建国 and round again); 弃权 by keyboard (3) ends the loop at the list
    for star in ORGANISATIONAL[:7]:
        _choice(page, star.name, "达标").click()
    page.get_by_role("button", name="保存并评下一位").click()
    left = "已保存 7/8，尚有 1 项未评（致富带富星）"
    expect(page.get_by_role("status").first).to_contain_text(left)
    expect(page.get_by_role("heading", level=1)).to_have_text("刘桂兰")
    _choice(page, ORGANISATIONAL[7].name, "达标").focus()
    page.keyboard.press("3")
    expect(_choice(page, ORGANISATIONAL[7].name, "弃权")).to_be_checked()
    page.get_by_role("button", name="保存并评下一位").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("评分")
    expect(page.get_by_text(f"{YEAR} 年度的党员您已全部评完")).to_be_visible()
    expect(page.get_by_text("您已评完 2 / 2 名党员")).to_be_visible()

    def abstained() -> list[tuple[int, str]]:
        marks = db.session.scalars(
            select(StarMark).where(StarMark.abstained, StarMark.year_id == seeded.year_id)
        )
        return sorted((m.assessed_member_id, m.star_code) for m in marks)

    assert _read(live_server, abstained) == [(first, "prosperity"), (second, "prosperity")]
