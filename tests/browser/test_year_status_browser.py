"""The secretary's year on a PC (1366×768): one status wording on every page as the year goes
from marking to publicity, a correction and back; 公示评定结果 only after the confirmation of
what goes public; 结束评分 within the first screens of a big year; the home page's to-do list
at 1366×768 and on a phone."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from starrating.extensions import db
from starrating.models import ObjectionTopic, User
from starrating.queries.assessment import assessed_members, year_of
from starrating.queries.versions import latest_draft
from starrating.rules.electorate import Electorate
from starrating.rules.result_versions import Part
from starrating.rules.vocabulary import Role
from starrating.services.ballots import create_round, generate_codes, open_round
from starrating.services.marking import record_marks
from starrating.services.objections import file_objection
from starrating.services.review import publish_results
from starrating.services.versions import sign_off
from starrating.web import china_today
from tests.blueprints.publicity import ORGANISATIONAL, YEAR, ready_year
from tests.browser.conftest import BACKEND, SCREENSHOTS
from tests.factories import (
    PASSWORD,
    create_member,
    create_user,
    create_village,
    open_assessment,
    signed_off,
)

pytestmark = pytest.mark.browser

PC = {"width": 1366, "height": 768}


@pytest.fixture
def pc(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PC, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        yield page
    finally:
        context.close()


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".topbar")).to_contain_text("退出")


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{BACKEND}-{name}.png"), full_page=True)


def _says(page: Page, base: str, phase: str, sentence: str) -> None:
    """The year page, the 公示与上报 page and the home page say the same phase and sentence."""
    for path in (f"/branch/years/{YEAR}", f"/branch/years/{YEAR}/review", "/branch/"):
        page.goto(base + path)
        expect(page.locator("#year-state")).to_have_text(phase)
        expect(page.locator("#year-status")).to_contain_text(sentence)


def _signed_by_a_committee_member(secretary_username: str) -> None:
    """Another committee member signs the 公示稿 the secretary just made (on their own phone:
    tests/browser/test_result_versions_browser.py)."""
    secretary = db.session.scalar(select(User).where(User.username == secretary_username))
    year = year_of(secretary.village_id, YEAR)
    draft = latest_draft(year.id, Part.TENSTAR)
    sign_off(actor=create_user(role=Role.COMMITTEE, village=secretary.village), version=draft)
    db.session.commit()


def test_the_year_says_one_thing_everywhere_through_its_states(live_server, pc: Page):
    def make() -> dict[str, str]:
        _, secretary, _ = ready_year(close=False)
        _, done, year = ready_year()
        signed_off(year, Part.TENSTAR)
        publish_results(actor=done, year=year, today=china_today() - timedelta(days=12))
        db.session.commit()
        return {"marking": secretary.username, "done": done.username}

    users = live_server.seed(make)
    base = live_server.url
    _login(pc, base, users["marking"])
    _says(pc, base, "评分中", "评分进行中，评委评完后请结束评分")
    assert "重新开放" not in pc.locator("#this-year").inner_text()

    pc.goto(f"{base}/branch/years/{YEAR}")
    pc.get_by_role("button", name="结束评分").click()
    _says(pc, base, "评分已结束，待公示", "请核对评定结果后公示")
    assert "评分中" not in pc.locator("#this-year").inner_text()

    # publishing shows what goes public first, and refuses without the tick
    pc.goto(f"{base}/branch/years/{YEAR}/review")
    pc.get_by_role("button", name="公示评定结果").click()
    expect(pc.locator("#preview-rows tbody tr")).to_have_count(4)
    expect(pc.locator("#preview-rows")).to_contain_text("刘志强")
    expect(pc.locator("#publicity-period")).to_contain_text("（5 天）")
    _shot(pc, "publish-confirm-1366")
    pc.get_by_role("button", name="生成公示稿，请审核签字").click()
    expect(pc.locator("div.flash-success")).to_contain_text("已生成十星级评定结果公示稿第 1 版")
    username = users["marking"]
    live_server.seed(lambda: _signed_by_a_committee_member(username))
    pc.goto(f"{base}/branch/years/{YEAR}/review/publish")
    expect(pc.locator("#signed-note")).to_contain_text("审核签字")
    pc.get_by_role("button", name="确认公示").click()  # unticked: the browser holds it back
    expect(pc.locator("div.flash-success")).to_have_count(0)
    expect(pc.locator("#preview-rows")).to_be_visible()
    pc.get_by_label("我已核对以上姓名、获星、等次和公示期，同意在公示栏公开").check()
    pc.get_by_role("button", name="确认公示").click()
    expect(pc.locator("div.flash-success")).to_contain_text("已在公示栏公示")
    end = live_server.seed(china_today) + timedelta(days=4)
    _says(pc, base, "公示中", f"评定结果公示至 {end.month}月{end.day}日")

    # a correction during publicity, and back
    pc.goto(f"{base}/branch/years/{YEAR}")
    pc.fill("input[name=reopen_reason]", "群众异议：核实王建国的先锋星")
    pc.get_by_role("button", name="重新开放评分").click()
    _says(pc, base, "公示中，评分已重新开放更正", "更正完毕后请结束评分")
    pc.goto(f"{base}/branch/years/{YEAR}")
    _shot(pc, "year-correcting-1366")
    pc.get_by_role("button", name="结束评分").click()
    _says(pc, base, "公示中", "期满且群众异议答复完毕后报送乡镇审核")

    # another village whose publicity is over: ready to submit, then waiting for the township
    pc.context.clear_cookies()
    _login(pc, base, users["done"])
    _says(pc, base, "公示期满，待报送", "请报送乡镇审核")
    pc.goto(f"{base}/branch/years/{YEAR}/review")
    pc.get_by_role("button", name="报送乡镇审核").click()
    _says(pc, base, "已报乡镇，待审核", "报送乡镇，等待审核；审核期间不能修改")


def test_close_marking_is_on_the_first_screen_of_a_big_year(live_server, pc: Page):
    """56 members and 5 raters: the progress grid is long, 结束评分 comes before it."""

    def make() -> str:
        village = create_village()
        secretary = create_user(role=Role.SECRETARY, village=village)
        raters = [secretary]
        for name in ("宋德胜", "陈美玲", "周建华", "吴海燕"):
            rater = create_user(role=Role.COMMITTEE, village=village)
            rater.display_name = name
            raters.append(rater)
        for number in range(56):
            create_member(village=village, name=f"党员{number + 1:02d}")
        year = open_assessment(village=village, secretary=secretary, raters=raters)
        for assessed in assessed_members(year.id)[:24]:
            record_marks(
                rater=raters[1], assessed=assessed, marks=dict.fromkeys(ORGANISATIONAL, True)
            )
        db.session.commit()
        return secretary.username

    username = live_server.seed(make)
    base = live_server.url
    _login(pc, base, username)
    pc.goto(f"{base}/branch/years/{YEAR}")
    _shot(pc, "year-big-1366")
    close = pc.get_by_role("button", name="结束评分")
    box = close.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= PC["height"], f"结束评分 at y = {box['y']}"
    expect(pc.locator("#unfinished-raters")).to_contain_text("宋德胜 已评 24/56 人，还差 32 人")
    order = pc.eval_on_selector_all("section.card", "cards => cards.map(card => card.id)")
    assert order.index("close-marking") < order.index("progress") < order.index("raters")


def _todo_village() -> str:
    village = create_village()
    secretary = create_user(role=Role.SECRETARY, village=village)
    song = create_user(role=Role.COMMITTEE, village=village)
    song.display_name = "宋德胜"
    for number in range(40):
        create_member(village=village, name=f"党员{number + 1:02d}")
    year = open_assessment(village=village, secretary=secretary, raters=[secretary, song])
    members = assessed_members(year.id)
    for assessed in members:
        record_marks(rater=secretary, assessed=assessed, marks=dict.fromkeys(ORGANISATIONAL, True))
    for assessed in members[:8]:
        record_marks(rater=song, assessed=assessed, marks=dict.fromkeys(ORGANISATIONAL, True))
    ballot_round = create_round(
        actor=secretary,
        village=village,
        year=YEAR,
        title="党员群众满意度测评",
        members=True,
        cadres=False,
        electorate=Electorate.VILLAGERS,
        eligible=600,
    )
    generate_codes(actor=secretary, ballot_round=ballot_round, count=20)
    open_round(actor=secretary, ballot_round=ballot_round)
    file_objection(
        village=village, year=YEAR, topic=ObjectionTopic.OTHER, content="有意见", name="", phone=""
    )
    db.session.commit()
    return secretary.username


@pytest.mark.parametrize(
    "viewport", [PC, {"width": 390, "height": 844}], ids=["1366x768", "390x844"]
)
def test_the_home_page_lists_what_is_waiting(live_server, browser: Browser, viewport):
    username = live_server.seed(_todo_village)
    base = live_server.url
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        _login(page, base, username)
        page.goto(f"{base}/branch/")
        items = page.locator("#todo li")
        expect(items).to_have_text(
            [
                "宋德胜还差 32 人未评",
                "待支委会确认优秀人选（具备资格 40 人，名额 13 人）",
                "「党员群众满意度测评」投票中 0/600",
                "1 条群众异议待答复",
            ]
        )
        box = page.locator("#todo").bounding_box()
        assert box is not None and box["y"] < viewport["height"] / 2, "the list opens the page"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the home page is {width}px wide"
        _shot(page, f"home-todo-{viewport['width']}")
        page.get_by_role("link", name="宋德胜还差 32 人未评").click()
        assert page.url.endswith(f"/branch/years/{YEAR}#progress")
        expect(page.locator("#unfinished-raters")).to_contain_text(
            "宋德胜 已评 8/40 人，还差 32 人"
        )
    finally:
        context.close()
